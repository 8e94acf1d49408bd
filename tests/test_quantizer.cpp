// Quantizer: integer parameters, invariants, determinism, degenerate models.
#include <gtest/gtest.h>

#include <cmath>

#include "hardwire/gen/model_source.hpp"
#include "hardwire/gen/quantizer.hpp"
#include "hardwire/golden/compare.hpp"
#include "hardwire/golden/decoder.hpp"
#include "hardwire/golden/ops.hpp"
#include "support/seed.hpp"

using namespace hardwire;
using golden::Shape;

namespace {

const Shape kShape{32, 72, 2, 4, 2, 50, 16};

void expect_requant_ok(const golden::Requant& r, const std::string& where) {
  EXPECT_GE(r.rshift, 1) << where;
  EXPECT_LE(r.rshift, 62) << where;
  EXPECT_GE(r.mult, 0) << where;
  if (r.rshift < 62) {
    EXPECT_GE(r.mult, 1 << 30) << where << " (normalized unless denormalized at rshift 62)";
  }
}

void expect_linear_ok(const golden::QLinear& l, const std::string& where) {
  ASSERT_EQ(static_cast<Eigen::Index>(l.rq.size()), l.w.rows()) << where;
  for (const auto& r : l.rq) expect_requant_ok(r, where);
  for (Eigen::Index o = 0; o < l.w.rows(); ++o) {
    const int m = l.w.row(o).cast<int>().cwiseAbs().maxCoeff();
    EXPECT_LE(m, 127) << where;  // symmetric: -128 never used
    EXPECT_GE(m, 100) << where << " row " << o;  // the row's scale puts its largest weight at 127 before rounding
  }
}

}  // namespace

TEST(Quantizer, InvariantsHold) {
  const auto fm = gen::synthesize(kShape, false, 11, "q");
  auto qm = gen::quantize(fm, {});
  ASSERT_TRUE(qm.is_ok()) << qm.message();
  for (const auto& r : qm->embed_rq) expect_requant_ok(r, "embed");
  for (size_t l = 0; l < qm->layers.size(); ++l) {
    const auto& L = qm->layers[l];
    for (const auto* q : {&L.wq, &L.wk, &L.wv, &L.wo, &L.w1, &L.w2, &L.w3}) expect_linear_ok(*q, "layer");
    expect_requant_ok(L.score, "score");
    expect_requant_ok(L.att_out, "att_out");
    expect_requant_ok(L.h, "h");
    for (const auto* n : {&L.att_norm, &L.ffn_norm}) {
      EXPECT_GE(n->gain, 1u << 23);
      EXPECT_LT(n->gain, 1u << 24);
      EXPECT_GE(n->eps, 1u);
    }
    // SiLU table: monotone for positive gates, silu(0) = 0, spans the int16 range.
    EXPECT_EQ(L.silu[128], 0);
    int16_t mx = 0;
    for (auto v : L.silu) mx = std::max(mx, static_cast<int16_t>(std::abs(v)));
    EXPECT_EQ(mx, 32767);
  }
  expect_linear_ok(qm->cls, "classifier");
  EXPECT_EQ(qm->rope_cos(0, 0), 16384);
  EXPECT_EQ(qm->rope_sin(0, 0), 0);
  EXPECT_EQ(qm->rope_cos.rows(), kShape.seq_len);
}

TEST(Quantizer, GammaIsFoldedIntoTheNextMatrix) {
  const auto fm = gen::synthesize(kShape, true, 3, "q");
  gen::QuantConfig nearest;
  nearest.rounding = gen::Rounding::kNearest;
  auto qm = gen::quantize(fm, nearest);
  ASSERT_TRUE(qm.is_ok());
  const golden::MatF folded = fm.layers[1].w1 * fm.layers[1].rms_ffn.asDiagonal();
  for (Eigen::Index o = 0; o < folded.rows(); ++o) {
    const double s = folded.row(o).cwiseAbs().maxCoeff() / 127.0;
    for (Eigen::Index i = 0; i < folded.cols(); ++i)
      ASSERT_EQ(qm->layers[1].w1.w(o, i), static_cast<int8_t>(std::round(folded(o, i) / s)));
  }
  // A shared classifier still gets its own matrix on chip: the embedding with the final gamma folded in.
  EXPECT_NE(qm->cls.w, qm->embedding);
}

