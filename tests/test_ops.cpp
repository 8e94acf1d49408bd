// Unit and property tests of the per-op golden functions (docs/numerics.md).
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <random>

#include "hardwire/gen/quantizer.hpp"
#include "hardwire/golden/ops.hpp"
#include "support/seed.hpp"

using namespace hardwire::golden;
using hardwire::gen::norm_from_real;
using hardwire::gen::requant_from_real;

namespace {
VecI vec(std::initializer_list<int64_t> v) {
  VecI x(static_cast<Eigen::Index>(v.size()));
  Eigen::Index i = 0;
  for (int64_t e : v) x[i++] = e;
  return x;
}
}  // namespace

// ---- saturation and widths -------------------------------------------------------------------------------------
TEST(Saturate, Bounds) {
  EXPECT_EQ(saturate(127, 8), 127);
  EXPECT_EQ(saturate(128, 8), 127);
  EXPECT_EQ(saturate(-128, 8), -128);
  EXPECT_EQ(saturate(-129, 8), -128);
  EXPECT_EQ(saturate(40000, 16), 32767);
  EXPECT_EQ(saturate(-40000, 16), -32768);
  EXPECT_EQ(saturate(int64_t{1} << 40, 32), INT32_MAX);
  EXPECT_EQ(min_of(64), INT64_MIN);  // the 64-bit range is spelled out (no overflow)
  EXPECT_EQ(max_of(64), INT64_MAX);
  EXPECT_EQ(saturate(INT64_MIN, 64), INT64_MIN);
}

TEST(AccumulatorBits, BoundHoldsAtExtremes) {
  for (int a : {8, 16}) {
    for (int64_t k : {1, 2, 3, 64, 172, 768, 2048}) {
      const int bits = accumulator_bits(a, k);
      // The largest magnitude: k products of -127 * -2^(a-1) (or 127 * -2^(a-1) for the most negative).
      const int64_t worst = k * 127 * (int64_t{1} << (a - 1));
      EXPECT_LE(worst, max_of(bits)) << "a=" << a << " k=" << k;
      EXPECT_GE(-worst, min_of(bits));
    }
  }
  EXPECT_EQ(accumulator_bits(8, 64), 21);
  EXPECT_EQ(accumulator_bits(16, 172), 31);
}

// ---- requantize ------------------------------------------------------------------------------------------------
TEST(Requantize, RoundsHalfTowardPlusInfinity) {
  const Requant half{1 << 30, 31};  // multiplier 0.5
  EXPECT_EQ(requantize(1, half), 1);    // 0.5 -> 1
  EXPECT_EQ(requantize(-1, half), 0);   // -0.5 -> 0
  EXPECT_EQ(requantize(3, half), 2);    // 1.5 -> 2
  EXPECT_EQ(requantize(-3, half), -1);  // -1.5 -> -1
  EXPECT_EQ(requantize(2, half), 1);
  EXPECT_EQ(requantize(0, half), 0);
  const Requant quarter{1 << 30, 32};   // 0.25
  EXPECT_EQ(requantize(5, quarter), 1);   // 1.25 -> 1
  EXPECT_EQ(requantize(-5, quarter), -1); // -1.25 -> -1
  EXPECT_EQ(requantize(6, quarter), 2);   // 1.5 -> 2
  EXPECT_EQ(requantize(-6, quarter), -1); // -1.5 -> -1
}

TEST(Requantize, SaturatesAtEveryWidth) {
  const Requant one{1 << 30, 30};  // multiplier 1.0
  EXPECT_EQ(requantize_sat(1000, one, 8), 127);
  EXPECT_EQ(requantize_sat(-1000, one, 8), -128);
  EXPECT_EQ(requantize_sat(-128, one, 8), -128);
  EXPECT_EQ(requantize_sat(127, one, 8), 127);
  EXPECT_EQ(requantize_sat(int64_t{1} << 40, one, 16), 32767);
  EXPECT_EQ(requantize_sat(-(int64_t{1} << 40), one, 32), INT32_MIN);
}

