// hardwire/gen/program.hpp — the accelerator's memory map and its microcode: the schedule of one decode step as
// data (rtl_templates/hw_core.sv executes it; docs/architecture.md, "Microcode", documents it).
//
// Contract: build_program() is deterministic and depends only on the integer model and the array shape, so the
// generator (which writes mem/program.hex) and the simulator front end (which names what each instruction wrote)
// always agree on it. The instruction word is 14 fields of 32 bits, field f at bits [f*32 +: 32].
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hardwire/golden/qmodel.hpp"

namespace hardwire::gen {

// One quantized matrix as the GEMM engine sees it: its words in the weight SRAM and its per-channel Requants.
struct MatrixSite {
  std::string name;  // "L0.wq", "cls"
  const golden::QLinear* lin = nullptr;
  int act_bits = 0, out_bits = 0;
  int64_t base = 0, words = 0, rq_base = 0;
};
// Every matrix of the model in weight-SRAM order (per layer wq wk wv wo w1 w3 w2, then the classifier), with its
// base word on an R x C array (tile layout of gen::gemm_weight_words) and its first Requant word.
std::vector<MatrixSite> matrix_sites(const golden::QModel& m, int64_t rows, int64_t cols);

enum class Op : uint32_t {
  kEmbed = 1, kNorm = 2, kMatvec = 3, kRope = 4, kCopyKv = 5, kScores = 6, kPv = 7, kSwiglu = 8, kResadd = 9,
  kOutput = 10, kPackQ = 11
};
const char* op_name(Op op);

// Field 0 flags (bits 4..6): base adjustments the sequencer applies with the step's token and position.
inline constexpr uint32_t kFlagBTok = 1u << 4;    // b_base += token * embedding words per row
inline constexpr uint32_t kFlagRqTok = 1u << 5;   // rq_base += token
inline constexpr uint32_t kFlagDstPos = 1u << 6;  // dst += pos * KV-cache words per position
// A length field of 0 means pos + 1.
inline constexpr uint32_t kPosPlusOne = 0;

// What the time of an instruction counts as (cycles per token are reported per phase).
enum class Phase { kEmbed, kNorm, kProjection, kAttention, kFfn, kResidual, kClassifier, kOutput };
inline constexpr int kNumPhases = 8;
const char* phase_name(Phase p);

struct Instr {
  Op op = Op::kEmbed;
  uint32_t flags = 0;
  uint32_t a_base = 0, a_si = 0, a_so = 0, b_base = 0, b_si = 0, b_so = 0;
  uint32_t n_inner = 1, n_outer = 1, n_out = 1, dst = 0, rq_base = 0, out_bits = 32, aux = 0;
  // Listing (not in the ROM): what it does, and the golden trace tensor its results are (debug taps).
  std::string text;          // "L0 MATVEC wq -> q_proj"
  Phase phase = Phase::kEmbed;
  std::string tap;           // golden trace name of the results written ("": none, e.g. KV-cache copies)
  int64_t tap_offset = 0;    // first element within that tensor ...
  bool tap_offset_per_row = false;  // ... multiplied by pos + 1 (attention rows)
  std::string aux_tap;       // golden trace name of the scores (SCORES only)
  int64_t layer = -1;        // the layer it belongs to (-1: embedding, final norm, classifier, output)
  int64_t head = -1;         // SCORES: whose probabilities the softmax writes (to p + head * seq_len)
  int64_t matrix = -1;       // index into matrix_sites() for MATVEC
};

// Scratchpad (32-bit words), q buffer and KV cache (words of `lanes` 16-bit lanes) placement.
struct MemoryMap {
  int64_t x = 0, xn = 0, q = 0, k = 0, v = 0, att = 0, t = 0, gate = 0, up = 0, h = 0, logits = 0;
  int64_t p = 0;  // probabilities: head h's row at p + h * seq_len
  int64_t scratch_words = 0;
  int64_t head_words = 0;                 // ceil(head_size / C): words per head in the KV cache and q buffer
  int64_t lanes = 0;                      // attention lanes: ceil(head_size / head_words) <= C
  int64_t kv_row_words = 0;               // n_kv_heads * head_words: KV-cache words per position
  int64_t q_words = 0;                    // n_heads * head_words
  int64_t kv_words = 0;                   // 2 * n_layers * seq_len * kv_row_words
  int64_t k_base(int64_t layer) const { return layer * kv_layer_words; }
  int64_t v_base(int64_t layer) const { return (n_layers + layer) * kv_layer_words; }
  int64_t kv_layer_words = 0, n_layers = 0;
  int64_t emb_words_per_row = 0;          // embedding SRAM: ceil(dim / C) words of C bytes per token
  int64_t rq_embedding_base = 0;          // Requant words: matrices, then one per token, then 3 per layer
  int64_t rq_layer_base = 0;              // + 3*l: score, att_out, h
  int64_t requant_words = 0;
  int64_t norm_words = 0;                 // 2 per layer (attn, ffn), then final
};

struct Program {
  MemoryMap map;
  std::vector<MatrixSite> matrices;
  std::vector<Instr> instrs;
};

Program build_program(const golden::QModel& m, int64_t rows, int64_t cols);

// ROM images: one line per word, hex, most significant digit first.
std::string program_hex_words(const Program& p);                       // 14 x 32 bits per instruction
std::string norm_hex_words(const golden::QModel& m);                   // {eps[39:0], 2'b0, shift[5:0], gain[23:0]}

}  // namespace hardwire::gen
