// Hugging Face checkpoints: the safetensors reader and writer (half-precision conversions, malformed files, random
// corruption), the Llama mapping (config.json, tensor names, the q/k row permutation), and the real stories260K
// converted to a Hugging Face directory in F32, F16 and BF16, sharded and tied/untied, read back.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <functional>
#include <limits>
#include <map>
#include <random>

#include "hardwire/gen/hf_llama.hpp"
#include "hardwire/gen/llama2c.hpp"
#include "hardwire/gen/model_source.hpp"
#include "hardwire/gen/quantizer.hpp"
#include "hardwire/gen/safetensors.hpp"
#include "hardwire/golden/decoder.hpp"
#include "support/hf_tokenizer.hpp"
#include "support/seed.hpp"
#include "support/tmpdir.hpp"

using namespace hardwire;
using golden::Shape;
using hw_test::read_bytes;
using hw_test::TmpDir;
using hw_test::write_bytes;
namespace fs = std::filesystem;

namespace {

const std::string kModels = HARDWIRE_MODELS_DIR;
const Shape kSmall{16, 40, 2, 4, 2, 30, 8};  // GQA, head size 4, hidden not a power of two

bool same_weights(const golden::FloatModel& a, const golden::FloatModel& b) {
  if (!(a.shape == b.shape) || a.shared_classifier != b.shared_classifier || a.layers.size() != b.layers.size())
    return false;
  bool same = a.token_embedding == b.token_embedding && a.rms_final == b.rms_final && a.wcls == b.wcls;
  for (size_t l = 0; l < a.layers.size(); ++l) {
    const auto &x = a.layers[l], &y = b.layers[l];
    same = same && x.rms_att == y.rms_att && x.wq == y.wq && x.wk == y.wk && x.wv == y.wv && x.wo == y.wo &&
           x.rms_ffn == y.rms_ffn && x.w1 == y.w1 && x.w2 == y.w2 && x.w3 == y.w3;
  }
  return same && a.rms_eps == b.rms_eps && a.rope == b.rope;
}

// A small valid safetensors file: two F32 tensors.
std::string small_file() {
  std::vector<gen::TensorInfo> t = {{"a", "F32", {2, 3}, 0, 24}, {"b", "F16", {4}, 24, 32}};
  return gen::safetensors_header(t, {{"format", "pt"}}) + std::string(32, '\x01');
}

std::string with_header(const std::string& json, const std::string& data) {
  const uint64_t n = json.size();
  std::string out(8, '\0');
  std::memcpy(out.data(), &n, 8);
  return out + json + data;
}

std::string open_error(const TmpDir& tmp, const std::string& bytes) {
  write_bytes(tmp.file("x.safetensors"), bytes);
  auto f = gen::SafetensorsFile::open(tmp.file("x.safetensors"));
  return f.is_ok() ? std::string("(opened)") : f.message();
}

}  // namespace

TEST(Half, EveryF16AndBf16ValueWidensExactlyAndNarrowsBack) {
  for (uint32_t h = 0; h < 65536; ++h) {
    const float f = gen::f16_to_float(static_cast<uint16_t>(h)), b = gen::bf16_to_float(static_cast<uint16_t>(h));
    if (std::isnan(f)) {
      EXPECT_TRUE(std::isnan(gen::f16_to_float(gen::float_to_f16(f))));
    } else {
      ASSERT_EQ(gen::float_to_f16(f), h) << "f16 " << h;
    }
    if (!std::isnan(b)) {
      ASSERT_EQ(gen::float_to_bf16(b), h) << "bf16 " << h;
    }
  }
  // Values the formats cannot hold round to nearest, ties to even.
  EXPECT_EQ(gen::f16_to_float(gen::float_to_f16(1.0f + 0x1p-11f)), 1.0f);              // tie: down to even
  EXPECT_EQ(gen::f16_to_float(gen::float_to_f16(1.0f + 3 * 0x1p-11f)), 1.0f + 0x1p-9f);  // tie: up to even
  EXPECT_EQ(gen::f16_to_float(gen::float_to_f16(1.0f + 0x1p-11f + 0x1p-20f)), 1.0f + 0x1p-10f);
  EXPECT_EQ(gen::f16_to_float(gen::float_to_f16(0x1p-25f)), 0.0f);                        // tie below the subnormals
  EXPECT_EQ(gen::f16_to_float(gen::float_to_f16(0x1.8p-25f)), 0x1p-24f);
  EXPECT_EQ(gen::f16_to_float(gen::float_to_f16(65519.0f)), 65504.0f);
  EXPECT_TRUE(std::isinf(gen::f16_to_float(gen::float_to_f16(65520.0f))));
  EXPECT_EQ(gen::bf16_to_float(gen::float_to_bf16(1.0f + 0x1p-8f)), 1.0f);
  EXPECT_EQ(gen::bf16_to_float(gen::float_to_bf16(1.0f + 3 * 0x1p-8f)), 1.0f + 0x1p-6f);
  // Against a float reference for random values: the nearest representable value.
  const uint64_t seed = hw_test::test_seed();
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<uint32_t> bits;
  for (int i = 0; i < 100000; ++i) {
    const float x = std::bit_cast<float>(bits(rng) & 0xc7ffffffu);  // |x| < 2^17 or so, both signs
    if (!std::isfinite(x) || std::fabs(x) >= 65504.0f) continue;
    const float r = gen::f16_to_float(gen::float_to_f16(x));
    const float up = gen::f16_to_float(static_cast<uint16_t>(gen::float_to_f16(x) + 1));
    const float down = gen::f16_to_float(static_cast<uint16_t>(gen::float_to_f16(x) - 1));
    if (std::isfinite(up) && r != 0.0f) {
      ASSERT_LE(std::fabs(x - r), std::fabs(x - up)) << x;
    }
    if (std::isfinite(down) && r != 0.0f) {
      ASSERT_LE(std::fabs(x - r), std::fabs(x - down)) << x;
    }
  }
}