TEST(Requantize, WideAccumulatorsAreExact) {
  // A 40-bit accumulator times a 31-bit multiplier needs 71 bits: must not wrap.
  const Requant rq{INT32_MAX, 62};
  const int64_t acc = (int64_t{1} << 39) - 1;
  const long double expect = std::floor(static_cast<long double>(acc) * ((1u << 31) - 1) / std::ldexp(1.0L, 62) + 0.5L);
  EXPECT_EQ(requantize(acc, rq), static_cast<int64_t>(expect));
}

TEST(Requantize, PropertyMatchesExactRational) {
  const uint64_t seed = hw_test::test_seed();
  HW_SEED_TRACE();
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int64_t> acc_d(-(int64_t{1} << 31), int64_t{1} << 31);
  std::uniform_int_distribution<int32_t> mult_d(1 << 30, INT32_MAX);
  std::uniform_int_distribution<int32_t> sh_d(1, 62);
  for (int i = 0; i < 200000; ++i) {
    const int64_t acc = acc_d(rng);
    const Requant rq{mult_d(rng), sh_d(rng)};
    // acc * mult < 2^62: exact in long double's 64-bit mantissa.
    const long double exact = static_cast<long double>(acc) * rq.mult / std::ldexp(1.0L, rq.rshift);
    const auto expect = static_cast<int64_t>(std::floor(exact + 0.5L));
    ASSERT_EQ(requantize(acc, rq), expect) << "acc " << acc << " mult " << rq.mult << " rshift " << rq.rshift;
  }
}

TEST(RequantFromReal, NormalizedAndAccurate) {
  const uint64_t seed = hw_test::test_seed();
  HW_SEED_TRACE();
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> exp_d(-30.0, 29.0);
  for (int i = 0; i < 20000; ++i) {
    const double real = std::exp2(exp_d(rng));
    auto rq = requant_from_real(real);
    ASSERT_TRUE(rq.is_ok()) << real;
    EXPECT_GE(rq->mult, 1 << 30);
    EXPECT_GE(rq->rshift, 1);
    EXPECT_LE(rq->rshift, 62);
    const double got = rq->mult * std::exp2(-rq->rshift);
    EXPECT_NEAR(got / real, 1.0, 1e-9) << real;
  }
  EXPECT_FALSE(requant_from_real(0.0).is_ok());
  EXPECT_FALSE(requant_from_real(-1.0).is_ok());
  EXPECT_FALSE(requant_from_real(std::nan("")).is_ok());
  EXPECT_FALSE(requant_from_real(std::exp2(31)).is_ok());
  auto tiny = requant_from_real(std::exp2(-40));  // denormalized into rshift 62
  ASSERT_TRUE(tiny.is_ok());
  EXPECT_EQ(tiny->rshift, 62);
  EXPECT_EQ(tiny->mult, 1 << 22);
}

// ---- matmul ----------------------------------------------------------------------------------------------------
TEST(Matvec, ExtremesAreExact) {
  for (int a : {8, 16}) {
    const int64_t K = 2048;
    MatI8 w = MatI8::Constant(3, K, -127);
    w.row(1).setConstant(127);
    w.row(2).setConstant(-128);  // never produced by the quantizer, but the product must still be exact
    const VecI x = VecI::Constant(K, min_of(a));
    const VecI acc = matvec(w, x);
    EXPECT_EQ(acc[0], K * 127 * -min_of(a));
    EXPECT_EQ(acc[1], -K * 127 * -min_of(a));
    EXPECT_EQ(acc[2], K * 128 * -min_of(a));
    EXPECT_LE(std::abs(acc[0]), max_of(accumulator_bits(a, K)));
  }
}

TEST(Linear, PerChannelRequantAndSaturation) {
  QLinear l;
  l.w = MatI8(2, 2);
  l.w << 127, -127, -128, 1;
  l.rq = {Requant{1 << 30, 30}, Requant{1 << 30, 31}};  // 1.0 and 0.5
  VecI acc;
  const VecI y = linear(l, vec({2, -1}), 8, &acc);
  EXPECT_EQ(acc[0], 381);
  EXPECT_EQ(acc[1], -257);
  EXPECT_EQ(y[0], 127);   // 381 saturates
  EXPECT_EQ(y[1], -128);  // -128.5 rounds to -128
}

