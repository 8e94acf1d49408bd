// Model input: llama2.c checkpoints and tokenizers (round trip and malformed files), JSON shapes, presets.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "hardwire/gen/llama2c.hpp"
#include "hardwire/gen/model_source.hpp"
#include "support/seed.hpp"
#include "support/tmpdir.hpp"
#include <random>

using namespace hardwire;
using golden::Shape;
using hw_test::read_bytes;
using hw_test::TmpDir;
using hw_test::write_bytes;

namespace {

void expect_same(const golden::FloatModel& a, const golden::FloatModel& b) {
  ASSERT_EQ(a.shape, b.shape);
  ASSERT_EQ(a.shared_classifier, b.shared_classifier);
  EXPECT_EQ(a.token_embedding, b.token_embedding);
  ASSERT_EQ(a.layers.size(), b.layers.size());
  for (size_t l = 0; l < a.layers.size(); ++l) {
    const auto &x = a.layers[l], &y = b.layers[l];
    EXPECT_EQ(x.rms_att, y.rms_att);
    EXPECT_EQ(x.wq, y.wq);
    EXPECT_EQ(x.wk, y.wk);
    EXPECT_EQ(x.wv, y.wv);
    EXPECT_EQ(x.wo, y.wo);
    EXPECT_EQ(x.rms_ffn, y.rms_ffn);
    EXPECT_EQ(x.w1, y.w1);
    EXPECT_EQ(x.w2, y.w2);
    EXPECT_EQ(x.w3, y.w3);
  }
  EXPECT_EQ(a.rms_final, b.rms_final);
  EXPECT_EQ(a.wcls, b.wcls);
}

std::string header(std::initializer_list<int32_t> v) {
  std::string s;
  for (int32_t x : v) s.append(reinterpret_cast<const char*>(&x), 4);
  return s;
}

const Shape kSmall{16, 40, 2, 4, 2, 30, 8};  // GQA, hidden not a power of two

}  // namespace

TEST(Llama2c, RoundTripShared) {
  TmpDir tmp;
  const auto m = gen::synthesize(kSmall, true, 7, "rt");
  ASSERT_TRUE(gen::write_llama2c(m, tmp.file("m.bin")).is_ok());
  auto r = gen::read_llama2c(tmp.file("m.bin"));
  ASSERT_TRUE(r.is_ok()) << r.message();
  expect_same(m, *r);
  // Writing what was read gives the same bytes.
  ASSERT_TRUE(gen::write_llama2c(*r, tmp.file("m2.bin")).is_ok());
  EXPECT_EQ(read_bytes(tmp.file("m.bin")), read_bytes(tmp.file("m2.bin")));
}

TEST(Llama2c, RoundTripSeparateClassifier) {
  TmpDir tmp;
  const auto m = gen::synthesize(Shape{24, 64, 1, 3, 1, 50, 12}, false, 9, "rt");
  ASSERT_TRUE(gen::write_llama2c(m, tmp.file("m.bin")).is_ok());
  auto r = gen::read_llama2c(tmp.file("m.bin"));
  ASSERT_TRUE(r.is_ok()) << r.message();
  EXPECT_FALSE(r->shared_classifier);
  expect_same(m, *r);
  auto hdr = gen::read_llama2c_header(tmp.file("m.bin"));
  ASSERT_TRUE(hdr.is_ok());
  EXPECT_EQ(hdr->shape, m.shape);
  EXPECT_EQ(hdr->expected_bytes, read_bytes(tmp.file("m.bin")).size());
}