TEST(Safetensors, RoundTripInEveryFloatDtype) {
  TmpDir tmp;
  const std::vector<float> a = {1.0f, -2.5f, 0.1f, 3e-5f, 65504.0f, -0.0f};
  const std::vector<float> b = {7.0f};
  for (const char* dtype : {"F32", "F16", "BF16"}) {
    ASSERT_TRUE(gen::write_safetensors(tmp.file("t.safetensors"), {{"w.a", {2, 3}, a.data()}, {"w.b", {}, b.data()}},
                                       dtype, {{"format", "pt"}})
                    .is_ok());
    auto f = gen::SafetensorsFile::open(tmp.file("t.safetensors"));
    ASSERT_TRUE(f.is_ok()) << f.message();
    ASSERT_EQ(f->tensors().size(), 2u);
    EXPECT_EQ(f->metadata().at("format"), "pt");
    const auto* t = f->find("w.a");
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->dtype, dtype);
    EXPECT_EQ(t->shape, (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(f->find("w.b")->elements(), 1);
    std::vector<float> got(6);
    ASSERT_TRUE(f->read_floats(*t, got.data()).is_ok());
    for (size_t i = 0; i < a.size(); ++i) {
      const float want = std::string(dtype) == "F32"   ? a[i]
                         : std::string(dtype) == "F16" ? gen::f16_to_float(gen::float_to_f16(a[i]))
                                                       : gen::bf16_to_float(gen::float_to_bf16(a[i]));
      EXPECT_EQ(std::bit_cast<uint32_t>(got[i]), std::bit_cast<uint32_t>(want)) << dtype << " element " << i;
    }
  }
  // The header is padded to 8 bytes, as the format's writers do.
  EXPECT_EQ((read_bytes(tmp.file("t.safetensors")).size() - 8 - 1 * 2 - 6 * 2) % 8, 0u);
}

TEST(Safetensors, MalformedFilesGiveOneClearError) {
  TmpDir tmp;
  const std::string p = "safetensors file '" + tmp.file("x.safetensors") + "': ";
  ASSERT_EQ(open_error(tmp, small_file()), "(opened)");
  EXPECT_EQ(open_error(tmp, "abc"),
            p + "the file is 3 bytes, shorter than the 8-byte header length that starts a safetensors file; is it one?");
  EXPECT_EQ(open_error(tmp, with_header("{}", "").substr(0, 9)),
            p + "the header length is 2 bytes, past the end of the 9-byte file (truncated, or not a safetensors file)");
  std::string huge(8, '\0');
  const uint64_t big = 200'000'000;
  std::memcpy(huge.data(), &big, 8);
  EXPECT_EQ(open_error(tmp, huge), p + "the header length is 200000000 bytes, past the end of the 8-byte file "
                                       "(truncated, or not a safetensors file)");
  EXPECT_EQ(open_error(tmp, with_header("{\"a\": ", "")),
            p + "header: not valid JSON ([json.exception.parse_error.101] parse error at line 1, column 7: syntax "
                "error while parsing value - unexpected end of input; expected '[', '{', or a literal)");
  EXPECT_EQ(open_error(tmp, with_header("[1, 2]", "")), p + "the header is a list, not a JSON object of tensors");
  EXPECT_EQ(open_error(tmp, with_header(R"({"a": {"dtype": "F31", "shape": [1], "data_offsets": [0, 4]}})", "1234")),
            p + "tensor \"a\": unknown dtype \"F31\"; safetensors defines F64, F32, F16, BF16, I64, I32, I16, I8, U64, "
                "U32, U16, U8, BOOL, F8_E4M3, F8_E5M2");
  EXPECT_EQ(open_error(tmp, with_header(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}})", "1234")),
            p + "tensor \"a\": data_offsets [0, 8] run past the 4 bytes of data in the file (truncated?)");
  EXPECT_EQ(open_error(tmp, with_header(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}})", "1234")),
            p + "tensor \"a\": shape [2] of F32 needs 8 bytes but data_offsets [0, 4] hold 4");
  EXPECT_EQ(open_error(tmp, with_header(R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 0]}})", "1234")),
            p + "tensor \"a\": data_offsets [4, 0] end before they begin");
  EXPECT_EQ(open_error(tmp, with_header(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                                           "b": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}})",
                                        "12345678")),
            p + "tensors \"a\" and \"b\" overlap (bytes 4 .. 8 of the data); the file is corrupt");
  EXPECT_EQ(open_error(tmp, with_header(R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}})", "12345678")),
            p + "bytes 0 .. 4 of the data belong to no tensor (safetensors allows no holes); the file is corrupt");
  EXPECT_EQ(open_error(tmp, with_header(R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}})", "12345678")),
            p + "bytes 4 .. 8 of the data belong to no tensor (trailing data); the file is corrupt");
  EXPECT_EQ(open_error(tmp, with_header(R"({"a": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}})", "1234")),
            p + "tensor \"a\": \"shape\" holds -1; dimensions are integers 0 .. 2^62");
  EXPECT_EQ(open_error(tmp, with_header(R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0]}})", "1234")),
            p + "tensor \"a\": \"data_offsets\" must be two non-negative integers [begin, end]");
  EXPECT_EQ(open_error(tmp, with_header(R"({"a": {"shape": [1], "data_offsets": [0, 4]}})", "1234")),
            p + "tensor \"a\": \"dtype\" must be a string");
  EXPECT_EQ(open_error(tmp, with_header(R"({"__metadata__": {"k": 1}})", "")),
            p + "\"__metadata__\" value of \"k\" must be a string, got 1");
  // Empty tensors are allowed, whatever their other dimensions.
  write_bytes(tmp.file("x.safetensors"),
              with_header(R"({"e": {"dtype": "F32", "shape": [4611686018427387904, 4611686018427387904, 0],
                                    "data_offsets": [0, 0]}})", ""));
  auto e = gen::SafetensorsFile::open(tmp.file("x.safetensors"));
  ASSERT_TRUE(e.is_ok()) << e.message();
  EXPECT_EQ(e->find("e")->elements(), 0);
  // A dtype the format has but weights cannot be read from: named when read.
  write_bytes(tmp.file("x.safetensors"),
              with_header(R"({"a": {"dtype": "I8", "shape": [4], "data_offsets": [0, 4]}})", "1234"));
  auto f = gen::SafetensorsFile::open(tmp.file("x.safetensors"));
  ASSERT_TRUE(f.is_ok()) << f.message();
  float out[4];
  EXPECT_EQ(f->read_floats(*f->find("a"), out).message(),
            p + "tensor \"a\" is I8; hardwire reads weights stored as F32, F16 or BF16");
}

