#include "hardwire/gen/model_info.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstdio>

#include "hardwire/gen/distill.hpp"

namespace hardwire::gen {

ModelInfo compute_info(const ModelSource& src, const golden::Widths& widths, const golden::WeightFormat& weights) {
  const golden::Shape& s = src.shape;
  ModelInfo m;
  m.shape = s;
  m.shared_classifier = src.shared_classifier;
  m.widths = widths;
  m.stats = golden::compute_stats(s, src.shared_classifier);
  const int64_t kv = s.kv_dim();
  m.weight_bytes_embedding = s.vocab * s.dim;
  m.weight_bytes_layers = s.n_layers * (2 * s.dim * s.dim + 2 * kv * s.dim + 3 * s.hidden_dim * s.dim);
  m.weight_bytes_classifier = s.vocab * s.dim;
  m.weight_bytes = m.weight_bytes_embedding + m.weight_bytes_layers + m.weight_bytes_classifier;
  m.weights = weights;
  m.embedding_bits = 8 * m.weight_bytes_embedding;
  m.matrix_code_bits = weights.bits * (m.weight_bytes_layers + m.weight_bytes_classifier);
  if (weights.group > 0) {
    // Entries per matrix: its rows times its groups per row (ceil(inputs / group)).
    auto entries = [&](int64_t rows, int64_t inputs) { return rows * ((inputs + weights.group - 1) / weights.group); };
    const int64_t per_layer = entries(s.dim, s.dim) + 2 * entries(kv, s.dim) + entries(s.dim, s.dim) +
                              2 * entries(s.hidden_dim, s.dim) + entries(s.dim, s.hidden_dim);
    m.group_entry_bits = golden::group_entry_bits(weights) * (s.n_layers * per_layer + entries(s.vocab, s.dim));
  }
  m.requant_params = s.vocab                                                   // embedding rows
                     + s.n_layers * (s.dim + 2 * kv + s.dim + 2 * s.hidden_dim + s.dim  // wq wk wv wo w1 w3 w2
                                     + 3)                                       // score, att_out, h
                     + s.vocab;                                                 // classifier rows
  m.table_bytes = s.n_layers * 256 * 2 + 256 * 2 + 2 * s.seq_len * (s.head_size() / 2) * 2;
  auto bytes = [](int bits) { return static_cast<int64_t>((bits + 7) / 8); };
  m.kv_cache_bytes = s.n_layers * s.seq_len * kv * (bytes(widths.k) + bytes(widths.v));
  m.macs_per_token_min = m.stats.matmul_macs_per_token + m.stats.attention_macs_at(0);
  m.macs_per_token_max = m.stats.matmul_macs_per_token + m.stats.attention_macs_at(s.seq_len - 1);
  // Attention MACs grow linearly with the position: their mean is the mean of the first and the last.
  m.macs_per_token_mean = m.stats.matmul_macs_per_token +
                          (m.stats.attention_macs_at(0) + m.stats.attention_macs_at(s.seq_len - 1)) / 2;
  return m;
}

namespace {
int64_t finetune_bytes(const ModelInfo& m, int64_t steps) {
  if (steps <= 0) return 0;
  // In double, capped at 2^60: no shape can overflow the estimate or the total it is added to.
  const auto& s = m.shape;
  const DistillConfig c;
  const auto T = static_cast<double>(std::min(c.tokens, s.seq_len));
  const auto seqs = static_cast<double>(std::min(c.pool, steps * c.batch));
  const auto d = [](int64_t v) { return static_cast<double>(v); };
  const double params = d(m.stats.params_total) + d(s.vocab) * d(s.dim);  // the classifier is its own matrix (γ folded)
  const double targets = seqs * T * d(s.vocab);
  // Per parameter: latent, Adam's two moments, the forward weight, its code, its CodeTrack (4 floats), and one
  // gradient per sequence of the batch.
  const double weights = d(9 + c.batch) * params;
  const double per_layer = T * d(6 * s.dim + 2 * s.kv_dim() + 5 * s.hidden_dim) + d(s.n_heads) * T * T;
  const double activations = d(c.batch) * (d(s.n_layers) * per_layer + 3 * T * d(s.vocab));
  return static_cast<int64_t>(std::min(4 * (targets + weights + activations), std::ldexp(1.0, 60)));
}
}  // namespace

MemoryEstimate estimate_memory(const ModelInfo& m, bool writes_design, int64_t finetune_steps) {
  const auto& s = m.shape;
  MemoryEstimate e;
  e.finetune = finetune_bytes(m, finetune_steps);
  e.float_weights = 4 * m.stats.params_total;
  e.int_weights = m.weight_bytes + 16 * m.requant_params;
  // Float (4 B), integer (8 B) and teacher-forced integer (8 B) caches of K and V.
  e.kv_caches = 2 * s.n_layers * s.seq_len * s.kv_dim() * (4 + 8 + 8);
  e.design_text = writes_design ? m.weight_bytes / 4 * 9 : 0;
  e.total = (int64_t{256} << 20) + e.float_weights + e.int_weights + e.kv_caches + e.design_text + e.finetune;
  return e;
}

std::string bytes_human(int64_t b) {
  char buf[64];
  const double v = static_cast<double>(b);
  if (b >= (int64_t{1} << 40)) std::snprintf(buf, sizeof buf, "%.2f TiB", v / std::pow(2.0, 40));
  else if (b >= (int64_t{1} << 30)) std::snprintf(buf, sizeof buf, "%.2f GiB", v / std::pow(2.0, 30));
  else if (b >= (int64_t{1} << 20)) std::snprintf(buf, sizeof buf, "%.2f MiB", v / std::pow(2.0, 20));
  else if (b >= (int64_t{1} << 10)) std::snprintf(buf, sizeof buf, "%.1f KiB", v / 1024.0);
  else std::snprintf(buf, sizeof buf, "%lld B", static_cast<long long>(b));
  return buf;
}

Status check_memory(const ModelInfo& m, bool writes_design, int64_t limit, const std::string& limit_source,
                    int64_t finetune_steps) {
  if (limit <= 0) return Status::ok();
  const MemoryEstimate e = estimate_memory(m, writes_design, finetune_steps);
  if (e.total <= limit) return Status::ok();
  std::string parts = "float weights " + bytes_human(e.float_weights) + ", int8 weights " +
                      bytes_human(e.int_weights) + ", KV caches " + bytes_human(e.kv_caches);
  if (writes_design) parts += ", image text " + bytes_human(e.design_text);
  if (e.finetune > 0) parts += ", fine-tune " + bytes_human(e.finetune);
  return Error{"this model needs about " + bytes_human(e.total) + " of memory (" + parts + "), more than the limit of " +
               bytes_human(limit) + " (" + limit_source + "); use a smaller shape" +
               (e.finetune > 0 ? std::string(" or no --finetune") : std::string()) +
               ", or set --max-memory if the estimate is too cautious for this machine"};
}

Status check_shape_design_memory(const golden::Shape& s, int64_t limit, const std::string& limit_source) {
  if (limit <= 0) return Status::ok();
  // Two tables of seq_len x head_size/2 int16 (2 B each as numbers, 4 hex digits of text, twice while staged).
  const double pairs = static_cast<double>(s.seq_len) * static_cast<double>(s.head_size() / 2);
  const double need = static_cast<double>(int64_t{256} << 20) + 2.0 * pairs * (2 + 2 * 4 + 1);
  if (need <= static_cast<double>(limit)) return Status::ok();
  return Error{"the design of this shape needs about " + bytes_human(static_cast<int64_t>(std::min(need, 9.0e18))) +
               " of memory (its RoPE tables: seq_len " + std::to_string(s.seq_len) + " x " +
               std::to_string(s.head_size() / 2) + " pairs), more than the limit of " + bytes_human(limit) + " (" +
               limit_source + "); use a shorter seq_len, or set --max-memory if the estimate is too cautious"};
}

int64_t physical_memory_bytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
  return pages > 0 && page > 0 ? static_cast<int64_t>(pages) * page : 0;
}

