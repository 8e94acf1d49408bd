// Reliability of the `hardwire` command as a hostile but realistic user meets it (issue 8): it never deletes,
// replaces or overwrites what it did not write, never crashes on input, and says what is wrong in one line.
// Each test names the defect it pins down; every one of them failed on the code before the fix.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>
#include <unordered_map>

#include "hardwire/gen/design.hpp"
#include "hardwire/gen/llama2c.hpp"
#include "hardwire/gen/model_source.hpp"
#include "hardwire/gen/outdir.hpp"
#include "hardwire/seed.hpp"
#include "support/ascii_tokenizer.hpp"
#include "support/cli_run.hpp"
#include "support/ref_encode.hpp"
#include "support/seed.hpp"
#include "support/tmpdir.hpp"

using namespace hardwire;
using hw_test::CliRun;
using hw_test::read_bytes;
using hw_test::TmpDir;
using hw_test::write_bytes;
namespace fs = std::filesystem;

namespace {

CliRun run(const TmpDir& tmp, const std::string& args, const std::string& prefix = "") {
  return hw_test::run_hardwire(tmp, args, tmp.path().string(), prefix);
}

void expect_user_error(const CliRun& r, const std::string& message) {
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(r.err, "hardwire: error: " + message + "\n");
}

// Every file below `root` (relative path -> content), links and special files as "<link ...>" / "<special>".
std::map<std::string, std::string> snapshot(const fs::path& root) {
  std::map<std::string, std::string> m;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    const auto rel = fs::relative(e.path(), root).string();
    if (e.is_symlink()) m[rel] = "<link " + fs::read_symlink(e.path()).string() + ">";
    else if (e.is_regular_file()) m[rel] = read_bytes(e.path().string());
    else if (e.is_directory()) m[rel] = "<dir>";
    else m[rel] = "<special>";
  }
  return m;
}

using hw_test::ascii_tokenizer;

const std::string kTinyJson = R"("dim": 32, "hidden_dim": 96, "n_layers": 2, "n_heads": 4, "vocab_size": 100, "seq_len": 64)";

}  // namespace

// ---- 1. --out replaces only what hardwire wrote ---------------------------------------------------------------------
TEST(OutDir, ADirectoryWithAManifestButForeignFilesIsRefused) {
  TmpDir tmp;
  fs::create_directories(tmp.file("app/src"));
  write_bytes(tmp.file("app/manifest.json"), "{}");
  write_bytes(tmp.file("app/index.html"), "x\n");
  const auto before = snapshot(tmp.file("app"));
  for (const char* cmd : {"generate --model tiny --out app", "sim --model tiny --steps 1 --out app"}) {
    expect_user_error(run(tmp, cmd),
                      "output directory 'app' exists and is not a hardwire output (no valid .hardwire-output marker); "
                      "choose another directory or remove it");
    EXPECT_EQ(snapshot(tmp.file("app")), before) << cmd;
  }
}

TEST(OutDir, AnOwnedDirectoryWithAForeignFileIsRefusedAndKept) {
  TmpDir tmp;
  ASSERT_EQ(run(tmp, "generate --model tiny --out d").exit_code, 0);
  write_bytes(tmp.file("d/rtl/my_notes.txt"), "mine\n");
  const auto before = snapshot(tmp.file("d"));
  expect_user_error(run(tmp, "generate --model tiny --array 4x4 --out d"),
                    "output directory 'd' holds 'rtl/my_notes.txt', which hardwire did not write; hardwire replaces "
                    "only its own output: move that away or choose another directory");
  EXPECT_EQ(snapshot(tmp.file("d")), before);
  // A forged marker (signature wrong) does not make a directory hardwire's.
  fs::remove(tmp.file("d/rtl/my_notes.txt"));
  std::string marker = read_bytes(tmp.file("d/.hardwire-output"));
  marker.insert(marker.find("file "), "file my_notes.txt\n");
  write_bytes(tmp.file("d/.hardwire-output"), marker);
  write_bytes(tmp.file("d/my_notes.txt"), "mine\n");
  const CliRun r = run(tmp, "generate --model tiny --out d");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("is not a hardwire output (no valid .hardwire-output marker)"), std::string::npos) << r.err;
  EXPECT_EQ(read_bytes(tmp.file("d/my_notes.txt")), "mine\n");
}

