#include "hardwire/gen/model_source.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "hardwire/gen/files.hpp"
#include "hardwire/golden/compare.hpp"
#include "hardwire/gen/hf_llama.hpp"
#include "hardwire/gen/llama2c.hpp"
#include "json_input.hpp"

namespace hardwire::gen {

using golden::FloatModel;
using golden::MatF;
using golden::Shape;
using golden::VecF;
using golden::Widths;

const std::vector<Preset>& presets() {
  static const std::vector<Preset> p = {
      {"tiny", Shape{32, 96, 2, 4, 2, 100, 64},
       "default demo: GQA, hidden and vocab not powers of two; the whole flow runs in seconds"},
      {"stories260K", Shape{64, 172, 5, 8, 4, 512, 512}, "llama2.c stories260K shape, synthetic weights"},
      {"stories15M", Shape{288, 768, 6, 6, 6, 32000, 256}, "llama2.c stories15M shape, synthetic weights"},
      {"stories42M", Shape{512, 1376, 8, 8, 8, 32000, 1024}, "llama2.c stories42M shape, synthetic weights"},
      {"stories110M", Shape{768, 2048, 12, 12, 12, 32000, 1024}, "llama2.c stories110M shape, synthetic weights"},
  };
  return p;
}

std::string ModelSource::describe() const {
  switch (kind) {
    case Kind::kPreset:
      return name + " (preset, synthetic weights, seed " + std::to_string(seed) + ")";
    case Kind::kJsonShape:
      return name + " (JSON shape " + path + ", synthetic weights, seed " + std::to_string(seed) + ")";
    case Kind::kCheckpoint:
      return name + " (llama2.c checkpoint " + path + ")";
    case Kind::kHuggingFace:
      return name + " (Hugging Face checkpoint " + path + ")";
  }
  return name;
}

namespace {

std::string preset_names() {
  std::string s;
  for (const auto& p : presets()) s += (s.empty() ? "" : ", ") + std::string(p.name);
  return s;
}

// The field of `w` that a site name ("res", "k", ...) names; nullptr for no site.
int* width_slot(Widths& w, const std::string& site) {
  for (const auto& s : golden::kWidthSites)
    if (site == s.name) return &(w.*s.bits);
  return nullptr;
}

// "res xn q k v att gate up h"
std::string site_names() {
  std::string s;
  for (const auto& site : golden::kWidthSites) s += (s.empty() ? "" : " ") + std::string(site.name);
  return s;
}

// A model's default name: its file name.
bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

Status check_model_name(const std::string& name, const std::string& pre) {
  if (name.empty()) return Error{pre + "\"name\" is empty; give the model a name"};
  if (name.size() > 200) return Error{pre + "\"name\" is " + std::to_string(name.size()) + " characters; use at most 200"};
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) {
      return Error{pre + "\"name\" \"" + printable_snippet(name) +
                   "\" contains a control character; use one line of printable text"};
    }
  }
  return Status::ok();
}