Result<int64_t> parse_size(const std::string& text) {
  auto bad = [&] {
    return Error{"memory size '" + text.substr(0, 40) + "' is not a size; write bytes or a number with K, M, G or T "
                 "(powers of 1024), e.g. --max-memory 16G"};
  };
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
  if (i == 0 || i > 24) return bad();
  const std::string num = text.substr(0, i);
  if (num.find('.') != num.rfind('.') || num == ".") return bad();
  std::string unit = text.substr(i);
  if (unit == "B" || unit.empty()) unit = "";
  else if (unit.size() == 3 && unit.substr(1) == "iB") unit = unit.substr(0, 1);
  else if (unit.size() == 2 && unit[1] == 'B') unit = unit.substr(0, 1);
  double scale = 1;
  if (unit == "K" || unit == "k") scale = 1024.0;
  else if (unit == "M") scale = 1024.0 * 1024;
  else if (unit == "G") scale = 1024.0 * 1024 * 1024;
  else if (unit == "T") scale = 1024.0 * 1024 * 1024 * 1024;
  else if (!unit.empty()) return bad();
  const double v = std::strtod(num.c_str(), nullptr) * scale;
  if (!(v >= 1) || v > 9.0e18) return bad();
  return static_cast<int64_t>(v);
}

}  // namespace hardwire::gen