TEST(OutDir, OwnOutputIsReplacedEmptyDirectoriesAreUsed) {
  TmpDir tmp;
  ASSERT_EQ(run(tmp, "generate --model tiny --out d").exit_code, 0);
  ASSERT_EQ(run(tmp, "generate --model tiny --array 4x4 --out d").exit_code, 0);
  EXPECT_NE(read_bytes(tmp.file("d/manifest.json")).find("\"rows\": 4"), std::string::npos);
  fs::create_directories(tmp.file("empty"));
  ASSERT_EQ(run(tmp, "generate --model tiny --out empty").exit_code, 0);
  EXPECT_TRUE(fs::is_regular_file(tmp.file("empty/manifest.json")));
  // Links and files are never replaced.
  fs::create_symlink("d", tmp.file("link"));
  expect_user_error(run(tmp, "generate --model tiny --out link"),
                    "output directory 'link' is a symbolic link; hardwire does not replace links: give the directory "
                    "it points to");
  write_bytes(tmp.file("plain"), "data");
  expect_user_error(run(tmp, "generate --model tiny --out plain"),
                    "output directory 'plain' exists and is not a directory; choose another path");
  EXPECT_EQ(read_bytes(tmp.file("plain")), "data");
}

TEST(OutDir, SynthWorkDirectoryIsClaimedOnlyIfFreeOrOwned) {
  TmpDir tmp;
  fs::create_directories(tmp.file("mine"));
  write_bytes(tmp.file("mine/thesis.tex"), "precious");
  expect_user_error(run(tmp, "synth --model tiny --work mine"),
                    "work directory 'mine' exists and is not a hardwire output (no valid .hardwire-output marker); "
                    "choose another directory or remove it");
  EXPECT_EQ(read_bytes(tmp.file("mine/thesis.tex")), "precious");
}

// ---- 8. a trailing slash on --out ----------------------------------------------------------------------------------
TEST(OutDir, TrailingSlash) {
  TmpDir tmp;
  for (int i = 0; i < 2; ++i) {  // new, then replaced
    const CliRun r = run(tmp, "generate --model tiny --out newdir/");
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(tmp.path())) names.insert(e.path().filename().string());
  EXPECT_EQ(names, (std::set<std::string>{"newdir", "stdout.txt", "stderr.txt"}));
  EXPECT_NE(read_bytes(tmp.file("newdir/manifest.json")).find("--out DIR\""), std::string::npos);
}

// ---- 10. stale temporaries of dead processes are removed, live ones and foreign ones kept ------------------------
TEST(OutDir, StaleStagingDirectoriesOfDeadProcessesAreRemoved) {
  TmpDir tmp;
  // A pid that cannot be alive: above the kernel's pid_max (at most 2^22).
  const std::string dead = ".d.tmp.99999999", live = ".d.tmp." + std::to_string(::getppid()), foreign = ".d.tmp.99999998";
  for (const auto& n : {dead, live}) {
    fs::create_directories(tmp.file(n + "/rtl"));
    write_bytes(tmp.file(n + "/.hardwire-output"), gen::owner_marker_text({}, {}));
  }
  fs::create_directories(tmp.file(foreign));
  write_bytes(tmp.file(foreign + "/mine.txt"), "not hardwire's");
  ASSERT_EQ(run(tmp, "generate --model tiny --out d").exit_code, 0);
  EXPECT_FALSE(fs::exists(tmp.file(dead)));
  EXPECT_TRUE(fs::exists(tmp.file(live)));
  EXPECT_EQ(read_bytes(tmp.file(foreign + "/mine.txt")), "not hardwire's");
}