TEST(Quantizer, Deterministic) {
  const auto fm = gen::synthesize(kShape, true, 5, "q");
  auto a = gen::quantize(fm, {}), b = gen::quantize(fm, {});
  ASSERT_TRUE(a.is_ok() && b.is_ok());
  EXPECT_EQ(a->embedding, b->embedding);
  EXPECT_EQ(a->embed_rq, b->embed_rq);
  EXPECT_EQ(a->cls.w, b->cls.w);
  EXPECT_EQ(a->cls.rq, b->cls.rq);
  for (size_t l = 0; l < a->layers.size(); ++l) {
    EXPECT_EQ(a->layers[l].wq.rq, b->layers[l].wq.rq);
    EXPECT_EQ(a->layers[l].silu, b->layers[l].silu);
    EXPECT_EQ(a->layers[l].att_norm, b->layers[l].att_norm);
  }
  EXPECT_EQ(a->scales, b->scales);
}

TEST(Quantizer, AllZeroModelIsHandled) {
  auto fm = gen::synthesize(kShape, true, 1, "zero");
  fm.token_embedding.setZero();
  for (auto& l : fm.layers) {
    for (auto* m : {&l.wq, &l.wk, &l.wv, &l.wo, &l.w1, &l.w2, &l.w3}) m->setZero();
    l.rms_att.setZero();
    l.rms_ffn.setZero();
  }
  fm.rms_final.setZero();
  auto qm = gen::quantize(fm, {});
  ASSERT_TRUE(qm.is_ok()) << qm.message();
  golden::IntDecoder dec(*qm);
  for (int64_t p = 0; p < 4; ++p) {
    const golden::VecI logits = dec.step(golden::kBosToken, p);
    EXPECT_TRUE((logits.array() == 0).all());
    EXPECT_EQ(golden::argmax(logits), 0);
  }
}

