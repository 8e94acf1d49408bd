// libFuzzer target: the safetensors reader on any bytes (written to a file, which the reader maps), then every
// tensor it accepts read as float. A file that opens must have tensors inside its data, in order, without overlap;
// a float tensor must read; anything else must be refused with an Error.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "hardwire/gen/safetensors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = "/tmp/hardwire_fuzz_safetensors_" + std::to_string(::getpid()) + ".safetensors";
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return 0;
  if (size) std::fwrite(data, 1, size, f);
  std::fclose(f);
  auto st = hardwire::gen::SafetensorsFile::open(path);
  if (!st) return 0;
  uint64_t end = 0;
  for (const auto& t : st->tensors()) {
    if (t.begin != end || t.end < t.begin || t.end > size) __builtin_trap();
    end = t.end;
    if (t.elements() > (int64_t{1} << 20)) continue;  // bounded by the input anyway; keep the fuzzer fast
    std::vector<float> v(static_cast<size_t>(t.elements()));
    const bool is_float = t.dtype == "F32" || t.dtype == "F16" || t.dtype == "BF16";
    if (st->read_floats(t, v.data()).is_ok() != is_float) __builtin_trap();
  }
  return 0;
}
