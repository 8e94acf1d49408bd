// hardwire/golden/qmodel.hpp — the integer model: everything the chip stores, and nothing else.
//
// Produced by the quantizer (generator/), consumed by the integer golden decoder and by the RTL generator. Holds
// only integers: int8 weights, integer requantization parameters, integer normalization constants and lookup
// tables. The float scales it was derived from are kept in `scales` for reporting only; no integer computation
// reads them. docs/numerics.md is the prose form of this contract.
#pragma once

#include <Eigen/Core>
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "hardwire/golden/shape.hpp"

namespace hardwire::golden {

using MatI8 = Eigen::Matrix<int8_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatI16 = Eigen::Matrix<int16_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using VecI = Eigen::Matrix<int64_t, Eigen::Dynamic, 1>;  // integer tensors; values always within their site width

// Requantization y = sat((acc * mult + 2^(rshift-1)) >> rshift). Invariant: 0 <= mult < 2^31, 1 <= rshift <= 62.
// The quantizer normalizes mult into [2^30, 2^31) unless the real multiplier is below 2^-31 (then denormalized).
struct Requant {
  int32_t mult = 0;
  int32_t rshift = 1;
  bool operator==(const Requant&) const = default;
};

// RMSNorm constants: r = isqrt(sum(x^2) + eps); m = floor(gain * 2^24 / r); y = sat((x*m + 2^(shift-1)) >> shift).
// Invariant: 1 <= eps < 2^40, 0 <= gain < 2^24, 1 <= shift <= 62.
struct NormParams {
  uint32_t gain = 0;
  int32_t shift = 1;
  uint64_t eps = 1;
  bool operator==(const NormParams&) const = default;
};

// Activation width (bits, two's complement) at each quantized site. Each may be 8 or 16. Defaults: 16 wherever
// it costs nothing in the array (every matrix input is as wide as the widest, h) or almost nothing elsewhere; the V
// cache stays 8 (16 bits would double its memory for no measured gain). docs/numerics.md §1 has the measurement.
// Fixed by the spec, not configurable: the SiLU table output (16), attention probabilities (unsigned 8, Q0.8), the
// attention score/log2 domain (16, Q7.8), logits (32).
struct Widths {
  int res = 16;   // residual stream (embedding output, both residual adds, the branch outputs added to it)
  int xn = 16;    // RMSNorm outputs (inputs of wq/wk/wv, w1/w3, classifier)
  int q = 16;     // queries (after wq and after RoPE)
  int k = 16;     // keys (after wk, after RoPE, in the K cache)
  int v = 16;     // values (V cache: 16-bit lanes whatever the width, so 16 costs nothing)
  int att = 16;   // attention output (input of wo)
  int gate = 16;  // FFN gate (w1): its top 8 bits index the SiLU table, the rest interpolate (numerics §11)
  int up = 16;    // FFN up projection (w3)
  int h = 16;     // SwiGLU product silu(gate) * up (input of w2)
  bool operator==(const Widths&) const = default;
};
// Every configurable site: its name (in --widths, JSON shapes, manifests) and its field, in this order everywhere.
struct WidthSite {
  const char* name;
  int Widths::*bits;
};
inline constexpr std::array<WidthSite, 9> kWidthSites{{{"res", &Widths::res},
                                                       {"xn", &Widths::xn},
                                                       {"q", &Widths::q},
                                                       {"k", &Widths::k},
                                                       {"v", &Widths::v},
                                                       {"att", &Widths::att},
                                                       {"gate", &Widths::gate},
                                                       {"up", &Widths::up},
                                                       {"h", &Widths::h}}};
inline constexpr int kSiluIndexBits = 8;  // the SiLU table has 2^8 + 1 entries per layer (numerics §11)
inline constexpr int kSiluBits = 16;
inline constexpr int kScoreBits = 16;
inline constexpr int kScoreFracBits = 8;  // scores are log2-domain values in Q7.8
inline constexpr int kProbBits = 8;       // unsigned Q0.8, clamped at 255 (= 1.0 - 2^-8)
inline constexpr int kLogitBits = 32;
inline constexpr int kRopeFracBits = 14;  // cos/sin tables in Q1.14 (int16)

using SiluTable = std::array<int16_t, (1 << kSiluIndexBits) + 1>;

using MatU8 = Eigen::Matrix<uint8_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// The weight format (numerics §2): b-bit symmetric codes (|code| <= 2^(b-1) - 1), b in {4, 6, 8}; with group > 0,
// every run of `group` consecutive inputs of a row has its own unsigned 8-bit scale (1..255) that multiplies the
// run's partial sum before it is accumulated. group 0: no group scales (the per-row Requant alone).
// zero_point (with groups, b in {4, 6}): the chip stores unsigned b-bit codes u in [0, 2^b - 1] and per group a
// b-bit zero point z in [0, 2^b - 1]; the weight is (u - z) times its scales, so the signed code c = u - z lies in
// [-z, 2^b - 1 - z] and |c| <= 2^b - 1.
struct WeightFormat {
  int bits = 8;
  int64_t group = 0;
  bool zero_point = false;
  bool operator==(const WeightFormat&) const = default;
};
inline constexpr int kGroupScaleBits = 8;
constexpr int64_t max_weight_code(int bits) { return (int64_t{1} << (bits - 1)) - 1; }
// The largest |c| of the format's signed codes (what the products and accumulators are sized for).
constexpr int64_t max_weight_code(const WeightFormat& f) {
  return f.zero_point ? (int64_t{1} << f.bits) - 1 : max_weight_code(f.bits);
}
// The range of a weight's signed codes given max_weight_code(f) and, with zero points, its group's z: [-max_code,
// max_code], or [-z, max_code - z] (u = c + z in [0, max_code]).
struct CodeWindow {
  int64_t lo = 0, hi = 0;
};
constexpr CodeWindow code_window(int64_t max_code, bool zero_point, int64_t z = 0) {
  return zero_point ? CodeWindow{-z, max_code - z} : CodeWindow{-max_code, max_code};
}
// Bits of a group's entry in the group-scale memory: its scale, and its zero point with zero_point.
constexpr int group_entry_bits(const WeightFormat& f) { return kGroupScaleBits + (f.zero_point ? f.bits : 0); }

// A quantized linear layer: weight codes (out x in, per output channel, held in int8 whatever their width), the
// group scales when the format has groups ([out x ceil(in / group)]), and one Requant per output
// channel taking the accumulator to the destination site's scale.
struct QLinear {
  MatI8 w;            // the signed codes c (with zero points: u - z)
  MatU8 group_scale;  // empty without groups
  MatU8 zero_point;   // [out x groups] with zero points (the format's zero_point), else empty
  int64_t group = 0;  // inputs per group scale; 0: none
  std::vector<Requant> rq;
};

struct QLayer {
  NormParams att_norm;
  QLinear wq, wk, wv;      // rmsnorm gamma folded into the columns
  Requant score;           // q.k accumulator -> Q7.8 log2-domain score (1/sqrt(head_size) and log2(e) folded)
  Requant att_out;         // sum_t p_t * v_t accumulator -> attention output
  QLinear wo;              // -> residual scale
  NormParams ffn_norm;
  QLinear w1, w3;          // gate -> int8, up -> int(up)
  SiluTable silu{};        // SILU[j] = silu((j - 128) * 2^(gate - 8) * s_gate) / s_silu, j = 0..256
  Requant h;               // silu * up -> int(h)
  QLinear w2;              // -> residual scale
};

struct QModel {
  Shape shape;
  Widths widths;
  WeightFormat weights;  // of every matrix (the blocks' and the classifier); the embedding is always int8 per row
  std::string name;
  MatI8 embedding;                 // [vocab x dim], symmetric per row
  std::vector<Requant> embed_rq;   // per row: embedding row -> residual scale
  std::vector<QLayer> layers;
  NormParams final_norm;
  QLinear cls;                     // [vocab x dim], final rmsnorm gamma folded; -> int32 logits
  MatI16 rope_cos, rope_sin;       // [seq_len x head_size/2], Q1.14
  std::map<std::string, double> scales;  // float scale of every site (reporting only; never read by the integer path)
};

// The fixed exp2 fraction table of the softmax: kExp2[f] = round(2^15 * 2^(-f/256)), f = 0..255.
const std::array<uint16_t, 256>& exp2_table();

}  // namespace hardwire::golden
