// libFuzzer target: the manifest.json reader that `hardwire sim` uses to reuse a design: only relative paths inside
// the design, sizes within bounds, an Error for anything else.
#include <cstddef>
#include <cstdint>
#include <string>

#include "hardwire/gen/manifest.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto m = hardwire::gen::parse_manifest(text);
  if (!m) return 0;
  if (m->content_hash.size() != 16) __builtin_trap();
  for (const auto& f : m->files) {
    if (f.path.empty() || f.path[0] == '/' || f.bytes < 0) __builtin_trap();
    if (f.path == ".." || f.path.rfind("../", 0) == 0 || f.path.find("/../") != std::string::npos) __builtin_trap();
  }
  return 0;
}
