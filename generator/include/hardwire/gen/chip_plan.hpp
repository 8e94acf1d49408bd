// hardwire/gen/chip_plan.hpp — the chip plan: every decision about one accelerator, owned here once.
//
// plan_chip() is a pure function of (model shape, activation widths, design options): the array, every width and
// depth, the weight SRAM's matrix sites (keyed by layer and MatrixKind), the memory map of the scratchpad, KV cache,
// q buffer, embedding, requantizer and norm ROMs, the microcode program and its instruction layout, the parameters of
// every RTL block, and the decode bounds. The package emitter, image writers, program listing, manifest, `synth`, `sim`,
// `info` and `bench` read it; none of them derives a figure of its own.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "hardwire/gen/program.hpp"
#include "hardwire/golden/qmodel.hpp"
#include "hardwire/golden/shape.hpp"
#include "hardwire/status.hpp"

namespace hardwire::gen {

struct ArrayShape {
  int64_t rows = 8;  // R: the reduction dimension fed per cycle (at most; the weight port decides how many)
  int64_t cols = 8;  // C: output columns; also the word width of a weight bank in bytes
};
// "RxC", 1 <= R, C <= 256.
Result<ArrayShape> parse_array(const std::string& text);
// Words per SRAM bank: 0 (one bank) or a power of two from 16 to 2^24.
Status check_bank_depth(int64_t depth);
// Bits of an index into `count` things, at least 1: the RTL's `(D > 1) ? $clog2(D) : 1`.
int index_bits(int64_t count);

// Bytes of weights the chip reads per cycle: a multiple of C from C to R x C (0 stands for R x C, the default).
Status check_weight_port(const ArrayShape& array, int64_t bytes);

// Bytes of the KV cache read per cycle: whole KV heads (multiples of 2 x head_size bytes) dividing the KV row of
// 2 x kv_dim bytes (0 stands for the whole row, the default).
Status check_kv_port(const golden::Shape& shape, int64_t bytes);

struct PlanOptions {
  ArrayShape array;
  int64_t sram_bank_depth = 4096;  // words per weight SRAM macro (power of two); 0: one macro per weight bank
  int64_t weight_port = 0;         // bytes of weights read per cycle (check_weight_port); 0: R x C
  int64_t kv_port = 0;             // bytes of the KV cache read per cycle (check_kv_port); 0: the whole KV row
  golden::WeightFormat weights{};  // the matrices' weight format (numerics §2); plan_chip(QModel) takes the model's
};

// A weight format the chip can hold with a weight port of P rows: 4, 6 or 8 bits; group scales per G inputs with G a
// multiple of P (a group is whole input words of the matrix engine).
Status check_weight_format(const golden::WeightFormat& f, int64_t port_rows);
// The format in words: "int8 weights" (a scale per row), "int4 weights with a scale and a zero point per 8 inputs".
std::string weight_format_text(const golden::WeightFormat& f);

// The matrices of a layer, in weight-SRAM order, then the classifier.
enum class MatrixKind { kWq, kWk, kWv, kWo, kW1, kW3, kW2, kClassifier };
inline constexpr int kMatricesPerLayer = 7;
const char* matrix_kind_name(MatrixKind k);  // "wq" ... "w2", "cls"

// One quantized matrix as the matrix engine sees it: its words in every weight bank (from `base`, `words` of them)
// and its per-channel Requants.
struct MatrixSite {
  std::string name;  // "L0.wq", "cls"
  MatrixKind kind = MatrixKind::kWq;
  int64_t layer = -1;  // -1: the classifier
  const golden::QLinear* lin = nullptr;  // its quantized weights; nullptr in a plan from the shape alone
  int act_bits = 0, out_bits = 0, acc_bits = 0;
  int64_t rows = 0, cols = 0;  // N outputs x K inputs
  int64_t base = 0, words = 0;
  int64_t gs_base = 0, gs_words = 0;  // its group scales in the group-scale ROM (formats with groups)
  int64_t rq_base = 0;  // its first requant word (V > 1: in the vector requant ROM, V channels per word)
};

// Scratchpad (32-bit elements in words of `vector_lanes`), q buffer and KV cache (words of `lanes` 16-bit lanes), and
// the ROMs.
struct MemoryMap {
  int64_t vector_lanes = 1;  // V: scratchpad elements per word, C where C is a power of two (else 1); every region
                             // starts a word, and the matrix engine's results are requantized and written V at a time
  int64_t x = 0, xn = 0, q = 0, k = 0, v = 0, att = 0, t = 0, gate = 0, up = 0, h = 0, logits = 0;
  int64_t scratch_words = 0;             // 32-bit elements (a multiple of vector_lanes)
  int64_t kv_heads_per_word = 0;          // KV heads per KV-cache word (the KV port / (2 x head_size))
  int64_t lanes = 0;                      // KV-cache word lanes (16-bit): kv_heads_per_word x head_size
  int64_t kv_row_words = 0;               // n_kv_heads / kv_heads_per_word: KV-cache words per position
  int64_t q_heads_per_word = 0;           // query heads of one KV word: kv_heads_per_word x kv_mul
  int64_t q_lanes = 0;                    // q-buffer word lanes: lanes x kv_mul
  int64_t q_words = 0;                    // kv_row_words
  // The KV cache holds, per layer and position, the K row then the V row (kv_pos_words = 2 x kv_row_words), so one
  // COPYKV writes both (k and v side by side in the scratchpad) and attention walks every position's K (or V) row at
  // a stride of kv_pos_words.
  int64_t kv_pos_words = 0, kv_layer_words = 0, n_layers = 0;  // kv_layer_words: seq_len x kv_pos_words
  int64_t kv_words = 0;                   // n_layers * kv_layer_words
  int64_t k_base(int64_t layer) const { return layer * kv_layer_words; }
  int64_t v_base(int64_t layer) const { return layer * kv_layer_words + kv_row_words; }
  int64_t emb_words_per_row = 0;          // embedding SRAM: ceil(dim / C) words of C bytes per token
  int64_t emb_words = 0;                  // vocab * emb_words_per_row
  int64_t rq_matrices_words = 0;          // Requant words: per channel of every matrix (V = 1 only), then one per
  int64_t rq_embedding_base = 0;          //   token, then 3 per layer (score, att_out, h)
  int64_t rqv_words = 0;                  // V > 1: the vector requant ROM, V channels per word, per matrix
  // A channel of the vector requant ROM: {out_bits[45:40], 3'b0, rshift[36:31], mult[30:0]}, 48 bits (hw_core
  // RQV_LANE_W): the width its result saturates to is the channel's, so one MATVEC may write sites of two widths.
  static constexpr int kRqvLaneBits = 48;
  int64_t rq_layer_base = 0;
  int64_t requant_words = 0;
  int64_t norm_words = 0;                 // 2 per layer (attn, ffn), then final
  int64_t silu_words = 0;                 // 256 per layer
};

// One RTL block's parameter values, as hwc_top instantiates it and `synth` elaborates it.
struct BlockParams {
  std::string module;                                  // "hw_core"; a second configuration of one module is named
                                                       // "<module>#<tag>" (the manifest's key; template_name() strips it)
  std::vector<std::pair<std::string, int64_t>> values; // (parameter, value), in the module's order
  int64_t instances = 1;                               // how many the accelerator holds
  std::string template_name() const { return module.substr(0, module.find('#')); }
};

// One on-chip memory (an SRAM macro, or a ROM/table of the same kind), for area estimates.
// A memory's macros as the RTL instantiates them (hw_sram instances, one per bank): `count` macros of `words` words
// of `width` bits. `hardwire synth` prices each macro by its shape (SramModel::macro_area).
struct MacroShape {
  int64_t count = 1, words = 0, width = 0;
};
struct MemoryDesc {
  std::string name;
  int64_t bits = 0;  // bits stored
  std::string note;
  std::vector<MacroShape> macros;
};

// Lower bounds on the cycles of one decode step, per phase and in total (bench/README.md):
//   compute  MACs / (R * C): every PE busy every cycle;
//   weights  weight bytes / weight port (bytes of weights the chip reads per cycle: P banks of C bytes);
//   KV cache KV-cache bytes read / KV port (one KV-cache word of AttLanes 16-bit lanes per cycle), each KV head's
//            rows read once per layer (the heads that share it under grouped-query attention read it together);
//   latency  the serial latency floor: the longest chain of true (read-after-write) dependencies through the
//            program, each instruction costing its unit's fixed latency plus, where it must take its whole input
//            before its first result (RMSNorm, the matrix engine's first beat, softmax, argmax), that input at array
//            width (latency_cycles in chip_plan.cpp). A phase's share is the cost of its instructions on that chain.
struct Bounds {
  int64_t macs = 0, weight_bytes = 0, kv_bytes = 0;
  double compute_cycles = 0, weight_cycles = 0, kv_cycles = 0, latency_cycles = 0;
  double bound() const;  // the largest
  Bounds& operator+=(const Bounds& o);
};
struct StepBounds {
  std::array<Bounds, kNumPhases> phase{};  // indexed by Phase
  Bounds total;
};

struct ChipPlan {
  ArrayShape array;
  golden::Shape shape;
  golden::Widths widths;
  // Matrix engine (hw_gemv): P x C multipliers fed by P weight banks of C codes, read every cycle.
  golden::WeightFormat weights;  // every matrix's codes (weights.bits wide) and group scales (numerics §2)
  int64_t group_words = 0;       // engine input words (of P) per group scale: weights.group / P; 0: none
  int64_t group_scale_words = 0; // words of the group-scale ROM (C bytes each), every matrix's
  int act_bits = 8;    // widest matmul input
  int acc_bits = 8;    // widest matmul accumulator (numerics §4)
  int64_t k_max = 1, n_max = 1;
  int64_t weight_port_rows = 1;   // P: weight banks (and multiplier rows); the weight port is P x C bytes
  int64_t weight_words = 0;       // words per weight bank (every bank holds the same words of every matrix)
  int64_t weight_bank_depth = 0;  // words per macro of a weight bank; 0: one macro per bank
  // Image of every macro: mem/weights_p<j>.hex per weight bank j, or mem/weights_p<j>_bank<b>.hex per macro b of it;
  // bank-major. The package's WeightImage is their prefix, mem/weights.
  std::vector<std::string> weight_images;
  std::vector<MatrixSite> matrices;        // weight-memory order
  // core
  int mac_acc_bits = 34;      // attention / SwiGLU / embedding accumulator (numerics §8, §10, §11)
  int requant_acc_bits = 34;  // requantizer input: max(acc_bits, mac_acc_bits)
  int rope_bits = 16;         // max(q, k)
  // Each head's softmax (hw_core_attention): one row buffer of this many banks, its exp-sum pass this many elements
  // per cycle (hw_softmax SUM_LANES, hw_core SM_LANES); 4 keeps the pass a quarter of the row.
  int64_t softmax_sum_lanes = 4;
  // RMSNorm (hw_rmsnorm STEPS, hw_core NORM_STEPS): root digits and quotient bits per cycle. Two norms per layer sit
  // on the step's dependency chain; 4 makes their fixed latency 21 cycles instead of 39 (of 2).
  int64_t norm_steps = 4;
  MemoryMap map;
  Program program;
  // decode figures
  int64_t matmul_macs = 0;   // per token, every matrix
  int64_t weight_bytes = 0;  // weights (codes) the array reads per token (every matrix once): bytes at int8

