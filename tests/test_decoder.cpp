// Decoders: trace names and layout, value ranges at every site, full sequence length, the integer golden tracking
// the float reference site by site, and the quality of the whole decode.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <random>

#include "hardwire/gen/llama2c.hpp"
#include "hardwire/gen/model_source.hpp"
#include "hardwire/gen/quantizer.hpp"
#include "hardwire/golden/compare.hpp"
#include "hardwire/golden/decoder.hpp"
#include "hardwire/golden/ops.hpp"
#include "support/seed.hpp"

using namespace hardwire;
using golden::Shape;

namespace {

const Shape kShape{32, 72, 2, 4, 2, 50, 24};

std::vector<std::string> expected_names(int64_t layers) {
  std::vector<std::string> n = {"embed"};
  for (int64_t l = 0; l < layers; ++l)
    for (const char* s : {"attn.norm", "attn.q_proj", "attn.k_proj", "attn.q", "attn.k", "attn.v", "attn.scores",
                          "attn.probs", "attn.out", "attn.proj", "resid.attn", "ffn.norm", "ffn.gate", "ffn.up",
                          "ffn.h", "ffn.down", "resid.ffn"})
      n.push_back(golden::layer_site(l, s));
  n.push_back("final.norm");
  n.push_back("logits");
  return n;
}

// Width of the values at each traced site.
int site_bits(const std::string& name, const golden::Widths& w, bool& is_unsigned) {
  is_unsigned = false;
  auto has = [&](const char* s) { return name.find(s) != std::string::npos; };
  if (name == "embed" || has("resid") || has("attn.proj") || has("ffn.down")) return w.res;
  if (has("norm")) return w.xn;
  if (has("attn.q")) return w.q;
  if (has("attn.k")) return w.k;
  if (has("attn.v")) return w.v;
  if (has("scores")) return golden::kScoreBits;
  if (has("probs")) return is_unsigned = true, golden::kProbBits;
  if (has("attn.out")) return w.att;
  if (has("gate")) return w.gate;
  if (has("up")) return w.up;
  if (has("ffn.h")) return w.h;
  return golden::kLogitBits;
}

}  // namespace

TEST(IntDecoder, TraceNamesAndLayout) {
  const auto fm = gen::synthesize(kShape, true, 2, "t");
  auto qm = gen::quantize(fm, {});
  ASSERT_TRUE(qm.is_ok());
  golden::IntDecoder idec(*qm);
  golden::FloatDecoder fdec(fm);
  for (int64_t pos = 0; pos < 3; ++pos) {
    golden::IntTrace it;
    golden::FloatTrace ft;
    idec.step(5, pos, &it);
    fdec.step(5, pos, &ft);
    std::vector<std::string> in, fn;
    for (const auto& e : it.entries()) in.push_back(e.name);
    for (const auto& e : ft.entries()) fn.push_back(e.name);
    EXPECT_EQ(in, expected_names(kShape.n_layers));
    EXPECT_EQ(fn, in);
    EXPECT_EQ(it.find("L1.attn.scores")->values.size(), static_cast<size_t>(kShape.n_heads * (pos + 1)));
    EXPECT_EQ(it.find("L0.attn.k")->values.size(), static_cast<size_t>(kShape.kv_dim()));
    EXPECT_EQ(it.find("L0.ffn.h")->values.size(), static_cast<size_t>(kShape.hidden_dim));
    EXPECT_EQ(it.find("logits")->values.size(), static_cast<size_t>(kShape.vocab));
    EXPECT_EQ(it.find("nosuch"), nullptr);
  }
}

TEST(IntDecoder, EverySiteStaysInItsWidthOverTheWholeSequence) {
  const uint64_t seed = hw_test::test_seed();
  HW_SEED_TRACE();
  std::mt19937_64 rng(seed);
  for (const char* widths : {"", "res=8,q=8,k=8,h=8", "xn=16,v=16,att=16,up=16"}) {
    auto w = gen::parse_widths(widths, {});
    ASSERT_TRUE(w.is_ok());
    const auto fm = gen::synthesize(kShape, (rng() & 1) != 0, rng(), "w");
    gen::QuantConfig qc;
    qc.widths = *w;
    auto qm = gen::quantize(fm, qc);
    ASSERT_TRUE(qm.is_ok());
    golden::IntDecoder dec(*qm);
    std::uniform_int_distribution<int64_t> tok(0, kShape.vocab - 1);
    for (int64_t pos = 0; pos < kShape.seq_len; ++pos) {  // position 0 through seq_len - 1
      golden::IntTrace tr;
      dec.step(tok(rng), pos, &tr);
      for (const auto& e : tr.entries()) {
        bool u = false;
        const int bits = site_bits(e.name, *w, u);
        for (auto v : e.values) {
          ASSERT_GE(v, u ? 0 : golden::min_of(bits)) << e.name << " widths " << widths;
          ASSERT_LE(v, u ? 255 : golden::max_of(bits)) << e.name << " widths " << widths;
        }
      }
    }
  }
}