TEST(Llama2c, FileLayoutMatchesLlama2c) {
  TmpDir tmp;
  const auto m = gen::synthesize(kSmall, false, 1, "x");
  ASSERT_TRUE(gen::write_llama2c(m, tmp.file("m.bin")).is_ok());
  const std::string b = read_bytes(tmp.file("m.bin"));
  int32_t h[7];
  std::memcpy(h, b.data(), 28);
  EXPECT_EQ(h[0], 16);
  EXPECT_EQ(h[5], -30);  // negative vocab: separate classifier
  float first;
  std::memcpy(&first, b.data() + 28, 4);
  EXPECT_EQ(first, m.token_embedding(0, 0));
  // freq_cis_real[1][1] = cos(1 * 10000^(-2/4)) sits after rms_final.
  const size_t L = 2, d = 16, kv = 8, hd = 40, v = 30;
  const size_t off = 28 + 4 * (v * d + L * d + 2 * L * d * d + 2 * L * kv * d + L * d + 3 * L * hd * d + d);
  float fc;
  std::memcpy(&fc, b.data() + off + 4 * (1 * 2 + 1), 4);
  EXPECT_NEAR(fc, std::cos(0.01f), 1e-6);
}

// ---- malformed checkpoints: each gets one clear error naming the problem -------------------------------------
class BadCheckpoint : public ::testing::Test {
 protected:
  TmpDir tmp;
  std::string path = tmp.file("bad.bin");
  std::string error() {
    auto r = gen::read_llama2c(path);
    EXPECT_FALSE(r.is_ok());
    auto h = gen::read_llama2c_header(path);
    EXPECT_FALSE(h.is_ok());
    if (r.is_ok() || h.is_ok()) return "";
    // Header-only and full reads agree on header problems.
    if (r.message().find("non-finite") == std::string::npos) {
      EXPECT_EQ(r.message(), h.message());
    }
    return r.message();
  }
  std::string pre() const { return "checkpoint '" + path + "': "; }
};

TEST_F(BadCheckpoint, Missing) {
  EXPECT_EQ(error(), "cannot open checkpoint '" + path + "': no such file");
}

TEST_F(BadCheckpoint, ShorterThanHeader) {
  write_bytes(path, header({64, 172, 5}));
  EXPECT_EQ(error(), pre() + "file is 12 bytes, shorter than the 28-byte llama2.c header; is it a llama2.c checkpoint?");
}

TEST_F(BadCheckpoint, Truncated) {
  const auto m = gen::synthesize(kSmall, true, 1, "x");
  ASSERT_TRUE(gen::write_llama2c(m, path).is_ok());
  const std::string b = read_bytes(path);
  write_bytes(path, b.substr(0, b.size() - 100));
  EXPECT_EQ(error(), pre() + "header (dim 16, hidden 40, layers 2, heads 4 (kv 2), vocab 30, seq 8, shared classifier) "
                             "implies " + std::to_string(b.size()) + " bytes but the file has " +
                             std::to_string(b.size() - 100) +
                             " bytes (truncated download or copy?); re-export it with llama2.c's export.py --version 0");
}

TEST_F(BadCheckpoint, HeaderDisagreesWithSize) {
  const auto m = gen::synthesize(kSmall, true, 1, "x");
  ASSERT_TRUE(gen::write_llama2c(m, path).is_ok());
  std::string b = read_bytes(path);
  const int32_t more_layers = 3;
  std::memcpy(b.data() + 8, &more_layers, 4);  // header says 3 layers, body holds 2
  write_bytes(path, b);
  EXPECT_NE(error().find("implies"), std::string::npos);
  b = read_bytes(path);
  const int32_t two = 2;
  std::memcpy(b.data() + 8, &two, 4);
  write_bytes(path, b + std::string(8, '\0'));  // trailing bytes
  EXPECT_NE(error().find("(trailing data: a different format?)"), std::string::npos);
}

TEST_F(BadCheckpoint, ZeroDim) {
  write_bytes(path, header({0, 172, 5, 8, 4, 512, 512}));
  EXPECT_EQ(error(), pre() + "header: invalid shape: dim is 0; every dimension must be a positive integer");
}

TEST_F(BadCheckpoint, NegativeDim) {
  write_bytes(path, header({64, 172, -5, 8, 4, 512, 512}));
  EXPECT_EQ(error(), pre() + "header: invalid shape: n_layers is -5; every dimension must be a positive integer");
}