Result<ModelSource> parse_json_shape(const std::string& text, const std::string& path) {
  const std::string pre = "model shape file '" + printable_snippet(path, 200) + "': ";
  auto parsed = parse_json_strict(text, pre.substr(0, pre.size() - 2));
  if (!parsed) return parsed.error();
  const nlohmann::json& j = *parsed;
  if (!j.is_object()) return Error{pre + "expected a JSON object with the model's dimensions"};
  static const char* const kKeys[] = {"name", "dim", "hidden_dim", "n_layers", "n_heads", "n_kv_heads",
                                      "vocab_size", "seq_len", "shared_classifier", "seed", "widths"};
  for (auto it = j.begin(); it != j.end(); ++it) {
    bool known = false;
    for (const char* k : kKeys) known = known || it.key() == k;
    if (!known) {
      return Error{pre + "unknown key \"" + printable_snippet(it.key()) +
                   "\"; allowed: name, dim, hidden_dim, n_layers, n_heads, n_kv_heads (default n_heads), vocab_size, "
                   "seq_len, shared_classifier (default true), seed (default 1), widths"};
    }
  }
  auto get_int = [&](const char* key, int64_t& out, bool required) -> Status {
    if (!j.contains(key)) {
      if (required) return Error{pre + "missing required key \"" + key + "\""};
      return Status::ok();
    }
    const auto& v = j[key];
    if (!v.is_number_integer()) return Error{pre + "\"" + key + "\" must be an integer, got " + describe_json_value(v)};
    if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
      return Error{pre + "\"" + key + "\" is " + describe_json_value(v) + ", far too large"};
    out = v.get<int64_t>();
    return Status::ok();
  };
  ModelSource src;
  src.kind = ModelSource::Kind::kJsonShape;
  src.path = path;
  Shape& s = src.shape;
  HW_TRY(get_int("dim", s.dim, true));
  HW_TRY(get_int("hidden_dim", s.hidden_dim, true));
  HW_TRY(get_int("n_layers", s.n_layers, true));
  HW_TRY(get_int("n_heads", s.n_heads, true));
  s.n_kv_heads = s.n_heads;
  HW_TRY(get_int("n_kv_heads", s.n_kv_heads, false));
  HW_TRY(get_int("vocab_size", s.vocab, true));
  HW_TRY(get_int("seq_len", s.seq_len, true));
  int64_t seed = 1;
  HW_TRY(get_int("seed", seed, false));
  if (seed < 0) return Error{pre + "\"seed\" must be non-negative"};
  src.seed = static_cast<uint64_t>(seed);
  if (j.contains("shared_classifier")) {
    if (!j["shared_classifier"].is_boolean()) return Error{pre + "\"shared_classifier\" must be true or false"};
    src.shared_classifier = j["shared_classifier"].get<bool>();
  }
  if (j.contains("name")) {
    if (!j["name"].is_string()) return Error{pre + "\"name\" must be a string"};
    src.name = j["name"].get<std::string>();
    HW_TRY(check_model_name(src.name, pre));
  } else {
    src.name = default_model_name(path);
  }
  if (j.contains("widths")) {
    const auto& w = j["widths"];
    if (!w.is_object()) return Error{pre + "\"widths\" must be an object such as {\"res\": 16, \"k\": 8}"};
    Widths widths;
    for (auto it = w.begin(); it != w.end(); ++it) {
      int* slot = width_slot(widths, it.key());
      if (!slot) {
        return Error{pre + "unknown activation site \"" + printable_snippet(it.key()) +
                     "\" in \"widths\"; sites: " + site_names()};
      }
      const auto& v = it.value();
      if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > 64)
        return Error{pre + "widths." + it.key() + " must be 8 or 16, got " + describe_json_value(v)};
      *slot = static_cast<int>(v.get<int64_t>());
    }
    if (auto st = validate_widths(widths); !st) return Error{pre + st.message()};
    src.widths = widths;
  }
  if (auto st = s.validate(); !st) return Error{pre + st.message()};
  return src;
}

namespace {

Result<ModelSource> read_json_shape(const std::string& path) {
  auto data = read_file(path, "model shape file");
  if (!data) return data.error();
  return parse_json_shape(std::string(data->begin(), data->end()), path);
}

// splitmix64: a small, fully specified generator, so synthetic weights are the same everywhere.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next() { return golden::splitmix64(state_); }
  double uniform() { return (static_cast<double>(next() >> 11) + 0.5) * 0x1.0p-53; }  // in (0, 1)
  double normal() {  // Box-Muller; the second value of each pair is kept for the next call
    if (have_spare_) {
      have_spare_ = false;
      return spare_;
    }
    const double r = std::sqrt(-2.0 * std::log(uniform())), a = 2.0 * M_PI * uniform();
    spare_ = r * std::sin(a);
    have_spare_ = true;
    return r * std::cos(a);
  }

