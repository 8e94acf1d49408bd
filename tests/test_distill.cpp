// Fine-tuning by distillation (gen/distill.hpp): the batched decoder equals the reference decoder, its gradients
// equal finite differences, and the fine-tune lowers its loss deterministically whatever the thread count.
#include <gtest/gtest.h>

#include <cmath>

#include "hardwire/gen/distill.hpp"
#include "hardwire/gen/model_source.hpp"
#include "hardwire/gen/quantizer.hpp"
#include "hardwire/golden/compare.hpp"
#include "hardwire/golden/decoder.hpp"
#include "support/seed.hpp"

using namespace hardwire;
using golden::MatF;

namespace {

// Grouped-query attention (4 heads on 2 KV heads), two layers, gains not 1 (folding is exercised).
const golden::Shape kShape{32, 72, 2, 4, 2, 50, 24};

std::vector<int64_t> random_tokens(uint64_t& rng, int64_t n, int64_t vocab) {
  std::vector<int64_t> t;
  for (int64_t i = 0; i < n; ++i) t.push_back(static_cast<int64_t>(golden::splitmix64(rng) % static_cast<uint64_t>(vocab)));
  return t;
}

}  // namespace

TEST(Distill, BatchedDecoderEqualsTheReference) {
  const uint64_t seed = hw_test::test_seed();
  const auto fm = gen::synthesize(kShape, false, seed, "d");
  uint64_t rng = seed;
  const std::vector<int64_t> toks = random_tokens(rng, kShape.seq_len, kShape.vocab);
  const MatF batched = gen::sequence_logits(gen::student_of(fm), toks);
  golden::FloatDecoder dec(fm);
  for (size_t p = 0; p < toks.size(); ++p) {
    const golden::VecF ref = dec.step(toks[p], static_cast<int64_t>(p));
    const float tol = 1e-4f * std::max(1.0f, ref.cwiseAbs().maxCoeff());
    EXPECT_LE((batched.row(static_cast<Eigen::Index>(p)).transpose() - ref).cwiseAbs().maxCoeff(), tol)
        << "position " << p << " (seed " << seed << ")";
  }
}

TEST(Distill, GradientEqualsFiniteDifferences) {
  const uint64_t seed = hw_test::test_seed();
  const auto fm = gen::synthesize(kShape, false, seed, "d");
  const auto other = gen::synthesize(kShape, false, seed + 1, "t");
  gen::Student st = gen::student_of(fm);
  uint64_t rng = seed;
  const std::vector<int64_t> toks = random_tokens(rng, 12, kShape.vocab);
  // Targets from another model: a loss well away from zero, every gradient non-trivial.
  const MatF target = gen::sequence_probs(gen::student_of(other), toks);
  std::vector<MatF> grad;
  for (const auto* m : st.matrices()) grad.push_back(MatF::Zero(m->latent.rows(), m->latent.cols()));
  const double loss = gen::distill_loss(st, toks, target, &grad);
  EXPECT_GT(loss, 0.01);
  // Along a random unit direction per matrix: the directional derivative against a central difference.
  std::vector<gen::FakeQuantMatrix*> mats = st.matrices();
  for (size_t i = 0; i < mats.size(); ++i) {
    MatF dir(mats[i]->latent.rows(), mats[i]->latent.cols());
    for (Eigen::Index k = 0; k < dir.size(); ++k)
      dir.data()[k] = static_cast<float>(static_cast<double>(golden::splitmix64(rng) >> 11) * 0x1p-53 - 0.5);
    dir /= dir.norm();
    const double analytic = static_cast<double>(grad[i].cwiseProduct(dir).sum());
    const MatF w0 = mats[i]->latent;
    const float h = 1e-2f;
    mats[i]->latent = w0 + h * dir;
    const double up = gen::distill_loss(st, toks, target);
    mats[i]->latent = w0 - h * dir;
    const double down = gen::distill_loss(st, toks, target);
    mats[i]->latent = w0;
    const double numeric = (up - down) / (2.0 * h);
    EXPECT_NEAR(analytic, numeric, 0.02 * std::abs(numeric) + 2e-4)
        << "matrix " << i << " of " << mats.size() << " (per layer wq wk wv wo w1 w3 w2, then cls; seed " << seed << ")";
  }
}