TEST_F(BadCheckpoint, HugeDim) {
  write_bytes(path, header({64, 172, 5, 8, 4, 512, 2000000000}));
  EXPECT_EQ(error(), pre() + "header: invalid shape: seq_len is 2000000000; hardwire supports dimensions up to 1048576");
}

TEST_F(BadCheckpoint, DimNotDivisibleByHeads) {
  write_bytes(path, header({64, 172, 5, 6, 3, 512, 512}));
  EXPECT_EQ(error(), pre() + "header: invalid shape: dim 64 is not divisible by n_heads 6; choose n_heads so that "
                             "dim / n_heads (the head size) is an integer");
}

TEST_F(BadCheckpoint, HeadsNotDivisibleByKvHeads) {
  write_bytes(path, header({64, 172, 5, 8, 3, 512, 512}));
  EXPECT_EQ(error(), pre() + "header: invalid shape: n_heads 8 is not divisible by n_kv_heads 3; grouped-query "
                             "attention needs n_kv_heads to divide n_heads");
}

TEST_F(BadCheckpoint, OddHeadSize) {
  write_bytes(path, header({63, 172, 5, 9, 3, 512, 512}));
  EXPECT_EQ(error(), pre() + "header: invalid shape: head size dim/n_heads = 7 is odd; RoPE rotates pairs of "
                             "elements, so the head size must be even");
}

TEST_F(BadCheckpoint, Version2IsRefusedVersion1Checked) {
  write_bytes(path, header({0x616b3432, 2, 0, 0, 0, 0, 0}) + std::string(256, '\0'));
  EXPECT_EQ(error(), pre() + "this is llama2.c's version-2 format (magic \"ak42\", int8-quantized weights); hardwire "
                             "reads versions 0 and 1 (float32): re-export with llama2.c's export.py --version 1");
  write_bytes(path, header({0x616b3432, 1, 16, 40, 2, 4, 2}));
  EXPECT_EQ(error(), pre() + "file is 28 bytes, shorter than the 256-byte header of llama2.c's version 1 (truncated?)");
  std::string h = header({0x616b3432, 1, 16, 40, 2, 4, 2, 30, 8}) + std::string(1, '\2');
  h.resize(256, '\0');
  write_bytes(path, h);
  EXPECT_EQ(error(), pre() + "version-1 header: shared_classifier byte is 2, not 0 or 1; the file is corrupt");
  h[36] = 1;
  write_bytes(path, h);
  EXPECT_EQ(error(), pre() + "header (dim 16, hidden 40, layers 2, heads 4 (kv 2), vocab 30, seq 8, shared classifier) "
                             "implies 24000 bytes but the file has 256 bytes (truncated download or copy?); re-export "
                             "it with llama2.c's export.py --version 1");
}

TEST(Llama2c, Version1ReadsAsVersion0) {
  TmpDir tmp;
  for (bool shared : {true, false}) {
    const auto m = gen::synthesize(kSmall, shared, 9, "v1");
    ASSERT_TRUE(gen::write_llama2c(m, tmp.file("v1.bin"), 1).is_ok());
    const std::string b = read_bytes(tmp.file("v1.bin"));
    // The layout of llama2.c's export.py --version 1: 256-byte header, then the norms, then the embedding.
    uint32_t magic = 0;
    std::memcpy(&magic, b.data(), 4);
    EXPECT_EQ(magic, 0x616b3432u);
    EXPECT_EQ(static_cast<int>(b[36]), shared ? 1 : 0);
    float first = 0;
    std::memcpy(&first, b.data() + 256, 4);
    EXPECT_EQ(first, m.layers[0].rms_att[0]);
    std::memcpy(&first, b.data() + 256 + 4 * (2 * 2 * 16 + 16), 4);
    EXPECT_EQ(first, m.token_embedding(0, 0));
    auto r = gen::read_llama2c(tmp.file("v1.bin"));
    ASSERT_TRUE(r.is_ok()) << r.message();
    expect_same(m, *r);
    auto src = gen::resolve_model(tmp.file("v1.bin"));
    ASSERT_TRUE(src.is_ok()) << src.message();
    EXPECT_EQ(src->shape, kSmall);
    EXPECT_EQ(src->shared_classifier, shared);
  }
}