TEST(Safetensors, RandomCorruptionNeverCrashes) {
  TmpDir tmp;
  const uint64_t seed = hw_test::test_seed();
  std::mt19937_64 rng(seed);
  const std::string good = small_file();
  int opened = 0;
  for (int i = 0; i < 2000; ++i) {
    std::string b = good;
    const int kind = static_cast<int>(rng() % 3);
    if (kind == 0) {
      b.resize(rng() % b.size());
    } else {
      const int flips = 1 + static_cast<int>(rng() % 4);
      for (int k = 0; k < flips; ++k) {
        // Mostly the length and the JSON, where a flip changes the meaning.
        const size_t at = (rng() % 4 == 0) ? rng() % b.size() : rng() % std::min<size_t>(b.size(), 120);
        b[at] = kind == 1 ? static_cast<char>(rng()) : static_cast<char>(b[at] ^ (1 << (rng() % 8)));
      }
    }
    write_bytes(tmp.file("c.safetensors"), b);
    auto f = gen::SafetensorsFile::open(tmp.file("c.safetensors"));
    if (!f) {
      EXPECT_EQ(f.message().rfind("safetensors file '", 0), 0u) << f.message();
      continue;
    }
    ++opened;
    for (const auto& t : f->tensors()) {
      std::vector<float> v(static_cast<size_t>(t.elements()));
      (void)f->read_floats(t, v.data());
    }
  }
  EXPECT_GT(opened, 0);
}

TEST(HfLlama, SyntheticModelRoundTripsTiedUntiedAndSharded) {
  TmpDir tmp;
  auto m = gen::synthesize(kSmall, true, 11, "small");
  m.rms_eps = 1e-6f;
  m.rope.theta = 500000.0;
  m.rope.llama3 = golden::Llama3RopeScaling{8.0, 1.0, 4.0, 8.0};
  m.bos = 3;
  struct Case {
    const char* dir;
    gen::HfWriteOptions o;
  };
  for (const Case& c : {Case{"tied", {"F32", 1, true}}, Case{"untied", {"F32", 1, false}},
                        Case{"sharded", {"F32", 3, true}}}) {
    SCOPED_TRACE(c.dir);
    fs::create_directories(tmp.path() / c.dir);
    ASSERT_TRUE(gen::write_hf_llama(m, tmp.file(c.dir), c.o).is_ok());
    auto r = gen::read_hf_llama(tmp.file(c.dir));
    ASSERT_TRUE(r.is_ok()) << r.message();
    golden::FloatModel want = m;
    if (!c.o.tie) {  // written with lm_head: read back as a separate classifier holding the embedding
      want.shared_classifier = false;
      want.wcls = m.token_embedding;
    }
    EXPECT_TRUE(same_weights(want, *r));
    auto src = gen::resolve_model(tmp.file(c.dir));
    ASSERT_TRUE(src.is_ok()) << src.message();
    EXPECT_EQ(src->kind, gen::ModelSource::Kind::kHuggingFace);
    EXPECT_EQ(src->name, c.dir);
    EXPECT_EQ(src->shape, kSmall);
    EXPECT_EQ(src->rope, m.rope);
    EXPECT_EQ(src->rms_eps, 1e-6f);
    EXPECT_EQ(src->bos, 3);
    auto short_src = gen::resolve_model(tmp.file(c.dir), 5);
    ASSERT_TRUE(short_src.is_ok());
    EXPECT_EQ(short_src->shape.seq_len, 5);
    auto fm = gen::load_float_model(*short_src);
    ASSERT_TRUE(fm.is_ok());
    EXPECT_EQ(fm->shape.seq_len, 5);
    EXPECT_EQ(gen::resolve_model(tmp.file(c.dir), 9).message(),
              "config '" + tmp.file(c.dir) + "/config.json': --seq-len 9 is more than the model's "
              "max_position_embeddings 8; give at most that");
  }
  EXPECT_TRUE(fs::exists(tmp.path() / "sharded" / "model-00003-of-00003.safetensors"));
  EXPECT_TRUE(fs::exists(tmp.path() / "sharded" / "model.safetensors.index.json"));
}