// GPTQ (numerics §2) keeps the format and lowers the output error on the inputs it was given, far below nearest
// rounding's: each column's rounding error is folded into the columns after it; refitting each row's scale to its
// codes lowers it again.
TEST(Quantizer, GptqLowersTheOutputErrorOfNearestRounding) {
  uint64_t rng = 7;
  auto normal = [&] {
    const double u1 = (static_cast<double>(golden::splitmix64(rng) >> 11) + 0.5) * 0x1.0p-53;
    const double u2 = static_cast<double>(golden::splitmix64(rng) >> 11) * 0x1.0p-53;
    return std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2);
  };
  const Eigen::Index out = 24, in = 48, n = 400;
  golden::MatF w(out, in);
  for (Eigen::Index i = 0; i < w.size(); ++i) w.data()[i] = static_cast<float>(normal());
  Eigen::MatrixXd x(n, in);  // correlated inputs: a shared factor plus noise, one input 10x larger
  for (Eigen::Index t = 0; t < n; ++t) {
    const double common = normal();
    for (Eigen::Index i = 0; i < in; ++i) x(t, i) = (i == 3 ? 10.0 : 1.0) * (common + 0.5 * normal());
  }
  const Eigen::MatrixXd h = x.transpose() * x;
  std::vector<double> scale(static_cast<size_t>(out));
  for (Eigen::Index r = 0; r < out; ++r) scale[static_cast<size_t>(r)] = w.row(r).cwiseAbs().maxCoeff() / 127.0;
  Eigen::MatrixXd elem(out, in);
  for (Eigen::Index r = 0; r < out; ++r) elem.row(r).setConstant(scale[static_cast<size_t>(r)]);
  const golden::MatI8 g = gen::gptq_round(w, elem, 127, h);
  golden::MatI8 nn(out, in);
  for (Eigen::Index r = 0; r < out; ++r)
    for (Eigen::Index c = 0; c < in; ++c)
      nn(r, c) = static_cast<int8_t>(std::clamp(std::round(w(r, c) / scale[static_cast<size_t>(r)]), -127.0, 127.0));
  auto output_error = [&](const golden::MatI8& q) {
    Eigen::MatrixXd d(out, in);
    for (Eigen::Index r = 0; r < out; ++r)
      for (Eigen::Index c = 0; c < in; ++c) d(r, c) = q(r, c) * scale[static_cast<size_t>(r)] - w(r, c);
    return (x * d.transpose()).squaredNorm();
  };
  EXPECT_LE(g.cast<int>().cwiseAbs().maxCoeff(), 127);
  EXPECT_LT(output_error(g), 0.5 * output_error(nn)) << "gptq " << output_error(g) << " nearest " << output_error(nn);
  // No calibration signal: nearest rounding exactly.
  EXPECT_EQ(gen::gptq_round(w, elem, 127, Eigen::MatrixXd::Zero(in, in)), nn);

  // The row scales refit to the codes: never a larger output error (the old scale is one of the candidates), here a
  // smaller one; no signal keeps the old scale.
  std::vector<double> refit(scale);
  for (Eigen::Index r = 0; r < out; ++r) {
    const auto row = static_cast<size_t>(r);
    refit[row] = gen::refit_row_scale(w.row(r).transpose().cast<double>(), g.row(r).transpose().cast<double>(), h,
                                      scale[row]);
    EXPECT_EQ(gen::refit_row_scale(w.row(r).transpose().cast<double>(), g.row(r).transpose().cast<double>(),
                                   Eigen::MatrixXd::Zero(in, in), scale[row]),
              scale[row]);
  }
  auto error_at = [&](const std::vector<double>& sc) {
    Eigen::MatrixXd d(out, in);
    for (Eigen::Index r = 0; r < out; ++r)
      for (Eigen::Index c = 0; c < in; ++c) d(r, c) = g(r, c) * sc[static_cast<size_t>(r)] - w(r, c);
    return (x * d.transpose()).squaredNorm();
  };
  EXPECT_LT(error_at(refit), error_at(scale)) << "refit " << error_at(refit) << " gptq " << error_at(scale);
  for (Eigen::Index r = 0; r < out; ++r) {
    auto row_error = [&](double s) {
      Eigen::VectorXd d = g.row(r).transpose().cast<double>() * s - w.row(r).transpose().cast<double>();
      return d.dot(h * d);
    };
    EXPECT_LE(row_error(refit[static_cast<size_t>(r)]), row_error(scale[static_cast<size_t>(r)]) * (1 + 1e-12));
  }
}

// numerics §13: mse clipping clips a lone 8-bit outlier (10,000 values uniform in [-1, 1] and one at 1.05: the
// bulk's finer step saves more squared error than clipping the outlier costs) toward the bulk's edge, not at 16 bits
// (the step is already fine); max clipping is max / (2^(b-1) - 1).
TEST(Quantizer, MseClipping) {
  gen::CalibrationData::Site s;
  uint64_t rng = 3;
  for (int i = 0; i < 10000; ++i)
    s.sample.push_back(static_cast<float>(2.0 * static_cast<double>(golden::splitmix64(rng) >> 11) * 0x1.0p-53 - 1.0));
  s.sample.push_back(1.05f);
  s.max_abs = 1.05f;
  EXPECT_DOUBLE_EQ(gen::site_scale(s, 8, gen::Clip::kMaxAbs), s.max_abs / 127);
  const double c8 = gen::site_scale(s, 8, gen::Clip::kMse) * 127;
  EXPECT_LT(c8, 1.04);
  EXPECT_GE(c8, 0.99);
  EXPECT_DOUBLE_EQ(gen::site_scale(s, 16, gen::Clip::kMse) * 32767, s.max_abs);
  gen::CalibrationData::Site zero;
  EXPECT_EQ(gen::site_scale(zero, 8, gen::Clip::kMse), 1.0);
}