TEST(Distill, FineTuneLowersTheLossAndIsThreadIndependent) {
  const uint64_t seed = hw_test::test_seed();
  const auto fm = gen::synthesize(kShape, false, seed, "d");
  gen::QuantConfig qc;
  qc.weights = {4, 8};
  qc.calib_sequences = 2;
  qc.finetune.steps = 12;
  qc.finetune.batch = 4;
  qc.finetune.pool = 8;
  qc.finetune.tokens = 16;
  qc.finetune.prompt = 4;
  qc.finetune.lr = 0.05;
  gen::DistillReport rep1, rep2;
  qc.finetune.threads = 1;
  qc.finetune_report = &rep1;
  const auto a = gen::quantize(fm, qc);
  qc.finetune.threads = 2;
  qc.finetune_report = &rep2;
  const auto b = gen::quantize(fm, qc);
  ASSERT_TRUE(a.is_ok() && b.is_ok()) << a.message() << b.message();
  EXPECT_LT(rep1.last_loss, rep1.first_loss) << "seed " << seed;
  EXPECT_GT(rep1.changed_codes, 0) << "seed " << seed;
  EXPECT_EQ(rep1.last_loss, rep2.last_loss) << "the thread count changed the result (seed " << seed << ")";
  EXPECT_EQ(rep1.frozen_codes, rep2.frozen_codes) << "seed " << seed;
  for (size_t l = 0; l < a->layers.size(); ++l) {
    EXPECT_EQ(a->layers[l].w1.w, b->layers[l].w1.w) << "layer " << l;
    EXPECT_LE(a->layers[l].w1.w.cast<int>().cwiseAbs().maxCoeff(), 7) << "int4 codes stay in -7..7";
  }
  EXPECT_EQ(a->cls.w, b->cls.w);
  // Without steps nothing changes: the same codes as plain GPTQ.
  qc.finetune.steps = 0;
  qc.finetune_report = nullptr;
  gen::QuantConfig plain = qc;
  plain.finetune = {};
  const auto c = gen::quantize(fm, qc), d = gen::quantize(fm, plain);
  ASSERT_TRUE(c.is_ok() && d.is_ok());
  EXPECT_EQ(c->cls.w, d->cls.w);
}

// A weight flipping between two codes freezes on its third reversal (moving averages at rate 0.01: 1 - 0.99^3 >
// 0.02 > 1 - 0.99^2) at the one of the two its moving average is nearest; a weight moving one way never freezes; a
// threshold of 0 never freezes.
TEST(Distill, OscillatingCodesFreeze) {
  gen::CodeTrack flip(3);
  EXPECT_FALSE(flip.observe(4, 0.01, 0.02));  // the first change sets a direction: no oscillation
  EXPECT_EQ(flip.freq, 0.0f);
  EXPECT_FALSE(flip.observe(3, 0.01, 0.02));  // reversal 1: freq 0.01
  EXPECT_FALSE(flip.observe(4, 0.01, 0.02));  // reversal 2: 0.0199
  EXPECT_TRUE(flip.observe(3, 0.01, 0.02));   // reversal 3: 0.0297
  EXPECT_TRUE(flip.frozen);
  EXPECT_NEAR(flip.freq, 1 - std::pow(0.99, 3), 1e-6);
  EXPECT_EQ(flip.frozen_code(), 3.0f) << "mean " << flip.mean;
  gen::CodeTrack flip_down(-3);  // the same mirrored: frozen at -3 (round half away from zero)
  for (float q : {-4.0f, -3.0f, -4.0f}) EXPECT_FALSE(flip_down.observe(q, 0.01, 0.02));
  EXPECT_TRUE(flip_down.observe(-3, 0.01, 0.02));
  EXPECT_EQ(flip_down.frozen_code(), -3.0f);

  // A weight that travelled before it oscillated: its moving average lags (about 1 here), so it freezes at the nearer
  // of the two codes it was flipping between, not at the average.
  gen::CodeTrack travelled(0);
  for (int q = 1; q <= 11; ++q) EXPECT_FALSE(travelled.observe(static_cast<float>(q), 0.01, 0.02)) << q;
  for (float q : {10.0f, 11.0f}) EXPECT_FALSE(travelled.observe(q, 0.01, 0.02));
  EXPECT_TRUE(travelled.observe(10, 0.01, 0.02));
  EXPECT_LT(travelled.mean, 2.0f);
  EXPECT_EQ(travelled.frozen_code(), 10.0f);

  gen::CodeTrack climb(-7);
  for (int q = -6; q <= 7; ++q) EXPECT_FALSE(climb.observe(static_cast<float>(q), 0.01, 0.02)) << q;
  for (int k = 0; k < 50; ++k) EXPECT_FALSE(climb.observe(7, 0.01, 0.02));  // resting: no change, no oscillation
  EXPECT_EQ(climb.freq, 0.0f);
  EXPECT_EQ(climb.dir, 1);

  gen::CodeTrack never(0);
  for (int k = 1; k <= 100; ++k) EXPECT_FALSE(never.observe(static_cast<float>(k % 2), 0.01, 0.0));
  EXPECT_NEAR(never.freq, 1 - std::pow(0.99, 99), 1e-4) << "99 reversals after the first change";
  EXPECT_FALSE(never.frozen);
}