 private:
  uint64_t state_;
  double spare_ = 0;
  bool have_spare_ = false;
};

MatF random_matrix(Rng& rng, int64_t rows, int64_t cols, double stddev) {
  MatF m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = static_cast<float>(rng.normal() * stddev);
  return m;
}
VecF norm_weights(Rng& rng, int64_t n) {
  VecF v(n);
  for (Eigen::Index i = 0; i < n; ++i) v[i] = static_cast<float>(1.0 + 0.1 * rng.normal());
  return v;
}

}  // namespace

FloatModel synthesize(const Shape& s, bool shared_classifier, uint64_t seed, std::string name) {
  HW_CHECK(s.validate().is_ok(), "synthesize needs a valid shape");
  Rng rng(seed);
  FloatModel m;
  m.shape = s;
  m.name = std::move(name);
  m.shared_classifier = shared_classifier;
  const double in_d = 1.0 / std::sqrt(static_cast<double>(s.dim));
  const double in_h = 1.0 / std::sqrt(static_cast<double>(s.hidden_dim));
  // Embedding std 0.1: with std 1 the embedding dominates the residual stream and a shared classifier makes a
  // random model repeat its input token forever; at 0.1 the blocks steer the output (docs/user-guide.md).
  m.token_embedding = random_matrix(rng, s.vocab, s.dim, 0.1);
  for (int64_t l = 0; l < s.n_layers; ++l) {
    golden::FloatLayer y;
    y.rms_att = norm_weights(rng, s.dim);
    y.wq = random_matrix(rng, s.dim, s.dim, in_d);
    y.wk = random_matrix(rng, s.kv_dim(), s.dim, in_d);
    y.wv = random_matrix(rng, s.kv_dim(), s.dim, in_d);
    y.wo = random_matrix(rng, s.dim, s.dim, in_d);
    y.rms_ffn = norm_weights(rng, s.dim);
    y.w1 = random_matrix(rng, s.hidden_dim, s.dim, in_d);
    y.w2 = random_matrix(rng, s.dim, s.hidden_dim, in_h);
    y.w3 = random_matrix(rng, s.hidden_dim, s.dim, in_d);
    m.layers.push_back(std::move(y));
  }
  m.rms_final = norm_weights(rng, s.dim);
  if (!shared_classifier) m.wcls = random_matrix(rng, s.vocab, s.dim, in_d);
  return m;
}

namespace {

Result<ModelSource> resolve_unlimited(const std::string& spec, int64_t seq_len) {
  for (const auto& p : presets()) {
    if (spec == p.name) {
      ModelSource src;
      src.kind = ModelSource::Kind::kPreset;
      src.name = p.name;
      src.shape = p.shape;
      return src;
    }
  }
  std::error_code ec;
  if (!std::filesystem::exists(std::filesystem::symlink_status(spec, ec))) {  // a dangling or looping link is a file
    return Error{"unknown model '" + printable_snippet(spec, 200) + "': not a preset (" + preset_names() +
                 ") and no such file; pass a preset name, a .json shape file, a llama2.c checkpoint or a Hugging "
                 "Face model directory"};
  }
  if (is_directory(spec)) {
    HW_ASSIGN_OR_RETURN(const HfConfig c, read_hf_llama_header(spec, seq_len));
    ModelSource src;
    src.kind = ModelSource::Kind::kHuggingFace;
    src.path = spec;
    src.name = hf_model_name(spec);
    src.shape = c.shape;
    src.shared_classifier = c.tied;
    src.rms_eps = c.rms_eps;
    src.rope = c.rope;
    src.bos = c.bos;
    return src;
  }
  if (ends_with(spec, ".json")) return read_json_shape(spec);
  auto hdr = read_llama2c_header(spec);
  if (!hdr) return hdr.error();
  ModelSource src;
  src.kind = ModelSource::Kind::kCheckpoint;
  src.path = spec;
  src.name = default_model_name(spec);
  src.shape = hdr->shape;
  src.shared_classifier = hdr->shared_classifier;
  return src;
}

}  // namespace

