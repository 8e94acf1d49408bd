// Random SiLU tables for the SwiGLU unit harnesses (hw_core_mac, hw_core_elementwise): `layers` tables of 257
// signed 16-bit entries, both extremes among them and neighbours at the full distance (-32768 next to 32767, the
// widest interpolation step), written to `path` as the chip's ROM image (golden::silu_rom_word: word i of a layer =
// {SILU[i+1], SILU[i]}, layer l at words l*256). Empty if the file cannot be written.
#pragma once

#include <cstdio>
#include <random>
#include <vector>

#include "hardwire/golden/ops.hpp"

namespace hardwire::verif {

inline std::vector<golden::SiluTable> write_silu_image(const char* path, int layers, std::mt19937_64& rng) {
  std::vector<golden::SiluTable> tables(static_cast<size_t>(layers));
  for (auto& t : tables)
    for (size_t i = 0; i < t.size(); ++i)
      t[i] = i % 97 == 0 ? -32768 : i % 97 == 1 ? 32767 : static_cast<int16_t>(rng());
  FILE* f = std::fopen(path, "w");
  if (!f) return {};
  for (const auto& t : tables)
    for (size_t i = 0; i + 1 < t.size(); ++i)
      std::fprintf(f, "%08llx\n", static_cast<unsigned long long>(golden::silu_rom_word(t, i)));
  return std::fclose(f) == 0 ? tables : std::vector<golden::SiluTable>{};
}

}  // namespace hardwire::verif
