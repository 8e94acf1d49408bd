#include "hardwire/gen/hex_image.hpp"

#include "hardwire/gen/files.hpp"
#include "hardwire/golden/qmodel.hpp"

namespace hardwire::gen {

std::string hex_image(const std::vector<int64_t>& words, int width_bits) {
  HW_CHECK(width_bits >= 1 && width_bits <= 64, "hex image word width 1..64");
  const int digits = (width_bits + 3) / 4;
  const uint64_t mask = width_bits == 64 ? ~uint64_t{0} : ((uint64_t{1} << width_bits) - 1);
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(words.size() * static_cast<size_t>(digits + 1));
  for (int64_t w : words) {
    const uint64_t v = static_cast<uint64_t>(w) & mask;
    for (int d = digits - 1; d >= 0; --d) out += kHex[(v >> (4 * d)) & 0xf];
    out += '\n';
  }
  return out;
}

Status write_hex_image(const std::string& path, const std::vector<int64_t>& words, int width_bits) {
  return write_file_atomic(path, hex_image(words, width_bits), "memory image");
}

std::vector<int64_t> exp2_table_words() {
  const auto& t = golden::exp2_table();
  return std::vector<int64_t>(t.begin(), t.end());
}

}  // namespace hardwire::gen
