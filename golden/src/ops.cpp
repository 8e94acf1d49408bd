#include "hardwire/golden/ops.hpp"

#include <algorithm>
#include <cmath>

#include "hardwire/status.hpp"

namespace hardwire::golden {

__extension__ typedef __int128 int128_t;  // GCC/Clang 128-bit integer (exact requantize products)

const std::array<uint16_t, 256>& exp2_table() {
  static const std::array<uint16_t, 256> table = [] {
    std::array<uint16_t, 256> t{};
    for (int f = 0; f < 256; ++f) {
      // round(2^15 * 2^(-f/256)); f = 0 gives exactly 32768. Values lie in [16428, 32768].
      t[static_cast<size_t>(f)] = static_cast<uint16_t>(std::lround(32768.0 * std::exp2(-f / 256.0)));
    }
    return t;
  }();
  return table;
}

int accumulator_bits(int act_bits, int64_t k) { return accumulator_bits(act_bits, k, WeightFormat{}); }

int accumulator_bits(int act_bits, int64_t k, const WeightFormat& f) {
  int lg = 0;
  while ((int64_t{1} << lg) < k) ++lg;
  return act_bits + f.bits + (f.zero_point ? 1 : 0) + lg + (f.group > 0 ? kGroupScaleBits : 0) - 1;
}

namespace {
int128_t requantize_wide(int64_t acc, Requant rq) {
  HW_CHECK(rq.mult >= 0 && rq.rshift >= 1 && rq.rshift <= 62, "Requant invariant: 0 <= mult, 1 <= rshift <= 62");
  const int128_t prod = static_cast<int128_t>(acc) * rq.mult;  // |prod| < 2^94
  return (prod + (static_cast<int128_t>(1) << (rq.rshift - 1))) >> rq.rshift;
}
}  // namespace

int64_t requantize_sat(int64_t acc, Requant rq, int out_bits) {
  const int128_t r = requantize_wide(acc, rq);
  return r < min_of(out_bits) ? min_of(out_bits) : (r > max_of(out_bits) ? max_of(out_bits) : static_cast<int64_t>(r));
}

int64_t requantize(int64_t acc, Requant rq) {
  const int128_t rounded = requantize_wide(acc, rq);
  // |acc| < 2^62 and mult < 2^31 keep |rounded| < 2^63 for rshift >= 30; smaller shifts only occur with small
  // accumulators (the quantizer bounds mult * max|acc|). Checked here rather than trusted.
  HW_CHECK(rounded >= INT64_MIN && rounded <= INT64_MAX, "requantize result exceeds 64 bits");
  return static_cast<int64_t>(rounded);
}

VecI matvec(const MatI8& w, const VecI& x) {
  HW_CHECK(w.cols() == x.size(), "matvec: matrix columns must equal vector length");
  VecI acc(w.rows());
  for (Eigen::Index o = 0; o < w.rows(); ++o) acc[o] = w.row(o).cast<int64_t>().dot(x.transpose());
  return acc;
}

VecI matvec(const QLinear& l, const VecI& x) {
  if (l.group == 0) return matvec(l.w, x);
  HW_CHECK(l.w.cols() == x.size(), "matvec: matrix columns must equal vector length");
  const Eigen::Index groups = (l.w.cols() + l.group - 1) / l.group;
  HW_CHECK(l.group_scale.rows() == l.w.rows() && l.group_scale.cols() == groups, "matvec: one scale per row and group");
  const bool zp = l.zero_point.size() > 0;
  HW_CHECK(!zp || (l.zero_point.rows() == l.w.rows() && l.zero_point.cols() == groups),
           "matvec: one zero point per row and group");
  VecI acc(l.w.rows());
  for (Eigen::Index o = 0; o < l.w.rows(); ++o) {
    int64_t a = 0;
    for (Eigen::Index g = 0; g < groups; ++g) {
      const Eigen::Index i0 = g * l.group, n = std::min<Eigen::Index>(l.group, l.w.cols() - i0);
      int64_t partial = 0;
      if (zp) {
        // As the chip: the stored codes u = c + z against x, less z times the group's sum of x (numerics §4).
        const int64_t z = l.zero_point(o, g);
        int64_t xsum = 0;
        for (Eigen::Index i = i0; i < i0 + n; ++i) {
          const int64_t u = int64_t{l.w(o, i)} + z;
          HW_CHECK(u >= 0 && u <= 2 * int64_t{127} + 1, "matvec: a stored code u = c + z is unsigned");
          partial += u * x[i];
          xsum += x[i];
        }
        partial -= z * xsum;
      } else {
        partial = l.w.row(o).segment(i0, n).cast<int64_t>().dot(x.segment(i0, n).transpose());
      }
      a += int64_t{l.group_scale(o, g)} * partial;
    }
    acc[o] = a;
  }
  return acc;
}

VecI linear(const QLinear& l, const VecI& x, int out_bits, VecI* acc_out) {
  HW_CHECK(static_cast<Eigen::Index>(l.rq.size()) == l.w.rows(), "linear: one Requant per output channel");
  VecI acc = matvec(l, x);
  VecI y(acc.size());
  for (Eigen::Index o = 0; o < acc.size(); ++o) y[o] = requantize_sat(acc[o], l.rq[static_cast<size_t>(o)], out_bits);
  if (acc_out) *acc_out = std::move(acc);
  return y;
}

uint64_t isqrt(uint64_t v) {
  // Bit-by-bit (digit-by-digit) method: the same recurrence a sequential hardware unit uses, one result bit per
  // step, exact floor(sqrt(v)) for every 64-bit v.
  uint64_t rem = v, root = 0, bit = uint64_t{1} << 62;
  while (bit > v) bit >>= 2;
  while (bit != 0) {
    if (rem >= root + bit) {
      rem -= root + bit;
      root = (root >> 1) + bit;
    } else {
      root >>= 1;
    }
    bit >>= 2;
  }
  return root;
}

VecI rmsnorm(const VecI& x, NormParams p, int out_bits) {
  HW_CHECK(p.eps >= 1 && p.eps < (uint64_t{1} << 40), "NormParams invariant: 1 <= eps < 2^40");
  HW_CHECK(p.gain < (1u << 24) && p.shift >= 1 && p.shift <= 62, "NormParams invariant: gain < 2^24, 1<=shift<=62");
  uint64_t s = p.eps;
  for (Eigen::Index i = 0; i < x.size(); ++i) s += static_cast<uint64_t>(x[i] * x[i]);
  const uint64_t r = isqrt(s);  // >= 1 because eps >= 1
  const uint64_t m = (static_cast<uint64_t>(p.gain) << 24) / r;
  VecI y(x.size());
  const int64_t half = int64_t{1} << (p.shift - 1);
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    // |x_i| <= r (x_i^2 <= s), so |x_i * m| <= gain * 2^24 < 2^48.
    y[i] = saturate((x[i] * static_cast<int64_t>(m) + half) >> p.shift, out_bits);
  }
  return y;
}

