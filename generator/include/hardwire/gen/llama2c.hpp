// hardwire/gen/llama2c.hpp — llama2.c checkpoints (the legacy "version 0" format and the fp32 "version 1" export)
// and tokenizer files.
//
// Version 0: 7 little-endian int32 (dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len; a
// negative vocab_size means an unshared classifier follows), then fp32 tensors: token_embedding[vocab x dim],
// rms_att[L x dim], wq[L x dim x dim], wk[L x kv_dim x dim], wv[L x kv_dim x dim], wo[L x dim x dim],
// rms_ffn[L x dim], w1[L x hidden x dim], w2[L x dim x hidden], w3[L x hidden x dim], rms_final[dim],
// freq_cis_real[seq x head/2], freq_cis_imag[seq x head/2], then wcls[vocab x dim] when unshared.
// Version 1 (export.py --version 1): a 256-byte header — uint32 magic 0x616b3432 ("ak42"), int32 version 1, the 7
// int32 (vocab_size positive), a byte shared_classifier, zeros — then fp32 rms_att[L x dim], rms_ffn[L x dim],
// rms_final[dim], token_embedding, wq, wk, wv, wo, w1, w2, w3 (each all layers), wcls when unshared; no freq_cis.
// Version 2 (int8, Q8_0 groups) is refused with an error naming the export that hardwire reads.
//
// Tokenizer: int32 max_token_length, then for each of the model's vocab tokens: float score, int32 length, bytes.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "hardwire/golden/float_model.hpp"
#include "hardwire/status.hpp"

namespace hardwire::gen {

struct CheckpointHeader {
  golden::Shape shape;
  bool shared_classifier = true;
  int version = 0;              // 0 (legacy) or 1
  uint64_t expected_bytes = 0;  // the file size this header implies
};

// A model's default name: its file name, control characters (a newline in a file name) replaced by '_', so the
// name is safe in every file it is written to.
std::string default_model_name(const std::string& path);

// Checks a tensor's weights read from a checkpoint of any format: finite and within +-65504 (the float16 range,
// beyond which no trained model's weight lies and the float reference would overflow). `where` prefixes the error
// ("checkpoint 'm.bin': "), `name` names the tensor.
Status check_weight_values(const float* v, int64_t n, const std::string& where, const std::string& name);

// Reads and validates only the header against the file size (cheap; no weights are read).
Result<CheckpointHeader> read_llama2c_header(const std::string& path);
// Reads the whole checkpoint. Errors name the file and the problem (truncation, size mismatch, invalid shape,
// non-finite weights, the newer llama2.c formats).
Result<golden::FloatModel> read_llama2c(const std::string& path);
// The same from the file's bytes (`path` names it in errors).
Result<golden::FloatModel> parse_llama2c(const std::vector<char>& bytes, const std::string& path);
// Writes `model` in the legacy v0 format (freq_cis tables computed with theta 10000) or the v1 format,
// atomically: a temporary file in the same directory renamed into place.
Status write_llama2c(const golden::FloatModel& model, const std::string& path, int version = 0);

struct Tokenizer {
  int32_t max_token_length = 0;
  std::vector<std::string> pieces;
  std::vector<float> scores;
  // Hugging Face BPE (tokenizer.json): the rank of each merge, keyed by left piece + '\0' + right piece. When
  // present, the encoder merges the adjacent pair of lowest rank (the leftmost on a tie), as the tokenizers library
  // does, instead of the pair whose merged piece scores highest.
  std::unordered_map<std::string, int64_t> merge_ranks;
  int64_t bos = golden::kBosToken;  // the model's BOS: encode starts with it, decode drops the space after it
  // Byte fallback: the token whose piece is "<0xHH>" (Hugging Face's byte_fallback), else (llama2.c, whose encoder
  // assumes it) id byte + 3.
  bool byte_tokens_by_name = false;

  // Text of `token` following `prev` (llama2.c rules: the leading space after BOS is dropped; "<0xHH>" pieces are
  // raw bytes).
  std::string decode(int64_t prev, int64_t token) const;
  // llama2.c's encoder: BOS, a dummy-prefix space, UTF-8 code points (byte fallback: id byte + 3, or with
  // byte_tokens_by_name the piece "<0xHH>"), then greedy merging of the best-scoring adjacent pair (or, with merge_ranks, the lowest-ranked) until
  // none merges, in O(n log n). Errors: a text that cannot fit in
  // `max_tokens` (checked from its length before encoding, and exactly after), a character with neither a token
  // nor a byte-fallback token (a vocabulary below 259).
  Result<std::vector<int64_t>> encode(const std::string& text, bool with_bos, int64_t max_tokens = INT64_MAX) const;
};

// A llama2.c tokenizer.bin, or (a path ending in .json) a Hugging Face tokenizer.json (parse_hf_tokenizer).
Result<Tokenizer> read_tokenizer(const std::string& path, int64_t vocab, int64_t bos = golden::kBosToken);
// A Hugging Face tokenizer.json of the sentencepiece-BPE kind (Llama 2, TinyLlama): model type BPE with byte
// fallback, "▁" for spaces (a Prepend + Replace normalizer or a Metaspace pre-tokenizer that does not split). Pieces
// are stored with spaces for "▁", as llama2.c's are. Other kinds (byte-level BPE as in GPT-2 and Llama 3, Unigram,
// WordPiece) are an error naming the kind.
Result<Tokenizer> parse_hf_tokenizer(const std::string& text, int64_t vocab, const std::string& path);
Result<Tokenizer> parse_tokenizer(const std::vector<char>& bytes, int64_t vocab, const std::string& path);
Status write_tokenizer(const Tokenizer& tok, const std::string& path);

}  // namespace hardwire::gen