TEST(OutDir, AForeignDirectoryWithTheStagingNameIsNeverRemoved) {
  TmpDir tmp;
  int go[2];
  ASSERT_EQ(::pipe(go), 0);
  // The child waits until the parent has put a directory of its own at the child's staging name.
  const pid_t pid = hw_test::spawn_hardwire(tmp, {"generate", "--model", "tiny", "--out", "d"}, "out.txt", go[0]);
  ::close(go[0]);
  const std::string in_the_way = ".d.tmp." + std::to_string(pid);
  fs::create_directories(tmp.file(in_the_way));
  write_bytes(tmp.file(in_the_way + "/mine.txt"), "mine");
  ASSERT_EQ(::write(go[1], "x", 1), 1);
  ::close(go[1]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
  EXPECT_EQ(read_bytes(tmp.file("out.txt")),
            "hardwire: error: cannot create output directory 'd': '" + fs::canonical(tmp.path()).string() + "/" +
                in_the_way + "' is in the way and is not hardwire's; move it away\n");
  EXPECT_EQ(read_bytes(tmp.file(in_the_way + "/mine.txt")), "mine");
}

// ---- 2. reports through links, devices, FIFOs and stdout ------------------------------------------------------------
TEST(Reports, SymlinkIsFollowedNotReplaced) {
  TmpDir tmp;
  fs::create_symlink("real.json", tmp.file("l.json"));
  ASSERT_EQ(run(tmp, "info --model tiny --json l.json").exit_code, 0);
  EXPECT_TRUE(fs::is_symlink(tmp.file("l.json")));
  EXPECT_NE(read_bytes(tmp.file("real.json")).find("\"weight_bytes\""), std::string::npos);
  // A chain of links into a subdirectory, relative to each link's own directory.
  fs::create_directories(tmp.file("sub"));
  fs::create_symlink("sub/hop", tmp.file("chain.json"));
  fs::create_symlink("final.json", tmp.file("sub/hop"));
  ASSERT_EQ(run(tmp, "info --model tiny --json chain.json").exit_code, 0);
  EXPECT_TRUE(fs::is_regular_file(tmp.file("sub/final.json")));
  EXPECT_TRUE(fs::is_symlink(tmp.file("sub/hop")));
  // An existing file keeps its permissions.
  write_bytes(tmp.file("p.json"), "old");
  fs::permissions(tmp.file("p.json"), fs::perms::owner_read | fs::perms::owner_write);
  ASSERT_EQ(run(tmp, "info --model tiny --json p.json").exit_code, 0);
  EXPECT_EQ(fs::status(tmp.file("p.json")).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
}

TEST(Reports, LinkLoopsAreNamed) {
  TmpDir tmp;
  fs::create_symlink("b.json", tmp.file("a.json"));
  fs::create_symlink("a.json", tmp.file("b.json"));
  expect_user_error(run(tmp, "info --model tiny --json a.json"),
                    "cannot write JSON report 'a.json': too many levels of symbolic links (a link loop?); fix the link "
                    "or choose another path");
  fs::create_symlink("loop2.bin", tmp.file("loop1.bin"));
  fs::create_symlink("loop1.bin", tmp.file("loop2.bin"));
  expect_user_error(run(tmp, "info --model loop1.bin"),
                    "cannot open checkpoint 'loop1.bin': too many levels of symbolic links (a link loop?); fix the "
                    "link");
}

TEST(Reports, DevicesAndStdoutAreWrittenThrough) {
  TmpDir tmp;
  struct stat before {}, after {};
  ASSERT_EQ(::stat("/dev/null", &before), 0);
  ASSERT_EQ(run(tmp, "info --model tiny --json /dev/null").exit_code, 0);
  ASSERT_EQ(::stat("/dev/null", &after), 0);
  EXPECT_TRUE(S_ISCHR(after.st_mode)) << "/dev/null was replaced";
  EXPECT_EQ(before.st_rdev, after.st_rdev);
  for (const char* target : {"-", "/dev/stdout"}) {
    const CliRun r = run(tmp, std::string("info --model tiny --json ") + target);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("KV cache       8,192"), std::string::npos) << r.out;   // the report, then the JSON
    EXPECT_NE(r.out.find("\"kv_cache_bytes\": 8192"), std::string::npos) << r.out;
  }
  expect_user_error(run(tmp, "info --model tiny --json ."),
                    "cannot write JSON report '.': it is a directory; give a file name");
}

TEST(Reports, FifoIsWrittenThrough) {
  TmpDir tmp;
  ASSERT_EQ(::mkfifo(tmp.file("pipe").c_str(), 0600), 0);
  std::string got;
  std::thread reader([&] { got = read_bytes(tmp.file("pipe")); });
  const CliRun r = run(tmp, "info --model tiny --json pipe");
  reader.join();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  struct stat st {};
  ASSERT_EQ(::stat(tmp.file("pipe").c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  EXPECT_NE(got.find("\"weight_bytes\": 30976"), std::string::npos) << got;
}

// ---- 3. prompt + steps overflow -------------------------------------------------------------------------------------
TEST(Positions, HugeStepsDoNotOverflow) {
  TmpDir tmp;
  ASSERT_TRUE(gen::write_tokenizer(ascii_tokenizer(), tmp.file("tok.bin")).is_ok());
  const std::string msg = "prompt (4 tokens) and 9223372036854775807 steps need more than 64 positions but the model's "
                          "seq_len is 64; use at most --steps 61";
  expect_user_error(run(tmp, "golden --model tiny --tokenizer tok.bin --prompt Hi --steps 9223372036854775807"), msg);
  expect_user_error(run(tmp, "sim --model tiny --tokenizer tok.bin --prompt Hi --steps 9223372036854775807 --out d"), msg);
  EXPECT_FALSE(fs::exists(tmp.file("d")));
  expect_user_error(run(tmp, "golden --model tiny --steps -9223372036854775807"), "--steps must be at least 1");
}

// ---- 11. prompts: length first, fast encoding, no silent drops ------------------------------------------------------
TEST(Prompt, OverLongPromptIsRefusedBeforeEncoding) {
  TmpDir tmp;
  ASSERT_TRUE(gen::write_tokenizer(ascii_tokenizer(), tmp.file("tok.bin")).is_ok());
  write_bytes(tmp.file("long.txt"), std::string(100000, 'a'));
  const auto t0 = std::chrono::steady_clock::now();
  expect_user_error(run(tmp, "golden --model tiny --tokenizer tok.bin --prompt \"$(cat long.txt)\""),
                    "the prompt is 100000 bytes: at least 16668 tokens with this tokenizer (its longest piece has 6 "
                    "bytes), more than the model's 64 positions; shorten the prompt");
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 30.0);
  // Fits by length but not once encoded (single-character pieces): the exact count.
  expect_user_error(run(tmp, "golden --model tiny --tokenizer tok.bin --prompt \"$(head -c 100 long.txt)\""),
                    "the prompt is 102 tokens, more than the model's 64 positions; shorten the prompt");
  // The whole prompt fits but leaves no room for the steps asked for: a non-negative hint.
  expect_user_error(run(tmp, "golden --model tiny --tokenizer tok.bin --prompt \"$(head -c 60 long.txt)\" --steps 5"),
                    "prompt (62 tokens) and 5 steps need 66 positions but the model's seq_len is 64; use at most "
                    "--steps 3");
}

TEST(Prompt, CharacterWithoutTokenOrByteFallbackIsAnError) {
  TmpDir tmp;
  ASSERT_TRUE(gen::write_tokenizer(ascii_tokenizer(), tmp.file("tok.bin")).is_ok());
  expect_user_error(run(tmp, "golden --model tiny --tokenizer tok.bin --prompt 'caf\xc3\xa9'"),
                    "prompt character at byte 3 (bytes c3 a9) has no token in this tokenizer and no byte-fallback "
                    "token (byte fallback needs a vocabulary of at least 259 tokens; this one has 100); remove it "
                    "from the prompt");
}

// The O(n log n) encoder gives exactly llama2.c's merges: compared with the quadratic reference on random text and
// random scores (ties included).
TEST(Prompt, FastEncoderEqualsTheReference) {
  std::mt19937_64 rng(hw_test::test_seed());
  HW_SEED_TRACE();
  for (int round = 0; round < 200; ++round) {
    gen::Tokenizer t;
    t.max_token_length = 8;
    for (const char* p : {"<unk>", "\n<s>\n", "\n</s>\n"}) t.pieces.push_back(p), t.scores.push_back(0);
    for (int b = 0; b < 256; ++b) t.pieces.push_back("<0x" + std::string(1, "0123456789ABCDEF"[b >> 4]) + "0123456789ABCDEF"[b & 15] + ">"), t.scores.push_back(0);
    const std::string alphabet = " abc";
    for (char c : alphabet) t.pieces.push_back(std::string(1, c)), t.scores.push_back(0);
    // Random merged pieces over a small alphabet, scores from a few values (ties happen).
    for (int i = 0; i < 30; ++i) {
      std::string p;
      for (size_t n = 2 + rng() % 4; n > 0; --n) p += alphabet[rng() % alphabet.size()];
      t.pieces.push_back(p);
      t.scores.push_back(static_cast<float>(rng() % 5));
    }
    std::string text;
    for (size_t n = rng() % 60; n > 0; --n) text += alphabet[rng() % alphabet.size()];
    const auto fast = t.encode(text, true);
    ASSERT_TRUE(fast.is_ok()) << fast.message();
    ASSERT_EQ(*fast, hw_test::reference_encode(t, text)) << "text '" << text << "'";
  }
}

// ---- 4. memory: estimated before allocating, caught at the top level -----------------------------------------------
TEST(Memory, AHugeShapeIsRefusedWithTheFigures) {
  TmpDir tmp;
  write_bytes(tmp.file("big.json"), R"({"dim": 1048576, "hidden_dim": 64, "n_layers": 1, "n_heads": 524288,
                                        "vocab_size": 100, "seq_len": 8})");
  CliRun r = run(tmp, "golden --model big.json --steps 1 --max-memory 16G");
  expect_user_error(r, "this model needs about 20.00 TiB of memory (float weights 16.00 TiB, int8 weights 4.00 TiB, KV "
                       "caches 320.00 MiB), more than the limit of 16.00 GiB (--max-memory 16G); use a smaller shape, "
                       "or set --max-memory if the estimate is too cautious for this machine");
  r = run(tmp, "generate --model big.json --out d");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("more than the limit of"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("(this machine's memory)"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(tmp.file("d")));
  expect_user_error(run(tmp, "golden --model tiny --max-memory 12x"),
                    "memory size '12x' is not a size; write bytes or a number with K, M, G or T (powers of 1024), e.g. "
                    "--max-memory 16G");
  EXPECT_EQ(run(tmp, "golden --model tiny --steps 2 --max-memory 1G").exit_code, 0);
}

TEST(Memory, TheFineTuneIsCountedBeforeItStarts) {
  TmpDir tmp;
  // A large vocabulary: the float model's distributions over the 128 training sequences dominate.
  write_bytes(tmp.file("v.json"), R"({"dim": 64, "hidden_dim": 128, "n_layers": 1, "n_heads": 4, "vocab_size": 32000,
                                      "seq_len": 256})");
  expect_user_error(run(tmp, "fidelity --model v.json --finetune 1000 --max-memory 2G"),
                    "this model needs about 4.60 GiB of memory (float weights 7.97 MiB, int8 weights 4.93 MiB, KV caches "
                    "640.0 KiB, fine-tune 4.33 GiB), more than the limit of 2.00 GiB (--max-memory 2G); use a smaller "
                    "shape or no --finetune, or set --max-memory if the estimate is too cautious for this machine");
  const CliRun r = run(tmp, "generate --model v.json --array 4x4 --finetune 1000 --max-memory 2G --out d");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("fine-tune 4.33 GiB"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(tmp.file("d")));
  EXPECT_EQ(run(tmp, "fidelity --model v.json --samples 1 --steps 2 --max-memory 2G").exit_code, 0);
}

TEST(Memory, AllocationFailureIsAClearError) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer reserves more address space than the limit this test sets";
#endif
  TmpDir tmp;
  // The estimate is raised past what the address-space limit allows: the allocation itself fails and is caught.
  write_bytes(tmp.file("m.json"), R"({"dim": 4096, "hidden_dim": 4096, "n_layers": 4, "n_heads": 32, "vocab_size": 1000,
                                      "seq_len": 8})");
  const CliRun r = run(tmp, "golden --model m.json --steps 1 --max-memory 1T", "ulimit -v 400000;");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("hardwire: error: out of memory: the command needed more memory than the machine could give"),
            std::string::npos) << r.err;
}