// Hugging Face rotates the two halves of a head (rotate_half) on rows it permuted at conversion; hardwire rotates
// interleaved pairs on the rows un-permuted. The attention scores are the same: q.k after RoPE, every head, every
// position pair, computed both ways from one written checkpoint.
TEST(HfLlama, RotateHalfOnHfRowsEqualsInterleavedPairsOnUnpermutedRows) {
  TmpDir tmp;
  const auto m = gen::synthesize(kSmall, true, 5, "small");
  ASSERT_TRUE(gen::write_hf_llama(m, tmp.path().string(), {}).is_ok());
  auto f = gen::SafetensorsFile::open(tmp.file("model.safetensors"));
  ASSERT_TRUE(f.is_ok());
  const int64_t d = kSmall.dim, hs = kSmall.head_size(), kvd = kSmall.kv_dim();
  golden::MatF hq(d, d), hk(kvd, d);
  ASSERT_TRUE(f->read_floats(*f->find("model.layers.0.self_attn.q_proj.weight"), hq.data()).is_ok());
  ASSERT_TRUE(f->read_floats(*f->find("model.layers.0.self_attn.k_proj.weight"), hk.data()).is_ok());
  auto r = gen::read_hf_llama(tmp.path().string());
  ASSERT_TRUE(r.is_ok());
  const auto inv = r->rope.inv_freq(hs);
  std::mt19937_64 rng(hw_test::test_seed());
  std::normal_distribution<float> nd;
  golden::VecF x(d);
  for (int64_t i = 0; i < d; ++i) x[i] = nd(rng);
  auto rotate_half = [&](golden::VecF v, int64_t pos) {  // Hugging Face's apply_rotary_pos_emb
    for (int64_t h = 0; h < v.size() / hs; ++h) {
      for (int64_t j = 0; j < hs / 2; ++j) {
        const double a = static_cast<double>(pos) * inv[static_cast<size_t>(j)];
        const float c = static_cast<float>(std::cos(a)), s = static_cast<float>(std::sin(a));
        const float x0 = v[h * hs + j], x1 = v[h * hs + j + hs / 2];
        v[h * hs + j] = x0 * c - x1 * s;
        v[h * hs + j + hs / 2] = x1 * c + x0 * s;
      }
    }
    return v;
  };
  auto interleaved = [&](golden::VecF v, int64_t pos) {  // llama2.c's, numerics §7
    for (int64_t i = 0; i < v.size(); i += 2) {
      const double a = static_cast<double>(pos) * inv[static_cast<size_t>((i % hs) / 2)];
      const float c = static_cast<float>(std::cos(a)), s = static_cast<float>(std::sin(a));
      const float x0 = v[i], x1 = v[i + 1];
      v[i] = x0 * c - x1 * s;
      v[i + 1] = x0 * s + x1 * c;
    }
    return v;
  };
  for (int64_t pq = 0; pq < kSmall.seq_len; ++pq) {
    for (int64_t pk = 0; pk <= pq; ++pk) {
      const golden::VecF qh = rotate_half(hq * x, pq), kh = rotate_half(hk * x, pk);
      const golden::VecF qi = interleaved(r->layers[0].wq * x, pq), ki = interleaved(r->layers[0].wk * x, pk);
      for (int64_t h = 0; h < kSmall.n_heads; ++h) {
        const int64_t g = h / kSmall.kv_mul();
        const float a = qh.segment(h * hs, hs).dot(kh.segment(g * hs, hs));
        const float b = qi.segment(h * hs, hs).dot(ki.segment(g * hs, hs));
        ASSERT_NEAR(a, b, 1e-5f * (1.0f + std::fabs(a))) << "head " << h << ", positions " << pq << ", " << pk;
      }
    }
  }
}

