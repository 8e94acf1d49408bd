// verif/common/ports.hpp — packing lanes into Verilator ports of any width (CData..QData, VlWide<N>) and back.
#pragma once

#include <cstdint>
#include <type_traits>
#include <vector>

#include "verilated.h"

namespace hardwire::verif {

// Bits of `n` lanes of `bits` each (lane 0 least significant) as 32-bit words.
inline std::vector<uint32_t> pack_lanes(const int64_t* lanes, int n, int bits) {
  std::vector<uint32_t> w(static_cast<size_t>((n * bits + 31) / 32 + 1), 0);
  for (int l = 0; l < n; ++l) {
    const uint64_t v = static_cast<uint64_t>(lanes[l]);
    for (int b = 0; b < bits; ++b) {
      if ((v >> b) & 1) {
        const int pos = l * bits + b;
        w[static_cast<size_t>(pos / 32)] |= uint32_t{1} << (pos % 32);
      }
    }
  }
  return w;
}

template <class T>
void set_lanes(T& port, const int64_t* lanes, int n, int bits) {
  const auto w = pack_lanes(lanes, n, bits);
  if constexpr (std::is_integral_v<T>) {
    port = static_cast<T>(uint64_t{w[0]} | (w.size() > 1 ? uint64_t{w[1]} << 32 : 0));
  } else {
    for (size_t i = 0; i < sizeof(port) / sizeof(port[0]); ++i) port[i] = i < w.size() ? w[i] : 0;
  }
}

// Lane `idx` of `bits` bits, sign-extended.
template <class T>
int64_t get_lane(const T& port, int idx, int bits) {
  uint64_t v = 0;
  for (int b = 0; b < bits; ++b) {
    const int pos = idx * bits + b;
    uint32_t word;
    if constexpr (std::is_integral_v<T>) {
      word = static_cast<uint32_t>(static_cast<uint64_t>(port) >> (32 * (pos / 32)));
    } else {
      word = port[static_cast<size_t>(pos / 32)];
    }
    if ((word >> (pos % 32)) & 1) v |= uint64_t{1} << b;
  }
  const uint64_t sign = uint64_t{1} << (bits - 1);
  return static_cast<int64_t>((v ^ sign) - sign);
}

}  // namespace hardwire::verif
