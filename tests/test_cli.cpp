// The `hardwire` command line, run as a user runs it: exit codes, output, and one clear error line for bad input.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "hardwire/gen/fidelity.hpp"
#include "hardwire/gen/llama2c.hpp"
#include "hardwire/gen/safetensors.hpp"
#include "hardwire/gen/model_source.hpp"
#include "support/ascii_tokenizer.hpp"
#include "support/cli_run.hpp"
#include "support/tmpdir.hpp"

using namespace hardwire;
using hw_test::read_bytes;
using hw_test::TmpDir;
using hw_test::write_bytes;

namespace {

using hw_test::CliRun;

CliRun run(const TmpDir& tmp, const std::string& args) { return hw_test::run_hardwire(tmp, args); }

// A user error: exit 1, nothing on stdout, exactly one line "hardwire: error: <message>" on stderr.
void expect_user_error(const CliRun& r, const std::string& message) {
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "hardwire: error: " + message + "\n");
}

}  // namespace

TEST(Cli, InfoOnEveryPreset) {
  TmpDir tmp;
  for (const auto& p : gen::presets()) {
    const CliRun r = run(tmp, std::string("info --model ") + p.name);
    EXPECT_EQ(r.exit_code, 0) << p.name << r.err;
    EXPECT_NE(r.out.find("weight bytes"), std::string::npos);
    EXPECT_NE(r.out.find("MACs/token"), std::string::npos);
    EXPECT_NE(r.out.find("KV cache"), std::string::npos);
    EXPECT_TRUE(r.err.empty()) << r.err;
  }
  const CliRun r = run(tmp, "info --model stories110M");
  EXPECT_NE(r.out.find("parameters     109,529,856"), std::string::npos) << r.out;
}