TEST_F(BadCheckpoint, NonFiniteWeight) {
  const auto m = gen::synthesize(kSmall, true, 1, "x");
  ASSERT_TRUE(gen::write_llama2c(m, path).is_ok());
  std::string b = read_bytes(path);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  // wq of layer 1, element 5: after embedding (30x16), rms_att (2x16), wq layer 0 (16x16).
  std::memcpy(b.data() + 28 + 4 * (30 * 16 + 2 * 16 + 16 * 16 + 5), &nan, 4);
  write_bytes(path, b);
  auto r = gen::read_llama2c(path);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.message(), pre() + "tensor wq[layer 1] holds a non-finite value (nan) at element 5; the checkpoint is corrupt");
}

TEST_F(BadCheckpoint, Directory) {
  EXPECT_EQ(gen::read_llama2c(tmp.path().string()).message(),
            "checkpoint '" + tmp.path().string() + "' is not a regular file");
}

TEST(Llama2c, RandomCorruptionNeverCrashes) {
  // Random header values, truncations and byte flips: every read either succeeds or returns an error (run under
  // ASan/UBSan by SANITIZE=1 scripts/test.sh).
  const uint64_t seed = hw_test::test_seed();
  HW_SEED_TRACE();
  std::mt19937_64 rng(seed);
  TmpDir tmp;
  const auto m = gen::synthesize(kSmall, true, 1, "x");
  ASSERT_TRUE(gen::write_llama2c(m, tmp.file("good.bin")).is_ok());
  const std::string good = read_bytes(tmp.file("good.bin"));
  const std::string p = tmp.file("bad.bin");
  int errors = 0;
  for (int it = 0; it < 300; ++it) {
    std::string b = good;
    switch (it % 3) {
      case 0: {  // a random header field takes a random (often hostile) value
        const int32_t vals[] = {0, -1, 1, 2, INT32_MAX, INT32_MIN, 7, 1 << 20, (1 << 20) + 1,
                                static_cast<int32_t>(rng())};
        const int32_t v = vals[rng() % 10];
        std::memcpy(b.data() + 4 * (rng() % 7), &v, 4);
        break;
      }
      case 1:  // truncation anywhere
        b.resize(rng() % b.size());
        break;
      default:  // flip a byte of the header or the body
        b[rng() % (rng() % 2 ? 28 : b.size())] ^= static_cast<char>(1 + rng() % 255);
        break;
    }
    write_bytes(p, b);
    auto r = gen::read_llama2c(p);
    if (!r.is_ok()) {
      ++errors;
      EXPECT_EQ(r.message().rfind("checkpoint '" + p + "': ", 0), 0u) << r.message();
    }
  }
  EXPECT_GT(errors, 150);
}

TEST(Tokenizer, RandomTruncationNeverCrashes) {
  const uint64_t seed = hw_test::test_seed();
  HW_SEED_TRACE();
  std::mt19937_64 rng(seed);
  TmpDir tmp;
  gen::Tokenizer t;
  t.max_token_length = 4;
  for (int i = 0; i < 50; ++i) {
    t.pieces.push_back(std::string(static_cast<size_t>(1 + i % 4), static_cast<char>('a' + i % 26)));
    t.scores.push_back(-static_cast<float>(i));
  }
  ASSERT_TRUE(gen::write_tokenizer(t, tmp.file("t.bin")).is_ok());
  const std::string good = read_bytes(tmp.file("t.bin"));
  for (int it = 0; it < 200; ++it) {
    std::string b = good;
    if (it % 2) {
      b.resize(rng() % b.size());
    } else {
      b[rng() % b.size()] ^= static_cast<char>(1 + rng() % 255);
    }
    write_bytes(tmp.file("b.bin"), b);
    auto r = gen::read_tokenizer(tmp.file("b.bin"), 50);
    if (r.is_ok()) {
      EXPECT_EQ(r->pieces.size(), 50u);
    }
  }
}

