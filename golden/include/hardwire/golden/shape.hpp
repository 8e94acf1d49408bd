// hardwire/golden/shape.hpp — the shape of a Llama-style decoder and its checks.
#pragma once

#include <cstdint>
#include <string>

#include "hardwire/status.hpp"

namespace hardwire::golden {

// Architecture (fixed): token embedding; per layer RMSNorm -> attention (RoPE on interleaved pairs, grouped-query
// heads; RoPE's theta and scaling and RMSNorm's epsilon are the model's, FloatModel) -> residual -> RMSNorm ->
// SwiGLU FFN -> residual; final RMSNorm; classifier; greedy argmax.
struct Shape {
  int64_t dim = 0;         // model width
  int64_t hidden_dim = 0;  // FFN width
  int64_t n_layers = 0;
  int64_t n_heads = 0;     // query heads
  int64_t n_kv_heads = 0;  // key/value heads; divides n_heads
  int64_t vocab = 0;
  int64_t seq_len = 0;     // maximum positions (KV-cache depth)

  int64_t head_size() const { return dim / n_heads; }
  int64_t kv_dim() const { return head_size() * n_kv_heads; }
  int64_t kv_mul() const { return n_heads / n_kv_heads; }  // query heads per kv head

  // Largest value any dimension may take. Keeps every size computation (bytes, MACs, accumulator bounds) far from
  // 64-bit overflow and every spec bound (docs/numerics.md) valid.
  static constexpr int64_t kMaxDim = int64_t{1} << 20;
  static constexpr int64_t kMaxTotal = int64_t{1} << 50;  // parameters, MACs/token, KV elements (validate())

  // Checks the shape is one the architecture and the numeric spec support. The error names the offending field(s)
  // and what would make the shape valid.
  Status validate() const;
  std::string to_string() const;  // "dim 64, hidden 172, layers 5, heads 8 (kv 4), vocab 512, seq 512"

  bool operator==(const Shape&) const = default;
};

// Sizes derived from a shape (all counts, not bytes, unless named so).
struct ShapeStats {
  int64_t params_embedding = 0;   // vocab * dim
  int64_t params_per_layer = 0;   // norms + 4 attention matrices + 3 FFN matrices
  int64_t params_classifier = 0;  // vocab * dim when the classifier is separate, else 0
  int64_t params_total = 0;
  int64_t matmul_macs_per_token = 0;       // projections + FFN + classifier (independent of position)
  int64_t attention_macs_at(int64_t pos) const;  // QK^T and PV MACs at position pos (0-based), all layers
  int64_t n_layers = 0, n_heads = 0, head_size = 0;
};
ShapeStats compute_stats(const Shape& s, bool shared_classifier);

}  // namespace hardwire::golden