// ---- 5. deep JSON, duplicate keys, injected widths, no value dumps -------------------------------------------------
TEST(JsonInput, DeepNestingIsRefusedWithoutRecursion) {
  TmpDir tmp;
  write_bytes(tmp.file("deep.json"), "{\"dim\": " + std::string(100000, '[') + std::string(100000, ']') + "}");
  expect_user_error(run(tmp, "info --model deep.json"),
                    "model shape file 'deep.json': nested more than 64 levels deep (at byte 71); hardwire's JSON files "
                    "are flat objects");
  // A big but flat value is not dumped into the message.
  write_bytes(tmp.file("wide.json"), "{\"dim\": \"" + std::string(100000, 'x') + "\"}");
  const CliRun r = run(tmp, "info --model wide.json");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_LT(r.err.size(), 300u) << r.err.substr(0, 300);
  EXPECT_EQ(r.err, "hardwire: error: model shape file 'wide.json': \"dim\" must be an integer, got the string \"" +
                       std::string(40, 'x') + "...\"\n");
}

TEST(JsonInput, DuplicateKeysAndInjectedWidths) {
  TmpDir tmp;
  write_bytes(tmp.file("dup.json"), "{" + kTinyJson + R"(, "dim": 64})");
  expect_user_error(run(tmp, "info --model dup.json"),
                    "model shape file 'dup.json': duplicate key \"dim\" (JSON would silently keep only the last one); "
                    "keep one");
  write_bytes(tmp.file("dupw.json"), "{" + kTinyJson + R"(, "widths": {"k": 8, "k": 16}})");
  expect_user_error(run(tmp, "info --model dupw.json"),
                    "model shape file 'dupw.json': duplicate key \"k\" (JSON would silently keep only the last one); "
                    "keep one");
  write_bytes(tmp.file("inj.json"), "{" + kTinyJson + R"(, "widths": {"k=8,res": 16}})");
  expect_user_error(run(tmp, "info --model inj.json"),
                    "model shape file 'inj.json': unknown activation site \"k=8,res\" in \"widths\"; sites: res xn q k "
                    "v att gate up h");
  expect_user_error(run(tmp, "info --widths k=8,k=16"),
                    "activation site 'k' is given twice in 'k=8,k=16'; give each site once");
}

