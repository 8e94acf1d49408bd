// hardwire/gen/model_info.hpp — sizes of a model as the chip stores and computes it (from the shape alone).
#pragma once

#include <cstdint>

#include "hardwire/gen/model_source.hpp"
#include "hardwire/golden/shape.hpp"

namespace hardwire::gen {

struct ModelInfo {
  golden::Shape shape;
  bool shared_classifier = true;
  golden::Widths widths;
  golden::ShapeStats stats;
  // int8 weights held on chip: embedding, all layer matrices, and the classifier. The classifier is always a
  // separate matrix on chip: the final RMSNorm's gamma is folded into it, so even a shared classifier differs from
  // the embedding table (docs/numerics.md §classifier).
  int64_t weight_bytes = 0;
  int64_t weight_bytes_embedding = 0, weight_bytes_layers = 0, weight_bytes_classifier = 0;
  int64_t requant_params = 0;  // Requant entries (per-channel and per-tensor)
  int64_t table_bytes = 0;     // SiLU (per layer), exp2, RoPE cos/sin tables
  int64_t kv_cache_bytes = 0;  // n_layers * seq_len * kv_dim * (bytes of a K + bytes of a V element)
  int64_t macs_per_token_min = 0;   // at position 0
  int64_t macs_per_token_max = 0;   // at position seq_len - 1
  int64_t macs_per_token_mean = 0;  // averaged over positions 0 .. seq_len-1
};

ModelInfo compute_info(const ModelSource& src, const golden::Widths& widths);

}  // namespace hardwire::gen
