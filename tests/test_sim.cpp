// `hardwire sim` on the whole accelerator: a forced fault is caught and named, and bad requests get one clear error.
//
// The end-to-end bit-exact decodes themselves are ctest entries rtl.sim_* (tests/CMakeLists.txt); the fault test
// reuses the tiny 8x8 design and simulator that rtl.sim_tiny_8x8 built (a ctest fixture), on a copy, so no second
// Verilator build is needed.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "hardwire/gen/design.hpp"
#include "hardwire/gen/energy.hpp"
#include "hardwire/gen/hf_llama.hpp"
#include "hardwire/gen/llama2c.hpp"
#include "hardwire/gen/model_source.hpp"
#include "support/cli_run.hpp"
#include "support/hf_tokenizer.hpp"
#include "support/tmpdir.hpp"

namespace fs = std::filesystem;
using hw_test::read_bytes;
using hw_test::TmpDir;
using hw_test::write_bytes;

namespace {

using hw_test::CliRun;

// Runs hardwire in the test's directory.
CliRun run(const TmpDir& tmp, const std::string& args) { return hw_test::run_hardwire(tmp, args, tmp.path().string()); }

// A copy of the fixture's tiny 8x8 design (RTL, images, built simulator) under the same relative name, so that
// `sim --out tiny_8x8` run from the test directory generates the same content hash and reuses it as it is.
fs::path copy_design(const TmpDir& tmp) {
  const fs::path src = fs::path(HARDWIRE_SIM_DIR) / "tiny_8x8";
  if (!fs::is_regular_file(src / "manifest.json")) ADD_FAILURE() << "fixture design missing: " << src;
  const fs::path dst = tmp.path() / "tiny_8x8";
  fs::copy(src, dst, fs::copy_options::recursive);
  return dst;
}

// Overwrites `count` words of weight bank 0 of the matrix `name`, starting at its first word, with `word` (hex text).
void corrupt_weights(const fs::path& design, const std::string& name, int64_t count, const std::string& word) {
  const auto m = nlohmann::json::parse(read_bytes((design / "manifest.json").string()));
  int64_t base = -1;
  for (const auto& w : m["memory_map"]["weights"])
    if (w["name"] == name) base = w["base"].get<int64_t>();
  ASSERT_GE(base, 0) << name << " not in the memory map";
  const auto& ws = m["hardware"]["weight_sram"];
  const int64_t depth = ws["macro_depth"].get<int64_t>();
  for (int64_t a = base; a < base + count; ++a) {
    const std::string image = ws["images"][static_cast<size_t>(a / depth)].get<std::string>();  // bank 0's macros
    const fs::path path = design / image;
    std::istringstream in(read_bytes(path.string()));
    std::string line, text;
    int64_t word_index = 0;
    while (std::getline(in, line)) {
      if (line.rfind("//", 0) != 0) {
        if (word_index == a % depth) {
          ASSERT_EQ(line.size(), word.size());
          line = word;
        }
        ++word_index;
      }
      text += line + "\n";
    }
    write_bytes(path.string(), text);
  }
}

TEST(SimFault, CorruptedWeightImageIsCaughtAndLocalized) {
  TmpDir tmp;
  const fs::path d = copy_design(tmp);
  // Layer 1's w1 (the FFN gate projection): its first 8 words in weight bank 0, every lane = +127.
  corrupt_weights(d, "L1.w1", 8, "7f7f7f7f7f7f7f7f");
  const CliRun r = run(tmp, "sim --model tiny --array 8x8 --steps 4 --out tiny_8x8");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  // Reused as generated (the manifest is unchanged), and the simulator binary was not rebuilt.
  EXPECT_NE(r.out.find("reused"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("hardwire: error: not bit-exact: step 0 (pos 0): L1.ffn.gate["), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("; written by instruction "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(" (MATVEC L1.w1 -> L1.ffn.gate)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("HARDWIRE_SEED="), std::string::npos) << r.err;
}

TEST(SimFault, CorruptedClassifierIsCaughtAtTheLogits) {
  TmpDir tmp;
  const fs::path d = copy_design(tmp);
  corrupt_weights(d, "cls", 1, "8181818181818181");
  const CliRun r = run(tmp, "sim --model tiny --array 8x8 --steps 2 --out tiny_8x8");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("not bit-exact: step 0 (pos 0): logits["), std::string::npos) << r.err;
}

TEST(SimFault, UntouchedCopyIsBitExact) {
  TmpDir tmp;
  copy_design(tmp);
  const CliRun r =
      run(tmp, "sim --model tiny --array 8x8 --steps 3 --out tiny_8x8 --json sim.json --clock-mhz 250");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto j = nlohmann::json::parse(read_bytes(tmp.file("sim.json")));
  EXPECT_TRUE(j["bit_exact"].get<bool>());
  EXPECT_EQ(j["positions"].get<int>(), 3);
  EXPECT_GT(j["cycles_per_token"].get<double>(), j["bounds"]["weight_bandwidth_cycles"].get<double>());
  // --clock-mhz: tokens/s = the clock / the measured cycles per token.
  EXPECT_EQ(j["clock_mhz"].get<double>(), 250.0);
  EXPECT_NEAR(j["tokens_per_second"].get<double>(), 250e6 / j["cycles_per_token"].get<double>(), 1e-6);
  EXPECT_NE(r.out.find("at 250.0 MHz: "), std::string::npos) << r.out;
  // Energy per token from the events the chip counted (which sim holds equal to the program's at every step),
  // priced at 45 nm; the power at the clock.
  const auto& e = j["energy"];
  EXPECT_EQ(e["how"], "simulated");
  EXPECT_EQ(e["node"], "45nm");
  EXPECT_NEAR(e["watts"].get<double>(),
              e["pj_per_token"].get<double>() * 1e-12 * 250e6 / j["cycles_per_token"].get<double>(), 1e-12);
  const auto src = hardwire::gen::resolve_model("tiny");
  ASSERT_TRUE(src.is_ok());
  hardwire::gen::PlanOptions po;
  po.array = {8, 8};
  const auto plan = hardwire::gen::plan_chip(src->shape, hardwire::golden::Widths{}, po);
  ASSERT_TRUE(plan.is_ok()) << plan.message();
  const auto computed = hardwire::gen::price_activity(*plan, hardwire::gen::context_activity(*plan, 3), "45nm");
  ASSERT_TRUE(computed.is_ok());
  EXPECT_NEAR(e["pj_per_token"].get<double>(), computed->pj_per_token, 1e-9 * computed->pj_per_token);
  EXPECT_NE(r.out.find("energy per token (simulated: the events the chip counted over 3 positions, priced at 45nm)"),
            std::string::npos) << r.out;
}

TEST(SimErrors, BadNode) {
  TmpDir tmp;
  const CliRun r = run(tmp, "sim --model tiny --node 3nm --out " + tmp.file("d"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "hardwire: error: unknown --node '3nm': choose 180nm, 45nm, 7nm or 5nm\n");
  EXPECT_FALSE(fs::exists(tmp.file("d")));
}

TEST(SimPrompt, TokenizerPromptIsFedThenTheChipDecodes) {
  TmpDir tmp;
  copy_design(tmp);
  hardwire::gen::Tokenizer t;
  t.max_token_length = 6;
  for (const char* p : {"<unk>", "\n<s>\n", "\n</s>\n"}) t.pieces.push_back(p), t.scores.push_back(0);
  for (int b = 0; b < 97; ++b) {  // 100 tokens: the tiny preset's vocab
    t.pieces.push_back(std::string(1, static_cast<char>(b < 95 ? ' ' + b : 'x')) + (b >= 95 ? "y" : ""));
    t.scores.push_back(-static_cast<float>(b));
  }
  ASSERT_TRUE(hardwire::gen::write_tokenizer(t, tmp.file("tok.bin")).is_ok());
  const CliRun r = run(tmp, "sim --model tiny --array 8x8 --tokenizer tok.bin --prompt 'hi there' --steps 6 --out tiny_8x8");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // BOS + " hi there" as 9 pieces: 10 prompt tokens, then 6 generated: 15 positions, all bit-exact.
  EXPECT_NE(r.out.find("15 positions (10 prompt tokens, 6 generated) bit-exact"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("text: hi there"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("MISMATCH"), std::string::npos) << r.out;
}

TEST(SimErrors, BadClock) {
  TmpDir tmp;
  for (const char* clock : {"0", "-5"}) {
    const CliRun r = run(tmp, std::string("sim --model tiny --clock-mhz ") + clock + " --out " + tmp.file("d"));
    EXPECT_EQ(r.exit_code, 1) << clock;
    EXPECT_EQ(r.err, std::string("hardwire: error: --clock-mhz ") + clock +
                         " is out of range: give the chip's clock in MHz (e.g. the fmax that `hardwire synth "
                         "--liberty` reports), above 0\n");
    EXPECT_FALSE(fs::exists(tmp.file("d")));
  }
}

TEST(SimErrors, StepsBeyondSeqLen) {
  TmpDir tmp;
  const CliRun r = run(tmp, "sim --model tiny --steps 65 --out " + tmp.file("d"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "hardwire: error: prompt (1 tokens) and 65 steps need 65 positions but the model's seq_len is 64; "
                   "use at most --steps 64\n");
  EXPECT_FALSE(fs::exists(tmp.file("d")));
}

TEST(SimErrors, BadArray) {
  TmpDir tmp;
  const CliRun r = run(tmp, "sim --model tiny --array 0x8 --out " + tmp.file("d"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "hardwire: error: array '0x8' must be RxC with 1 <= R, C <= 256, e.g. --array 8x8 or --array 4x8\n");
  EXPECT_FALSE(fs::exists(tmp.file("d")));
}

TEST(SimErrors, OutIsNotADesign) {
  TmpDir tmp;
  fs::create_directories(tmp.file("d"));
  write_bytes(tmp.file("d/notes.txt"), "mine\n");
  const CliRun r = run(tmp, "sim --model tiny --out " + tmp.file("d"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("exists and is not a hardwire output"), std::string::npos) << r.err;
  EXPECT_EQ(read_bytes(tmp.file("d/notes.txt")), "mine\n");
}

}  // namespace

// ---- reliability of the simulator process (issue 8) ----------------------------------------------------------------
namespace {

// Replaces the cached simulator with `script` and re-stamps it, so hardwire takes it for its own build.
void fake_simulator(const fs::path& design, const std::string& script) {
  const fs::path exe = design / "sim/obj/hwc_sim";
  std::string stamp = read_bytes((design / "sim/obj/hardwire.stamp").string());
  stamp = stamp.substr(0, stamp.rfind("exe "));
  fs::remove(exe);
  write_bytes(exe.string(), script);
  fs::permissions(exe, fs::perms::owner_all);
  write_bytes((design / "sim/obj/hardwire.stamp").string(),
              stamp + "exe " + std::to_string(script.size()) + " " + hardwire::gen::fnv1a64_hex(script) + "\n");
}

}  // namespace

TEST(SimProcess, ASimulatorThatDiesIsReportedWithItsSignal) {
  TmpDir tmp;
  const fs::path d = copy_design(tmp);
  fake_simulator(d, "#!/bin/sh\necho ready\nread line\nkill -SEGV $$\n");
  CliRun r = run(tmp, "sim --model tiny --array 8x8 --steps 2 --out tiny_8x8");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(r.err, "hardwire: error: the simulator exited in the middle of a step (killed by signal 11 (Segmentation "
                   "fault); see its messages above)\n");
  // One that exits before reading anything: its input pipe is closed (SIGPIPE must not kill hardwire).
  fake_simulator(d, "#!/bin/sh\necho ready\nexec 0<&-\nsleep 0.2\nexit 3\n");
  r = run(tmp, "sim --model tiny --array 8x8 --steps 2 --out tiny_8x8");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(r.err.rfind("hardwire: error: the simulator ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("exit 3"), std::string::npos) << r.err;
}

TEST(SimProcess, ABrokenCachedSimulatorIsRebuilt) {
  TmpDir tmp;
  const fs::path d = copy_design(tmp);
  fs::resize_file(d / "sim/obj/hwc_sim", 0);  // emptied: the stamp no longer matches the binary
  const CliRun r = run(tmp, "sim --model tiny --array 8x8 --steps 2 --out tiny_8x8");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("(built in "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("2 positions (1 prompt token, 2 generated) bit-exact"), std::string::npos) << r.out;
}

TEST(SimProcess, ATruncatedImageIsADamagedDesignNotAHardwareMismatch) {
  TmpDir tmp;
  const fs::path d = copy_design(tmp);
  const std::string img = read_bytes((d / "mem/requant.hex").string());
  write_bytes((d / "mem/requant.hex").string(), img.substr(0, img.size() / 2));
  const CliRun r = run(tmp, "sim --model tiny --array 8x8 --steps 2 --out tiny_8x8");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("note     the design in tiny_8x8 was damaged (mem/requant.hex is " +
                       std::to_string(img.size() / 2) + " bytes, manifest.json says " + std::to_string(img.size()) +
                       " (truncated or damaged)); regenerated it"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(read_bytes((d / "mem/requant.hex").string()), img);
  EXPECT_NE(r.out.find("bit-exact against the golden model"), std::string::npos) << r.out;
}

TEST(SimProcess, SigintDuringTheVerilatorBuildStopsItAndCleansUp) {
  TmpDir tmp;
  const pid_t pid = hw_test::spawn_hardwire(tmp, {"sim", "--model", "tiny", "--array", "4x4", "--steps", "1", "--out", "d"});
  // Wait until the build runs (its log exists), then interrupt.
  const fs::path log = tmp.path() / "d/sim/obj/build.log";
  for (int i = 0; i < 600 && !fs::exists(log); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_TRUE(fs::exists(log)) << read_bytes(tmp.file("out.txt"));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ::kill(pid, SIGINT);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status)) << "killed by SIGINT instead of handling it";
  EXPECT_EQ(WEXITSTATUS(status), 130) << read_bytes(tmp.file("out.txt"));
  EXPECT_NE(read_bytes(tmp.file("out.txt")).find("hardwire: interrupted (SIGINT); temporary files removed"),
            std::string::npos);
  EXPECT_FALSE(fs::exists(tmp.path() / "d/sim/obj")) << "the half-built simulator was left behind";
  EXPECT_TRUE(fs::exists(tmp.path() / "d/manifest.json")) << "the committed design is kept";
  // No process of that build is still running (none has its working directory in the design).
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const std::string root = fs::canonical(tmp.path() / "d").string();
  std::string ps;
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::error_code ec;
    const std::string cwd = fs::read_symlink(e.path() / "cwd", ec).string();
    if (!ec && cwd.rfind(root, 0) == 0) ps += name + " (" + read_bytes((e.path() / "comm").string()) + ") ";
  }
  EXPECT_TRUE(ps.empty()) << "still running: " << ps;
}

// The real stories260K written as a Hugging Face directory (config.json + F32 safetensors, q/k rows permuted as
// Hugging Face's conversion does; tok512.bin as a tokenizer.json) decodes on the chip bit-exact, and the chip's
// text is the llama2.c file's (the float reference's greedy text, rtl.sim_real260K_16x16). golden reads it too.
TEST(SimHuggingFace, RealStories260KDirectoryDecodesTheLlama2cFilesText) {
  const std::string models = HARDWIRE_MODELS_DIR;
  if (!fs::exists(models + "/stories260K.bin") || !fs::exists(models + "/tok512.bin"))
    GTEST_SKIP() << "the real checkpoint is not at " << models << " (see ../shared/models/README.md); skipped";
  TmpDir tmp;
  auto bin = hardwire::gen::read_llama2c(models + "/stories260K.bin");
  ASSERT_TRUE(bin.is_ok()) << bin.message();
  fs::create_directories(tmp.path() / "stories260K-hf");
  ASSERT_TRUE(hardwire::gen::write_hf_llama(*bin, tmp.file("stories260K-hf"), {"F32", 2, true}).is_ok());
  auto tok = hardwire::gen::read_tokenizer(models + "/tok512.bin", 512);
  ASSERT_TRUE(tok.is_ok()) << tok.message();
  write_bytes(tmp.file("stories260K-hf/tokenizer.json"), hw_test::to_tokenizer_json(*tok, true).dump());
  const CliRun info = run(tmp, "info --model stories260K-hf --array 16x16");
  ASSERT_EQ(info.exit_code, 0) << info.out << info.err;
  EXPECT_NE(info.out.find("stories260K-hf (Hugging Face checkpoint stories260K-hf)"), std::string::npos) << info.out;
  const CliRun g = run(tmp, "golden --model stories260K-hf --tokenizer stories260K-hf/tokenizer.json --prompt 'Once "
                            "upon a time' --steps 8 --seq-len 64");
  ASSERT_EQ(g.exit_code, 0) << g.out << g.err;
  EXPECT_NE(g.out.find("seq 64"), std::string::npos) << g.out;
  const CliRun r = run(tmp, "sim --model stories260K-hf --tokenizer stories260K-hf/tokenizer.json --array 16x16 "
                            "--steps 32 --jobs 1 --out hf_16x16");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("text: Once upon a time, there was a little girl named Lily. She loved to play outside in the "
                       "park."),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("MISMATCH"), std::string::npos) << r.out;
}
