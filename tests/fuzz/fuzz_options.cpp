// libFuzzer target: the option parsers: --array, --widths, --max-memory and HARDWIRE_SEED. The first byte picks the
// parser; what each accepts must be within its documented range, and parsing what it prints must round-trip.
#include <cstddef>
#include <cstdint>
#include <string>

#include "hardwire/gen/design.hpp"
#include "hardwire/gen/model_info.hpp"
#include "hardwire/gen/model_source.hpp"
#include "hardwire/seed.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0: {
      auto a = hardwire::gen::parse_array(text);
      if (a && (a->rows < 1 || a->rows > 256 || a->cols < 1 || a->cols > 256)) __builtin_trap();
      break;
    }
    case 1: {
      auto w = hardwire::gen::parse_widths(text, hardwire::golden::Widths{});
      if (w) {
        if (!hardwire::gen::validate_widths(*w)) __builtin_trap();
        auto again = hardwire::gen::parse_widths(hardwire::gen::widths_to_string(*w), hardwire::golden::Widths{});
        if (!again || hardwire::gen::widths_to_string(*again) != hardwire::gen::widths_to_string(*w)) __builtin_trap();
      }
      break;
    }
    case 2: {
      auto v = hardwire::gen::parse_size(text);
      if (v && *v < 1) __builtin_trap();
      break;
    }
    default: {
      auto s = hardwire::parse_seed(text);
      if (s && hardwire::parse_seed(std::to_string(*s)) != s) __builtin_trap();
      break;
    }
  }
  return 0;
}