void rope(VecI& v, int64_t pos, int64_t head_size, const MatI16& cos, const MatI16& sin, int bits) {
  HW_CHECK(head_size % 2 == 0 && v.size() % head_size == 0, "rope: vector must be whole heads of even size");
  HW_CHECK(pos >= 0 && pos < cos.rows() && cos.cols() == head_size / 2, "rope: position or table shape");
  constexpr int64_t kHalf = int64_t{1} << (kRopeFracBits - 1);
  for (Eigen::Index i = 0; i < v.size(); i += 2) {
    const Eigen::Index pair = (i % head_size) / 2;
    const int64_t c = cos(pos, pair), s = sin(pos, pair);
    const int64_t x0 = v[i], x1 = v[i + 1];
    v[i] = saturate((x0 * c - x1 * s + kHalf) >> kRopeFracBits, bits);
    v[i + 1] = saturate((x0 * s + x1 * c + kHalf) >> kRopeFracBits, bits);
  }
}

VecI softmax(const VecI& z, VecI* exp_out, uint64_t* sum_out) {
  HW_CHECK(z.size() >= 1, "softmax: empty row");
  const auto& table = exp2_table();
  const int64_t zmax = z.maxCoeff();
  VecI e(z.size());
  uint64_t sum = 0;
  for (Eigen::Index t = 0; t < z.size(); ++t) {
    const int64_t u = zmax - z[t];  // >= 0; < 2^16 for int16 scores
    const int64_t ip = u >> kScoreFracBits, f = u & 255;
    e[t] = ip >= 16 ? 0 : (table[static_cast<size_t>(f)] >> ip);
    sum += static_cast<uint64_t>(e[t]);
  }
  // 2^15 <= sum <= n * 2^15 (the maximum contributes exactly 2^15): 16 + ceil(log2 n) bits.
  const uint64_t inv = (uint64_t{1} << 46) / sum;  // in [2^31 / n, 2^31]
  VecI p(z.size());
  for (Eigen::Index t = 0; t < z.size(); ++t) {
    const uint64_t q = (static_cast<uint64_t>(e[t]) * inv + (uint64_t{1} << 37)) >> 38;  // e*inv <= 2^46
    p[t] = static_cast<int64_t>(q > 255 ? 255 : q);  // a lone maximum gives 256 (1.0): clamped to 255
  }
  if (exp_out) *exp_out = std::move(e);
  if (sum_out) *sum_out = sum;
  return p;
}