// ---- rmsnorm ---------------------------------------------------------------------------------------------------
TEST(Isqrt, ExactFloor) {
  for (uint64_t v = 0; v < 100000; ++v) {
    const uint64_t r = isqrt(v);
    ASSERT_LE(r * r, v);
    ASSERT_GT((r + 1) * (r + 1), v) << v;
  }
  for (uint64_t r : {uint64_t{65535}, uint64_t{65536}, uint64_t{1} << 24, uint64_t{3037000499}, uint64_t{4294967295}}) {
    EXPECT_EQ(isqrt(r * r), r);
    EXPECT_EQ(isqrt(r * r - 1), r - 1);
    if (r < 4294967295u) {
      EXPECT_EQ(isqrt(r * r + 2 * r), r);
    }
  }
  EXPECT_EQ(isqrt(UINT64_MAX), 4294967295u);
}

TEST(RmsNorm, ZeroVectorGivesZero) {
  auto p = norm_from_real(256.0);
  ASSERT_TRUE(p.is_ok());
  p->eps = 1;
  const VecI y = rmsnorm(VecI::Zero(64), *p, 8);
  EXPECT_TRUE((y.array() == 0).all());
}

TEST(RmsNorm, ExtremeInputsDoNotOverflow) {
  auto p = norm_from_real(std::sqrt(64.0) * 127 / 8.0);  // a one-hot vector of 64 reaches sqrt(64) = 8
  ASSERT_TRUE(p.is_ok());
  p->eps = 1;
  VecI x = VecI::Zero(64);
  x[5] = -32768;
  VecI y = rmsnorm(x, *p, 8);
  EXPECT_EQ(y[5], -127);  // -1 * 8 * 127/8, up to the eps correction
  x.setConstant(32767);
  y = rmsnorm(x, *p, 16);
  EXPECT_EQ(y[0], 16);  // every element is 1.0 * 127/8 = 15.875 -> 16
  x.setConstant(-32768);
  y = rmsnorm(x, *p, 16);
  EXPECT_EQ(y[0], -16);
}

TEST(RmsNorm, PropertyWithinOneLsbOfReal) {
  const uint64_t seed = hw_test::test_seed();
  HW_SEED_TRACE();
  std::mt19937_64 rng(seed);
  for (int it = 0; it < 2000; ++it) {
    const int64_t n = std::uniform_int_distribution<int64_t>(1, 300)(rng);
    const int64_t amp = std::uniform_int_distribution<int64_t>(1, 32767)(rng);
    std::uniform_int_distribution<int64_t> xd(-amp, amp);
    VecI x(n);
    for (auto& e : x) e = xd(rng);
    const double gain = std::uniform_real_distribution<double>(4.0, 4000.0)(rng);
    auto p = norm_from_real(gain);
    ASSERT_TRUE(p.is_ok());
    p->eps = std::uniform_int_distribution<uint64_t>(1, 1000)(rng);
    const VecI y = rmsnorm(x, *p, 16);
    double s = static_cast<double>(p->eps);
    for (auto e : x) s += static_cast<double>(e * e);
    const double r = std::floor(std::sqrt(s));
    for (Eigen::Index i = 0; i < n; ++i) {
      const double ideal = std::clamp(static_cast<double>(x[i]) / r * gain, -32768.0, 32767.0);
      ASSERT_NEAR(static_cast<double>(y[i]), ideal, 1.0) << "i " << i << " n " << n;
    }
  }
}

// ---- rope ------------------------------------------------------------------------------------------------------
namespace {
void rope_tables(int64_t seq, int64_t hs, MatI16& c, MatI16& s) {
  c.resize(seq, hs / 2);
  s.resize(seq, hs / 2);
  for (int64_t p = 0; p < seq; ++p)
    for (int64_t i = 0; i < hs / 2; ++i) {
      const double a = static_cast<double>(p) * std::pow(10000.0, -2.0 * static_cast<double>(i) / static_cast<double>(hs));
      c(p, i) = static_cast<int16_t>(std::lround(std::cos(a) * 16384));
      s(p, i) = static_cast<int16_t>(std::lround(std::sin(a) * 16384));
    }
}
}  // namespace

TEST(Rope, PositionZeroIsIdentity) {
  MatI16 c, s;
  rope_tables(16, 8, c, s);
  VecI v = vec({-32768, 32767, 1, -1, 0, 5, -7, 100, 3, 4, 5, 6, 7, 8, 9, 10});
  const VecI orig = v;
  rope(v, 0, 8, c, s, 16);
  EXPECT_EQ(v, orig);
}

