#include "hardwire/gen/hf_llama.hpp"

#include <sys/stat.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include "hardwire/gen/files.hpp"
#include "hardwire/gen/llama2c.hpp"
#include "hardwire/gen/safetensors.hpp"
#include "json_input.hpp"

namespace hardwire::gen {

using golden::FloatModel;
using golden::MatF;
using golden::Shape;

namespace {

std::string quoted(const std::string& s) { return "'" + printable_snippet(s, 200) + "'"; }

std::string num(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.8g", v);
  return b;
}

// The tensors of a checkpoint directory: every name, the file that holds it.
struct TensorSet {
  std::vector<SafetensorsFile> files;
  std::map<std::string, std::pair<size_t, const TensorInfo*>> by_name;
};

Result<TensorSet> open_tensors(const std::string& dir) {
  namespace fs = std::filesystem;
  const fs::path d(dir);
  const fs::path index = d / "model.safetensors.index.json";
  const fs::path single = d / "model.safetensors";
  std::error_code ec;
  TensorSet set;
  if (fs::exists(index, ec)) {
    const std::string ipre = "checkpoint index " + quoted(index.string()) + ": ";
    HW_ASSIGN_OR_RETURN(const std::vector<char> bytes, read_file(index.string(), "checkpoint index"));
    auto parsed = parse_json_strict(std::string(bytes.begin(), bytes.end()), ipre.substr(0, ipre.size() - 2));
    if (!parsed) return parsed.error();
    const nlohmann::json& j = *parsed;
    if (!j.is_object() || !j.contains("weight_map") || !j["weight_map"].is_object())
      return Error{ipre + "expected a JSON object with a \"weight_map\" object (tensor name: file name)"};
    std::map<std::string, size_t> file_of;  // shard file name -> index in set.files
    std::map<std::string, std::string> wanted;  // tensor -> shard
    for (auto it = j["weight_map"].begin(); it != j["weight_map"].end(); ++it) {
      if (!it.value().is_string())
        return Error{ipre + "weight_map value of \"" + printable_snippet(it.key()) + "\" must be a file name, got " +
                     describe_json_value(it.value())};
      const std::string shard = it.value().get<std::string>();
      if (shard.empty() || shard == "." || shard == ".." || shard.find('/') != std::string::npos ||
          shard.find('\0') != std::string::npos)
        return Error{ipre + "weight_map names file \"" + printable_snippet(shard) +
                     "\"; shards are plain file names in the checkpoint's directory"};
      wanted[it.key()] = shard;
      if (!file_of.count(shard)) {
        HW_ASSIGN_OR_RETURN(SafetensorsFile f, SafetensorsFile::open((d / shard).string()));
        file_of[shard] = set.files.size();
        set.files.push_back(std::move(f));
      }
    }
    if (wanted.empty()) return Error{ipre + "weight_map is empty"};
    for (const auto& [name, shard] : wanted) {
      const SafetensorsFile& f = set.files[file_of[shard]];
      const TensorInfo* t = f.find(name);
      if (!t)
        return Error{ipre + "weight_map puts tensor \"" + printable_snippet(name, 80) + "\" in " + shard +
                     ", which does not hold it"};
      set.by_name[name] = {file_of[shard], t};
    }
    for (const auto& f : set.files) {
      for (const auto& t : f.tensors()) {
        if (!wanted.count(t.name) || wanted[t.name] != fs::path(f.path()).filename().string())
          return Error{ipre + "tensor \"" + printable_snippet(t.name, 80) + "\" of " +
                       fs::path(f.path()).filename().string() +
                       " is not listed for that file in weight_map; the shards and the index disagree"};
      }
    }
    return set;
  }
  if (!fs::exists(single, ec)) {
    return Error{"Hugging Face model directory " + quoted(dir) +
                 " has neither model.safetensors nor model.safetensors.index.json; hardwire reads safetensors "
                 "checkpoints (convert a pytorch_model.bin with transformers' save_pretrained(safe_serialization=True))"};
  }
  HW_ASSIGN_OR_RETURN(SafetensorsFile f, SafetensorsFile::open(single.string()));
  set.files.push_back(std::move(f));
  for (const auto& t : set.files[0].tensors()) set.by_name[t.name] = {0, &t};
  return set;
}

// Every tensor the config implies: name -> shape.
std::vector<std::pair<std::string, std::vector<int64_t>>> expected_tensors(const HfConfig& c) {
  const Shape& s = c.shape;
  std::vector<std::pair<std::string, std::vector<int64_t>>> t;
  t.push_back({"model.embed_tokens.weight", {s.vocab, s.dim}});
  for (int64_t l = 0; l < s.n_layers; ++l) {
    const std::string p = "model.layers." + std::to_string(l) + ".";
    t.push_back({p + "input_layernorm.weight", {s.dim}});
    t.push_back({p + "self_attn.q_proj.weight", {s.dim, s.dim}});
    t.push_back({p + "self_attn.k_proj.weight", {s.kv_dim(), s.dim}});
    t.push_back({p + "self_attn.v_proj.weight", {s.kv_dim(), s.dim}});
    t.push_back({p + "self_attn.o_proj.weight", {s.dim, s.dim}});
    t.push_back({p + "post_attention_layernorm.weight", {s.dim}});
    t.push_back({p + "mlp.gate_proj.weight", {s.hidden_dim, s.dim}});
    t.push_back({p + "mlp.up_proj.weight", {s.hidden_dim, s.dim}});
    t.push_back({p + "mlp.down_proj.weight", {s.dim, s.hidden_dim}});
  }
  t.push_back({"model.norm.weight", {s.dim}});
  if (!c.tied) t.push_back({"lm_head.weight", {s.vocab, s.dim}});
  return t;
}

std::string shape_str(const std::vector<int64_t>& v) {
  TensorInfo t;
  t.shape = v;
  return t.shape_string();
}

Status check_tensors(const std::string& dir, const HfConfig& c, const TensorSet& set) {
  const auto want = expected_tensors(c);
  std::set<std::string> names;
  for (const auto& [name, shape] : want) {
    names.insert(name);
    const auto it = set.by_name.find(name);
    if (it == set.by_name.end()) {
      return Error{"Hugging Face model " + quoted(dir) + ": tensor \"" + name + "\" is missing (config.json: " +
                   c.shape.to_string() + (c.tied ? ", tied embeddings" : ", untied embeddings") + ")"};
    }
    const TensorInfo& t = *it->second.second;
    if (t.shape != shape) {
      return Error{"Hugging Face model " + quoted(dir) + ": tensor \"" + name + "\" has shape " + t.shape_string() +
                   " but config.json implies " + shape_str(shape)};
    }
    if (t.dtype != "F32" && t.dtype != "F16" && t.dtype != "BF16") {
      return Error{"Hugging Face model " + quoted(dir) + ": tensor \"" + name + "\" is " + t.dtype +
                   "; hardwire reads weights stored as F32, F16 or BF16 (a quantized checkpoint? use the original)"};
    }
  }
  for (const auto& [name, where] : set.by_name) {
    if (names.count(name)) continue;
    if (c.tied && name == "lm_head.weight") continue;  // saved beside tied embeddings by some tools; unused
    if (name.find("rotary_emb.inv_freq") != std::string::npos) continue;  // older exports; recomputed (numerics §7)
    const bool bias = name.size() > 5 && name.compare(name.size() - 5, 5, ".bias") == 0;
    return Error{"Hugging Face model " + quoted(dir) + ": tensor \"" + printable_snippet(name, 80) +
                 "\" is not part of the Llama architecture hardwire builds" +
                 (bias ? " (it has no biases)" : "") + "; only LlamaForCausalLM checkpoints are supported"};
  }
  return Status::ok();
}

// Hugging Face row of llama2.c row r (q_proj, k_proj): within a head of hs rows, llama2.c's interleaved pair
// (2i, 2i + 1) is Hugging Face's (i, i + hs/2).
int64_t hf_row(int64_t r, int64_t hs) {
  const int64_t h = r / hs, w = r % hs;
  return h * hs + (w % 2) * (hs / 2) + w / 2;
}

MatF unpermute(const MatF& hf, int64_t hs) {
  MatF m(hf.rows(), hf.cols());
  for (int64_t r = 0; r < hf.rows(); ++r) m.row(r) = hf.row(hf_row(r, hs));
  return m;
}

MatF permute(const MatF& m, int64_t hs) {
  MatF hf(m.rows(), m.cols());
  for (int64_t r = 0; r < m.rows(); ++r) hf.row(hf_row(r, hs)) = m.row(r);
  return hf;
}

}  // namespace

std::string hf_model_name(const std::string& dir) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::absolute(dir, ec);  // "." names the directory it is
  if (ec) p = dir;
  p = p.lexically_normal();
  std::string base = p.filename().string();
  if (base.empty() || base == ".") base = p.parent_path().filename().string();  // "dir/" or "dir/."
  for (char& ch : base)
    if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) ch = '_';
  return base.empty() || base == ".." ? "model" : base;
}