int64_t silu_lookup(int64_t gate, const SiluTable& silu, int gate_bits) {
  HW_CHECK(gate_bits >= kSiluIndexBits && gate_bits <= 16, "swiglu: gate width 8..16");
  HW_CHECK(gate >= min_of(gate_bits) && gate <= max_of(gate_bits), "swiglu: gate within its width");
  const int f = gate_bits - kSiluIndexBits;
  const int64_t hi = gate >> f;           // -128..127
  const int64_t r = gate - (hi << f);     // 0..2^f - 1
  const auto i = static_cast<size_t>(hi + 128);
  const int64_t t0 = silu[i];
  if (f == 0) return t0;
  const int64_t t1 = silu[i + 1];
  return t0 + (((t1 - t0) * r + (int64_t{1} << (f - 1))) >> f);  // between t0 and t1: int16
}

int64_t silu_rom_word(const SiluTable& silu, size_t i) {
  HW_CHECK(i + 1 < silu.size(), "silu_rom_word: word 0..255");
  return (int64_t{static_cast<uint16_t>(silu[i + 1])} << 16) | int64_t{static_cast<uint16_t>(silu[i])};
}

VecI swiglu(const VecI& gate, const VecI& up, const SiluTable& silu, int gate_bits, Requant rq, int h_bits) {
  HW_CHECK(gate.size() == up.size(), "swiglu: gate and up differ in length");
  VecI h(gate.size());
  for (Eigen::Index i = 0; i < gate.size(); ++i)
    h[i] = requantize_sat(silu_lookup(gate[i], silu, gate_bits) * up[i], rq, h_bits);
  return h;
}

VecI residual_add(const VecI& a, const VecI& b, int bits) {
  HW_CHECK(a.size() == b.size(), "residual_add: lengths differ");
  VecI y(a.size());
  for (Eigen::Index i = 0; i < a.size(); ++i) y[i] = saturate(a[i] + b[i], bits);
  return y;
}

int64_t argmax(const VecI& v) {
  HW_CHECK(v.size() >= 1, "argmax: empty vector");
  Eigen::Index best = 0;
  for (Eigen::Index i = 1; i < v.size(); ++i)
    if (v[i] > v[best]) best = i;
  return best;
}

}  // namespace hardwire::golden