TEST(IntDecoder, TracksFloatReferenceAtEverySite) {
  // Dequantized integer tensors point the same way as the float ones: a quantizer or op bug shows up here at the
  // first site it touches.
  const auto fm = gen::synthesize(kShape, true, 4, "t");
  auto qm = gen::quantize(fm, {});
  ASSERT_TRUE(qm.is_ok());
  golden::IntDecoder idec(*qm);
  golden::FloatDecoder fdec(fm);
  for (int64_t pos = 0; pos < 8; ++pos) {
    golden::IntTrace it;
    golden::FloatTrace ft;
    const int64_t token = (pos * 7 + 3) % kShape.vocab;
    idec.step(token, pos, &it);
    fdec.step(token, pos, &ft);
    for (const auto& e : it.entries()) {
      const auto* f = ft.find(e.name);
      ASSERT_NE(f, nullptr);
      double ab = 0, aa = 0, bb = 0;
      for (size_t i = 0; i < e.values.size(); ++i) {
        const double a = static_cast<double>(e.values[i]), b = f->values[i];
        ab += a * b, aa += a * a, bb += b * b;
      }
      if (aa == 0 && bb < 1e-12) continue;
      const double cos = ab / std::sqrt(aa * bb);
      // Scores carry a per-row offset-free scale and probabilities a fixed Q0.8 scale: all sites compare by direction.
      EXPECT_GT(cos, 0.97) << e.name << " at pos " << pos;
    }
  }
}

TEST(IntDecoder, DeterministicAcrossInstances) {
  const auto fm = gen::synthesize(kShape, true, 8, "t");
  auto qm = gen::quantize(fm, {});
  ASSERT_TRUE(qm.is_ok());
  golden::IntDecoder a(*qm), b(*qm);
  for (int64_t pos = 0; pos < 6; ++pos) EXPECT_EQ(a.step(pos + 1, pos), b.step(pos + 1, pos));
}

// ---- quality: the integer golden tracks the float reference ----------------------------------------------------
// Measured (docs/numerics.md, "Measured quality"): stories260K shape, synthetic weights, 64 greedy steps from BOS,
// default widths. Random models are held to cosine only: top-1 on synthetic weights is heavy-tailed (near-tied
// logits; it fell to 0.109 once with the earlier quantizer at cosine 0.9995), min cosine likewise. The fixed models
// below are held to their measured figures. All-int8 widths land far below (mean cosine 0.89-0.99).

namespace {
golden::CompareResult quality_run(uint64_t model_seed, const char* widths) {
  const auto fm = gen::synthesize(Shape{64, 172, 5, 8, 4, 512, 512}, true, model_seed, "q");
  gen::QuantConfig qc;
  qc.widths = *gen::parse_widths(widths, {});
  auto qm = gen::quantize(fm, qc);
  HW_CHECK(qm.is_ok(), "quantize");
  return golden::compare_decode(fm, *qm, {golden::kBosToken}, 64);
}
}  // namespace

TEST(Quality, FixedModelsMeetMeasuredFigures) {
  // Measured figures of model seeds 1..5 (top-1, min cosine, mean cosine); thresholds sit just below them so a loss
  // of precision anywhere in the integer path fails here.
  struct Case {
    uint64_t seed;
    double top1, min_cos, mean_cos;
  };
  const Case cases[] = {{1, 0.984, 0.99973, 0.99988}, {2, 1.000, 0.99976, 0.99987}, {3, 0.984, 0.99907, 0.99967},
                        {4, 0.984, 0.99981, 0.99991}, {5, 0.906, 0.99969, 0.99988}};
  for (const auto& c : cases) {
    const auto r = quality_run(c.seed, "");
    std::printf("model seed %llu: top-1 %.3f, min cosine %.5f, mean cosine %.5f, first divergence %lld\n",
                static_cast<unsigned long long>(c.seed), r.top1_agreement(), r.min_cosine(), r.mean_cosine(),
                static_cast<long long>(r.first_divergence));
    EXPECT_GE(r.top1_agreement(), c.top1 - 0.001) << "seed " << c.seed;
    EXPECT_GE(r.min_cosine(), c.min_cos - 0.0005) << "seed " << c.seed;
    EXPECT_GE(r.mean_cosine(), c.mean_cos - 0.0002) << "seed " << c.seed;
  }
}

