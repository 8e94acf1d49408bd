// hardwire/gen/model_info.hpp — sizes of a model as the chip stores and computes it (from the shape alone).
#pragma once

#include <cstdint>

#include "hardwire/gen/model_source.hpp"
#include "hardwire/golden/qmodel.hpp"
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
  // The same weights as the chip stores them in `weights` (numerics §2; exact counts, before any padding of memory
  // words). The weight memory, what the matrix engine reads (its weight SRAM and group-scale ROM): the matrices'
  // codes at weights.bits (layers and classifier) and their group entries (an 8-bit scale, and a zero point of
  // weights.bits with zero points, per group of weights.group inputs of a row; none without groups). Beside it, the
  // embedding table's int8 codes, whatever the format.
  golden::WeightFormat weights;
  int64_t matrix_code_bits = 0, group_entry_bits = 0, embedding_bits = 0;
  int64_t weight_memory_bits() const { return matrix_code_bits + group_entry_bits; }
  int64_t requant_params = 0;  // Requant entries (per-channel and per-tensor)
  int64_t table_bytes = 0;     // SiLU (per layer), exp2, RoPE cos/sin tables
  int64_t kv_cache_bytes = 0;  // n_layers * seq_len * kv_dim * (bytes of a K + bytes of a V element)
  int64_t macs_per_token_min = 0;   // at position 0
  int64_t macs_per_token_max = 0;   // at position seq_len - 1
  int64_t macs_per_token_mean = 0;  // averaged over positions 0 .. seq_len-1
};

ModelInfo compute_info(const ModelSource& src, const golden::Widths& widths, const golden::WeightFormat& weights = {});

// The memory a command takes for this model, estimated from its shape before anything is allocated (bytes):
// float weights (4 B a parameter), the int8 weights with their requantization entries, the float and integer
// decoders' KV caches (three decodes at most), and, for commands that write a design, the text of its memory images
// (about 2.25 characters a weight byte, held as files and as the manifest's input). Plus a fixed 256 MiB for code,
// tables and buffers. With `finetune_steps` > 0, also the fine-tune's (numerics §2, DistillConfig's defaults): the
// float model's distributions over every training sequence, the student's latent and forward weights, Adam's two
// moments, the teacher, one gradient slot and one set of activations per sequence of a step.
struct MemoryEstimate {
  int64_t float_weights = 0, int_weights = 0, kv_caches = 0, design_text = 0, finetune = 0, total = 0;
};
MemoryEstimate estimate_memory(const ModelInfo& m, bool writes_design, int64_t finetune_steps = 0);
// Refuses a command whose estimate exceeds `limit` bytes (`limit_source` says where the limit comes from).
Status check_memory(const ModelInfo& m, bool writes_design, int64_t limit, const std::string& limit_source,
                    int64_t finetune_steps = 0);
// A shape-only design (generate --shape-only, synth) holds no weights: what grows with the model is the RoPE tables
// (seq_len x head_size / 2 lanes of 16 bits, as numbers and as text) and the program. Refused like check_memory.
Status check_shape_design_memory(const golden::Shape& s, int64_t limit, const std::string& limit_source);
// This machine's physical memory in bytes (0 if unknown).
int64_t physical_memory_bytes();
// "24G", "512M", "1.5T", "4096" (bytes); K/M/G/T are powers of 1024, an optional trailing "B"/"iB" is allowed.
Result<int64_t> parse_size(const std::string& text);
// "1.50 GiB".
std::string bytes_human(int64_t bytes);

}  // namespace hardwire::gen