TEST(HfLlama, ConfigErrorsNameTheKey) {
  TmpDir tmp;
  const auto m = gen::synthesize(kSmall, true, 3, "small");
  ASSERT_TRUE(gen::write_hf_llama(m, tmp.path().string(), {"F32", 1, true}).is_ok());
  const std::string cfg_path = tmp.file("config.json");
  const auto good = nlohmann::json::parse(read_bytes(cfg_path));
  const std::string p = "config '" + cfg_path + "': ";
  auto err = [&](const std::function<void(nlohmann::json&)>& edit) {
    auto j = good;
    edit(j);
    write_bytes(cfg_path, j.dump());
    auto r = gen::resolve_model(tmp.path().string());
    return r.is_ok() ? std::string("(accepted)") : r.message();
  };
  EXPECT_EQ(err([](auto&) {}), "(accepted)");
  EXPECT_EQ(err([](auto& j) { j.erase("hidden_size"); }), p + "missing key \"hidden_size\"");
  EXPECT_EQ(err([](auto& j) { j["num_hidden_layers"] = 0; }),
            p + "\"num_hidden_layers\" is 0; it must be a positive integer");
  EXPECT_EQ(err([](auto& j) { j["vocab_size"] = "30"; }), p + "\"vocab_size\" must be an integer, got the string \"30\"");
  EXPECT_EQ(err([](auto& j) { j["model_type"] = "mistral"; }),
            p + "\"model_type\" is the string \"mistral\"; hardwire reads Llama-family models (\"llama\")");
  EXPECT_EQ(err([](auto& j) { j["architectures"] = {"GPT2LMHeadModel"}; }),
            p + "\"architectures\" does not name LlamaForCausalLM; hardwire reads Llama-family models");
  EXPECT_EQ(err([](auto& j) { j["hidden_act"] = "gelu"; }),
            p + "\"hidden_act\" is the string \"gelu\"; hardwire's FFN is SwiGLU (\"silu\")");
  EXPECT_EQ(err([](auto& j) { j["attention_bias"] = true; }),
            p + "\"attention_bias\" is true; hardwire's Llama has no biases (false)");
  EXPECT_EQ(err([](auto& j) { j["sliding_window"] = 4096; }),
            p + "\"sliding_window\" is set (4096); hardwire's architecture has full attention, no sliding "
                "window");
  EXPECT_EQ(err([](auto& j) { j["num_local_experts"] = 8; }),
            p + "\"num_local_experts\" is set (8); hardwire's architecture has a dense FFN, no mixture of "
                "experts");
  EXPECT_EQ(err([](auto& j) { j["head_dim"] = 8; }),
            p + "\"head_dim\" is 8 but hidden_size / num_attention_heads is 4; hardwire's attention needs head_dim x "
                "num_attention_heads = hidden_size");
  EXPECT_EQ(err([](auto& j) { j["num_key_value_heads"] = 3; }).rfind(p, 0), 0u);
  EXPECT_EQ(err([](auto& j) { j["rms_norm_eps"] = 0; }),
            p + "\"rms_norm_eps\" is 0; it must lie in (0, 1) (Llama uses 1e-5 or 1e-6)");
  EXPECT_EQ(err([](auto& j) { j["rope_theta"] = -1; }),
            p + "\"rope_theta\" is -1; it must lie in (1, 1e12) (Llama: 10000 or 500000)");
  EXPECT_EQ(err([](auto& j) { j["rope_scaling"] = {{"rope_type", "yarn"}, {"factor", 4}}; }),
            p + "\"rope_scaling\" type \"yarn\" is not supported; hardwire applies none, \"default\" or \"llama3\"");
  EXPECT_EQ(err([](auto& j) { j["rope_scaling"] = {{"rope_type", "llama3"}, {"factor", 8}}; }),
            p + "\"rope_scaling\" of type llama3 needs a number \"low_freq_factor\"");
  EXPECT_EQ(err([](auto& j) { j["tie_word_embeddings"] = "yes"; }), p + "\"tie_word_embeddings\" must be true or false");
  EXPECT_EQ(err([](auto& j) { j["bos_token_id"] = 30; }),
            p + "\"bos_token_id\" is 30, not a token of the vocab (30)");
  // Shapes that disagree with the tensors.
  EXPECT_EQ(err([](auto& j) { j["intermediate_size"] = 41; }),
            "Hugging Face model '" + tmp.path().string() +
                "': tensor \"model.layers.0.mlp.gate_proj.weight\" has shape [40, 16] but config.json implies [41, 16]");
  EXPECT_EQ(err([](auto& j) { j["tie_word_embeddings"] = false; }),
            "Hugging Face model '" + tmp.path().string() +
                "': tensor \"lm_head.weight\" is missing (config.json: " + kSmall.to_string() +
                ", untied embeddings)");
  write_bytes(cfg_path, "{\"hidden_size\": 16,");
  EXPECT_EQ(gen::resolve_model(tmp.path().string()).message().rfind(p.substr(0, p.size() - 2), 0), 0u);
}