TEST(Rope, LastPositionAndSaturation) {
  MatI16 c, s;
  rope_tables(16, 4, c, s);
  VecI v = vec({32767, 32767, -32768, -32768});
  rope(v, 15, 4, c, s, 16);  // position seq_len-1; the rotation of (32767, 32767) has norm 46340 > 32767
  for (auto e : v) {
    EXPECT_LE(e, 32767);
    EXPECT_GE(e, -32768);
  }
  // Rotation by 90 degrees equivalent check at a table entry with c = 0 is not guaranteed; check the formula.
  VecI w = vec({1000, -2000, 3, 4});
  const VecI w0 = w;
  rope(w, 7, 4, c, s, 16);
  const int64_t cc = c(7, 0), ss = s(7, 0);
  EXPECT_EQ(w[0], (w0[0] * cc - w0[1] * ss + 8192) >> 14);
  EXPECT_EQ(w[1], (w0[0] * ss + w0[1] * cc + 8192) >> 14);
}

// ---- softmax ---------------------------------------------------------------------------------------------------
TEST(Exp2Table, Endpoints) {
  const auto& t = exp2_table();
  EXPECT_EQ(t[0], 32768);
  EXPECT_EQ(t[128], 23170);  // 2^15 / sqrt(2) = 23170.475
  EXPECT_EQ(t[255], 16428);  // 2^15 * 2^(-255/256) = 16428.4
  for (size_t i = 1; i < 256; ++i) EXPECT_LT(t[i], t[i - 1]);
}

TEST(Softmax, LengthOneIsClampedOne) {
  EXPECT_EQ(softmax(vec({0}))[0], 255);
  EXPECT_EQ(softmax(vec({-32768}))[0], 255);
  EXPECT_EQ(softmax(vec({32767}))[0], 255);
}

TEST(Softmax, EqualRows) {
  for (int64_t n : {2, 3, 4, 7, 64, 512}) {
    const VecI p = softmax(VecI::Constant(n, 1234));
    const int64_t expect = static_cast<int64_t>(std::floor(256.0 / static_cast<double>(n) + 0.5));
    for (auto e : p) EXPECT_NEAR(static_cast<double>(e), static_cast<double>(expect), 1.0) << n;
    EXPECT_EQ(p.minCoeff(), p.maxCoeff());
  }
  EXPECT_EQ(softmax(VecI::Constant(2, -5))[0], 128);
}

TEST(Softmax, ExtremeRange) {
  VecI e;
  uint64_t sum = 0;
  const VecI p = softmax(vec({-32768, 32767, -32768, 0}), &e, &sum);
  EXPECT_EQ(e[0], 0);
  EXPECT_EQ(e[1], 32768);
  EXPECT_EQ(e[3], 0);  // 2^-127.99
  EXPECT_EQ(sum, 32768u);
  EXPECT_EQ(p[1], 255);
  EXPECT_EQ(p[0], 0);
  // A score 8 units (in log2: 1/32) below the max.
  const VecI q = softmax(vec({0, -8}), &e, &sum);
  EXPECT_EQ(e[1], exp2_table()[8]);
  EXPECT_EQ(sum, 32768u + exp2_table()[8]);
}

TEST(Softmax, PropertyTracksRealSoftmax) {
  const uint64_t seed = hw_test::test_seed();
  HW_SEED_TRACE();
  std::mt19937_64 rng(seed);
  for (int it = 0; it < 3000; ++it) {
    const int64_t n = std::uniform_int_distribution<int64_t>(1, 512)(rng);
    const int64_t spread = std::uniform_int_distribution<int64_t>(0, 4096)(rng);
    const int64_t center = std::uniform_int_distribution<int64_t>(-30000, 30000)(rng);
    std::uniform_int_distribution<int64_t> zd(-spread, spread);
    VecI z(n);
    for (auto& e : z) e = std::clamp<int64_t>(center + zd(rng), -32768, 32767);
    const VecI p = softmax(z);
    double denom = 0;
    for (auto e : z) denom += std::exp2(static_cast<double>(e - z.maxCoeff()) / 256.0);
    int64_t total = 0;
    for (Eigen::Index t = 0; t < n; ++t) {
      ASSERT_GE(p[t], 0);
      ASSERT_LE(p[t], 255);
      total += p[t];
      const double ideal = std::exp2(static_cast<double>(z[t] - z.maxCoeff()) / 256.0) / denom * 256.0;
      // Table rounding (relative 2^-16), the floor in each shift and the final rounding: within 1 LSB plus the
      // clamp at 255.
      ASSERT_NEAR(static_cast<double>(p[t]), std::min(ideal, 255.0), 1.0) << "t " << t << " n " << n;
    }
    ASSERT_LE(std::abs(total - 256), n);  // each element rounds by at most 1/2
  }
}