TEST(Quality, RandomModelTracksFloatReference) {
  const uint64_t seed = hw_test::test_seed();
  HW_SEED_TRACE();
  const uint64_t model_seed = seed % 100000;
  SCOPED_TRACE("model seed " + std::to_string(model_seed));
  const auto r = quality_run(model_seed, "");
  std::printf("quality (model seed %llu): top-1 %.3f, min cosine %.5f, mean cosine %.5f, first divergence %lld\n",
              static_cast<unsigned long long>(model_seed), r.top1_agreement(), r.min_cosine(), r.mean_cosine(),
              static_cast<long long>(r.first_divergence));
  EXPECT_GE(r.mean_cosine(), 0.995);
  EXPECT_GE(r.min_cosine(), 0.90);  // gross-error check only: the per-step minimum is heavy-tailed
  const auto r8 = quality_run(model_seed, "res=8,xn=8,q=8,k=8,v=8,att=8,gate=8,up=8,h=8");
  std::printf("all-int8 widths: top-1 %.3f, mean cosine %.5f\n", r8.top1_agreement(), r8.mean_cosine());
  EXPECT_GT(r.mean_cosine(), r8.mean_cosine()) << "the default widths must beat all-int8";
}

TEST(Quality, CompareDecodeWithPrompt) {
  const auto fm = gen::synthesize(kShape, true, 1, "t");
  auto qm = gen::quantize(fm, {});
  ASSERT_TRUE(qm.is_ok());
  const std::vector<int64_t> prompt = {1, 7, 9, 11};
  const auto r = golden::compare_decode(fm, *qm, prompt, kShape.seq_len - 3);  // fills every position
  EXPECT_EQ(r.float_tokens.size(), static_cast<size_t>(kShape.seq_len - 3));
  EXPECT_EQ(r.int_tokens.size(), r.float_tokens.size());
  EXPECT_EQ(r.cosine.size(), r.float_tokens.size());
}

// ---- the real trained checkpoint (../shared/models/, when present) -----------------------------------------------
// stories260K (llama2.c TinyStories, MIT): the float reference must say what llama2.c says, and the integer model
// (the chip: sim checks it bit-exact) must say the same text. Measured with the default quantization: identical to
// the float text for the first 185 greedy tokens from BOS, teacher-forced top-1 199/200.
namespace {
const std::string kModels = HARDWIRE_MODELS_DIR;
// llama2.c's own test expects this greedy text from BOS (../shared/models/README.md).
const std::string kFloatText = "Once upon a time, there was a little girl named Lily. She loved to play outside in the "
                               "park. One day, she saw a big, red ball.";
}  // namespace

TEST(RealModel, IntegerTextIsTheFloatText) {
  if (!std::filesystem::exists(kModels + "/stories260K.bin") || !std::filesystem::exists(kModels + "/tok512.bin"))
    GTEST_SKIP() << "the real checkpoint is not at " << kModels << " (see ../shared/models/README.md); skipped";
  auto src = gen::resolve_model(kModels + "/stories260K.bin");
  ASSERT_TRUE(src.is_ok()) << src.message();
  auto fm = gen::load_float_model(*src);
  ASSERT_TRUE(fm.is_ok()) << fm.message();
  auto tok = gen::read_tokenizer(kModels + "/tok512.bin", fm->shape.vocab);
  ASSERT_TRUE(tok.is_ok()) << tok.message();
  auto qm = gen::quantize(*fm, {});
  ASSERT_TRUE(qm.is_ok()) << qm.message();
  const int64_t steps = 128;
  const auto r = golden::compare_decode(*fm, *qm, {golden::kBosToken}, steps);
  auto text = [&](const std::vector<int64_t>& ids) {
    std::string s;
    int64_t prev = golden::kBosToken;
    for (int64_t t : ids) s += tok->decode(prev, t), prev = t;
    return s;
  };
  const std::string f = text(r.float_tokens), i = text(r.int_tokens);
  EXPECT_EQ(f.substr(0, kFloatText.size()), kFloatText) << "the float reference is not llama2.c's: " << f;
  EXPECT_EQ(i, f) << "first divergence at step " << r.first_divergence;
  EXPECT_GE(r.top1_agreement(), 0.99);
  EXPECT_GE(r.mean_cosine(), 0.9999);
}