TEST(Llama2c, WriteToMissingDirectoryFails) {
  TmpDir tmp;
  const auto m = gen::synthesize(kSmall, true, 1, "x");
  const std::string p = tmp.file("no/such/dir/m.bin");
  auto st = gen::write_llama2c(m, p);
  ASSERT_FALSE(st.is_ok());
  EXPECT_EQ(st.message(), "cannot write checkpoint '" + p + "': directory '" + tmp.file("no/such/dir") +
                              "' does not exist; create it first");
}

// ---- tokenizer -------------------------------------------------------------------------------------------------
namespace {
// <unk> <s> </s>, 256 byte tokens, then a few pieces with merge scores.
gen::Tokenizer small_tokenizer() {
  gen::Tokenizer t;
  t.max_token_length = 8;
  for (const char* p : {"<unk>", "\n<s>\n", "\n</s>\n"}) t.pieces.push_back(p), t.scores.push_back(0);
  for (int b = 0; b < 256; ++b) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "<0x%02X>", b);
    t.pieces.push_back(buf);
    t.scores.push_back(0);
  }
  const std::pair<const char*, float> extra[] = {{" ", -1}, {"h", -2}, {"e", -3}, {"l", -4}, {"o", -5},
                                                 {"he", -6}, {"ll", -7}, {"hell", -8}, {"hello", -9}, {" hello", -10}};
  for (auto [p, s] : extra) t.pieces.push_back(p), t.scores.push_back(s);
  return t;
}
}  // namespace

TEST(Tokenizer, RoundTripAndEncodeDecode) {
  TmpDir tmp;
  const auto t = small_tokenizer();
  ASSERT_TRUE(gen::write_tokenizer(t, tmp.file("tok.bin")).is_ok());
  const auto vocab = static_cast<int64_t>(t.pieces.size());
  auto r = gen::read_tokenizer(tmp.file("tok.bin"), vocab);
  ASSERT_TRUE(r.is_ok()) << r.message();
  EXPECT_EQ(r->pieces, t.pieces);
  EXPECT_EQ(r->scores, t.scores);
  const auto ids = r->encode("hello", true).value();
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_EQ(ids[0], 1);
  EXPECT_EQ(r->pieces[static_cast<size_t>(ids[1])], " hello");
  EXPECT_EQ(r->decode(1, ids[1]), "hello");  // leading space dropped after BOS
  EXPECT_EQ(r->decode(5, ids[1]), " hello");
  // A character with no piece falls back to its UTF-8 bytes (id = byte + 3).
  const auto fb = r->encode("\xc3\xa9", false).value();  // "é"
  ASSERT_EQ(fb.size(), 3u);
  EXPECT_EQ(fb[1], 0xc3 + 3);
  EXPECT_EQ(fb[2], 0xa9 + 3);
  EXPECT_EQ(r->decode(5, 0x0A + 3), "\n");
  // llama2.c's rule is the id, not the piece's name: a piece "<0xC3>" elsewhere in the vocab changes nothing (the
  // fuzzer's differential check against the reference encoder found the two disagreeing when the name won).
  auto named = *r;
  named.pieces[7] = "<0xC3>";
  EXPECT_EQ(named.encode("\xc3\xa9", false).value(), fb);
}

class BadTokenizer : public ::testing::Test {
 protected:
  TmpDir tmp;
  std::string path = tmp.file("tok.bin");
  std::string pre() const { return "tokenizer '" + path + "': "; }
  std::string error(int64_t n) {
    auto r = gen::read_tokenizer(path, n);
    EXPECT_FALSE(r.is_ok());
    return r.is_ok() ? "" : r.message();
  }
  void write_valid() { ASSERT_TRUE(gen::write_tokenizer(small_tokenizer(), path).is_ok()); }
  const int64_t vocab = static_cast<int64_t>(small_tokenizer().pieces.size());
};

TEST_F(BadTokenizer, Missing) { EXPECT_EQ(error(10), "cannot open tokenizer '" + path + "': no such file"); }

