#include "hardwire/gen/safetensors.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>

#include "hardwire/gen/files.hpp"
#include "json_input.hpp"

namespace hardwire::gen {

static_assert(std::endian::native == std::endian::little, "safetensors files are little-endian; so must the host be");

namespace {

__extension__ typedef unsigned __int128 uint128_t;

constexpr uint64_t kMaxHeaderBytes = 100'000'000;  // the safetensors libraries' limit

struct DtypeSize {
  const char* name;
  int bytes;
};
constexpr DtypeSize kDtypes[] = {{"F64", 8},  {"F32", 4},  {"F16", 2},     {"BF16", 2},    {"I64", 8},
                                 {"I32", 4},  {"I16", 2},  {"I8", 1},      {"U64", 8},     {"U32", 4},
                                 {"U16", 2},  {"U8", 1},   {"BOOL", 1},    {"F8_E4M3", 1}, {"F8_E5M2", 1}};

std::string u64(uint64_t v) { return std::to_string(v); }

}  // namespace

int dtype_bytes(const std::string& dtype) {
  for (const auto& d : kDtypes)
    if (dtype == d.name) return d.bytes;
  return 0;
}

int64_t TensorInfo::elements() const {
  for (int64_t d : shape)
    if (d <= 0) return 0;
  uint128_t n = 1;
  for (int64_t d : shape) {
    n *= static_cast<uint128_t>(d);
    if (n > static_cast<uint128_t>(INT64_MAX)) return INT64_MAX;  // saturates; open() refuses such a tensor
  }
  return static_cast<int64_t>(n);
}

std::string TensorInfo::shape_string() const {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

// ---- half-precision conversions --------------------------------------------------------------------------------

float f16_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1fu, man = h & 0x3ffu;
  uint32_t bits = 0;
  if (exp == 0x1f) {
    bits = sign | 0x7f800000u | (man << 13);  // infinity or NaN
  } else if (exp != 0) {
    bits = sign | ((exp + 112) << 23) | (man << 13);
  } else if (man != 0) {  // subnormal: man * 2^-24, normalized
    int e = -1;
    uint32_t m = man;
    do {
      ++e;
      m <<= 1;
    } while ((m & 0x400u) == 0);
    bits = sign | (static_cast<uint32_t>(112 - e) << 23) | ((m & 0x3ffu) << 13);
  } else {
    bits = sign;
  }
  return std::bit_cast<float>(bits);
}

float bf16_to_float(uint16_t b) { return std::bit_cast<float>(static_cast<uint32_t>(b) << 16); }

uint16_t float_to_bf16(float f) {
  const uint32_t x = std::bit_cast<uint32_t>(f);
  if ((x & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((x >> 16) | 0x40u);  // NaN stays NaN
  const uint32_t rounded = x + 0x7fffu + ((x >> 16) & 1u);
  return static_cast<uint16_t>(rounded >> 16);
}

uint16_t float_to_f16(float f) {
  const uint32_t x = std::bit_cast<uint32_t>(f);
  const auto sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
  const uint32_t ax = x & 0x7fffffffu;
  if (ax > 0x7f800000u) return static_cast<uint16_t>(sign | 0x7e00u);  // NaN
  if (ax >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);  // rounds to >= 65520: infinity
  if (ax < 0x38800000u) {  // below 2^-14: subnormal (or zero) in binary16
    if (ax < 0x33000000u) return sign;  // below 2^-25: rounds to zero
    const uint32_t e = ax >> 23;
    const uint32_t m = (ax & 0x7fffffu) | 0x800000u;
    const uint32_t shift = 126 - e;  // 14 + 113 - e - 1: value = m * 2^(e-150), in units of 2^-24
    const uint32_t q = m >> shift, rem = m & ((1u << shift) - 1), half = 1u << (shift - 1);
    const uint32_t r = q + ((rem > half || (rem == half && (q & 1u))) ? 1u : 0u);
    return static_cast<uint16_t>(sign | r);
  }
  const uint32_t rounded = ax + 0xfffu + ((ax >> 13) & 1u);
  return static_cast<uint16_t>(sign | ((rounded - 0x38000000u) >> 13));
}

// ---- reading ---------------------------------------------------------------------------------------------------

struct SafetensorsFile::Mapping {
  const unsigned char* data = nullptr;
  size_t size = 0;
  ~Mapping() {
    if (data) ::munmap(const_cast<unsigned char*>(data), size);
  }
};

const TensorInfo* SafetensorsFile::find(const std::string& name) const {
  const auto it = index_.find(name);
  return it == index_.end() ? nullptr : &tensors_[it->second];
}

Result<SafetensorsFile> SafetensorsFile::open(const std::string& path) {
  const std::string pre = "safetensors file '" + printable_snippet(path, 200) + "': ";
  HW_ASSIGN_OR_RETURN(const uint64_t size, file_size(path, "safetensors file"));
  if (size < 8) {
    return Error{pre + "the file is " + u64(size) +
                 " bytes, shorter than the 8-byte header length that starts a safetensors file; is it one?"};
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error{"cannot open " + pre.substr(0, pre.size() - 2) + ": " + std::strerror(errno)};
  void* p = ::mmap(nullptr, static_cast<size_t>(size), PROT_READ, MAP_PRIVATE, fd, 0);
  const int map_errno = errno;
  ::close(fd);
  if (p == MAP_FAILED) return Error{"cannot map " + pre.substr(0, pre.size() - 2) + ": " + std::strerror(map_errno)};
  auto mapping = std::make_shared<Mapping>();
  mapping->data = static_cast<const unsigned char*>(p);
  mapping->size = static_cast<size_t>(size);

  SafetensorsFile f;
  f.path_ = path;
  f.map_ = mapping;
  uint64_t n = 0;
  std::memcpy(&n, mapping->data, 8);
  if (n > size - 8) {
    return Error{pre + "the header length is " + u64(n) + " bytes, past the end of the " + u64(size) +
                 "-byte file (truncated, or not a safetensors file)"};
  }
  if (n > kMaxHeaderBytes) {
    return Error{pre + "the header is " + u64(n) + " bytes, more than the 100 MB safetensors allows; the file is "
                 "corrupt"};
  }
  f.data_offset_ = 8 + n;
  const uint64_t data_bytes = size - 8 - n;
  const std::string text(reinterpret_cast<const char*>(mapping->data + 8), static_cast<size_t>(n));
  auto parsed = parse_json_strict(text, pre + "header");
  if (!parsed) return parsed.error();
  const nlohmann::json& j = *parsed;
  if (!j.is_object()) return Error{pre + "the header is " + describe_json_value(j) + ", not a JSON object of tensors"};

  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string name = it.key();
    const std::string tpre = pre + "tensor \"" + printable_snippet(name, 80) + "\": ";
    const nlohmann::json& e = it.value();
    if (name == "__metadata__") {
      if (!e.is_object()) return Error{pre + "\"__metadata__\" must be an object of strings"};
      for (auto m = e.begin(); m != e.end(); ++m) {
        if (!m.value().is_string())
          return Error{pre + "\"__metadata__\" value of \"" + printable_snippet(m.key()) + "\" must be a string, got " +
                       describe_json_value(m.value())};
        f.metadata_[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    if (!e.is_object()) return Error{tpre + "expected an object with dtype, shape and data_offsets"};
    for (auto k = e.begin(); k != e.end(); ++k) {
      if (k.key() != "dtype" && k.key() != "shape" && k.key() != "data_offsets")
        return Error{tpre + "unknown key \"" + printable_snippet(k.key()) + "\"; a tensor has dtype, shape and data_offsets"};
    }
    TensorInfo t;
    t.name = name;
    if (!e.contains("dtype") || !e["dtype"].is_string()) return Error{tpre + "\"dtype\" must be a string"};
    t.dtype = e["dtype"].get<std::string>();
    const int eb = dtype_bytes(t.dtype);
    if (eb == 0) {
      return Error{tpre + "unknown dtype \"" + printable_snippet(t.dtype) +
                   "\"; safetensors defines F64, F32, F16, BF16, I64, I32, I16, I8, U64, U32, U16, U8, BOOL, F8_E4M3, "
                   "F8_E5M2"};
    }
    if (!e.contains("shape") || !e["shape"].is_array()) return Error{tpre + "\"shape\" must be a list of integers"};
    uint128_t elements = 1;
    for (const auto& d : e["shape"]) {
      if (!d.is_number_integer() || (d.is_number_integer() && !d.is_number_unsigned() && d.get<int64_t>() < 0) ||
          (d.is_number_unsigned() && d.get<uint64_t>() > (uint64_t{1} << 62)))
        return Error{tpre + "\"shape\" holds " + describe_json_value(d) + "; dimensions are integers 0 .. 2^62"};
      t.shape.push_back(d.get<int64_t>());
      elements *= static_cast<uint128_t>(t.shape.back());
      if (elements > (static_cast<uint128_t>(1) << 80)) elements = static_cast<uint128_t>(1) << 80;  // saturate
    }
    if (!e.contains("data_offsets") || !e["data_offsets"].is_array() || e["data_offsets"].size() != 2 ||
        !e["data_offsets"][0].is_number_unsigned() || !e["data_offsets"][1].is_number_unsigned())
      return Error{tpre + "\"data_offsets\" must be two non-negative integers [begin, end]"};
    t.begin = e["data_offsets"][0].get<uint64_t>();
    t.end = e["data_offsets"][1].get<uint64_t>();
    if (t.end < t.begin)
      return Error{tpre + "data_offsets [" + u64(t.begin) + ", " + u64(t.end) + "] end before they begin"};
    if (t.end > data_bytes) {
      return Error{tpre + "data_offsets [" + u64(t.begin) + ", " + u64(t.end) + "] run past the " + u64(data_bytes) +
                   " bytes of data in the file (truncated?)"};
    }
    const uint128_t need = elements * static_cast<uint128_t>(eb);
    if (need != static_cast<uint128_t>(t.end - t.begin)) {
      return Error{tpre + "shape " + t.shape_string() + " of " + t.dtype + " needs " +
                   (need > UINT64_MAX ? std::string("more than 2^64") : u64(static_cast<uint64_t>(need))) +
                   " bytes but data_offsets [" + u64(t.begin) + ", " + u64(t.end) + "] hold " + u64(t.end - t.begin)};
    }
    f.tensors_.push_back(std::move(t));
  }
  std::stable_sort(f.tensors_.begin(), f.tensors_.end(), [](const TensorInfo& a, const TensorInfo& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  uint64_t covered = 0;
  for (size_t i = 0; i < f.tensors_.size(); ++i) {
    const TensorInfo& t = f.tensors_[i];
    if (t.begin < covered) {
      return Error{pre + "tensors \"" + printable_snippet(f.tensors_[i - 1].name, 80) + "\" and \"" +
                   printable_snippet(t.name, 80) + "\" overlap (bytes " + u64(t.begin) + " .. " +
                   u64(std::min(covered, t.end)) + " of the data); the file is corrupt"};
    }
    if (t.begin > covered) {
      return Error{pre + "bytes " + u64(covered) + " .. " + u64(t.begin) +
                   " of the data belong to no tensor (safetensors allows no holes); the file is corrupt"};
    }
    covered = t.end;
    f.index_[t.name] = i;
  }
  if (covered != data_bytes) {
    return Error{pre + "bytes " + u64(covered) + " .. " + u64(data_bytes) +
                 " of the data belong to no tensor (trailing data); the file is corrupt"};
  }
  return f;
}

Status SafetensorsFile::read_floats(const TensorInfo& t, float* out) const {
  HW_CHECK(data_offset_ + t.end <= map_->size && t.end - t.begin == static_cast<uint64_t>(t.elements()) *
                                                      static_cast<uint64_t>(dtype_bytes(t.dtype)),
           "read_floats: a tensor of this file");
  const unsigned char* src = map_->data + data_offset_ + t.begin;
  const auto n = static_cast<size_t>(t.elements());
  if (t.dtype == "F32") {
    std::memcpy(out, src, n * 4);
  } else if (t.dtype == "F16" || t.dtype == "BF16") {
    const bool bf = t.dtype == "BF16";
    for (size_t i = 0; i < n; ++i) {
      uint16_t h = 0;
      std::memcpy(&h, src + 2 * i, 2);
      out[i] = bf ? bf16_to_float(h) : f16_to_float(h);
    }
  } else {
    return Error{"safetensors file '" + printable_snippet(path_, 200) + "': tensor \"" + printable_snippet(t.name, 80) +
                 "\" is " + t.dtype + "; hardwire reads weights stored as F32, F16 or BF16"};
  }
  return Status::ok();
}

// ---- writing ---------------------------------------------------------------------------------------------------

std::string safetensors_header(const std::vector<TensorInfo>& tensors,
                               const std::map<std::string, std::string>& metadata) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  if (!metadata.empty()) {
    j["__metadata__"] = nlohmann::ordered_json::object();
    for (const auto& [k, v] : metadata) j["__metadata__"][k] = v;
  }
  for (const auto& t : tensors) {
    j[t.name] = {{"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {t.begin, t.end}}};
  }
  std::string text = j.dump();
  text.append((8 - text.size() % 8) % 8, ' ');
  const uint64_t n = text.size();
  std::string out(8, '\0');
  std::memcpy(out.data(), &n, 8);
  return out + text;
}

Status write_safetensors(const std::string& path, const std::vector<TensorData>& tensors, const std::string& dtype,
                         const std::map<std::string, std::string>& metadata) {
  HW_CHECK(dtype == "F32" || dtype == "F16" || dtype == "BF16", "write_safetensors: F32, F16 or BF16");
  const int eb = dtype_bytes(dtype);
  std::vector<TensorInfo> infos;
  uint64_t at = 0;
  for (const auto& t : tensors) {
    TensorInfo i{t.name, dtype, t.shape, at, 0};
    i.end = at + static_cast<uint64_t>(i.elements()) * static_cast<uint64_t>(eb);
    at = i.end;
    infos.push_back(std::move(i));
  }
  std::string out = safetensors_header(infos, metadata);
  out.reserve(out.size() + at);
  for (size_t k = 0; k < tensors.size(); ++k) {
    const float* d = tensors[k].data;
    const int64_t n = infos[k].elements();
    HW_CHECK(n == 0 || d != nullptr, "write_safetensors: data for every element");
    for (int64_t i = 0; i < n; ++i) {
      if (dtype == "F32") {
        out.append(reinterpret_cast<const char*>(d + i), 4);
      } else {
        const uint16_t h = dtype == "F16" ? float_to_f16(d[i]) : float_to_bf16(d[i]);
        out.append(reinterpret_cast<const char*>(&h), 2);
      }
    }
  }
  return write_file_atomic(path, out, "safetensors file");
}

}  // namespace hardwire::gen