// The weights-only model is the integer weights times their scales, gamma folded: its float logits follow the
// float model's closely, and calibration depends on nothing but the model and the calibration settings.
TEST(Quantizer, WeightsOnlyModelAndSharedCalibration) {
  const auto fm = gen::synthesize(kShape, false, 9, "q");
  const gen::QuantConfig c;
  const gen::CalibrationData cal = gen::calibrate(fm, c);
  golden::FloatModel wo;
  auto qm = gen::quantize(fm, cal, c, &wo);
  ASSERT_TRUE(qm.is_ok()) << qm.message();
  EXPECT_FALSE(wo.shared_classifier);
  ASSERT_EQ(wo.layers.size(), fm.layers.size());
  golden::FloatDecoder a(fm), b(wo);
  for (int64_t p = 0; p < 4; ++p) {
    const golden::VecF la = a.step(golden::kBosToken, p), lb = b.step(golden::kBosToken, p);
    EXPECT_GT(la.cast<double>().dot(lb.cast<double>()) / (la.cast<double>().norm() * lb.cast<double>().norm()), 0.999);
  }
  gen::QuantConfig w8 = c;
  w8.widths.k = 8;  // another width: same calibration gives the same model as calibrating again
  auto q1 = gen::quantize(fm, cal, w8), q2 = gen::quantize(fm, w8);
  ASSERT_TRUE(q1.is_ok() && q2.is_ok());
  EXPECT_EQ(q1->layers[1].wk.w, q2->layers[1].wk.w);
  EXPECT_EQ(q1->scales, q2->scales);
}

TEST(Quantizer, RejectsBadWidths) {
  const auto fm = gen::synthesize(kShape, true, 1, "q");
  gen::QuantConfig c;
  c.widths.q = 12;
  EXPECT_EQ(gen::quantize(fm, c).message(), "activation width q=12 is not supported; use 8 or 16");
}

TEST(NormFromReal, Accurate) {
  for (double g : {1.0, 3.7, 181.02, 4095.9, 1e6}) {
    auto p = gen::norm_from_real(g);
    ASSERT_TRUE(p.is_ok());
    EXPECT_NEAR(p->gain * std::exp2(24 - p->shift) / g, 1.0, 1e-7) << g;
  }
  EXPECT_FALSE(gen::norm_from_real(0).is_ok());
  EXPECT_FALSE(gen::norm_from_real(std::exp2(50)).is_ok());
}

// numerics §2: 4- and 6-bit codes with and without group scales: codes within +-(2^(b-1) - 1), group scales in
// 1..255, the classifier in the same format (the chip computes it on the same engine), the embedding int8, and each weight's dequantized value within its scale's rounding (plus
// GPTQ's compensation) of the float weight; the integer model decodes.
TEST(Quantizer, NarrowWeightFormats) {
  const auto fm = gen::synthesize(kShape, false, 4, "q");
  for (int bits : {4, 6}) {
    for (int64_t group : {int64_t{0}, int64_t{8}, int64_t{16}}) {
      gen::QuantConfig c;
      c.weights = {bits, group};
      auto qm = gen::quantize(fm, c);
      ASSERT_TRUE(qm.is_ok()) << qm.message();
      EXPECT_EQ(qm->weights, c.weights);
      const auto& w1 = qm->layers[0].w1;
      EXPECT_LE(w1.w.cast<int>().cwiseAbs().maxCoeff(), golden::max_weight_code(bits));
      EXPECT_EQ(w1.group, group);
      if (group > 0) {
        EXPECT_EQ(w1.group_scale.rows(), w1.w.rows());
        EXPECT_EQ(w1.group_scale.cols(), (w1.w.cols() + group - 1) / group);
        EXPECT_GE(w1.group_scale.cast<int>().minCoeff(), 1);
      } else {
        EXPECT_EQ(w1.group_scale.size(), 0);
      }
      EXPECT_EQ(qm->cls.group, group);  // the classifier has the format too
      EXPECT_LE(qm->cls.w.cast<int>().cwiseAbs().maxCoeff(), golden::max_weight_code(bits));
      EXPECT_EQ(qm->cls.group_scale.cols(), group > 0 ? (qm->cls.w.cols() + group - 1) / group : 0);
      EXPECT_GT(qm->embedding.cast<int>().cwiseAbs().maxCoeff(), golden::max_weight_code(bits));  // int8
      golden::IntDecoder dec(*qm);
      for (int64_t p = 0; p < 3; ++p) dec.step(golden::kBosToken, p);
    }
  }
  gen::QuantConfig bad;
  bad.weights = {5, 0};
  EXPECT_EQ(gen::quantize(fm, bad).message(), "--weight-bits 5 is not supported; use 4, 6 or 8");
  bad.weights = {4, 4};
  EXPECT_EQ(gen::quantize(fm, bad).message(),
            "--weight-group 4 is out of range; give 0 (one scale per row) or 8 to 1048576 inputs per group scale");
  bad.weights = {4, 0, true};
  EXPECT_EQ(gen::quantize(fm, bad).message(),
            "--weight-zero-point needs group scales: a zero point belongs to a group; give --weight-group");
  bad.weights = {8, 16, true};
  EXPECT_EQ(gen::quantize(fm, bad).message(),
            "--weight-zero-point is offered at 4 and 6 bits; use --weight-bits 4 or 6, or drop it (int8 weights are "
            "symmetric)");
}