TEST(HfLlama, TensorAndIndexErrorsNameTheTensor) {
  TmpDir tmp;
  const auto m = gen::synthesize(kSmall, true, 3, "small");
  const std::string dir = tmp.path().string();
  const std::string pre = "Hugging Face model '" + dir + "': ";
  ASSERT_TRUE(gen::write_hf_llama(m, dir, {"F32", 2, true}).is_ok());
  ASSERT_TRUE(gen::resolve_model(dir).is_ok());
  const std::string index = tmp.file("model.safetensors.index.json");
  const auto good = nlohmann::json::parse(read_bytes(index));
  auto j = good;
  j["weight_map"]["model.norm.weight"] = "model-00001-of-00002.safetensors";
  write_bytes(index, j.dump());
  EXPECT_EQ(gen::resolve_model(dir).message(),
            "checkpoint index '" + index + "': weight_map puts tensor \"model.norm.weight\" in "
            "model-00001-of-00002.safetensors, which does not hold it");
  j = good;
  j["weight_map"]["model.norm.weight"] = "../elsewhere.safetensors";
  write_bytes(index, j.dump());
  EXPECT_EQ(gen::resolve_model(dir).message(),
            "checkpoint index '" + index + "': weight_map names file \"../elsewhere.safetensors\"; shards are plain "
            "file names in the checkpoint's directory");
  j = good;
  j["weight_map"].erase("model.norm.weight");
  write_bytes(index, j.dump());
  EXPECT_EQ(gen::resolve_model(dir).message(),
            "checkpoint index '" + index + "': tensor \"model.norm.weight\" of model-00002-of-00002.safetensors is "
            "not listed for that file in weight_map; the shards and the index disagree");
  fs::remove(index);
  EXPECT_EQ(gen::resolve_model(dir).message(),
            "Hugging Face model directory '" + dir + "' has neither model.safetensors nor "
            "model.safetensors.index.json; hardwire reads safetensors checkpoints (convert a pytorch_model.bin with "
            "transformers' save_pretrained(safe_serialization=True))");
  // Single file: a missing tensor, an extra bias, a dtype that is not a float.
  for (const auto& p : fs::directory_iterator(tmp.path())) fs::remove(p.path());
  ASSERT_TRUE(gen::write_hf_llama(m, dir, {"F16", 1, true}).is_ok());
  auto f = gen::SafetensorsFile::open(tmp.file("model.safetensors"));
  ASSERT_TRUE(f.is_ok());
  auto rewrite = [&](const std::function<void(std::vector<gen::TensorInfo>&)>& edit) {
    std::vector<gen::TensorInfo> t = f->tensors();
    edit(t);
    uint64_t at = 0;
    for (auto& x : t) {
      const uint64_t n = x.end - x.begin;
      x.begin = at;
      x.end = at + n;
      at += n;
    }
    write_bytes(tmp.file("model.safetensors"), gen::safetensors_header(t, {}) + std::string(at, '\0'));
    auto r = gen::resolve_model(dir);
    return r.is_ok() ? std::string("(accepted)") : r.message();
  };
  EXPECT_EQ(rewrite([](auto&) {}), "(accepted)");
  EXPECT_EQ(rewrite([](auto& t) { t.erase(t.begin() + 3); }),
            pre + "tensor \"model.layers.0.self_attn.k_proj.weight\" is missing (config.json: " + kSmall.to_string() +
                ", tied embeddings)");
  EXPECT_EQ(rewrite([](auto& t) { t.push_back({"model.layers.0.self_attn.q_proj.bias", "F16", {16}, 0, 32}); }),
            pre + "tensor \"model.layers.0.self_attn.q_proj.bias\" is not part of the Llama architecture hardwire "
                  "builds (it has no biases); only LlamaForCausalLM checkpoints are supported");
  EXPECT_EQ(rewrite([](auto& t) { t.push_back({"model.layers.0.self_attn.rotary_emb.inv_freq", "F32", {2}, 0, 8}); }),
            "(accepted)");
  EXPECT_EQ(rewrite([](auto& t) {
              t[0].dtype = "I16";  // same bytes, not a float
            }),
            pre + "tensor \"model.embed_tokens.weight\" is I16; hardwire reads weights stored as F32, F16 or BF16 (a "
                  "quantized checkpoint? use the original)");
  EXPECT_EQ(gen::resolve_model(tmp.path().parent_path().string() + "/nosuch/").message().rfind("unknown model", 0), 0u);
  // Weights are checked as a llama2.c checkpoint's are (check_weight_values): finite, within +-65504.
  auto bad = m;
  bad.layers[1].wo(0, 3) = std::numeric_limits<float>::quiet_NaN();
  fs::create_directories(tmp.path() / "nan");
  ASSERT_TRUE(gen::write_hf_llama(bad, tmp.file("nan"), {"F32", 1, true}).is_ok());
  EXPECT_EQ(gen::read_hf_llama(tmp.file("nan")).message(),
            "Hugging Face model '" + tmp.file("nan") + "': tensor model.layers.1.self_attn.o_proj.weight holds a "
            "non-finite value (nan) at element 3; the checkpoint is corrupt");
  fs::create_directories(tmp.path() / "empty");
  EXPECT_EQ(gen::resolve_model(tmp.file("empty")).message(),
            "directory '" + tmp.file("empty") +
                "' has no config.json; a Hugging Face model directory holds config.json and model.safetensors");
}

