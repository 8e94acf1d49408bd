// hardwire/golden/ops.hpp — every integer operation of the chip, one function each (docs/numerics.md, section by
// section). These are the reference the RTL units are checked against, bit for bit.
//
// Conventions: integer tensors are VecI (int64 elements) whose values lie within the stated width; "sat_b" clamps
// to the two's-complement range of b bits; ">>" is an arithmetic shift (floor). Preconditions on values that come
// from the quantizer (Requant/NormParams invariants, widths) are invariants and checked with HW_CHECK.
#pragma once

#include <array>
#include <cstdint>

#include "hardwire/golden/qmodel.hpp"

namespace hardwire::golden {

// Two's-complement range of a b-bit signed value, 1 <= b <= 64 (64 spelled out: -(2^63) overflows int64).
constexpr int64_t min_of(int bits) { return bits >= 64 ? INT64_MIN : -(int64_t{1} << (bits - 1)); }
constexpr int64_t max_of(int bits) { return bits >= 64 ? INT64_MAX : (int64_t{1} << (bits - 1)) - 1; }
constexpr int64_t saturate(int64_t v, int bits) {
  return v < min_of(bits) ? min_of(bits) : (v > max_of(bits) ? max_of(bits) : v);
}

// Signed accumulator width that holds any sum of k products of an int8 weight (|w| <= 127, symmetric) and a
// `act_bits` activation: |sum| <= k * 127 * 2^(act_bits-1) < 2^(act_bits + 6 + ceil(log2 k)), so
// act_bits + 7 + ceil(log2 k) bits including the sign.
int accumulator_bits(int act_bits, int64_t k);
// The same for a weight format (numerics §4): b-bit codes, and with group scales each partial sum times at most 255:
// act_bits + b - 1 + ceil(log2 k) + 1 bits, plus 8 with groups, plus 1 with zero points (|c| <= 2^b - 1).
int accumulator_bits(int act_bits, int64_t k, const WeightFormat& format);

// §requantize: y = (acc * mult + 2^(rshift-1)) >> rshift, computed exactly (the product needs up to
// bits(acc) + 31 bits; here in 128-bit). Rounds half toward +infinity. requantize() is unsaturated and requires
// the result to fit in 64 bits (checked); requantize_sat() saturates to out_bits and is defined for every input.
int64_t requantize(int64_t acc, Requant rq);
int64_t requantize_sat(int64_t acc, Requant rq, int out_bits);

// §matmul: acc[o] = sum_i w[o,i] * x[i], exact (int64).
VecI matvec(const MatI8& w, const VecI& x);
// §matmul with group scales: acc[o] = sum_g gs[o,g] * sum_{i in group g} w[o,i] * x[i] (l.group == 0: matvec);
// with zero points each group's sum is computed as the chip does, sum u[o,i] * x[i] - z[o,g] * sum x[i], u = w + z.
VecI matvec(const QLinear& l, const VecI& x);
// §linear: matvec then per-output-channel requantize and saturate to out_bits.
VecI linear(const QLinear& l, const VecI& x, int out_bits, VecI* acc_out = nullptr);

// §rmsnorm. isqrt is the exact floor square root.
uint64_t isqrt(uint64_t v);
VecI rmsnorm(const VecI& x, NormParams p, int out_bits);

// §rope: rotates the interleaved pairs (2i, 2i+1) of every head of `v` (heads of head_size elements) in place by
// the table angle for (pos, i mod head_size/2): y0 = sat((x0*c - x1*s + 2^13) >> 14), y1 = sat((x0*s + x1*c +
// 2^13) >> 14), c and s in Q1.14.
void rope(VecI& v, int64_t pos, int64_t head_size, const MatI16& cos, const MatI16& sin, int bits);

// §softmax: probabilities (unsigned Q0.8, 0..255) of a row of Q7.8 log2-domain scores (int16), length >= 1.
// `exp_out`/`sum_out`, when given, receive the intermediate exp values (0..32768) and their sum.
VecI softmax(const VecI& z, VecI* exp_out = nullptr, uint64_t* sum_out = nullptr);

// §swiglu: the SiLU of a gate_bits gate from the 257-entry table: i = (g >> f) + 128, r = g - ((g >> f) << f) with
// f = gate_bits - 8, s = SILU[i] + (((SILU[i+1] - SILU[i]) * r + 2^(f-1)) >> f) (s = SILU[i] when f = 0).
int64_t silu_lookup(int64_t gate, const SiluTable& silu, int gate_bits);
// The chip's SiLU ROM word i (0..255) of a layer: the pair it interpolates between, {SILU[i+1], SILU[i]} as two
// 16-bit two's-complement halves of a 32-bit word (unsigned value returned).
inline constexpr int kSiluRomWordBits = 32;
int64_t silu_rom_word(const SiluTable& silu, size_t i);
// h[i] = sat_hbits(requantize(silu_lookup(gate[i]) * up[i], rq)).
VecI swiglu(const VecI& gate, const VecI& up, const SiluTable& silu, int gate_bits, Requant rq, int h_bits);

// §residual: y = sat_bits(a + b).
VecI residual_add(const VecI& a, const VecI& b, int bits);

// §argmax: index of the largest element; the lowest index wins ties.
int64_t argmax(const VecI& v);

}  // namespace hardwire::golden