// ---- 7. names that would break generated files ----------------------------------------------------------------------
TEST(Names, ControlCharactersInNamesNeverReachTheRtl) {
  TmpDir tmp;
  write_bytes(tmp.file("nl.json"), "{" + kTinyJson + ", \"name\": \"a\\nb\"}");
  expect_user_error(run(tmp, "info --model nl.json"),
                    "model shape file 'nl.json': \"name\" \"a\\nb\" contains a control character; use one line of "
                    "printable text");
  // A checkpoint whose file name holds a newline: every generated line stays one line.
  const auto m = gen::synthesize(golden::Shape{16, 40, 2, 4, 2, 30, 8}, true, 1, "x");
  ASSERT_TRUE(gen::write_llama2c(m, tmp.file("we\nird.bin")).is_ok());
  const CliRun r = run(tmp, "generate --model \"$(printf 'we\\nird.bin')\" --out d");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const auto& e : fs::recursive_directory_iterator(tmp.file("d"))) {
    if (!e.is_regular_file() || e.path().extension() == ".json") continue;
    std::istringstream in(read_bytes(e.path().string()));
    for (std::string line; std::getline(in, line);) {
      if (line.find("ird") != std::string::npos) {
        EXPECT_EQ(line.rfind("//", 0), 0u) << e.path() << ": a model-name line outside a comment: " << line;
      }
    }
  }
  const std::string top = read_bytes(tmp.file("d/rtl/hwc_top.sv"));
  EXPECT_NE(top.find("// Regenerate: hardwire generate --model 'we\\nird.bin' --array 8x8"), std::string::npos) << top;
  EXPECT_NE(top.find("// Model: we_ird.bin"), std::string::npos);
}