TEST_F(BadTokenizer, Empty) {
  write_bytes(path, "");
  EXPECT_EQ(error(10), pre() + "file is 0 bytes, too short for the max_token_length header");
}

TEST_F(BadTokenizer, BadMaxTokenLength) {
  write_bytes(path, header({-3}));
  EXPECT_EQ(error(10), pre() + "max_token_length is -3 (expected 1..4096); is this a llama2.c tokenizer.bin?");
}

TEST_F(BadTokenizer, FewerTokensThanVocab) {
  write_valid();
  EXPECT_EQ(error(vocab + 5), pre() + "ends after " + std::to_string(vocab) + " of the model's " +
                                  std::to_string(vocab + 5) + " tokens; use the tokenizer that belongs to this model "
                                  "(its vocab must be " + std::to_string(vocab + 5) + ")");
}

TEST_F(BadTokenizer, MoreTokensThanVocab) {
  write_valid();
  EXPECT_NE(error(vocab - 1).find("holds more tokens than this model's vocab"), std::string::npos);
}

TEST_F(BadTokenizer, TruncatedInsideToken) {
  write_valid();
  const std::string b = read_bytes(path);
  write_bytes(path, b.substr(0, b.size() - 2));
  EXPECT_EQ(error(vocab), pre() + "ends inside token " + std::to_string(vocab - 1) + " of " + std::to_string(vocab) +
                              "; the file is truncated or belongs to another model");
}

TEST_F(BadTokenizer, NegativeLength) {
  write_bytes(path, header({8}) + header({0, -1}));
  EXPECT_EQ(error(1), pre() + "token 0 has length -1, outside 0..8; the file is corrupt");
}

// ---- JSON shapes and presets -----------------------------------------------------------------------------------
TEST(Presets, AllValidAndResolvable) {
  for (const auto& p : gen::presets()) {
    EXPECT_TRUE(p.shape.validate().is_ok()) << p.name;
    auto src = gen::resolve_model(p.name);
    ASSERT_TRUE(src.is_ok()) << src.message();
    EXPECT_EQ(src->shape, p.shape);
  }
  auto s260 = gen::resolve_model("stories260K");
  EXPECT_EQ(s260->shape, (Shape{64, 172, 5, 8, 4, 512, 512}));
  EXPECT_EQ(gen::resolve_model("stories15M")->shape, (Shape{288, 768, 6, 6, 6, 32000, 256}));
  EXPECT_EQ(gen::resolve_model("stories42M")->shape, (Shape{512, 1376, 8, 8, 8, 32000, 1024}));
  EXPECT_EQ(gen::resolve_model("stories110M")->shape, (Shape{768, 2048, 12, 12, 12, 32000, 1024}));
}

TEST(Presets, UnknownModel) {
  EXPECT_EQ(gen::resolve_model("nosuch").message(),
            "unknown model 'nosuch': not a preset (tiny, stories260K, stories15M, stories42M, stories110M) and no "
            "such file; pass a preset name, a .json shape file, a llama2.c checkpoint or a Hugging Face model "
            "directory");
}

TEST(Synthesize, DeterministicAndSeeded) {
  const auto a = gen::synthesize(kSmall, true, 5, "a"), b = gen::synthesize(kSmall, true, 5, "b"),
             c = gen::synthesize(kSmall, true, 6, "c");
  expect_same(a, b);
  EXPECT_NE(a.layers[0].wq, c.layers[0].wq);
  // Scale: N(0, 1/fan_in) matrices, norm weights near 1.
  const double std_wq = std::sqrt(a.layers[0].wq.squaredNorm() / static_cast<double>(a.layers[0].wq.size()));
  EXPECT_NEAR(std_wq, 1.0 / std::sqrt(16.0), 0.05);
  EXPECT_NEAR(a.layers[0].rms_att.mean(), 1.0, 0.1);
}

class JsonShape : public ::testing::Test {
 protected:
  TmpDir tmp;
  std::string path = tmp.file("m.json");
  Result<gen::ModelSource> load(const std::string& text) {
    write_bytes(path, text);
    return gen::resolve_model(path);
  }
  std::string pre() const { return "model shape file '" + path + "': "; }
};