Status check_steps_fit(int64_t steps, int64_t seq_len) {
  if (steps <= seq_len) return Status::ok();
  return Error{"--steps " + std::to_string(steps) + " needs " + std::to_string(steps) +
               " positions but the model's seq_len is " + std::to_string(seq_len) + "; use at most --steps " +
               std::to_string(seq_len)};
}

Result<ModelSource> resolve_model(const std::string& spec, int64_t seq_len) {
  HW_ASSIGN_OR_RETURN(ModelSource src, resolve_unlimited(spec, seq_len));
  if (seq_len > 0 && src.kind != ModelSource::Kind::kHuggingFace) {
    if (seq_len > src.shape.seq_len) {
      return Error{"--seq-len " + std::to_string(seq_len) + " is more than model " + src.name + "'s " +
                   std::to_string(src.shape.seq_len) + " positions; give at most that"};
    }
    src.shape.seq_len = seq_len;
  }
  return src;
}

Result<FloatModel> load_float_model(const ModelSource& src) {
  if (src.kind == ModelSource::Kind::kHuggingFace) {
    HW_ASSIGN_OR_RETURN(FloatModel m, read_hf_llama(src.path, src.shape.seq_len));
    m.name = src.name;
    return m;
  }
  if (src.kind == ModelSource::Kind::kCheckpoint) {
    HW_ASSIGN_OR_RETURN(FloatModel m, read_llama2c(src.path));
    if (m.shape.seq_len < src.shape.seq_len)
      return Error{"checkpoint '" + src.path + "' changed while hardwire read it; run again"};
    m.shape.seq_len = src.shape.seq_len;  // --seq-len: fewer positions than the checkpoint's
    return m;
  }
  return synthesize(src.shape, src.shared_classifier, src.seed, src.name);
}

Status validate_widths(const Widths& w) {
  for (const auto& [name, member] : golden::kWidthSites) {
    const int bits = w.*member;
    if (bits != 8 && bits != 16)
      return Error{std::string("activation width ") + name + "=" + std::to_string(bits) + " is not supported; use 8 or 16"};
  }
  return Status::ok();
}

Result<Widths> parse_widths(const std::string& text, Widths base) {
  std::stringstream ss(text);
  std::string item;
  std::vector<std::string> seen;
  while (std::getline(ss, item, ',')) {
    if (item.empty()) continue;
    const auto eq = item.find('=');
    if (eq == std::string::npos)
      return Error{"bad width '" + item + "'; write SITE=BITS, e.g. res=16,k=8 (sites: " + site_names() + ")"};
    const std::string site = item.substr(0, eq), val = item.substr(eq + 1);
    int bits = 0;
    try {
      size_t used = 0;
      bits = std::stoi(val, &used);
      if (used != val.size()) throw std::invalid_argument(val);
    } catch (const std::exception&) {
      return Error{"bad width '" + item + "': '" + val + "' is not a number (use 8 or 16)"};
    }
    int* slot = width_slot(base, site);
    if (slot && std::find(seen.begin(), seen.end(), site) != seen.end())
      return Error{"activation site '" + site + "' is given twice in '" + text + "'; give each site once"};
    seen.push_back(site);
    if (!slot) return Error{"unknown activation site '" + site + "'; sites: " + site_names()};
    *slot = bits;
  }
  HW_TRY(validate_widths(base));
  return base;
}

std::string widths_to_string(const Widths& w) {
  std::string s;
  for (const auto& [name, member] : golden::kWidthSites)
    s += (s.empty() ? "" : ",") + std::string(name) + "=" + std::to_string(w.*member);
  return s;
}

}  // namespace hardwire::gen
