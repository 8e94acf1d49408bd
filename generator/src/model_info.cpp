#include "hardwire/gen/model_info.hpp"

namespace hardwire::gen {

ModelInfo compute_info(const ModelSource& src, const golden::Widths& widths) {
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
  m.requant_params = s.vocab                                                   // embedding rows
                     + s.n_layers * (s.dim + 2 * kv + s.dim + 2 * s.hidden_dim + s.dim  // wq wk wv wo w1 w3 w2
                                     + 3)                                       // score, att_out, h
                     + s.vocab;                                                 // classifier rows
  m.table_bytes = s.n_layers * 256 * 2 + 256 * 2 + 2 * s.seq_len * (s.head_size() / 2) * 2;
  auto bytes = [](int bits) { return static_cast<int64_t>((bits + 7) / 8); };
  m.kv_cache_bytes = s.n_layers * s.seq_len * kv * (bytes(widths.k) + bytes(widths.v));
  m.macs_per_token_min = m.stats.matmul_macs_per_token + m.stats.attention_macs_at(0);
  m.macs_per_token_max = m.stats.matmul_macs_per_token + m.stats.attention_macs_at(s.seq_len - 1);
  // mean over pos of (pos + 1) = (seq_len + 1) / 2
  m.macs_per_token_mean =
      m.stats.matmul_macs_per_token + s.n_layers * s.n_heads * s.head_size() * 2 * (s.seq_len + 1) / 2;
  return m;
}

}  // namespace hardwire::gen