// ---- 12. smaller defects --------------------------------------------------------------------------------------------
TEST(Seeds, MalformedSeedsAreRefused) {
  EXPECT_EQ(parse_seed("12345"), 12345u);
  EXPECT_EQ(parse_seed("0x10"), 16u);
  EXPECT_EQ(parse_seed("18446744073709551615"), UINT64_MAX);
  for (const char* bad : {"abc", "12abc", "1e5", "-1", "+1", " 1", "18446744073709551616", "0x", ""})
    EXPECT_FALSE(parse_seed(bad).has_value()) << bad;
  TmpDir tmp;
  for (const char* bad : {"abc", "12abc", "1e5", "-1"}) {
    const CliRun r = run(tmp, "sim --model tiny --steps 1 --out d", std::string("HARDWIRE_SEED=") + bad);
    expect_user_error(r, "HARDWIRE_SEED='" + std::string(bad) +
                             "' is not a seed; set it to a decimal number from 0 to 18446744073709551615 (the value a "
                             "run printed), or unset it for a fresh seed");
  }
  EXPECT_FALSE(fs::exists(tmp.file("d")));
}

TEST(Shapes, TotalsThatWouldOverflowAreRefused) {
  TmpDir tmp;
  write_bytes(tmp.file("all.json"), R"({"dim": 1048576, "hidden_dim": 1048576, "n_layers": 1048576, "n_heads": 524288,
                                        "vocab_size": 1048576, "seq_len": 1048576})");
  expect_user_error(run(tmp, "info --model all.json"),
                    "model shape file 'all.json': invalid shape: dim 1048576, hidden 1048576, layers 1048576, heads "
                    "524288 (kv 524288), vocab 1048576, seq 1048576 has about 8.1e+18 parameters; hardwire supports "
                    "models up to 2^50 (about 1.1e15) of each");
  // The largest llama2.c shape still passes, and no figure of info is negative.
  const CliRun r = run(tmp, "info --model stories110M");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.find(" -"), std::string::npos) << r.out;
}