// ---- swiglu, residual, argmax ----------------------------------------------------------------------------------
TEST(Swiglu, TableLookupAndRequant) {
  SiluTable silu{};
  for (int i = 0; i < 257; ++i) silu[static_cast<size_t>(i)] = static_cast<int16_t>(std::min((i - 128) * 256, 32767));
  const Requant rq{1 << 30, 38};  // multiplier 2^-8
  const VecI h = swiglu(vec({-128, 127, 0, 1}), vec({127, -128, 99, 1}), silu, 8, rq, 16);
  EXPECT_EQ(h[0], -128 * 127);
  EXPECT_EQ(h[1], 127 * -128);
  EXPECT_EQ(h[2], 0);
  EXPECT_EQ(h[3], 1);
  const VecI h8 = swiglu(vec({-128}), vec({127}), silu, 8, rq, 8);
  EXPECT_EQ(h8[0], -128);
}

// numerics §11: an int16 gate's top byte indexes, its low byte interpolates with round-half-up; the extremes and
// the steepest step stay within int16.
TEST(Swiglu, SixteenBitGateInterpolates) {
  SiluTable t{};
  for (size_t i = 0; i < t.size(); ++i) t[i] = static_cast<int16_t>(i * 3);
  t[200] = -32768;
  t[201] = 32767;
  EXPECT_EQ(silu_lookup(0, t, 16), t[128]);                          // r = 0: the entry itself
  EXPECT_EQ(silu_lookup(128, t, 16), t[128] + ((3 * 128 + 128) >> 8));  // halfway: 384 + 1
  EXPECT_EQ(silu_lookup(-1, t, 16), t[127] + ((3 * 255 + 128) >> 8));   // -1 = index -1 (127), r 255
  EXPECT_EQ(silu_lookup(-32768, t, 16), t[0]);
  EXPECT_EQ(silu_lookup(32767, t, 16), t[255] + ((3 * 255 + 128) >> 8)); // reaches toward SILU[256]
  const int64_t g = (200 - 128) * 256;
  EXPECT_EQ(silu_lookup(g, t, 16), -32768);
  EXPECT_EQ(silu_lookup(g + 255, t, 16), -32768 + ((65535 * 255 + 128) >> 8));
  for (int64_t r = 0; r < 256; ++r) {
    const int64_t s = silu_lookup(g + r, t, 16);
    ASSERT_GE(s, -32768);
    ASSERT_LE(s, 32767);
  }
  EXPECT_EQ(silu_lookup(-128, t, 8), t[0]);  // int8 gate: the table alone
  EXPECT_EQ(silu_lookup(127, t, 8), t[255]);
  EXPECT_EQ(silu_rom_word(t, 200), (int64_t{32767} << 16) | 0x8000);
}

TEST(Residual, Saturates) {
  const VecI y = residual_add(vec({32767, -32768, 100, -20000}), vec({1, -1, -100, -20000}), 16);
  EXPECT_EQ(y, vec({32767, -32768, 0, -32768}));
}

TEST(Argmax, LowestIndexWinsTies) {
  EXPECT_EQ(argmax(vec({3, 7, 7, 1})), 1);
  EXPECT_EQ(argmax(vec({-5})), 0);
  EXPECT_EQ(argmax(vec({INT32_MIN, INT32_MIN})), 0);
  EXPECT_EQ(argmax(vec({0, 0, 0, 1})), 3);
}