// The real stories260K (../shared/models) as Hugging Face would publish it: F32 gives the identical model (float
// and integer); F16 and BF16 give every weight rounded to the format and the same float text.
TEST(HfLlama, RealStories260KConvertedReadsBackAsTheSameModel) {
  if (!fs::exists(kModels + "/stories260K.bin"))
    GTEST_SKIP() << "the real checkpoint is not at " << kModels << " (see ../shared/models/README.md); skipped";
  TmpDir tmp;
  auto bin = gen::read_llama2c(kModels + "/stories260K.bin");
  ASSERT_TRUE(bin.is_ok()) << bin.message();
  const auto q_bin = gen::quantize(*bin, {});
  ASSERT_TRUE(q_bin.is_ok());
  auto greedy = [](const golden::FloatModel& fm, int64_t n, std::vector<golden::VecF>* logits) {
    golden::FloatDecoder dec(fm);
    std::vector<int64_t> out;
    int64_t tok = golden::kBosToken;
    for (int64_t pos = 0; pos < n; ++pos) {
      const golden::VecF l = dec.step(tok, pos);
      if (logits) logits->push_back(l);
      Eigen::Index best = 0;
      l.maxCoeff(&best);
      tok = best;
      out.push_back(tok);
    }
    return out;
  };
  std::vector<golden::VecF> ref_logits;
  const auto ref = greedy(*bin, 64, &ref_logits);
  for (const char* dtype : {"F32", "F16", "BF16"}) {
    SCOPED_TRACE(dtype);
    const fs::path dir = tmp.path() / dtype;
    fs::create_directories(dir);
    ASSERT_TRUE(gen::write_hf_llama(*bin, dir.string(), {dtype, std::string(dtype) == "F16" ? 2 : 1, true}).is_ok());
    auto hf = gen::read_hf_llama(dir.string());
    ASSERT_TRUE(hf.is_ok()) << hf.message();
    if (std::string(dtype) == "F32") {
      EXPECT_TRUE(same_weights(*bin, *hf));
      std::vector<golden::VecF> l;
      EXPECT_EQ(greedy(*hf, 64, &l), ref);
      for (size_t i = 0; i < l.size(); ++i) ASSERT_EQ(l[i], ref_logits[i]) << "position " << i;
      const auto q_hf = gen::quantize(*hf, {});
      ASSERT_TRUE(q_hf.is_ok());
      golden::IntDecoder a(*q_bin), b(*q_hf);
      int64_t tok = golden::kBosToken;
      for (int64_t pos = 0; pos < 32; ++pos) {
        const auto la = a.step(tok, pos), lb = b.step(tok, pos);
        ASSERT_EQ(la, lb) << "integer logits at position " << pos;
        Eigen::Index best = 0;
        la.maxCoeff(&best);
        tok = best;
      }
    } else {
      const bool f16 = std::string(dtype) == "F16";
      auto rounded = [&](float x) {
        return f16 ? gen::f16_to_float(gen::float_to_f16(x)) : gen::bf16_to_float(gen::float_to_bf16(x));
      };
      const auto& a = bin->layers[2].w2;
      const auto& b = hf->layers[2].w2;
      for (Eigen::Index i = 0; i < a.size(); ++i) ASSERT_EQ(b.data()[i], rounded(a.data()[i])) << "w2[2] " << i;
      for (Eigen::Index i = 0; i < bin->token_embedding.size(); ++i)
        ASSERT_EQ(hf->token_embedding.data()[i], rounded(bin->token_embedding.data()[i]));
      std::vector<golden::VecF> l;
      const auto toks = greedy(*hf, 64, &l);
      double worst = 0;
      for (size_t i = 0; i < l.size(); ++i)
        worst = std::max(worst, static_cast<double>((l[i] - ref_logits[i]).cwiseAbs().maxCoeff()));
      // The rounding of the weights moves the logits by a little: F16 ~1e-3, BF16 ~1e-2 of logits of magnitude ~10.
      EXPECT_LT(worst, f16 ? 0.02 : 0.2) << "largest logit difference over 64 positions";
      size_t agree = 0;
      while (agree < toks.size() && toks[agree] == ref[agree]) ++agree;
      EXPECT_GE(agree, f16 ? 64u : 32u) << "greedy tokens equal to the float32 model's";
      std::printf("[ MEASURED ] %s: largest logit difference %.4g over 64 positions, greedy text equal for %zu\n",
                  dtype, worst, agree);
    }
  }
}

TEST(HfTokenizer, Tok512AsTokenizerJsonEncodesAndDecodesAlike) {
  if (!fs::exists(kModels + "/tok512.bin"))
    GTEST_SKIP() << "the real tokenizer is not at " << kModels << " (see ../shared/models/README.md); skipped";
  TmpDir tmp;
  auto bin = gen::read_tokenizer(kModels + "/tok512.bin", 512);
  ASSERT_TRUE(bin.is_ok()) << bin.message();
  for (bool metaspace : {false, true}) {
    SCOPED_TRACE(metaspace ? "Metaspace pre-tokenizer" : "Prepend + Replace normalizer");
    write_bytes(tmp.file("tokenizer.json"), hw_test::to_tokenizer_json(*bin, metaspace).dump());
    auto hf = gen::read_tokenizer(tmp.file("tokenizer.json"), 512);
    ASSERT_TRUE(hf.is_ok()) << hf.message();
    EXPECT_FALSE(hf->merge_ranks.empty());
    for (const char* text : {"Once upon a time", "Lily and Ben went to the park. They saw a big, red ball!",
                             "  two  spaces", "caf\xC3\xA9 \xE2\x82\xAC 42", "", "zzzz qqqq xyzzy"}) {
      SCOPED_TRACE(text);
      auto a = bin->encode(text, true), b = hf->encode(text, true);
      ASSERT_TRUE(a.is_ok() && b.is_ok());
      EXPECT_EQ(*a, *b);
      std::string da, db;
      int64_t pa = golden::kBosToken, pb = golden::kBosToken;
      for (size_t i = 1; i < a->size(); ++i) da += bin->decode(pa, (*a)[i]), pa = (*a)[i];
      for (size_t i = 1; i < b->size(); ++i) db += hf->decode(pb, (*b)[i]), pb = (*b)[i];
      EXPECT_EQ(da, db);
      EXPECT_EQ(db, text);
    }
  }
}