TEST(Cli, InfoOnCheckpointAndJson) {
  TmpDir tmp;
  const auto m = gen::synthesize(golden::Shape{16, 40, 2, 4, 2, 30, 8}, false, 1, "x");
  ASSERT_TRUE(gen::write_llama2c(m, tmp.file("m.bin")).is_ok());
  CliRun r = run(tmp, "info --model " + tmp.file("m.bin") + " --json " + tmp.file("info.json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("llama2.c checkpoint"), std::string::npos);
  EXPECT_NE(r.out.find("separate matrix"), std::string::npos);
  EXPECT_NE(read_bytes(tmp.file("info.json")).find("\"weight_bytes\""), std::string::npos);
  write_bytes(tmp.file("s.json"), R"({"dim": 64, "hidden_dim": 172, "n_layers": 5, "n_heads": 8, "n_kv_heads": 4,
                                     "vocab_size": 512, "seq_len": 512})");
  r = run(tmp, "info -m " + tmp.file("s.json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("dim 64, hidden 172, layers 5, heads 8 (kv 4), vocab 512, seq 512"), std::string::npos);
}

// The weights as the chip stores them in a weight format: tiny (dim 32, hidden 96, 2 layers, kv dim 16, vocab 100)
// holds 27,776 matrix codes (12,288 a layer and 3,200 of the classifier) and 3,200 embedding bytes; at groups of 8
// inputs, 3,472 groups (1,536 a layer: 128 + 64 + 64 + 128 + 384 + 384 + 384, and 400 of the classifier), each an
// 8-bit scale and a 4-bit zero point: the weight memory (what the matrix engine reads); the embedding table is apart.
// The port still reads 64 codes a cycle: the same bound in cycles.
TEST(Cli, InfoInAWeightFormat) {
  TmpDir tmp;
  CliRun r = run(tmp, "info --model tiny --weight-bits 4 --weight-group 8 --weight-zero-point --json " + tmp.file("i.json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("weight memory  152,768 bits (18.6 KiB) in the chip's format (int4 weights with a scale and a "
                       "zero point per 8 inputs): codes 111,104, group entries 41,664; the embedding table 25,600 more "
                       "(int8)\n"),
            std::string::npos) << r.out;  // 4 x 27,776 + 12 x 3,472
  EXPECT_NE(r.out.find("weight port 64 4-bit codes per cycle (256 bits; 8 banks of 8 codes): weight-delivery bound 434 "
                       "cycles/token"),
            std::string::npos) << r.out;
  const auto j = nlohmann::json::parse(read_bytes(tmp.file("i.json")));
  EXPECT_EQ(j.at("weight_format").at("bits"), 4);
  EXPECT_EQ(j.at("weight_format").at("group"), 8);
  EXPECT_EQ(j.at("weight_format").at("zero_point"), true);
  EXPECT_EQ(j.at("weight_memory_bits").at("total"), 152768);
  EXPECT_EQ(j.at("embedding_bits"), 25600);
  EXPECT_EQ(j.at("weight_memory_bits").at("group_entries"), 41664);
  EXPECT_EQ(j.at("weight_bytes"), 30976);  // the int8 figure stays what it says
  // The default: int8 per row, no group entries.
  r = run(tmp, "info --model tiny");
  EXPECT_NE(r.out.find("weight memory  222,208 bits (27.1 KiB) in the chip's format (int8 weights): codes 222,208, "
                       "group entries 0; the embedding table 25,600 more (int8)\n"),
            std::string::npos) << r.out;
  EXPECT_NE(r.out.find("weight port 64 bytes per cycle (8 banks of 8 bytes): weight-delivery bound 434"), std::string::npos);
  // Formats the chip cannot hold are refused as generate refuses them.
  expect_user_error(run(tmp, "info --model tiny --weight-bits 5"), "--weight-bits 5 is not supported; use 4, 6 or 8");
  expect_user_error(run(tmp, "info --model tiny --weight-bits 4 --weight-group 12"),
                    "--weight-group 12 must be a multiple of the weight port's 8 rows (the matrix engine takes 8 inputs "
                    "per cycle), e.g. --weight-group 16");
}

// A Llama-3.1-8B-sized Hugging Face directory: its config and one BF16 safetensors file whose 16 GB of data are a
// hole (a sparse file). info, which needs only the shape, reads the headers and nothing else.
TEST(Cli, InfoOnALlama3SizedHuggingFaceDirectoryReadsOnlyTheHeaders) {
  TmpDir tmp;
  const auto dir = tmp.path() / "Llama-3.1-8B";
  std::filesystem::create_directories(dir);
  write_bytes((dir / "config.json").string(), R"({
    "architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 4096, "intermediate_size": 14336,
    "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 8, "vocab_size": 128256,
    "max_position_embeddings": 131072, "rms_norm_eps": 1e-05, "rope_theta": 500000.0, "hidden_act": "silu",
    "attention_bias": false, "mlp_bias": false, "tie_word_embeddings": false, "torch_dtype": "bfloat16",
    "bos_token_id": 128000, "eos_token_id": 128001, "head_dim": 128,
    "rope_scaling": {"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                     "original_max_position_embeddings": 8192, "rope_type": "llama3"}})");
  std::vector<gen::TensorInfo> t;
  uint64_t at = 0;
  auto add = [&](const std::string& name, std::vector<int64_t> shape) {
    uint64_t n = 2;
    for (int64_t d : shape) n *= static_cast<uint64_t>(d);
    t.push_back({name, "BF16", std::move(shape), at, at + n});
    at += n;
  };
  add("model.embed_tokens.weight", {128256, 4096});
  for (int l = 0; l < 32; ++l) {
    const std::string p = "model.layers." + std::to_string(l) + ".";
    add(p + "input_layernorm.weight", {4096});
    add(p + "self_attn.q_proj.weight", {4096, 4096});
    add(p + "self_attn.k_proj.weight", {1024, 4096});
    add(p + "self_attn.v_proj.weight", {1024, 4096});
    add(p + "self_attn.o_proj.weight", {4096, 4096});
    add(p + "post_attention_layernorm.weight", {4096});
    add(p + "mlp.gate_proj.weight", {14336, 4096});
    add(p + "mlp.up_proj.weight", {14336, 4096});
    add(p + "mlp.down_proj.weight", {4096, 14336});
  }
  add("model.norm.weight", {4096});
  add("lm_head.weight", {128256, 4096});
  const std::string header = gen::safetensors_header(t, {{"format", "pt"}});
  const std::string file = (dir / "model.safetensors").string();
  write_bytes(file, header);
  std::filesystem::resize_file(file, header.size() + at);  // 16,060,522,496 bytes of weights, none on disk
  EXPECT_EQ(at, 16060522496u);
  CliRun r = run(tmp, "info --model " + dir.string() + " --seq-len 8192 --array 32x32");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Llama-3.1-8B (Hugging Face checkpoint " + dir.string() + ")"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("dim 4096, hidden 14336, layers 32, heads 32 (kv 8), vocab 128256, seq 8192"),
            std::string::npos)
      << r.out;
  r = run(tmp, "info --model " + dir.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("vocab 128256, seq 131072"), std::string::npos) << r.out;
  expect_user_error(run(tmp, "info --model " + dir.string() + " --seq-len 200000"),
                    "config '" + (dir / "config.json").string() +
                        "': --seq-len 200000 is more than the model's max_position_embeddings 131072; give at most "
                        "that");
}

TEST(Cli, GoldenOnDefaultModel) {
  TmpDir tmp;
  const CliRun r = run(tmp, "golden --model tiny --steps 32 --json " + tmp.file("g.json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("free-running greedy:"), std::string::npos);
  EXPECT_NE(r.out.find("top-1 agreement"), std::string::npos);
  EXPECT_NE(r.out.find("logit cosine"), std::string::npos);
  EXPECT_NE(r.out.find("   31    31"), std::string::npos) << "one row per step";
  const std::string j = read_bytes(tmp.file("g.json"));
  EXPECT_NE(j.find("\"top1_agreement\""), std::string::npos);
  // Deterministic: same output twice.
  const CliRun again = run(tmp, "golden --model tiny --steps 32");
  auto strip_time = [](std::string s) { return s.substr(0, s.find("decode time")); };
  auto body = [](std::string s) { return s.substr(s.find("\n step")); };
  EXPECT_EQ(body(strip_time(r.out)), body(strip_time(again.out)));
}

TEST(Cli, GoldenWithTokenizerAndPrompt) {
  TmpDir tmp;
  ASSERT_TRUE(gen::write_tokenizer(hw_test::ascii_tokenizer(), tmp.file("tok.bin")).is_ok());  // tiny's 100 tokens
  CliRun r = run(tmp, "golden --model tiny --tokenizer " + tmp.file("tok.bin") + " --prompt 'hi there' --steps 8");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("decoding 8 steps from a 10-token prompt"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("float:   hi there"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("integer: hi there"), std::string::npos) << r.out;
}

TEST(Cli, UserErrors) {
  TmpDir tmp;
  expect_user_error(run(tmp, "info --model nosuch"),
                    "unknown model 'nosuch': not a preset (tiny, stories260K, stories15M, stories42M, stories110M) and "
                    "no such file; pass a preset name, a .json shape file, a llama2.c checkpoint or a Hugging Face "
                    "model directory");
  write_bytes(tmp.file("short.bin"), "abc");
  expect_user_error(run(tmp, "golden --model " + tmp.file("short.bin")),
                    "checkpoint '" + tmp.file("short.bin") +
                        "': file is 3 bytes, shorter than the 28-byte llama2.c header; is it a llama2.c checkpoint?");
  const auto m = gen::synthesize(golden::Shape{16, 40, 2, 4, 2, 30, 8}, true, 1, "x");
  ASSERT_TRUE(gen::write_llama2c(m, tmp.file("m.bin")).is_ok());
  const std::string b = read_bytes(tmp.file("m.bin"));
  write_bytes(tmp.file("m.bin"), b.substr(0, b.size() / 2));
  CliRun r = run(tmp, "info --model " + tmp.file("m.bin"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("(truncated download or copy?)"), std::string::npos) << r.err;
  expect_user_error(run(tmp, "golden --model tiny --prompt hello"),
                    "--prompt needs --tokenizer to turn the text into token ids");
  expect_user_error(run(tmp, "golden --model tiny --steps 65"),
                    "prompt (1 tokens) and 65 steps need 65 positions but the model's seq_len is 64; use at most "
                    "--steps 64");
  expect_user_error(run(tmp, "golden --model tiny --steps 0"), "--steps must be at least 1");
  expect_user_error(run(tmp, "info --widths res=9"), "activation width res=9 is not supported; use 8 or 16");
  expect_user_error(run(tmp, "golden --tokenizer " + tmp.file("none.bin")),
                    "cannot open tokenizer '" + tmp.file("none.bin") + "': no such file");
  expect_user_error(run(tmp, "info --json " + tmp.file("no/dir/x.json")),
                    "cannot write JSON report '" + tmp.file("no/dir/x.json") + "': directory '" + tmp.file("no/dir") +
                        "' does not exist; create it first");
  // The weight format the chip holds: a group is whole input words of the matrix engine (nothing written).
  expect_user_error(run(tmp, "generate --model tiny --array 8x8 --weight-bits 4 --weight-group 12 --out " +
                                 tmp.file("w")),
                    "--weight-group 12 must be a multiple of the weight port's 8 rows (the matrix engine takes 8 "
                    "inputs per cycle), e.g. --weight-group 16");
  EXPECT_FALSE(std::filesystem::exists(tmp.file("w")));
  expect_user_error(run(tmp, "sim --model tiny --array 4x8 --weight-bits 5 --out " + tmp.file("w")),
                    "--weight-bits 5 is not supported; use 4, 6 or 8");
  expect_user_error(run(tmp, "generate --model tiny --array 4x8 --weight-bits 4 --weight-zero-point --out " + tmp.file("w")),
                    "--weight-zero-point needs group scales: a zero point belongs to a group; give --weight-group");
  EXPECT_FALSE(std::filesystem::exists(tmp.file("w")));
  expect_user_error(run(tmp, "generate --model tiny --array 4x8 --finetune -2 --out " + tmp.file("w")),
                    "--finetune -2 is out of range: give the number of fine-tuning steps, 0 (none) to 1000000 "
                    "(numerics §2: about 1,000 suffice for stories260K)");
  expect_user_error(run(tmp, "generate --model tiny --array 4x8 --shape-only --finetune 5 --out " + tmp.file("w")),
                    "--finetune trains the weights' codes but --shape-only writes no weights; drop one of them");
  EXPECT_FALSE(std::filesystem::exists(tmp.file("w")));
  expect_user_error(run(tmp, "synth --model tiny --array 4x8 --weight-group 4"),
                    "--weight-group 4 is out of range; give 0 (one scale per row) or 8 to 1048576 inputs per group "
                    "scale");
}

// What CLI11 cannot parse (no command, an unknown command or option, a value of the wrong type): one line naming the
// problem and where the options are listed, exit status 2, nothing on stdout. --help is not an error.
TEST(Cli, UsageErrorsAreOneLine) {
  TmpDir tmp;
  const std::string commands = "info, golden, fidelity, generate, synth, sweep, report, sim";
  auto expect_usage_error = [&](const std::string& args, const std::string& message) {
    const CliRun r = run(tmp, args);
    EXPECT_EQ(r.exit_code, 2) << args;
    EXPECT_EQ(r.out, "") << args;
    EXPECT_EQ(r.err, "hardwire: error: " + message + "\n") << args;
  };
  expect_usage_error("", "give a command: " + commands + " ('hardwire --help' says what each does)");
  expect_usage_error("--model tiny", "give a command: " + commands + " ('hardwire --help' says what each does)");
  expect_usage_error("frobnicate", "unknown command 'frobnicate'; the commands are " + commands);
  expect_usage_error("golden --steps notanumber",
                     "Could not convert: --steps = notanumber; 'hardwire golden --help' lists its options");
  expect_usage_error("info --bogus", "The following argument was not expected: --bogus; 'hardwire info --help' "
                                     "lists its options");
  expect_usage_error("generate --model tiny --weight-bits abc --out " + tmp.file("u"),
                     "Could not convert: --weight-bits = abc; 'hardwire generate --help' lists its options");
  EXPECT_FALSE(std::filesystem::exists(tmp.file("u")));
  for (const std::string args : {"--help", "sim --help"}) {
    const CliRun r = run(tmp, args);
    EXPECT_EQ(r.exit_code, 0) << args;
    EXPECT_NE(r.out.find("Usage:"), std::string::npos) << args;
    EXPECT_EQ(r.err, "") << args;
  }
}

// ---- hardwire fidelity ---------------------------------------------------------------------------------------------
namespace {
// The tiny preset's 100-token tokenizer, as tok.bin in the test's directory.
void write_tiny_tokenizer(const TmpDir& tmp) {
  ASSERT_TRUE(gen::write_tokenizer(hw_test::ascii_tokenizer(), tmp.file("tok.bin")).is_ok());
}
// `hardwire ARGS` run in the test's directory: relative paths (and the messages naming them) are its.
CliRun run_in(const TmpDir& tmp, const std::string& args) { return hw_test::run_hardwire(tmp, args, tmp.path()); }
}  // namespace

TEST(Cli, FidelitySampledPromptsAndJson) {
  TmpDir tmp;
  CliRun r = run_in(tmp, "fidelity --model tiny --samples 3 --prompt-tokens 4 --steps 6 --seed 9 --json f.json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("3 prompts of 4 tokens sampled from the float model at temperature 1, seed 9"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\nchip "), std::string::npos) << r.out;
  const auto j = nlohmann::json::parse(read_bytes(tmp.file("f.json")));
  EXPECT_EQ(j["seed"], 9);
  ASSERT_EQ(j["prompts"].size(), 3u);
  for (const auto& p : j["prompts"]) {
    ASSERT_EQ(p.size(), 4u);
    EXPECT_EQ(p[0], 1);  // BOS
  }
  ASSERT_EQ(j["float_tokens"][0].size(), 6u);
  ASSERT_EQ(j["variants"].size(), 1u);
  const auto& v = j["variants"][0];
  EXPECT_EQ(v["name"], "chip");
  EXPECT_GE(v["top1"].get<double>(), 0.0);
  EXPECT_LE(v["top1"].get<double>(), 1.0);
  EXPECT_GT(v["mean_cosine"].get<double>(), 0.9);
  EXPECT_GE(v["mean_kl"].get<double>(), 0.0);
  ASSERT_EQ(v["prompts"].size(), 3u);
  // The margin bins partition the steps: every step of every prompt in one bin, and the agreements with them.
  auto sums = [](const nlohmann::json& bins) {
    std::pair<int64_t, int64_t> s{0, 0};
    EXPECT_EQ(bins.size(), gen::kMarginBins);
    for (size_t k = 0; k < bins.size(); ++k) {
      EXPECT_EQ(bins[k]["margin_from"].get<double>(), gen::kMarginEdges[k]);
      EXPECT_LE(bins[k]["agree"].get<int64_t>(), bins[k]["steps"].get<int64_t>());
      s.first += bins[k]["steps"].get<int64_t>();
      s.second += bins[k]["agree"].get<int64_t>();
    }
    return s;
  };
  EXPECT_EQ(sums(v["by_margin"]), std::make_pair(int64_t{18}, static_cast<int64_t>(std::llround(v["top1"].get<double>() * 18))));
  for (const auto& p : v["prompts"])
    EXPECT_EQ(sums(p["by_margin"]), std::make_pair(int64_t{6}, static_cast<int64_t>(std::llround(p["top1"].get<double>() * 6))));
  EXPECT_NE(r.out.find("the chip's top-1 by the float model's margin"), std::string::npos) << r.out;
  // top-1's standard error: the spread of the prompts' top-1 (each has the same steps) over sqrt(prompts).
  double mean = 0, var = 0;
  for (const auto& p : v["prompts"]) mean += p["top1"].get<double>() / 3;
  for (const auto& p : v["prompts"]) var += (p["top1"].get<double>() - mean) * (p["top1"].get<double>() - mean);
  EXPECT_NEAR(mean, v["top1"].get<double>(), 1e-12);
  EXPECT_NEAR(v["top1_stderr"].get<double>(), std::sqrt(var / 2 / 3), 1e-12);
  // The same seed replays the same prompts and figures, on any number of threads.
  CliRun r2 = run_in(tmp, "fidelity --model tiny --samples 3 --prompt-tokens 4 --steps 6 --seed 9 --threads 1 --json g.json");
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  EXPECT_EQ(read_bytes(tmp.file("f.json")), read_bytes(tmp.file("g.json")));
}

TEST(Cli, FidelityMarginBins) {
  // [0, 0.01) [0.01, 0.02) [0.02, 0.05) [0.05, 0.1) [0.1, 0.2) [0.2, 1]: each edge opens its bin; 1 is in the last.
  EXPECT_EQ(gen::margin_bin(0.0), 0u);
  EXPECT_EQ(gen::margin_bin(0.00999), 0u);
  EXPECT_EQ(gen::margin_bin(0.01), 1u);
  EXPECT_EQ(gen::margin_bin(0.049), 2u);
  EXPECT_EQ(gen::margin_bin(0.05), 3u);
  EXPECT_EQ(gen::margin_bin(0.1), 4u);
  EXPECT_EQ(gen::margin_bin(0.2), 5u);
  EXPECT_EQ(gen::margin_bin(1.0), gen::kMarginBins - 1);
}

TEST(Cli, FidelityAblateListsEveryVariant) {
  TmpDir tmp;
  CliRun r = run_in(tmp, "fidelity --model tiny --samples 2 --prompt-tokens 3 --steps 4 --ablate --json a.json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(read_bytes(tmp.file("a.json")));
  std::vector<std::string> names;
  for (const auto& v : j["variants"]) names.push_back(v["name"]);
  const std::vector<std::string> expect = {"chip",   "weights only", "res=8",  "xn=8",   "q=8",          "k=8",
                                           "v=8",    "att=8",        "gate=8", "up=8",   "h=8",          "all 16",
                                           "all 8",  "calib max",    "round nearest"};
  EXPECT_EQ(names, expect);
}

TEST(Cli, FidelityFineTuned) {
  TmpDir tmp;
  const std::string args = "fidelity --model tiny --weight-bits 4 --weight-group 16 --finetune 6 --samples 2 "
                           "--prompt-tokens 3 --steps 4 --ablate";
  CliRun r = run_in(tmp, args + " --json a.json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("fine-tuned 6 steps on 48 sequences of 64 tokens the float model wrote"), std::string::npos)
      << r.out;
  const auto j = nlohmann::json::parse(read_bytes(tmp.file("a.json")));
  EXPECT_EQ(j["finetune"]["steps"], 6);
  EXPECT_LT(j["finetune"]["loss_after"].get<double>(), j["finetune"]["loss_before"].get<double>());
  EXPECT_GT(j["finetune"]["changed_codes"].get<int64_t>(), 0);
  EXPECT_EQ(j["variants"].back()["name"], "no finetune");
  // Deterministic on any number of threads: the fine-tune's gradients are summed in a fixed order.
  CliRun r2 = run_in(tmp, args + " --threads 1 --json b.json");
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  EXPECT_EQ(read_bytes(tmp.file("a.json")), read_bytes(tmp.file("b.json")));
}

TEST(Cli, FidelityPromptFile) {
  TmpDir tmp;
  write_tiny_tokenizer(tmp);
  write_bytes(tmp.file("p.txt"), "hi there\n\n  \nthe end\r\n");
  CliRun r = run_in(tmp, "fidelity --model tiny --tokenizer tok.bin --prompts p.txt --steps 4");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("2 prompts from p.txt"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("hi there"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("the end"), std::string::npos) << r.out;
}

TEST(Cli, FidelityUserErrors) {
  TmpDir tmp;
  write_tiny_tokenizer(tmp);
  expect_user_error(run_in(tmp, "fidelity --prompts p.txt"), "--prompts needs --tokenizer to turn each line into token ids");
  expect_user_error(run_in(tmp, "fidelity --tokenizer tok.bin --prompts none.txt"),
                    "cannot open prompt file 'none.txt': no such file");
  write_bytes(tmp.file("empty.txt"), "\n \n");
  expect_user_error(run_in(tmp, "fidelity --tokenizer tok.bin --prompts empty.txt"),
                    "empty.txt holds no prompt; give one prompt per line");
  write_bytes(tmp.file("bin.txt"), std::string("ab\0c\n", 5));
  expect_user_error(run_in(tmp, "fidelity --tokenizer tok.bin --prompts bin.txt"),
                    "bin.txt is not a text file (a NUL byte on line 1); give one prompt per line");
  write_bytes(tmp.file("long.txt"), "short\n" + std::string(60, 'a') + "\n");
  expect_user_error(run_in(tmp, "fidelity --tokenizer tok.bin --prompts long.txt --steps 4"),
                    "prompt 2 (62 tokens) and 4 steps need 65 positions but the model's seq_len is 64; use fewer steps "
                    "or shorter prompts");
  expect_user_error(run_in(tmp, "fidelity --steps 0"), "--steps must be at least 1");
  expect_user_error(run_in(tmp, "fidelity --samples 0"), "--samples 0 gives no prompts: give 1 or more");
  expect_user_error(run_in(tmp, "fidelity --prompt-tokens 65"),
                    "--prompt-tokens 65 is out of range: give 1 to the model's seq_len of 64");
  expect_user_error(run_in(tmp, "fidelity --prompt-tokens 60 --steps 10"),
                    "--prompt-tokens 60 and --steps 10 need 69 positions but the model's seq_len is 64; use fewer steps");
  expect_user_error(run_in(tmp, "fidelity --threads -1"), "--threads -1 is negative: give 1 or more (0: the machine's cores)");
  expect_user_error(run_in(tmp, "fidelity --calibration best"),
                    "--calibration 'best' is not a calibration; use max (scale at max |x|) or mse (clip where the mean "
                    "squared error is least)");
  expect_user_error(run_in(tmp, "fidelity --rounding up"),
                    "--rounding 'up' is not a rounding; use nearest or gptq (error-compensating)");
  expect_user_error(run_in(tmp, "fidelity --weight-bits 3"), "--weight-bits 3 is not supported; use 4, 6 or 8");
  expect_user_error(run_in(tmp, "fidelity --finetune 1000001"),
                    "--finetune 1000001 is out of range: give the number of fine-tuning steps, 0 (none) to 1000000 "
                    "(numerics §2: about 1,000 suffice for stories260K)");
  expect_user_error(run_in(tmp, "fidelity --weight-group 2"),
                    "--weight-group 2 is out of range; give 0 (one scale per row) or 8 to 1048576 inputs per group scale");
  expect_user_error(run_in(tmp, "fidelity --weight-group 8 --weight-zero-point"),
                    "--weight-zero-point is offered at 4 and 6 bits; use --weight-bits 4 or 6, or drop it (int8 "
                    "weights are symmetric)");
  EXPECT_FALSE(std::filesystem::exists(tmp.file("f.json")));
}
