// `hardwire sim` on the whole accelerator: a forced fault is caught and named, and bad requests get one clear error.
//
// The end-to-end bit-exact decodes themselves are ctest entries rtl.sim_* (tests/CMakeLists.txt); the fault test
// reuses the tiny 8x8 design and simulator that rtl.sim_tiny_8x8 built (a ctest fixture), on a copy, so no second
// Verilator build is needed.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "hardwire/gen/llama2c.hpp"
#include "support/cli_run.hpp"
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

// Overwrites `count` words of the weight matrix `name`, starting at its first word, with `word` (hex text).
void corrupt_weights(const fs::path& design, const std::string& name, int64_t count, const std::string& word) {
  const auto m = nlohmann::json::parse(read_bytes((design / "manifest.json").string()));
  int64_t base = -1;
  for (const auto& w : m["memory_map"]["weights"])
    if (w["name"] == name) base = w["base"].get<int64_t>();
  ASSERT_GE(base, 0) << name << " not in the memory map";
  const auto& ws = m["hardware"]["weight_sram"];
  const int64_t depth = ws["bank_depth"].get<int64_t>();
  for (int64_t a = base; a < base + count; ++a) {
    const std::string image = ws["images"][static_cast<size_t>(a / depth)].get<std::string>();
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
  // Layer 1's w1 (the FFN gate projection): its first tile, every lane = +127.
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
  const CliRun r = run(tmp, "sim --model tiny --array 8x8 --steps 3 --out tiny_8x8 --json sim.json");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto j = nlohmann::json::parse(read_bytes(tmp.file("sim.json")));
  EXPECT_TRUE(j["bit_exact"].get<bool>());
  EXPECT_EQ(j["positions"].get<int>(), 3);
  EXPECT_GT(j["cycles_per_token"].get<double>(), j["bounds"]["weight_bandwidth_cycles"].get<double>());
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