bool is_directory(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

Result<HfConfig> parse_hf_config(const std::string& text, const std::string& path, int64_t seq_len) {
  const std::string pre = "config " + quoted(path) + ": ";
  auto parsed = parse_json_strict(text, pre.substr(0, pre.size() - 2));
  if (!parsed) return parsed.error();
  const nlohmann::json& j = *parsed;
  if (!j.is_object()) return Error{pre + "expected a JSON object (a Hugging Face config.json)"};
  auto present = [&](const char* k) { return j.contains(k) && !j[k].is_null(); };

  // What the architecture has not: one error naming the key.
  if (present("model_type") && (!j["model_type"].is_string() || j["model_type"].get<std::string>() != "llama")) {
    return Error{pre + "\"model_type\" is " + describe_json_value(j["model_type"]) +
                 "; hardwire reads Llama-family models (\"llama\")"};
  }
  if (present("architectures")) {
    bool llama = false;
    if (j["architectures"].is_array())
      for (const auto& a : j["architectures"]) llama = llama || (a.is_string() && a.get<std::string>() == "LlamaForCausalLM");
    if (!llama)
      return Error{pre + "\"architectures\" does not name LlamaForCausalLM; hardwire reads Llama-family models"};
  }
  if (present("hidden_act") && (!j["hidden_act"].is_string() || j["hidden_act"].get<std::string>() != "silu"))
    return Error{pre + "\"hidden_act\" is " + describe_json_value(j["hidden_act"]) +
                 "; hardwire's FFN is SwiGLU (\"silu\")"};
  for (const char* k : {"attention_bias", "mlp_bias"}) {
    if (present(k) && !(j[k].is_boolean() && !j[k].get<bool>()))
      return Error{pre + "\"" + k + "\" is " + describe_json_value(j[k]) + "; hardwire's Llama has no biases (false)"};
  }
  for (const char* k : {"sliding_window", "num_local_experts", "num_experts", "num_experts_per_tok", "moe_layer_freq"}) {
    if (present(k) && !(j[k].is_boolean() && !j[k].get<bool>()))
      return Error{pre + "\"" + k + "\" is set (" + describe_json_value(j[k]) + "); hardwire's architecture has " +
                   (std::string(k) == "sliding_window" ? "full attention, no sliding window"
                                                       : "a dense FFN, no mixture of experts")};
  }

  auto get_int = [&](const char* k, int64_t& out, bool required) -> Status {
    if (!present(k)) {
      if (required) return Error{pre + "missing key \"" + k + "\""};
      return Status::ok();
    }
    const auto& v = j[k];
    if (!v.is_number_integer())
      return Error{pre + "\"" + k + "\" must be an integer, got " + describe_json_value(v)};
    if ((v.is_number_unsigned() && (v.get<uint64_t>() > (uint64_t{1} << 40) || v.get<uint64_t>() == 0)) ||
        (!v.is_number_unsigned() && v.get<int64_t>() < 1))
      return Error{pre + "\"" + k + "\" is " + describe_json_value(v) + "; it must be a positive integer"};
    out = v.get<int64_t>();
    return Status::ok();
  };
  auto get_num = [&](const char* k, double& out) -> Status {
    if (!present(k)) return Status::ok();
    const auto& v = j[k];
    if (!v.is_number()) return Error{pre + "\"" + k + "\" must be a number, got " + describe_json_value(v)};
    out = v.get<double>();
    return Status::ok();
  };

  HfConfig c;
  Shape& s = c.shape;
  HW_TRY(get_int("hidden_size", s.dim, true));
  HW_TRY(get_int("intermediate_size", s.hidden_dim, true));
  HW_TRY(get_int("num_hidden_layers", s.n_layers, true));
  HW_TRY(get_int("num_attention_heads", s.n_heads, true));
  s.n_kv_heads = s.n_heads;
  HW_TRY(get_int("num_key_value_heads", s.n_kv_heads, false));
  HW_TRY(get_int("vocab_size", s.vocab, true));
  HW_TRY(get_int("max_position_embeddings", c.max_positions, true));
  int64_t head_dim = 0;
  HW_TRY(get_int("head_dim", head_dim, false));
  if (head_dim != 0 && head_dim * s.n_heads != s.dim) {
    return Error{pre + "\"head_dim\" is " + std::to_string(head_dim) + " but hidden_size / num_attention_heads is " +
                 num(static_cast<double>(s.dim) / static_cast<double>(s.n_heads)) +
                 "; hardwire's attention needs head_dim x num_attention_heads = hidden_size"};
  }
  if (seq_len > c.max_positions) {
    return Error{pre + "--seq-len " + std::to_string(seq_len) + " is more than the model's max_position_embeddings " +
                 std::to_string(c.max_positions) + "; give at most that"};
  }
  s.seq_len = seq_len > 0 ? seq_len : c.max_positions;
  if (auto st = s.validate(); !st) return Error{pre + st.message()};

  double eps = 1e-6;
  HW_TRY(get_num("rms_norm_eps", eps));
  if (!(eps > 0.0 && eps < 1.0))
    return Error{pre + "\"rms_norm_eps\" is " + num(eps) + "; it must lie in (0, 1) (Llama uses 1e-5 or 1e-6)"};
  c.rms_eps = static_cast<float>(eps);
  HW_TRY(get_num("rope_theta", c.rope.theta));
  if (!(c.rope.theta > 1.0 && c.rope.theta < 1e12))
    return Error{pre + "\"rope_theta\" is " + num(c.rope.theta) + "; it must lie in (1, 1e12) (Llama: 10000 or 500000)"};
  if (present("rope_scaling")) {
    const auto& r = j["rope_scaling"];
    if (!r.is_object()) return Error{pre + "\"rope_scaling\" must be an object or null"};
    std::string type;
    for (const char* k : {"rope_type", "type"})
      if (r.contains(k) && r[k].is_string()) type = r[k].get<std::string>();
    if (type == "llama3") {
      golden::Llama3RopeScaling sc;
      for (auto [k, slot] : {std::pair<const char*, double*>{"factor", &sc.factor},
                             {"low_freq_factor", &sc.low_freq_factor},
                             {"high_freq_factor", &sc.high_freq_factor},
                             {"original_max_position_embeddings", &sc.original_max_position}}) {
        if (!r.contains(k) || !r[k].is_number())
          return Error{pre + "\"rope_scaling\" of type llama3 needs a number \"" + k + "\""};
        *slot = r[k].get<double>();
      }
      if (!(sc.factor >= 1.0 && sc.factor < 1e6) || !(sc.low_freq_factor > 0.0) ||
          !(sc.high_freq_factor > sc.low_freq_factor) || !(sc.original_max_position >= 1.0 && sc.original_max_position < 1e9))
        return Error{pre + "\"rope_scaling\" (llama3) needs factor >= 1, 0 < low_freq_factor < high_freq_factor and "
                           "original_max_position_embeddings >= 1"};
      c.rope.llama3 = sc;
    } else if (type != "default") {
      return Error{pre + "\"rope_scaling\" type \"" + printable_snippet(type) +
                   "\" is not supported; hardwire applies none, \"default\" or \"llama3\""};
    }
  }
  if (present("bos_token_id")) {
    HW_TRY(get_int("bos_token_id", c.bos, false));
    if (c.bos >= s.vocab)
      return Error{pre + "\"bos_token_id\" is " + std::to_string(c.bos) + ", not a token of the vocab (" +
                   std::to_string(s.vocab) + ")"};
  }
  c.tied = false;
  if (present("tie_word_embeddings")) {
    if (!j["tie_word_embeddings"].is_boolean())
      return Error{pre + "\"tie_word_embeddings\" must be true or false"};
    c.tied = j["tie_word_embeddings"].get<bool>();
  }
  return c;
}

namespace {

struct Checked {
  HfConfig config;
  TensorSet tensors;
};

Result<Checked> open_checked(const std::string& dir, int64_t seq_len) {
  const std::string cfg = (std::filesystem::path(dir) / "config.json").string();
  std::error_code ec;
  if (!std::filesystem::exists(cfg, ec)) {
    return Error{"directory " + quoted(dir) +
                 " has no config.json; a Hugging Face model directory holds config.json and model.safetensors"};
  }
  HW_ASSIGN_OR_RETURN(const std::vector<char> bytes, read_file(cfg, "config"));
  Checked r;
  HW_ASSIGN_OR_RETURN(r.config, parse_hf_config(std::string(bytes.begin(), bytes.end()), cfg, seq_len));
  HW_ASSIGN_OR_RETURN(r.tensors, open_tensors(dir));
  HW_TRY(check_tensors(dir, r.config, r.tensors));
  return r;
}

}  // namespace

Result<HfConfig> read_hf_llama_header(const std::string& dir, int64_t seq_len) {
  HW_ASSIGN_OR_RETURN(const Checked r, open_checked(dir, seq_len));
  return r.config;
}

Result<FloatModel> read_hf_llama(const std::string& dir, int64_t seq_len) {
  HW_ASSIGN_OR_RETURN(const Checked r, open_checked(dir, seq_len));
  const HfConfig& c = r.config;
  const TensorSet& set = r.tensors;
  const Shape& s = c.shape;
  FloatModel m;
  m.shape = s;
  m.shared_classifier = c.tied;
  m.rms_eps = c.rms_eps;
  m.rope = c.rope;
  m.bos = c.bos;
  m.name = hf_model_name(dir);

  auto load = [&](const std::string& name, int64_t rows, int64_t cols, MatF& out) -> Status {
    const auto& [fi, t] = set.by_name.at(name);
    out.resize(rows, cols);
    HW_TRY(set.files[fi].read_floats(*t, out.data()));
    return check_weight_values(out.data(), out.size(), "Hugging Face model " + quoted(dir) + ": ", name);
  };
  auto load_vec = [&](const std::string& name, golden::VecF& out) -> Status {
    MatF t;
    HW_TRY(load(name, 1, s.dim, t));
    out = t.row(0).transpose();
    return Status::ok();
  };
  const int64_t hs = s.head_size();
  HW_TRY(load("model.embed_tokens.weight", s.vocab, s.dim, m.token_embedding));
  for (int64_t l = 0; l < s.n_layers; ++l) {
    const std::string p = "model.layers." + std::to_string(l) + ".";
    golden::FloatLayer y;
    MatF hf;
    HW_TRY(load_vec(p + "input_layernorm.weight", y.rms_att));
    HW_TRY(load(p + "self_attn.q_proj.weight", s.dim, s.dim, hf));
    y.wq = unpermute(hf, hs);
    HW_TRY(load(p + "self_attn.k_proj.weight", s.kv_dim(), s.dim, hf));
    y.wk = unpermute(hf, hs);
    HW_TRY(load(p + "self_attn.v_proj.weight", s.kv_dim(), s.dim, y.wv));
    HW_TRY(load(p + "self_attn.o_proj.weight", s.dim, s.dim, y.wo));
    HW_TRY(load_vec(p + "post_attention_layernorm.weight", y.rms_ffn));
    HW_TRY(load(p + "mlp.gate_proj.weight", s.hidden_dim, s.dim, y.w1));
    HW_TRY(load(p + "mlp.down_proj.weight", s.dim, s.hidden_dim, y.w2));
    HW_TRY(load(p + "mlp.up_proj.weight", s.hidden_dim, s.dim, y.w3));
    m.layers.push_back(std::move(y));
  }
  HW_TRY(load_vec("model.norm.weight", m.rms_final));
  if (!c.tied) HW_TRY(load("lm_head.weight", s.vocab, s.dim, m.wcls));
  return m;
}

Status write_hf_llama(const FloatModel& m, const std::string& dir, const HfWriteOptions& o) {
  HW_CHECK(o.shards >= 1, "write_hf_llama: at least one shard");
  HW_CHECK(!o.tie || m.shared_classifier, "write_hf_llama: tied embeddings need a shared classifier");
  const Shape& s = m.shape;
  nlohmann::ordered_json cfg = {
      {"architectures", {"LlamaForCausalLM"}},
      {"model_type", "llama"},
      {"hidden_size", s.dim},
      {"intermediate_size", s.hidden_dim},
      {"num_hidden_layers", s.n_layers},
      {"num_attention_heads", s.n_heads},
      {"num_key_value_heads", s.n_kv_heads},
      {"vocab_size", s.vocab},
      {"max_position_embeddings", s.seq_len},
      {"rms_norm_eps", static_cast<double>(m.rms_eps)},
      {"rope_theta", m.rope.theta},
      {"hidden_act", "silu"},
      {"attention_bias", false},
      {"tie_word_embeddings", o.tie},
      {"bos_token_id", m.bos},
      {"eos_token_id", 2},
      {"torch_dtype", o.dtype == "F32" ? "float32" : o.dtype == "F16" ? "float16" : "bfloat16"}};
  if (m.rope.llama3) {
    cfg["rope_scaling"] = {{"rope_type", "llama3"},
                           {"factor", m.rope.llama3->factor},
                           {"low_freq_factor", m.rope.llama3->low_freq_factor},
                           {"high_freq_factor", m.rope.llama3->high_freq_factor},
                           {"original_max_position_embeddings", m.rope.llama3->original_max_position}};
  } else {
    cfg["rope_scaling"] = nullptr;
  }
  const std::filesystem::path d(dir);
  HW_TRY(write_file_atomic((d / "config.json").string(), cfg.dump(2) + "\n", "config"));

  // Tensors in Hugging Face's order; q_proj and k_proj rows permuted (rotate_half pairing).
  const int64_t hs = s.head_size();
  std::vector<MatF> keep;  // permuted copies, alive until written
  keep.reserve(static_cast<size_t>(2 * s.n_layers));
  std::vector<TensorData> t;
  auto add = [&](const std::string& name, const MatF& x) { t.push_back({name, {x.rows(), x.cols()}, x.data()}); };
  auto add_vec = [&](const std::string& name, const golden::VecF& v) { t.push_back({name, {v.size()}, v.data()}); };
  add("model.embed_tokens.weight", m.token_embedding);
  for (int64_t l = 0; l < s.n_layers; ++l) {
    const auto& y = m.layers[static_cast<size_t>(l)];
    const std::string p = "model.layers." + std::to_string(l) + ".";
    add_vec(p + "input_layernorm.weight", y.rms_att);
    keep.push_back(permute(y.wq, hs));
    add(p + "self_attn.q_proj.weight", keep.back());
    keep.push_back(permute(y.wk, hs));
    add(p + "self_attn.k_proj.weight", keep.back());
    add(p + "self_attn.v_proj.weight", y.wv);
    add(p + "self_attn.o_proj.weight", y.wo);
    add_vec(p + "post_attention_layernorm.weight", y.rms_ffn);
    add(p + "mlp.gate_proj.weight", y.w1);
    add(p + "mlp.up_proj.weight", y.w3);
    add(p + "mlp.down_proj.weight", y.w2);
  }
  add_vec("model.norm.weight", m.rms_final);
  if (!o.tie) add("lm_head.weight", m.classifier());

  const std::map<std::string, std::string> meta = {{"format", "pt"}};
  if (o.shards == 1) return write_safetensors((d / "model.safetensors").string(), t, o.dtype, meta);
  // Shards: consecutive runs of tensors, about equal in count.
  nlohmann::ordered_json index = {{"metadata", {{"total_size", 0}}}, {"weight_map", nlohmann::ordered_json::object()}};
  uint64_t total = 0;
  const size_t per = (t.size() + static_cast<size_t>(o.shards) - 1) / static_cast<size_t>(o.shards);
  for (int k = 0; k < o.shards; ++k) {
    char name[64];
    std::snprintf(name, sizeof name, "model-%05d-of-%05d.safetensors", k + 1, o.shards);
    const size_t a = std::min(t.size(), per * static_cast<size_t>(k)), b = std::min(t.size(), a + per);
    std::vector<TensorData> part(t.begin() + static_cast<std::ptrdiff_t>(a), t.begin() + static_cast<std::ptrdiff_t>(b));
    for (const auto& x : part) {
      index["weight_map"][x.name] = name;
      int64_t n = 1;
      for (int64_t dd : x.shape) n *= dd;
      total += static_cast<uint64_t>(n) * static_cast<uint64_t>(dtype_bytes(o.dtype));
    }
    HW_TRY(write_safetensors((d / name).string(), part, o.dtype, meta));
  }
  index["metadata"]["total_size"] = total;
  return write_file_atomic((d / "model.safetensors.index.json").string(), index.dump(2) + "\n", "checkpoint index");
}

}  // namespace hardwire::gen