// numerics §2, zero points: every group's codes u = c + z lie in [0, 2^b - 1] with z in the same range, the windows
// are used asymmetrically (some z away from the middle), every rounding and the fine-tune keep them, and the
// dequantized weights are closer to the float ones than the symmetric format's at the same group size.
TEST(Quantizer, ZeroPointFormat) {
  const auto fm = gen::synthesize(kShape, false, 4, "q");
  for (int bits : {4, 6}) {
    for (gen::Rounding rounding : {gen::Rounding::kNearest, gen::Rounding::kGptq}) {
      for (int64_t finetune : {int64_t{0}, int64_t{3}}) {
        if (finetune > 0 && rounding == gen::Rounding::kNearest) continue;
        gen::QuantConfig c;
        c.weights = {bits, 8, true};
        c.rounding = rounding;
        c.finetune.steps = finetune;
        c.finetune.pool = 2;
        c.finetune.tokens = 8;
        auto qm = gen::quantize(fm, c);
        ASSERT_TRUE(qm.is_ok()) << qm.message();
        const int umax = (1 << bits) - 1;
        int asymmetric = 0;
        for (const golden::QLinear* l : {&qm->layers[0].wq, &qm->layers[1].w2, &qm->cls}) {
          ASSERT_EQ(l->zero_point.rows(), l->w.rows());
          ASSERT_EQ(l->zero_point.cols(), l->group_scale.cols());
          for (Eigen::Index r = 0; r < l->w.rows(); ++r)
            for (Eigen::Index i = 0; i < l->w.cols(); ++i) {
              const int z = l->zero_point(r, i / 8), u = l->w(r, i) + z;
              ASSERT_TRUE(z >= 0 && z <= umax && u >= 0 && u <= umax) << bits << " " << r << " " << i;
            }
          for (Eigen::Index k = 0; k < l->zero_point.size(); ++k)
            asymmetric += std::abs(2 * l->zero_point.data()[k] - umax) > 2;
        }
        EXPECT_GT(asymmetric, 0);
        golden::IntDecoder dec(*qm);
        for (int64_t p = 0; p < 3; ++p) dec.step(golden::kBosToken, p);
      }
    }
  }
  // Nearest rounding with the clip search: the zero points' windows fit a group better than +-(2^(b-1) - 1).
  golden::FloatModel with_zero, symmetric;
  gen::QuantConfig cz, cs;
  cz.rounding = cs.rounding = gen::Rounding::kNearest;
  cz.weights = {4, 8, true};
  cs.weights = {4, 8};
  ASSERT_TRUE(gen::quantize(fm, gen::calibrate(fm, cz), cz, &with_zero).is_ok());
  ASSERT_TRUE(gen::quantize(fm, gen::calibrate(fm, cs), cs, &symmetric).is_ok());
  const golden::MatF w = fm.layers[0].w1 * fm.layers[0].rms_ffn.asDiagonal();
  EXPECT_LT((with_zero.layers[0].w1 - w).squaredNorm(), 0.8 * (symmetric.layers[0].w1 - w).squaredNorm());
}