TEST(HfTokenizer, UnsupportedKindsAndBadFilesGiveOneError) {
  TmpDir tmp;
  const std::string path = tmp.file("tokenizer.json");
  const std::string p = "tokenizer '" + path + "': ";
  const nlohmann::json good = {
      {"normalizer",
       {{"type", "Sequence"},
        {"normalizers",
         {{{"type", "Prepend"}, {"prepend", "\xE2\x96\x81"}},
          {{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", "\xE2\x96\x81"}}}}}},
      {"model",
       {{"type", "BPE"},
        {"byte_fallback", true},
        {"vocab", {{"<unk>", 0}, {"<s>", 1}, {"</s>", 2}, {"a", 3}, {"b", 4}, {"ab", 5}, {"\xE2\x96\x81", 6}}},
        {"merges", {"a b"}}}}};
  auto err = [&](const std::function<void(nlohmann::json&)>& edit) {
    auto j = good;
    edit(j);
    write_bytes(path, j.dump());
    auto r = gen::read_tokenizer(path, 8);
    return r.is_ok() ? std::string("(accepted)") : r.message();
  };
  EXPECT_EQ(err([](auto&) {}), "(accepted)");
  write_bytes(path, good.dump());
  auto t = gen::read_tokenizer(path, 8);
  ASSERT_TRUE(t.is_ok());
  EXPECT_EQ(t->pieces[6], " ");
  EXPECT_EQ(*t->encode("ab", true), (std::vector<int64_t>{1, 6, 5}));
  // Byte fallback goes by the piece's name ("<0xC3>"), which this vocab lacks: one error, no wrong token.
  EXPECT_EQ(t->encode("a\xC3\xA9", true).message(),
            "prompt character at byte 1 (bytes c3 a9) has no token in this tokenizer and no byte-fallback token (its "
            "vocab has no <0xC3>); remove it from the prompt");
  EXPECT_EQ(err([](auto& j) { j["pre_tokenizer"] = {{"type", "ByteLevel"}, {"add_prefix_space", false}}; }),
            p + "a byte-level BPE tokenizer (GPT-2, Llama 3) is not supported; hardwire reads sentencepiece-style BPE "
                "(Llama 2, TinyLlama): pass token ids, or a llama2.c tokenizer.bin");
  EXPECT_EQ(err([](auto& j) { j["model"]["type"] = "Unigram"; }),
            p + "model type \"Unigram\" is not supported; hardwire reads sentencepiece-style BPE tokenizers (\"BPE\" "
                "with byte fallback, as Llama 2's)");
  EXPECT_EQ(err([](auto& j) { j["normalizer"] = nullptr; }),
            p + "its normalizer and pre_tokenizer are not sentencepiece's (a \"\xE2\x96\x81\" prepended, spaces as "
                "\"\xE2\x96\x81\", no word splitting); this kind of tokenizer is not supported");
  EXPECT_EQ(err([](auto& j) { j["model"]["byte_fallback"] = false; }),
            p + "\"byte_fallback\" is not true; hardwire's encoder falls back to <0xHH> byte tokens");
  EXPECT_EQ(err([](auto& j) { j["model"]["vocab"]["c"] = 9; }),
            p + "token \"c\" has id 9, not an id of the model's 8 tokens; is it the model's tokenizer?");
  EXPECT_EQ(err([](auto& j) { j["model"]["vocab"]["c"] = 4; }), p + "id 4 is given to two tokens");
  EXPECT_EQ(err([](auto& j) { j["model"]["merges"] = {"a c"}; }),
            p + "merge 0 (\"a\", \"c\") names a piece that is not in the vocab");
  EXPECT_EQ(err([](auto& j) { j["model"]["merges"] = {"abc"}; }), p + "merge 0 \"abc\" is not two pieces");
  EXPECT_EQ(err([](auto& j) { j.erase("model"); }), p + "no \"model\" object; is it a Hugging Face tokenizer.json?");
  // Fields of the wrong type are "not sentencepiece's", never an exception.
  const std::string not_sp = p + "its normalizer and pre_tokenizer are not sentencepiece's (a \"\xE2\x96\x81\" prepended, "
                                 "spaces as \"\xE2\x96\x81\", no word splitting); this kind of tokenizer is not supported";
  EXPECT_EQ(err([](auto& j) { j["normalizer"]["normalizers"][0]["prepend"] = 5; }), not_sp);
  EXPECT_EQ(err([](auto& j) { j["normalizer"]["normalizers"][1]["pattern"] = "x"; }), not_sp);
  EXPECT_EQ(err([](auto& j) {
              j["normalizer"] = nullptr;
              j["pre_tokenizer"] = {{"type", "Metaspace"}, {"replacement", "\xE2\x96\x81"}, {"add_prefix_space", "yes"}};
            }),
            not_sp);
  EXPECT_EQ(err([](auto& j) {
              j["normalizer"] = nullptr;
              j["pre_tokenizer"] = {{"type", "Metaspace"}, {"replacement", "\xE2\x96\x81"}, {"add_prefix_space", true}};
            }),
            "(accepted)");
  EXPECT_EQ(err([](auto& j) { j["model"]["type"] = 3; }),
            p + "model type \"\" is not supported; hardwire reads sentencepiece-style BPE tokenizers (\"BPE\" with "
                "byte fallback, as Llama 2's)");
}
