// Quantizer: integer parameters, invariants, determinism, degenerate models.
#include <gtest/gtest.h>

#include <cmath>

#include "hardwire/gen/model_source.hpp"
#include "hardwire/gen/quantizer.hpp"
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
    EXPECT_TRUE(m == 127 || m == 0) << where << " row " << o << " max " << m;
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
  auto qm = gen::quantize(fm, {});
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
