// hardwire/gen/hf_llama.hpp — Hugging Face checkpoints of the Llama family: a directory with config.json and
// model.safetensors (or shards listed by model.safetensors.index.json), LlamaForCausalLM tensor names.
//
// config.json: hidden_size, intermediate_size, num_hidden_layers, num_attention_heads, num_key_value_heads
// (default num_attention_heads), vocab_size, max_position_embeddings (the chip's positions unless seq_len is
// given), rms_norm_eps (default 1e-6), rope_theta (default 10000), rope_scaling (none, "default" or "llama3"),
// head_dim (must be hidden_size / num_attention_heads), tie_word_embeddings (default false), bos_token_id (default 1:
// the token every sequence starts with). What hardwire's
// architecture does not have — biases, sliding windows, mixtures of experts, activations other than SiLU, other
// model types or RoPE scalings — is an error naming the key.
//
// Tensors: model.embed_tokens.weight, model.layers.N.{input_layernorm, self_attn.{q,k,v,o}_proj,
// post_attention_layernorm, mlp.{gate,up,down}_proj}.weight, model.norm.weight, lm_head.weight (absent or ignored
// when tied), in F32, F16 or BF16. Hugging Face's conversion permutes the rows of q_proj and k_proj so that RoPE
// rotates the two halves of each head (rotate_half); the reader undoes it, so the model rotates interleaved pairs as
// llama2.c and hardwire's numerics do, with the same float forward (tests/test_model_io.cpp proves it).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hardwire/golden/float_model.hpp"
#include "hardwire/status.hpp"

namespace hardwire::gen {

struct HfConfig {
  golden::Shape shape;  // seq_len: max_position_embeddings, or the seq_len asked for
  bool tied = false;    // tie_word_embeddings: the classifier is the embedding
  float rms_eps = 1e-6f;
  golden::RopeParams rope;
  int64_t max_positions = 0;  // max_position_embeddings
  int64_t bos = golden::kBosToken;  // bos_token_id
};

// Parses config.json's text (`path` names it in errors). seq_len > 0 sets the chip's positions (at most
// max_position_embeddings); 0 takes max_position_embeddings.
Result<HfConfig> parse_hf_config(const std::string& text, const std::string& path, int64_t seq_len = 0);

// The model's name: the directory's own name (of its absolute path, so "." and ".." name it too; control characters as
// '_'; "model" for the root).
std::string hf_model_name(const std::string& dir);

// True when `path` is a directory (what resolve_model then reads as a Hugging Face model).
bool is_directory(const std::string& path);

// Reads config.json and every safetensors header of `dir`, and checks that each tensor the config implies is there
// with its shape and a float dtype, and that there is no other (no weights are read).
Result<HfConfig> read_hf_llama_header(const std::string& dir, int64_t seq_len = 0);
// Reads the whole model (q_proj and k_proj rows un-permuted; see above).
Result<golden::FloatModel> read_hf_llama(const std::string& dir, int64_t seq_len = 0);

struct HfWriteOptions {
  std::string dtype = "F32";   // F32, F16 or BF16
  int shards = 1;              // > 1: model-0000k-of-0000n.safetensors and model.safetensors.index.json
  bool tie = false;            // tie_word_embeddings (needs a shared classifier; no lm_head.weight is written)
};
// Writes `model` as a Hugging Face directory (config.json, weights with q_proj/k_proj rows permuted as Hugging
// Face's conversion does) into `dir`, which must exist. For tests and for users who want the format.
Status write_hf_llama(const golden::FloatModel& model, const std::string& dir, const HfWriteOptions& options);

}  // namespace hardwire::gen