TEST(Checkpoints, HugeWeightsNameTheTensorAndTheFix) {
  TmpDir tmp;
  auto m = gen::synthesize(golden::Shape{16, 40, 2, 4, 2, 30, 8}, true, 1, "x");
  m.layers[1].wq(2, 3) = 1e10f;
  ASSERT_TRUE(gen::write_llama2c(m, tmp.file("m.bin")).is_ok());
  const CliRun r = run(tmp, "golden --model m.bin --steps 1");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("holds 1e+10 at element "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(", beyond the +-65504 that hardwire accepts (a trained model's weights are far smaller); the "
                       "checkpoint is corrupt or not float32\n"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("nan"), std::string::npos) << r.err;
}

// ---- 10. interrupts -------------------------------------------------------------------------------------------------
TEST(Interrupts, SigintWhileBlockedOnAReportExits130) {
  TmpDir tmp;
  ASSERT_EQ(::mkfifo(tmp.file("pipe").c_str(), 0600), 0);  // nobody reads: the write blocks
  const pid_t pid = hw_test::spawn_hardwire(tmp, {"info", "--model", "tiny", "--json", "pipe"});
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ::kill(pid, SIGINT);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status)) << "killed by the signal instead of handling it";
  EXPECT_EQ(WEXITSTATUS(status), 130);
}

TEST(Interrupts, SigintWhileGenerateWritesRemovesTheStagingDirectory) {
  TmpDir tmp;
  // stories15M: 500 files, 53 MB of images; the write phase lasts long enough to be caught. The staging directory
  // appears after calibration and quantization (seconds; under the sanitizers tens of seconds), so the wait is a
  // deadline, not a count of polls.
  const pid_t pid = hw_test::spawn_hardwire(tmp, {"generate", "--model", "stories15M", "--out", "g"});
  const fs::path staging = tmp.path() / (".g.tmp." + std::to_string(pid));
  bool seen = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(300);
  while (!seen && std::chrono::steady_clock::now() < deadline) {
    seen = fs::exists(staging);
    if (!seen) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (seen) ::kill(pid, SIGINT);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(seen) << "the staging directory never appeared: " << read_bytes(tmp.file("out.txt"));
  ASSERT_TRUE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 0) GTEST_SKIP() << "generate finished before the interrupt arrived";
  EXPECT_EQ(WEXITSTATUS(status), 130) << read_bytes(tmp.file("out.txt"));
  EXPECT_FALSE(fs::exists(staging)) << "the staging directory was left behind";
  EXPECT_FALSE(fs::exists(tmp.path() / "g")) << "a half-written design was moved into place";
}