TEST_F(JsonShape, Valid) {
  auto r = load(R"({"name": "m", "dim": 64, "hidden_dim": 172, "n_layers": 5, "n_heads": 8, "n_kv_heads": 4,
                   "vocab_size": 512, "seq_len": 512, "seed": 42, "shared_classifier": false,
                   "widths": {"k": 8, "res": 16}})");
  ASSERT_TRUE(r.is_ok()) << r.message();
  EXPECT_EQ(r->shape, (Shape{64, 172, 5, 8, 4, 512, 512}));
  EXPECT_EQ(r->seed, 42u);
  EXPECT_FALSE(r->shared_classifier);
  ASSERT_TRUE(r->widths.has_value());
  EXPECT_EQ(r->widths->k, 8);
  auto m = gen::load_float_model(*r);
  ASSERT_TRUE(m.is_ok());
  EXPECT_EQ(m->wcls.rows(), 512);
}

TEST_F(JsonShape, DefaultsKvHeads) {
  auto r = load(R"({"dim": 32, "hidden_dim": 64, "n_layers": 1, "n_heads": 4, "vocab_size": 10, "seq_len": 8})");
  ASSERT_TRUE(r.is_ok()) << r.message();
  EXPECT_EQ(r->shape.n_kv_heads, 4);
  EXPECT_EQ(r->name, "m.json");
}

TEST_F(JsonShape, Errors) {
  EXPECT_EQ(load("{").message().rfind(pre() + "not valid JSON", 0), 0u);
  EXPECT_EQ(load("[1]").message(), pre() + "expected a JSON object with the model's dimensions");
  EXPECT_EQ(load(R"({"dim": 32})").message(), pre() + "missing required key \"hidden_dim\"");
  EXPECT_EQ(load(R"({"dim": "32"})").message(), pre() + "\"dim\" must be an integer, got the string \"32\"");
  EXPECT_EQ(load(R"({"dimm": 32})").message().rfind(pre() + "unknown key \"dimm\"", 0), 0u);
  EXPECT_EQ(load(R"({"dim": 18446744073709551615})").message(),
            pre() + "\"dim\" is 18446744073709551615, far too large");
  EXPECT_EQ(load(R"({"dim": 3.5})").message(), pre() + "\"dim\" must be an integer, got 3.5");
  EXPECT_EQ(load(R"({"dim": 30, "hidden_dim": 64, "n_layers": 1, "n_heads": 4, "vocab_size": 10, "seq_len": 8})")
                .message(),
            pre() + "invalid shape: dim 30 is not divisible by n_heads 4; choose n_heads so that dim / n_heads (the "
                    "head size) is an integer");
  EXPECT_EQ(load(R"({"dim": 32, "hidden_dim": 64, "n_layers": 1, "n_heads": 4, "vocab_size": 10, "seq_len": 8,
                    "widths": {"k": 12}})").message(),
            pre() + "activation width k=12 is not supported; use 8 or 16");
}

TEST(Widths, Parse) {
  auto w = gen::parse_widths("res=8,k=8", golden::Widths{});
  ASSERT_TRUE(w.is_ok());
  EXPECT_EQ(w->res, 8);
  EXPECT_EQ(w->k, 8);
  EXPECT_EQ(w->q, 16);
  EXPECT_EQ(gen::parse_widths("foo=8", {}).message(), "unknown activation site 'foo'; sites: res xn q k v att gate up h");
  EXPECT_EQ(gen::parse_widths("res", {}).message(),
            "bad width 'res'; write SITE=BITS, e.g. res=16,k=8 (sites: res xn q k v att gate up h)");
  EXPECT_EQ(gen::parse_widths("res=x", {}).message(), "bad width 'res=x': 'x' is not a number (use 8 or 16)");
  EXPECT_EQ(gen::widths_to_string(golden::Widths{}), "res=16,xn=16,q=16,k=16,v=16,att=16,gate=16,up=16,h=16");
}
