// libFuzzer target: the JSON shape-file parser (nesting limit, duplicate keys, every field's checks).
#include <cstddef>
#include <cstdint>
#include <string>

#include "hardwire/gen/model_source.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto src = hardwire::gen::parse_json_shape(text, "fuzz.json");
  if (!src) {
    if (src.message().size() > 2000) __builtin_trap();  // messages quote snippets, never whole values
    return 0;
  }
  if (!src->shape.validate().is_ok()) __builtin_trap();
  for (unsigned char c : src->name)
    if (c < 0x20 || c == 0x7f) __builtin_trap();  // names are safe to write into generated files
  return 0;
}