// numerics §2, §4: narrow codes with group scales; each group's partial sum times its scale, then summed exactly.
TEST(Matvec, GroupScalesMultiplyPartialSums) {
  QLinear l;
  l.group = 3;
  l.w.resize(2, 7);
  l.w << 7, -7, 1, 2, 3, 4, -5,  //
      0, 0, 0, -7, -7, -7, 7;
  l.group_scale.resize(2, 3);
  l.group_scale << 255, 1, 17,  //
      1, 255, 2;
  const VecI x = vec({32767, -32768, 5, 1, 2, 3, -4});
  const VecI acc = matvec(l, x);
  const int64_t p00 = 7 * 32767 + -7 * -32768 + 1 * 5, p01 = 2 + 6 + 12, p02 = -5 * -4;
  EXPECT_EQ(acc[0], 255 * p00 + 1 * p01 + 17 * p02);
  EXPECT_EQ(acc[1], 1 * 0 + 255 * (-7 - 14 - 21) + 2 * (7 * -4));
  l.group = 0;  // no groups: the plain product
  EXPECT_EQ(matvec(l, x), matvec(l.w, x));
  // The accumulator bound of a format: act + bits - 1 + ceil(log2 k) (+ 8 with groups).
  EXPECT_EQ(accumulator_bits(16, 64), 16 + 7 + 6);
  EXPECT_EQ(accumulator_bits(16, 64, WeightFormat{4, 0}), 16 + 3 + 6);
  EXPECT_EQ(accumulator_bits(16, 172, WeightFormat{4, 32}), 16 + 3 + 8 + 8);
  // |acc| <= k * max_code * 255 * 2^(act-1) fits the bound's width.
  const int bits = accumulator_bits(16, 172, WeightFormat{4, 32});
  EXPECT_LT(172.0 * 7 * 255 * 32768, std::exp2(bits - 1));
}

// numerics §2, §4, zero points: the chip's sum u * x - z * sum x per group is the signed codes' sum (u - z) * x, at
// the extremes of u, z and x; the accumulator bound grows by the codes' one extra bit.
TEST(Matvec, ZeroPointsSubtractTheGroupSumOfX) {
  QLinear l;
  l.group = 4;
  l.w.resize(2, 6);
  l.zero_point.resize(2, 2);
  l.zero_point << 0, 15,  //
      7, 3;
  const int u[2][6] = {{15, 0, 7, 15, 0, 15}, {0, 15, 8, 1, 3, 15}};  // stored codes, 4 bits
  for (int r = 0; r < 2; ++r)
    for (int i = 0; i < 6; ++i) l.w(r, i) = static_cast<int8_t>(u[r][i] - l.zero_point(r, i / 4));
  l.group_scale.resize(2, 2);
  l.group_scale << 255, 3,  //
      1, 200;
  const VecI x = vec({-32768, 32767, -1, 5, -32768, -32768});
  const VecI acc = matvec(l, x);
  auto dot = [&](int r, int i0, int n) {
    int64_t s = 0;
    for (int i = i0; i < i0 + n; ++i) s += int64_t{u[r][i] - l.zero_point(r, i / 4)} * x[i];
    return s;
  };
  EXPECT_EQ(acc[0], 255 * dot(0, 0, 4) + 3 * dot(0, 4, 2));
  EXPECT_EQ(acc[1], 1 * dot(1, 0, 4) + 200 * dot(1, 4, 2));
  EXPECT_EQ(acc[0], 255 * (15 * -32768 + 7 * -1 + 15 * 5) + 3 * (-15 * -32768 + 0));
  QLinear signed_codes = l;  // the same codes without zero points: the plain grouped product
  signed_codes.zero_point.resize(0, 0);
  EXPECT_EQ(matvec(signed_codes, x), acc);
  EXPECT_EQ(max_weight_code(WeightFormat{4, 8, true}), 15);
  EXPECT_EQ(max_weight_code(WeightFormat{6, 8, true}), 63);
  EXPECT_EQ(max_weight_code(WeightFormat{4, 8}), 7);
  EXPECT_EQ(group_entry_bits(WeightFormat{4, 8, true}), 12);
  EXPECT_EQ(group_entry_bits(WeightFormat{4, 8}), 8);
  EXPECT_EQ(accumulator_bits(16, 172, WeightFormat{4, 32, true}), 16 + 4 + 8 + 8);
  const int bits = accumulator_bits(16, 172, WeightFormat{4, 32, true});
  EXPECT_LT(172.0 * 15 * 255 * 32768, std::exp2(bits - 1));
}