  const MatrixSite& matrix(int64_t layer, MatrixKind kind) const;
  const MatrixSite& classifier() const { return matrix(-1, MatrixKind::kClassifier); }
  // The weight port in weights (codes) per cycle, P x C: bytes at int8, P x C x bits / 8 bytes in general.
  int64_t weight_port_bytes() const { return weight_port_rows * array.cols; }
  int64_t weight_macros_per_bank() const;
  int64_t kv_port_bytes() const { return 2 * map.lanes; }
  StepBounds step_bounds(int64_t pos) const;  // the decode step at position pos
  // Parameters of every block synthesized or instantiated: hw_gemv, hw_softmax, hw_rmsnorm, hw_rope, hw_requant,
  // hw_core and its units (hw_core's file names are not included: they are package strings).
  std::vector<BlockParams> blocks() const;
  BlockParams block(const std::string& module) const;
  // Every memory of the accelerator with its size in bits.
  std::vector<MemoryDesc> memories() const;
};

// The plan from the model's shape and activation widths alone: no weights are read or needed (every figure of the
// plan, its program and its RTL parameters depend on the shape only), so a model of any size is planned in
// milliseconds; its matrix sites have no weights (lin == nullptr). Fails only where the model does not fit the
// accelerator's fixed formats (a program field over 32 bits) or the options are invalid.
Result<ChipPlan> plan_chip(const golden::Shape& shape, const golden::Widths& widths, const PlanOptions& options);
// The same plan for an integer model (its shape and widths), every matrix site pointing at its quantized weights.
Result<ChipPlan> plan_chip(const golden::QModel& model, const PlanOptions& options);

}  // namespace hardwire::gen
