// hardwire/gen/safetensors.hpp — the safetensors format (Hugging Face), read memory-mapped and written.
//
// A file is: 8 bytes, the little-endian length N of a JSON header; N bytes of JSON, an object mapping each tensor
// name to {"dtype": "F32"|"F16"|"BF16"|..., "shape": [d0, d1, ...], "data_offsets": [begin, end]} (byte offsets
// into the data that follows, end exclusive) and an optional "__metadata__" object of strings; then the data, every
// byte of it belonging to exactly one tensor (no holes, no overlaps), row-major, little-endian. A sharded checkpoint
// is several such files and "model.safetensors.index.json", {"weight_map": {tensor name: file name}, ...}.
//
// Reading maps the file and checks the whole header (lengths, JSON, dtypes, shapes, offsets) without touching the
// data, so opening a multi-gigabyte checkpoint to learn its shapes costs only its header. Weights are read as
// F32, F16 or BF16 and widened to float exactly; other dtypes are named in an error.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hardwire/status.hpp"

namespace hardwire::gen {

struct TensorInfo {
  std::string name;
  std::string dtype;           // as the header spells it ("F32", "BF16", ...)
  std::vector<int64_t> shape;
  uint64_t begin = 0, end = 0;  // byte offsets into the data section, end exclusive

  int64_t elements() const;     // product of shape (1 for a scalar; saturates at INT64_MAX)
  std::string shape_string() const;  // "[172, 64]"
};

// Bytes per element of a safetensors dtype; 0 for a name the format does not define.
int dtype_bytes(const std::string& dtype);

// One safetensors file, memory-mapped (read-only) for as long as any copy of it lives.
class SafetensorsFile {
 public:
  // Opens and validates `path`. Errors name the file and the problem: shorter than 8 bytes, a header length past
  // the end of the file or above 100 MB, JSON that does not parse or is not an object, a tensor entry without a
  // string dtype, an integer shape or two integer data_offsets, an unknown dtype, data_offsets out of order, past the
  // data or disagreeing with shape x dtype, tensors that overlap, bytes that belong to no tensor.
  static Result<SafetensorsFile> open(const std::string& path);

  const std::string& path() const { return path_; }
  const std::vector<TensorInfo>& tensors() const { return tensors_; }  // in the order of their data
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  const TensorInfo* find(const std::string& name) const;  // nullptr if absent
  // The tensor's elements as float (F32 copied, F16 and BF16 widened exactly), row-major, into out[0..elements).
  // An error for other dtypes.
  Status read_floats(const TensorInfo& t, float* out) const;

 private:
  struct Mapping;
  std::string path_;
  std::shared_ptr<const Mapping> map_;
  uint64_t data_offset_ = 0;  // 8 + header length
  std::vector<TensorInfo> tensors_;
  std::map<std::string, size_t> index_;
  std::map<std::string, std::string> metadata_;
};

// A tensor to write: its name, shape and float elements (row-major, elements() of them).
struct TensorData {
  std::string name;
  std::vector<int64_t> shape;
  const float* data = nullptr;
};

// The header bytes (length prefix included, JSON padded with spaces to a multiple of 8) of a file holding
// `tensors` (their dtype, shape and data_offsets as given) and `metadata`.
std::string safetensors_header(const std::vector<TensorInfo>& tensors,
                               const std::map<std::string, std::string>& metadata);
// Writes `tensors` in `dtype` (F32, F16 or BF16; F16/BF16 rounded to nearest even) to `path`, atomically.
Status write_safetensors(const std::string& path, const std::vector<TensorData>& tensors, const std::string& dtype,
                         const std::map<std::string, std::string>& metadata = {});

// IEEE binary16 and bfloat16 to float (exact) and back (round to nearest, ties to even; overflow to infinity).
float f16_to_float(uint16_t h);
float bf16_to_float(uint16_t b);
uint16_t float_to_f16(float f);
uint16_t float_to_bf16(float f);

}  // namespace hardwire::gen