// ---- tokenizer.json --------------------------------------------------------------------------------------------

namespace hardwire::gen {

namespace {

const std::string kMetaspace = "\xE2\x96\x81";  // U+2581 "▁", sentencepiece's space

std::string spaces_for_metaspace(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    if (s.compare(i, kMetaspace.size(), kMetaspace) == 0) {
      out += ' ';
      i += kMetaspace.size();
    } else {
      out += s[i++];
    }
  }
  return out;
}

// j[key] where j is an object holding a string there, else "" (never throws on another type).
std::string str_at(const nlohmann::json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

bool is_type(const nlohmann::json& j, const char* type) { return str_at(j, "type") == type; }

// The sentencepiece normalizer: Prepend "▁" then Replace " " by "▁" (a Sequence of the two, in that order).
bool sentencepiece_normalizer(const nlohmann::json& n) {
  if (!is_type(n, "Sequence") || !n.contains("normalizers") || !n["normalizers"].is_array() ||
      n["normalizers"].size() != 2)
    return false;
  const auto& p = n["normalizers"][0];
  const auto& r = n["normalizers"][1];
  return is_type(p, "Prepend") && str_at(p, "prepend") == kMetaspace && is_type(r, "Replace") &&
         r.contains("pattern") && str_at(r["pattern"], "String") == " " && str_at(r, "content") == kMetaspace;
}

// A Metaspace pre-tokenizer that prepends "▁" to the text and does not split it into words.
bool sentencepiece_metaspace(const nlohmann::json& p) {
  if (!is_type(p, "Metaspace") || str_at(p, "replacement") != kMetaspace) return false;
  if (p.contains("split") && !(p["split"].is_boolean() && !p["split"].get<bool>())) return false;
  std::string scheme = str_at(p, "prepend_scheme");
  if (scheme.empty()) {  // older files: add_prefix_space (default true)
    const bool add = !p.contains("add_prefix_space") ||
                     (p["add_prefix_space"].is_boolean() && p["add_prefix_space"].get<bool>());
    scheme = add ? "always" : "never";
  }
  return scheme == "first" || scheme == "always";
}

}  // namespace

Result<Tokenizer> parse_hf_tokenizer(const std::string& text, int64_t vocab, const std::string& path) {
  const std::string pre = "tokenizer " + quoted(path) + ": ";
  auto parsed = parse_json_strict(text, pre.substr(0, pre.size() - 2));
  if (!parsed) return parsed.error();
  const nlohmann::json& j = *parsed;
  if (!j.is_object() || !j.contains("model") || !j["model"].is_object())
    return Error{pre + "no \"model\" object; is it a Hugging Face tokenizer.json?"};
  const nlohmann::json& m = j["model"];
  const std::string type = str_at(m, "type");
  auto byte_level = [](const nlohmann::json& x) {
    if (is_type(x, "ByteLevel")) return true;
    if (x.is_object() && x.contains("pretokenizers") && x["pretokenizers"].is_array())
      for (const auto& y : x["pretokenizers"])
        if (is_type(y, "ByteLevel")) return true;
    return false;
  };
  if ((j.contains("pre_tokenizer") && byte_level(j["pre_tokenizer"])) || (j.contains("decoder") && byte_level(j["decoder"])))
    return Error{pre + "a byte-level BPE tokenizer (GPT-2, Llama 3) is not supported; hardwire reads sentencepiece-style "
                       "BPE (Llama 2, TinyLlama): pass token ids, or a llama2.c tokenizer.bin"};
  if (type != "BPE") {
    return Error{pre + "model type \"" + printable_snippet(type) +
                 "\" is not supported; hardwire reads sentencepiece-style BPE tokenizers (\"BPE\" with byte fallback, "
                 "as Llama 2's)"};
  }
  const bool normalizer_ok = j.contains("normalizer") && sentencepiece_normalizer(j["normalizer"]) &&
                             (!j.contains("pre_tokenizer") || j["pre_tokenizer"].is_null());
  const bool metaspace_ok = (!j.contains("normalizer") || j["normalizer"].is_null()) && j.contains("pre_tokenizer") &&
                            sentencepiece_metaspace(j["pre_tokenizer"]);
  if (!normalizer_ok && !metaspace_ok) {
    return Error{pre + "its normalizer and pre_tokenizer are not sentencepiece's (a \"▁\" prepended, spaces as \"▁\", "
                       "no word splitting); this kind of tokenizer is not supported"};
  }
  if (!(m.contains("byte_fallback") && m["byte_fallback"].is_boolean() && m["byte_fallback"].get<bool>()))
    return Error{pre + "\"byte_fallback\" is not true; hardwire's encoder falls back to <0xHH> byte tokens"};
  if (!m.contains("vocab") || !m["vocab"].is_object()) return Error{pre + "model has no \"vocab\" object"};
  Tokenizer t;
  t.byte_tokens_by_name = true;
  t.pieces.assign(static_cast<size_t>(vocab), std::string());
  t.scores.assign(static_cast<size_t>(vocab), 0.0f);
  std::vector<bool> seen(static_cast<size_t>(vocab), false);
  for (auto it = m["vocab"].begin(); it != m["vocab"].end(); ++it) {
    const auto& v = it.value();
    if (!v.is_number_unsigned() || v.get<uint64_t>() >= static_cast<uint64_t>(vocab)) {
      return Error{pre + "token \"" + printable_snippet(it.key()) + "\" has id " + describe_json_value(v) +
                   ", not an id of the model's " + std::to_string(vocab) + " tokens; is it the model's tokenizer?"};
    }
    const auto id = static_cast<size_t>(v.get<uint64_t>());
    if (seen[id]) return Error{pre + "id " + std::to_string(id) + " is given to two tokens"};
    seen[id] = true;
    t.pieces[id] = spaces_for_metaspace(it.key());
    t.max_token_length = std::max<int32_t>(t.max_token_length, static_cast<int32_t>(t.pieces[id].size()));
  }
  if (!m.contains("merges") || !m["merges"].is_array()) return Error{pre + "model has no \"merges\" list"};
  std::unordered_map<std::string, int64_t> known;
  for (size_t i = 0; i < t.pieces.size(); ++i)
    if (seen[i]) known.emplace(t.pieces[i], static_cast<int64_t>(i));
  int64_t rank = 0;
  for (const auto& e : m["merges"]) {
    std::string a, b;
    if (e.is_string()) {
      const std::string s = e.get<std::string>();
      const auto sp = s.find(' ');
      if (sp == std::string::npos || s.find(' ', sp + 1) != std::string::npos)
        return Error{pre + "merge " + std::to_string(rank) + " \"" + printable_snippet(s) + "\" is not two pieces"};
      a = s.substr(0, sp);
      b = s.substr(sp + 1);
    } else if (e.is_array() && e.size() == 2 && e[0].is_string() && e[1].is_string()) {
      a = e[0].get<std::string>();
      b = e[1].get<std::string>();
    } else {
      return Error{pre + "merge " + std::to_string(rank) + " is " + describe_json_value(e) +
                   ", not \"a b\" or [a, b]"};
    }
    a = spaces_for_metaspace(a);
    b = spaces_for_metaspace(b);
    if (!known.count(a) || !known.count(b) || !known.count(a + b)) {
      return Error{pre + "merge " + std::to_string(rank) + " (\"" + printable_snippet(a) + "\", \"" +
                   printable_snippet(b) + "\") names a piece that is not in the vocab"};
    }
    t.merge_ranks.emplace(a + '\0' + b, rank);  // the first rank of a pair listed twice wins, as in tokenizers
    ++rank;
  }
  if (t.max_token_length == 0) t.max_token_length = 1;
  return t;
}

}  // namespace hardwire::gen
