// hardwire/gen/hex_image.hpp — memory images for $readmemh: one word per line, lowest address first, each word
// as ceil(width/4) hex digits of its two's-complement bit pattern (no "0x", no address markers). Deterministic:
// the same words give byte-identical text.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hardwire/status.hpp"

namespace hardwire::gen {

std::string hex_image(const std::vector<int64_t>& words, int width_bits);
Status write_hex_image(const std::string& path, const std::vector<int64_t>& words, int width_bits);

// The softmax exp2 fraction table (docs/numerics.md §9) as 256 words of 16 bits.
std::vector<int64_t> exp2_table_words();

}  // namespace hardwire::gen
