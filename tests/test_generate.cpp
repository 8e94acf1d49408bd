// `hardwire generate`: lint gate (verilator --lint-only -Wall, zero warnings, every generated top of several
// configurations), determinism (byte-identical regeneration), banners and manifest integrity, the weight image
// against the quantized model, and clean failures that leave nothing behind.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <unistd.h>

#include "hardwire/gen/design.hpp"
#include "hardwire/gen/energy.hpp"
#include "hardwire/gen/layout.hpp"
#include "hardwire/gen/model_source.hpp"
#include "hardwire/gen/quantizer.hpp"
#include "hardwire/gen/synth.hpp"
#include "hardwire/gen/templates.hpp"
#include "support/tmpdir.hpp"

using namespace hardwire;
using hw_test::read_bytes;
using hw_test::TmpDir;
namespace fs = std::filesystem;

namespace {

// Runs a shell command, capturing its output in a file of this process (ctest runs tests in parallel).
int sh(const std::string& cmd, std::string* output = nullptr) {
  const std::string log = std::string(HARDWIRE_TEST_TMP) + "/sh." + std::to_string(::getpid()) + ".out";
  fs::create_directories(HARDWIRE_TEST_TMP);
  const int status = std::system((cmd + " > " + log + " 2>&1").c_str());
  if (output) *output = read_bytes(log);
  std::error_code ec;
  fs::remove(log, ec);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

std::string generate(const std::string& args, const std::string& out, int* code = nullptr) {
  std::string log;
  const int rc = sh(std::string(HARDWIRE_BIN) + " generate " + args + " --out " + out, &log);
  if (code) *code = rc;
  else EXPECT_EQ(rc, 0) << log;
  return log;
}

std::map<std::string, std::string> tree(const fs::path& root) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file()) files[fs::relative(e.path(), root).string()] = read_bytes(e.path().string());
  return files;
}

}  // namespace

struct LintConfig {
  std::string model, args, name;
};
void PrintTo(const LintConfig& c, std::ostream* os) { *os << c.model << " " << c.args; }
class GenerateLint : public ::testing::TestWithParam<LintConfig> {};

TEST_P(GenerateLint, EveryTopIsLintClean) {
  TmpDir tmp;
  const auto& [model, args, name] = GetParam();
  const std::string out = tmp.file("design");
  generate(std::string("--model ") + model + " " + args, out);
  const auto manifest = nlohmann::json::parse(read_bytes(out + "/manifest.json"));
  EXPECT_EQ(manifest["top"], "hwc_top");
  // files.f alone is the accelerator: lint-clean with no top named (hwc_top is the only top).
  std::string log;
  const int rc = sh("cd " + out + " && " + VERILATOR_EXE + " --lint-only -Wall -f files.f", &log);
  EXPECT_EQ(rc, 0) << log;
  EXPECT_EQ(log.find("%Warning"), std::string::npos) << log;
}

INSTANTIATE_TEST_SUITE_P(Configs, GenerateLint,
                         ::testing::Values(LintConfig{"tiny", "--array 4x4", "tiny_4x4"},
                                           LintConfig{"tiny", "--array 4x4 --sram-bank-depth 0", "tiny_4x4_one_bank"},
                                           LintConfig{"tiny", "--array 4x8 --widths res=8,q=8,k=8,h=8", "tiny_4x8_int8"},
                                           LintConfig{"stories260K", "--array 8x8", "stories260K_8x8"},
                                           LintConfig{"stories260K", "--array 16x16", "stories260K_16x16"},
                                           LintConfig{"tiny", "--array 3x5", "tiny_3x5"},
                                           // One-column and one-row arrays (a single attention lane, C = 1).
                                           LintConfig{"tiny", "--array 8x1", "tiny_8x1"},
                                           LintConfig{"tiny", "--array 1x8", "tiny_1x8"},
                                           LintConfig{"tiny", "--array 1x1", "tiny_1x1"},
                                           LintConfig{"stories260K", "--array 16x1", "stories260K_16x1"},
                                           // Narrow weight formats (numerics §2): packed codes, group scales.
                                           LintConfig{"tiny", "--array 4x8 --weight-bits 4 --weight-group 16",
                                                      "tiny_4x8_w4_g16"},
                                           LintConfig{"tiny", "--array 3x5 --weight-bits 6 --weight-group 9",
                                                      "tiny_3x5_w6_g9"},
                                           LintConfig{"tiny", "--array 8x8 --weight-bits 6", "tiny_8x8_w6"},
                                           // Zero points: unsigned codes, wider group entries, the Σx tree.
                                           LintConfig{"tiny", "--array 4x8 --weight-bits 4 --weight-group 8 --weight-zero-point",
                                                      "tiny_4x8_w4_g8z"},
                                           LintConfig{"tiny", "--array 3x5 --weight-bits 6 --weight-group 9 "
                                                      "--weight-zero-point", "tiny_3x5_w6_g9z"}),
                         [](const ::testing::TestParamInfo<LintConfig>& i) { return i.param.name; });

TEST(Generate, DeterministicAndWellFormed) {
  TmpDir tmp;
  const std::string out = tmp.file("d");
  generate("--model tiny --array 8x8", out);
  const auto first = tree(out);
  generate("--model tiny --array 8x8", out);  // replaces the previous output in place
  const auto second = tree(out);
  ASSERT_EQ(first.size(), second.size());
  for (const auto& [path, content] : first) EXPECT_EQ(content, second.at(path)) << path << " differs between runs";

  const auto manifest = nlohmann::json::parse(first.at("manifest.json"));
  EXPECT_EQ(manifest["regenerate"], "hardwire generate --model tiny --array 8x8 --weight-port 64 --sram-bank-depth 4096 --out DIR");
  for (const auto& f : manifest["files"]) {
    const std::string path = f["path"];
    ASSERT_TRUE(first.count(path)) << path;
    EXPECT_EQ(f["fnv1a64"], gen::fnv1a64_hex(first.at(path))) << path;
  }
  EXPECT_EQ(manifest["files"].size() + 2, first.size());  // every file but the manifest itself and the marker
  ASSERT_TRUE(first.count(".hardwire-output"));
  for (const auto& [path, content] : first) {
    if (path == "manifest.json" || path == ".hardwire-output") continue;
    EXPECT_NE(first.at(".hardwire-output").find("\nfile " + path + "\n"), std::string::npos) << path << " not owned";
    EXPECT_EQ(content.rfind("// =====", 0), 0u) << path << " lacks the banner";
    EXPECT_NE(content.find("// Regenerate: hardwire generate --model tiny --array 8x8 --weight-port 64 --sram-bank-depth 4096 --out DIR  "
                           "(DIR: the directory holding this file)\n"),
              std::string::npos) << path;
    EXPECT_EQ(content.find(out), std::string::npos) << path << " names the directory it was written to";
    EXPECT_EQ(content.find("_GEN_"), std::string::npos) << path;
  }
  // Nothing temporary left beside the output.
  for (const auto& e : fs::directory_iterator(tmp.path())) EXPECT_EQ(e.path().filename(), "d");
}

// The same model and options give the same files (content hash included) whatever --out is.
TEST(Generate, SameTreeWhereverWritten) {
  TmpDir tmp;
  const std::string a = tmp.file("a"), b = tmp.file("deeper/name with space");
  fs::create_directories(tmp.file("deeper"));
  generate("--model tiny --array 4x8", a);
  generate("--model tiny --array 4x8", "'" + b + "'");
  auto ta = tree(a), tb = tree(b);
  ASSERT_EQ(ta.size(), tb.size());
  for (const auto& [path, content] : ta) {
    ASSERT_TRUE(tb.count(path)) << path;
    EXPECT_EQ(content, tb.at(path)) << path << " depends on the output directory";
  }
}

// --shape-only: the design planned from the shape alone is the full design less its weight-dependent images: every
// file it writes has the full design's content below the banner, and what it leaves out is exactly the images made
// from weights. A model far too large to quantize here (Llama-3.1-8B's shape on 32x32) generates in a moment.
TEST(Generate, ShapeOnlyIsTheDesignLessItsWeightImages) {
  TmpDir tmp;
  const auto body = [](const std::string& text) {  // below the banner
    const std::string rule = "// " + std::string(100, '=');
    if (text.rfind(rule, 0) != 0) return text;
    const size_t close = text.find("\n" + rule, rule.size());
    return close == std::string::npos ? text : text.substr(text.find('\n', close + 1) + 1);
  };
  for (const std::string args : {"--model tiny --array 4x8", "--model tiny --array 3x5 --weight-port 10"}) {
    const std::string full = tmp.file("full"), shape = tmp.file("shape");
    generate(args, full);
    generate(args + " --shape-only", shape);
    const auto a = tree(full), b = tree(shape);
    std::set<std::string> left_out;
    for (const auto& [path, content] : a) {
      if (path == "manifest.json" || path == ".hardwire-output") continue;
      if (!b.count(path)) {
        left_out.insert(path.rfind("mem/weights_p", 0) == 0 ? "mem/weights_p*" : path);
        continue;
      }
      EXPECT_EQ(body(content), body(b.at(path))) << args << ": " << path;
      EXPECT_NE(b.at(path).find(" --shape-only --out DIR"), std::string::npos) << path;
      EXPECT_NE(b.at(path).find("shape only: no weight-dependent images"), std::string::npos) << path;
    }
    std::set<std::string> weight_images = {"mem/weights_p*", "mem/embedding.hex", "mem/requant.hex", "mem/silu.hex",
                                           "mem/norms.hex"};
    if (a.count("mem/requant_vec.hex")) weight_images.insert("mem/requant_vec.hex");
    EXPECT_EQ(left_out, weight_images) << args;
    for (const auto& [path, content] : b) EXPECT_TRUE(a.count(path)) << path;
    const auto ma = nlohmann::json::parse(a.at("manifest.json")), mb = nlohmann::json::parse(b.at("manifest.json"));
    EXPECT_FALSE(ma["shape_only"].get<bool>());
    EXPECT_TRUE(mb["shape_only"].get<bool>());
    EXPECT_EQ(ma["blocks"], mb["blocks"]);
    EXPECT_EQ(ma["memories"], mb["memories"]);
    EXPECT_EQ(mb["files"].size() + 2, b.size());
  }
  const std::string big = tmp.file("llama.json");
  hw_test::write_bytes(big, R"({"name": "llama3.1-8b", "dim": 4096, "hidden_dim": 14336, "n_layers": 32,
    "n_heads": 32, "n_kv_heads": 8, "vocab_size": 128256, "seq_len": 8192, "shared_classifier": false})");
  const std::string log = generate("--model " + big + " --array 32x32 --shape-only", tmp.file("llama"));
  EXPECT_NE(log.find("(32 banks of 7,328,768 words)"), std::string::npos) << log;
  const auto m = nlohmann::json::parse(read_bytes(tmp.file("llama/manifest.json")));
  EXPECT_EQ(m["blocks"]["hw_gemv"]["parameters"]["K_MAX"], 14336);
  EXPECT_EQ(m["blocks"]["hw_softmax"]["instances"], 32);
  int64_t bytes = 0;
  for (const auto& f : m["files"]) bytes += f["bytes"].get<int64_t>();
  EXPECT_LT(bytes, 16 << 20) << "no image of the weights' size";
  // What does grow with the shape, the RoPE tables, is estimated before anything is allocated.
  const std::string long_ctx = tmp.file("long.json");
  hw_test::write_bytes(long_ctx, R"({"name": "h", "dim": 65536, "hidden_dim": 64, "n_layers": 1, "n_heads": 1,
    "vocab_size": 16, "seq_len": 1048576})");
  int rc = 0;
  const std::string err =
      generate("--model " + long_ctx + " --array 8x8 --shape-only --max-memory 1G", tmp.file("l"), &rc);
  EXPECT_EQ(rc, 1) << err;
  EXPECT_NE(err.find("error: the design of this shape needs about 704.25 GiB of memory (its RoPE tables: seq_len "
                     "1048576 x 32768 pairs), more than the limit of 1.00 GiB (--max-memory 1G)"),
            std::string::npos)
      << err;
  EXPECT_FALSE(fs::exists(tmp.file("l")));
}

TEST(Generate, WeightImageMatchesTheQuantizedModel) {
  TmpDir tmp;
  const std::string out = tmp.file("d");
  // Weight port 16 bytes on 4x8: 2 weight banks of 1,728 words, each in macros of 256 words (7 per bank).
  generate("--model tiny --array 4x8 --weight-port 16 --sram-bank-depth 256", out);
  auto src = gen::resolve_model("tiny");
  auto fm = gen::load_float_model(*src);
  auto qm = gen::quantize(*fm, {});
  ASSERT_TRUE(qm.is_ok());
  // Words of each bank's macro images in order, banners skipped; every macro but a bank's last is full.
  const auto manifest = nlohmann::json::parse(read_bytes(out + "/manifest.json"));
  const auto& ws = manifest["hardware"]["weight_sram"];
  const auto& images = ws["images"];
  const int64_t banks = ws["banks"], macros = ws["macros_per_bank"];
  ASSERT_EQ(banks, 2);
  ASSERT_GT(macros, 1);
  ASSERT_EQ(static_cast<int64_t>(images.size()), banks * macros);
  std::vector<std::vector<std::string>> bank_words(static_cast<size_t>(banks));
  for (int64_t j = 0; j < banks; ++j) {
    for (int64_t b = 0; b < macros; ++b) {
      const auto& image = images[static_cast<size_t>(j * macros + b)];
      EXPECT_EQ(image, "mem/weights_p" + std::to_string(j) + "_bank" + std::to_string(b) + ".hex");
      std::istringstream in(read_bytes(out + "/" + image.get<std::string>()));
      size_t n = 0;
      for (std::string line; std::getline(in, line);)
        if (!line.empty() && line.rfind("//", 0) != 0) bank_words[static_cast<size_t>(j)].push_back(line), ++n;
      if (b + 1 < macros) {
        EXPECT_EQ(n, 256u);
      }
    }
    EXPECT_EQ(static_cast<int64_t>(bank_words[static_cast<size_t>(j)].size()), ws["words_per_bank"].get<int64_t>());
  }
  for (const auto& m : manifest["memory_map"]["weights"]) {
    const std::string name = m["name"];
    const golden::QLinear* lin = nullptr;
    if (name == "cls") lin = &qm->cls;
    else if (name == "L1.w2") lin = &qm->layers[1].w2;
    else if (name == "L0.wk") lin = &qm->layers[0].wk;
    if (!lin) continue;
    const auto expect = gen::gemv_weight_words(lin->w, 2, 8);
    for (int64_t j = 0; j < banks; ++j) {
      std::istringstream ex(gen::hex_image(expect[static_cast<size_t>(j)]));
      int64_t i = m["base"];
      for (std::string line; std::getline(ex, line); ++i)
        ASSERT_EQ(bank_words[static_cast<size_t>(j)][static_cast<size_t>(i)], line) << name << " bank " << j;
      EXPECT_EQ(i, m["base"].get<int64_t>() + m["words"].get<int64_t>()) << name;
    }
  }
}

TEST(Generate, ErrorsLeaveNothingBehind) {
  TmpDir tmp;
  int rc = 0;
  std::string log = generate("--model tiny --array 8by8", tmp.file("a"), &rc);
  EXPECT_EQ(rc, 1);
  EXPECT_EQ(log, "hardwire: error: array '8by8' must be RxC with 1 <= R, C <= 256, e.g. --array 8x8 or --array 4x8\n");
  log = generate("--model tiny --array 0x8", tmp.file("a"), &rc);
  EXPECT_EQ(rc, 1);
  log = generate("--model tiny --sram-bank-depth 1000", tmp.file("a"), &rc);
  EXPECT_EQ(rc, 1);
  EXPECT_EQ(log, "hardwire: error: SRAM bank depth 1000 must be 0 (one bank) or a power of two from 16 to 16777216 "
                 "words, e.g. --sram-bank-depth 4096\n");
  fs::create_directories(tmp.file("mine"));
  hw_test::write_bytes(tmp.file("mine/notes.txt"), "precious");
  log = generate("--model tiny", tmp.file("mine"), &rc);
  EXPECT_EQ(rc, 1);
  EXPECT_EQ(log, "hardwire: error: output directory '" + tmp.file("mine") +
                     "' exists and is not a hardwire output (no valid .hardwire-output marker); choose another "
                     "directory or remove it\n");
  EXPECT_EQ(read_bytes(tmp.file("mine/notes.txt")), "precious");
  // Missing parents are created (like mkdir -p); a path through a regular file cannot be.
  generate("--model tiny", tmp.file("new/parent/x"));
  EXPECT_TRUE(fs::exists(tmp.file("new/parent/x/manifest.json")));
  fs::remove_all(tmp.file("new"));
  log = generate("--model tiny", tmp.file("mine/notes.txt/x"), &rc);
  EXPECT_EQ(rc, 1);
  EXPECT_EQ(log, "hardwire: error: cannot create output directory '" + tmp.file("mine/notes.txt/x") +
                     "': cannot create '" + tmp.file("mine/notes.txt") + "' (Not a directory)\n");
  if (::geteuid() != 0) {  // root ignores directory permissions
    fs::create_directories(tmp.file("ro"));
    fs::permissions(tmp.file("ro"), fs::perms::owner_read | fs::perms::owner_exec);
    log = generate("--model tiny", tmp.file("ro/x"), &rc);
    EXPECT_EQ(rc, 1) << log;
    fs::permissions(tmp.file("ro"), fs::perms::owner_all);
  }
  // Only what the test made itself remains.
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(tmp.path())) names.insert(e.path().filename().string());
  for (const auto& n : names) EXPECT_TRUE(n == "mine" || n == "ro") << "left behind: " << n;
}

// `hardwire synth`: every block synthesizes; the figures are consistent with the plan (the matrix engine holds a
// product register per multiplier, C accumulators and a 2-beat output FIFO); memories come from the SRAM model.
TEST(Synth, HierarchicalFiguresAreConsistent) {
  TmpDir tmp;
  std::string log;
  const std::string synth = std::string(HARDWIRE_BIN) + " synth --model tiny --array 4x4 --cache " + tmp.file("c");
  const int rc = sh(synth + " --weight-port 8 --json " + tmp.file("s.json") + " --work " + tmp.file("w"), &log);
  ASSERT_EQ(rc, 0) << log;
  EXPECT_NE(log.find("(0 read from the cache " + tmp.file("c") + ")"), std::string::npos) << log;
  EXPECT_NE(log.find("| matrix engine 2x4 | 1 |"), std::string::npos) << log;
  EXPECT_NE(log.find("weight port 8 bytes per cycle"), std::string::npos) << log;
  const auto j = nlohmann::json::parse(read_bytes(tmp.file("s.json")));
  std::map<std::string, nlohmann::json> blocks;
  for (const auto& b : j["blocks"]) {
    EXPECT_GT(b["cells"].get<int64_t>(), 0) << b["name"];
    EXPECT_GT(b["area_um2"].get<double>(), 0) << b["name"];
    EXPECT_GT(b["transistors"].get<int64_t>(), 0) << b["name"];
    blocks[b["module"]] = b;
  }
  const auto man = nlohmann::json::parse(read_bytes(tmp.file("w/design/manifest.json")));
  // synth plans from the shape and reads no weights: its design has no weight-dependent image.
  EXPECT_TRUE(man["shape_only"].get<bool>());
  EXPECT_FALSE(fs::exists(tmp.file("w/design/mem/embedding.hex")));
  EXPECT_FALSE(fs::exists(tmp.file("w/design/mem/weights_p0.hex")));
  const auto& gp = man["blocks"]["hw_gemv"]["parameters"];
  const int64_t p = gp["P"], c = gp["C"], aw = gp["A_W"], acc = gp["ACC_W"];
  EXPECT_EQ(p, 2);
  EXPECT_EQ(c, 4);
  const int64_t ffs = blocks["hw_gemv"]["flip_flops"].get<int64_t>();
  EXPECT_GE(ffs, p * c * (aw + 8) + 3 * c * acc);       // products, accumulators, FIFO
  EXPECT_LE(ffs, p * c * (aw + 8) + 3 * c * acc + 120);  // plus the issue and output control
  // Memories: each macro priced by its shape at the built-in library's node (45 nm). The weight SRAM is P banks of
  // one macro each, every one a word of C bytes.
  bool weights = false;
  const gen::SramModel sram;
  for (const auto& m : j["memories"]) {
    EXPECT_GT(m["area_um2"].get<double>(), m["bitcell_area_um2"].get<double>()) << m;
    EXPECT_GE(m["macros"].get<int64_t>(), 1) << m;
    if (m["name"] == "weight SRAM") {
      weights = true;
      const int64_t words = man["hardware"]["weight_sram"]["words_per_bank"];
      EXPECT_EQ(m["macros"].get<int64_t>(), p);
      EXPECT_NEAR(m["area_um2"].get<double>(), static_cast<double>(p) * sram.macro_area(words, c * 8), 1e-6);
      EXPECT_NEAR(m["bitcell_area_um2"].get<double>(), static_cast<double>(p * words * c * 8) * 0.346, 1e-6);
    }
  }
  EXPECT_TRUE(weights);
  EXPECT_EQ(j["sram_model"]["node"], "45nm");

  // The cache: the same design again reads every block back with the same figures; an entry that cannot be read
  // is synthesized again; a design that differs only in its weight port synthesizes only the blocks it changes.
  auto figures = [](nlohmann::json report) {
    for (auto& b : report["blocks"]) {
      EXPECT_TRUE(b.contains("cached") && b.contains("seconds")) << b;
      b.erase("cached");
      b.erase("seconds");
    }
    return report;
  };
  std::vector<fs::path> entries;
  for (const auto& e : fs::directory_iterator(tmp.file("c/synth"))) entries.push_back(e.path());
  EXPECT_EQ(entries.size(), j["blocks"].size());
  ASSERT_FALSE(entries.empty());
  std::sort(entries.begin(), entries.end());
  hw_test::write_bytes(entries.front().string(), "{ not json");
  ASSERT_EQ(sh(synth + " --weight-port 8 --json " + tmp.file("s2.json"), &log), 0) << log;
  const std::string all_but_one = "(" + std::to_string(j["blocks"].size() - 1) + " read from the cache ";
  EXPECT_NE(log.find(all_but_one), std::string::npos) << log;
  const auto j2 = nlohmann::json::parse(read_bytes(tmp.file("s2.json")));
  EXPECT_EQ(figures(j2), figures(j));
  ASSERT_EQ(sh(synth + " --weight-port 4 --json " + tmp.file("s4.json"), &log), 0) << log;
  const auto j4 = nlohmann::json::parse(read_bytes(tmp.file("s4.json")));  // kept: the loop reads into it
  for (const auto& b : j4["blocks"]) {
    if (b["module"] == "hw_gemv" || b["module"] == "hw_core_gemm_packer") {
      EXPECT_FALSE(b["cached"].get<bool>()) << b;
    }
    if (b["module"] == "hw_core_attention" || b["module"] == "hw_rmsnorm" || b["module"] == "hw_softmax") {
      EXPECT_TRUE(b["cached"].get<bool>()) << b;
    }
  }
}

TEST(Synth, BadLiberty) {
  TmpDir tmp;
  std::string log;
  EXPECT_EQ(sh(std::string(HARDWIRE_BIN) + " synth --model tiny --array 4x4 --liberty " + tmp.file("none.lib"), &log), 1);
  EXPECT_NE(log.find("hardwire: error: cannot open liberty file '" + tmp.file("none.lib") + "': no such file"),
            std::string::npos) << log;
}

// A liberty library of four cells, with one timing table: what `synth` reads of a library.
constexpr const char* kTinyLiberty = R"lib(library (t) {
  time_unit : "1ns";
  cell (INVX1) { area : 16; pin (A) { direction : input; } pin (Y) { direction : output; function : "!A";
    timing () { related_pin : "A"; cell_rise (tbl) { values ("1"); } } } }
  cell (BUFX2) { area : 24; pin (A) { direction : input; } pin (Y) { direction : output; function : "A"; } }
  cell ("BUFX4") { area : 32; pin (A) { direction : input; } pin (Y) { direction : output; function : "A"; } }
  cell (NAND2X1) { area : 24; pin (A) { direction : input; } pin (B) { direction : input; }
    pin (Y) { direction : output; function : "!(A&B)"; } }
  cell (DFFPOSX1) { area : 96; ff (IQ, IQN) { next_state : "D"; clocked_on : "CLK"; }
    pin (CLK) { direction : input; clock : true; } pin (D) { direction : input; }
    pin (Q) { direction : output; function : "IQ"; } }
})lib";

TEST(Synth, LibertyCellsBuffersAndTiming) {
  const gen::LibertyInfo lib = gen::read_liberty_info(kTinyLiberty);
  EXPECT_TRUE(lib.timing);
  EXPECT_EQ(lib.areas.size(), 5u);
  EXPECT_EQ(lib.areas.at("BUFX4"), 32);
  EXPECT_EQ(lib.areas.at("DFFPOSX1"), 96);
  EXPECT_EQ(lib.buffer, "BUFX2");  // the smallest buffer: port-to-port wires
  EXPECT_EQ(lib.strong_buffer, "BUFX4");  // the largest: fanout trees
  EXPECT_EQ(lib.strong_in, "A");
  EXPECT_EQ(lib.strong_out, "Y");
  EXPECT_EQ(lib.input_pins.at("NAND2X1"), (std::vector<std::string>{"A", "B"}));
  EXPECT_EQ(lib.input_pins.at("DFFPOSX1"), (std::vector<std::string>{"CLK", "D"}));
  // The built-in library has areas and no timing.
  EXPECT_FALSE(gen::read_liberty_info("library (g) { cell (INV_X1) { area : 0.532; pin (A) { direction : input; }"
                                      " pin (ZN) { direction : output; function : \"!A\"; } } }").timing);
}

// repair_fanout: a register driving 40 gate inputs and an output port gets a tree of strong buffers, at most 16
// loads per pin; every load is still reached; the port keeps its net; a netlist within the limit is left alone.
TEST(Synth, FanoutRepairBuildsBufferTrees) {
  const gen::LibertyInfo lib = gen::read_liberty_info(kTinyLiberty);
  std::string net = "module m(clk_i, y_o);\n  input clk_i;\n  output y_o;\n  wire \\u.q ;\n";
  auto cell = [](const std::string& type, const std::string& name, std::vector<std::pair<std::string, std::string>> pins) {
    std::string c = "  " + type + " " + name + " (\n";
    for (size_t i = 0; i < pins.size(); ++i)
      c += "    ." + pins[i].first + "(" + pins[i].second + ")" + (i + 1 < pins.size() ? ",\n" : "\n");
    return c + "  );\n";
  };
  net += cell("DFFPOSX1", "_r_", {{"CLK", "clk_i"}, {"D", "y_o"}, {"Q", "\\u.q "}});
  for (int i = 0; i < 40; ++i)
    net += cell("NAND2X1", "_g" + std::to_string(i) + "_", {{"A", "\\u.q "}, {"B", "clk_i"}, {"Y", "w" + std::to_string(i)}});
  net += "  assign y_o = \\u.q ;\nendmodule\n";
  int64_t inserted = 0;
  const std::string out = gen::repair_fanout(net, lib, 16, inserted);
  // The register's 40 loads: 3 buffers of at most 16, driven by the register (3 <= 16); the clock's 41 (40 gate
  // inputs and the register's clock pin) likewise 3 (clocks are ideal in the timing run: this changes no arrival).
  EXPECT_EQ(inserted, 6);
  // The loads of every net (input pins of library cells).
  auto count_loads = [&](const std::string& text) {
    std::map<std::string, int> loads;
    std::istringstream in(text);
    std::string type;
    for (std::string line; std::getline(in, line);) {
      if (line.size() > 2 && line[2] != ' ' && line.back() == '(') type = line.substr(2, line.find(' ', 2) - 2);
      if (line.rfind("    .", 0) == 0) {
        const std::string pin = line.substr(5, line.find('(') - 5);
        std::string n = line.substr(line.find('(') + 1, line.rfind(')') - line.find('(') - 1);
        while (!n.empty() && n.back() == ' ') n.pop_back();
        const auto& ins = lib.input_pins.at(type);
        if (std::find(ins.begin(), ins.end(), pin) != ins.end()) ++loads[n];
      }
    }
    return loads;
  };
  auto loads = count_loads(out);
  EXPECT_EQ(loads["\\u.q"], 3);    // the register now drives the three buffers
  EXPECT_EQ(loads["clk_i"], 3);
  int gate_loads = 0;
  for (const auto& [n, k] : loads) {
    if (n.rfind("hw_fo_", 0) == 0) gate_loads += k;
  }
  EXPECT_EQ(gate_loads, 40 + 41);  // every NAND input and the clock pin, behind a buffer
  for (const auto& [n, k] : loads) EXPECT_LE(k, 16) << n;
  EXPECT_NE(out.find("assign y_o = \\u.q ;"), std::string::npos);  // the port keeps its net
  // A tree of several levels (at most 2 loads a pin): 40 loads take 20 + 10 + 5 + 3 + 2 buffers, 41 take
  // 21 + 11 + 6 + 3 + 2; every net, the two roots included, drives at most 2.
  int64_t deep = 0;
  const auto deep_loads = count_loads(gen::repair_fanout(net, lib, 2, deep));
  EXPECT_EQ(deep, 40 + 43);
  for (const auto& [n, k] : deep_loads) EXPECT_LE(k, 2) << n;
  EXPECT_EQ(deep_loads.at("\\u.q"), 2);
  EXPECT_EQ(deep_loads.at("clk_i"), 2);
  // A netlist within the limit comes back unchanged.
  int64_t none = -1;
  EXPECT_EQ(gen::repair_fanout(net, lib, 64, none), net);
  EXPECT_EQ(none, 0);
}

// `synth --liberty` with a real library that has timing (OSU 0.18 um, qflow-tech-osu018, installed by
// scripts/setup.sh): every block synthesized gets a critical path in ns from OpenSTA, and the report an fmax from
// the slowest; the built-in library says that it has no timing. Three small blocks of tiny 4x4 keep it short.
TEST(Synth, LibertyWithTimingGivesCriticalPathsAndFmax) {
  const std::string osu = "/usr/share/qflow/tech/osu018/osu018_stdcells.lib";
  ASSERT_TRUE(fs::exists(osu)) << osu << " is missing: scripts/setup.sh installs qflow-tech-osu018";
  TmpDir tmp;
  std::string log;
  const std::string synth = std::string(HARDWIRE_BIN) + " synth --model tiny --array 4x4 --no-cache --jobs 2";
  ASSERT_EQ(sh(synth + " --liberty " + osu + " --blocks core_sequencer,gemv,core_writeback --json " + tmp.file("t.json"),
               &log), 0) << log;
  const auto j = nlohmann::json::parse(read_bytes(tmp.file("t.json")));
  ASSERT_EQ(j["blocks"].size(), 3u) << j;
  double worst = 0;
  std::string slowest;
  for (const auto& b : j["blocks"]) {
    ASSERT_TRUE(b.contains("timing")) << b;
    const double ns = b["timing"]["critical_ns"].get<double>();
    EXPECT_GT(ns, 0.3) << b;   // at least a flip-flop and a gate at 0.18 um
    EXPECT_LT(ns, 100.0) << b;
    EXPECT_GT(b["timing"]["cells"].get<int>(), 0) << b;
    if (ns > worst) worst = ns, slowest = b["name"];
  }
  EXPECT_TRUE(j["timing"]["available"].get<bool>());
  EXPECT_EQ(j["timing"]["slowest_block"], slowest);
  EXPECT_NEAR(j["timing"]["fmax_mhz"].get<double>(), 1000.0 / worst, 1e-6);
  EXPECT_GT(j["timing"]["tokens_per_second_at_most"].get<double>(), 0);
  EXPECT_NE(log.find("slowest block " + slowest), std::string::npos) << log;
  EXPECT_NE(log.find("critical path ns"), std::string::npos) << log;
  EXPECT_EQ(j["sram_model"]["node"], "180nm");  // the library's node
  EXPECT_TRUE(j["partial"].get<bool>());
  // The generic library: areas only, and it says so.
  ASSERT_EQ(sh(synth + " --blocks core_sequencer --json " + tmp.file("g.json"), &log), 0) << log;
  EXPECT_NE(log.find("Timing: none (the cell library has areas only"), std::string::npos) << log;
  EXPECT_FALSE(nlohmann::json::parse(read_bytes(tmp.file("g.json")))["timing"]["available"].get<bool>());
}

TEST(Synth, BadBlocksAndJobs) {
  TmpDir tmp;
  std::string log;
  const std::string synth = std::string(HARDWIRE_BIN) + " synth --model tiny --array 4x4 --no-cache";
  EXPECT_EQ(sh("cd " + tmp.path().string() + " && TMPDIR=" + tmp.path().string() + " " + synth + " --blocks gemv,nope", &log), 1);
  EXPECT_NE(log.find("hardwire: error: no block 'nope' in this design: choose among gemv, softmax,"),
            std::string::npos) << log;
  EXPECT_EQ(sh(synth + " --node 3nm", &log), 1);
  EXPECT_NE(log.find("hardwire: error: unknown --node '3nm': choose 180nm, 45nm, 7nm or 5nm"), std::string::npos)
      << log;
  EXPECT_EQ(sh(synth + " --memories-only --blocks gemv", &log), 1);
  EXPECT_NE(log.find("hardwire: error: --memories-only synthesizes no block: give it or --blocks, not both"),
            std::string::npos) << log;
  EXPECT_EQ(sh(synth + " --jobs 0", &log), 1);
  EXPECT_NE(log.find("hardwire: error: --jobs 0 is out of range: give 1 to 64 blocks at once"), std::string::npos)
      << log;
  // Nothing was left behind in the temporary directory.
  EXPECT_TRUE(fs::is_empty(tmp.path())) << "left behind in " << tmp.path().string();
}

// The SRAM macro model: compiler-style folding near square, periphery per row, column and macro (synth.hpp). The
// figures the docs quote: a 32 Kbit macro 56% bit cells, 256 Kbit 82%, 16 x 32 words 5%; the nodes' bit cells.
TEST(Synth, SramMacroModel) {
  const gen::SramModel s;  // 45 nm
  EXPECT_EQ(s.column_mux(512, 64), 2);    // 256 x 128 (not 128 x 256: the smaller mux on a tie)
  EXPECT_EQ(s.column_mux(4096, 64), 8);   // 512 x 512
  EXPECT_EQ(s.column_mux(16, 32), 1);
  EXPECT_EQ(s.column_mux(1 << 20, 8), 32);  // the largest mux
  auto efficiency = [&](int64_t w, int64_t b) { return static_cast<double>(w * b) * s.bitcell_um2 / s.macro_area(w, b); };
  EXPECT_NEAR(efficiency(512, 64), 32768.0 / (32768 + 40 * 256 + 60 * 128 + 8000), 1e-12);
  EXPECT_NEAR(efficiency(512, 64), 0.56, 0.005);
  EXPECT_NEAR(efficiency(4096, 64), 0.82, 0.005);
  EXPECT_NEAR(efficiency(16, 32), 0.046, 0.001);
  // Splitting a memory into more macros costs area: 16 macros of 256 words against one of 4096.
  EXPECT_GT(16 * s.macro_area(256, 64), 1.3 * s.macro_area(4096, 64));
  // A memory beyond the largest compiled macro (16384 words x 256 bits) is priced as the fewest equal macros.
  int64_t n = 0;
  EXPECT_EQ(s.memory_area(4096, 64, n), s.macro_area(4096, 64));
  EXPECT_EQ(n, 1);
  EXPECT_EQ(s.memory_area(40000, 600, n), 9 * s.macro_area(13334, 200));  // 3 x 3 macros
  EXPECT_EQ(n, 9);
  for (const auto& [node, cell] : std::vector<std::pair<std::string, double>>{
           {"45nm", 0.346}, {"7nm", 0.027}, {"5nm", 0.021}, {"180nm", 0.346 * 16}}) {
    const auto m = gen::sram_model_for_node(node);
    ASSERT_TRUE(m.is_ok()) << node;
    EXPECT_EQ(m->bitcell_um2, cell) << node;
    EXPECT_NEAR(m->macro_area(512, 64) / s.macro_area(512, 64), cell / 0.346, 1e-12) << node;
  }
  const auto bad = gen::sram_model_for_node("3nm");
  ASSERT_FALSE(bad.is_ok());
  EXPECT_EQ(bad.message(), "unknown --node '3nm': choose 180nm, 45nm, 7nm or 5nm");
  EXPECT_EQ(gen::liberty_node("osu018_stdcells"), "180nm");
  EXPECT_EQ(gen::liberty_node("hardwire_generic45"), "45nm");
  EXPECT_EQ(gen::liberty_node("mylib"), "");
}

// --memories-only: the memories of a design priced without synthesizing any logic; the weight SRAM's last macro of
// a bank is sized to the words left (--sram-bank-depth 256 on tiny 4x4: full macros and a partial one per bank).
// The file list of a design and of each synthesized block is what the templates instantiate (template_closure): the
// lanes a unit repeats come with it, packages first, black boxes left out; the library's other engine does not.
TEST(Templates, ClosureFollowsInstancesAndPackages) {
  const auto core = gen::template_closure({"hw_core"});
  auto has = [&](const std::vector<std::string>& v, const std::string& m) {
    return std::find(v.begin(), v.end(), m) != v.end();
  };
  for (const char* m : {"hw_core", "hw_gemv", "hw_gemv_column", "hw_mul", "hw_flop_en", "hw_fifo", "hw_sram",
                        "hw_requant", "hw_softmax", "hw_rmsnorm", "hw_rmsnorm_lane", "hw_rope", "hw_rope_pair",
                        "hw_core_attention", "hw_core_attention_score", "hw_core_attention_dot",
                        "hw_core_attention_pv", "hw_core_attention_pv_group", "hw_core_requant_lane",
                        "hw_core_elementwise", "hw_core_elementwise_lane", "hw_core_writeback",
                        "hw_core_writeback_lane", "hw_core_pkg"})
    EXPECT_TRUE(has(core, m)) << m;
  for (const char* m : {"hw_gemm", "hw_pe", "hw_systolic_array", "hw_isa_pkg", "hardwire_cfg_pkg"})
    EXPECT_FALSE(has(core, m)) << m;  // the M > 1 engine is not this chip's; generated packages are not templates
  EXPECT_EQ(core.front(), "hw_core_pkg");  // packages first
  EXPECT_TRUE(std::is_sorted(core.begin() + 1, core.end()));
  // A black box is neither listed nor followed: attention without its softmax units.
  const auto att = gen::template_closure({"hw_core_attention"}, {"hw_softmax", "hw_sram"});
  EXPECT_FALSE(has(att, "hw_softmax"));
  EXPECT_FALSE(has(att, "hw_sram"));
  EXPECT_TRUE(has(att, "hw_core_attention_pv"));
  EXPECT_TRUE(has(att, "hw_mul"));
  EXPECT_TRUE(gen::template_closure({"no_such_module"}).empty());
}

TEST(Synth, MemoriesOnly) {
  TmpDir tmp;
  std::string log;
  ASSERT_EQ(sh(std::string(HARDWIRE_BIN) + " synth --model tiny --array 4x4 --no-cache --memories-only "
               "--sram-bank-depth 256 --node 7nm --json " + tmp.file("m.json") + " --work " + tmp.file("w"), &log), 0)
      << log;
  EXPECT_NE(log.find("Total: logic 0.000 mm^2 (none synthesized: --memories-only)"), std::string::npos) << log;
  const auto j = nlohmann::json::parse(read_bytes(tmp.file("m.json")));
  EXPECT_TRUE(j["blocks"].empty());
  EXPECT_EQ(j["sram_model"]["node"], "7nm");
  // Energy per token, computed from the program over a full context at the memory model's node.
  EXPECT_EQ(j["energy"]["how"], "computed");
  EXPECT_EQ(j["energy"]["node"], "7nm");
  EXPECT_NE(log.find("energy per token (computed from the program, not simulated: mean over positions 0..63, at 7nm)"),
            std::string::npos) << log;
  {
    const auto src = gen::resolve_model("tiny");
    ASSERT_TRUE(src.is_ok());
    gen::PlanOptions po;
    po.array = {4, 4};
    po.sram_bank_depth = 256;
    const auto plan = gen::plan_chip(src->shape, golden::Widths{}, po);
    ASSERT_TRUE(plan.is_ok()) << plan.message();
    const auto e = gen::price_activity(*plan, gen::context_activity(*plan, src->shape.seq_len), "7nm");
    ASSERT_TRUE(e.is_ok());
    EXPECT_NEAR(j["energy"]["pj_per_token"].get<double>(), e->pj_per_token, 1e-9 * e->pj_per_token);
    EXPECT_GT(j["decode_bound_cycles_per_token"].get<double>(), 0);
  }
  const auto man = nlohmann::json::parse(read_bytes(tmp.file("w/design/manifest.json")));
  const int64_t words = man["hardware"]["weight_sram"]["words_per_bank"];
  const int64_t banks = man["blocks"]["hw_gemv"]["parameters"]["P"];
  const int64_t width = 8 * man["hardware"]["array"]["cols"].get<int64_t>();
  ASSERT_GT(words % 256, 0) << words;
  const auto sram = gen::sram_model_for_node("7nm");
  ASSERT_TRUE(sram.is_ok());
  for (const auto& m : j["memories"]) {
    if (m["name"] != "weight SRAM") continue;
    EXPECT_EQ(m["macros"].get<int64_t>(), banks * (words / 256 + 1));
    EXPECT_NEAR(m["area_um2"].get<double>(),
                static_cast<double>(banks) * (static_cast<double>(words / 256) * sram->macro_area(256, width) +
                                              sram->macro_area(words % 256, width)),
                1e-6);
  }
}

// ---- hardwire sweep ----------------------------------------------------------------------------------------------

namespace {
std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> v;
  std::istringstream s(text);
  for (std::string l; std::getline(s, l);) v.push_back(l);
  return v;
}
}  // namespace

// A grid of 4 arrays x 2 weight ports: CSV, JSON, the Markdown report and the three plots (SVG with their axis
// labels, PNG); a second run reuses every point; --emit-jobs, the commands run by a shell, then --collect give the
// same report, byte for byte.
TEST(Sweep, GridReportPlotsAndEmitCollectAgree) {
  TmpDir tmp;
  const std::string grid = " sweep --model tiny --arrays 2x2,4x4,4x8,8x8 --weight-ports c,rc --memories-only";
  std::string log;
  ASSERT_EQ(sh(std::string(HARDWIRE_BIN) + grid + " --jobs 2 --out " + tmp.file("a"), &log), 0) << log;
  EXPECT_NE(log.find("8 design points (0 with results already)"), std::string::npos) << log;
  const std::string rep = tmp.file("a/report/");
  const auto csv = lines_of(read_bytes(rep + "sweep.csv"));
  ASSERT_EQ(csv.size(), 9u);
  EXPECT_EQ(csv[0].rfind("id,label,array,rows,cols,weight_port,kv_port,widths,weight_bits,weight_group,weight_zero_point,logic_mm2,"
                         "memories_mm2,total_mm2,", 0), 0u);
  const auto j = nlohmann::json::parse(read_bytes(rep + "sweep.json"));
  ASSERT_EQ(j["points"].size(), 8u);
  for (const auto& p : j["points"]) {
    EXPECT_GT(p["area_mm2"]["memories"].get<double>(), 0);
    EXPECT_EQ(p["clock_source"], "assumed");
    EXPECT_EQ(p["cycles_source"], "bound");
    EXPECT_NEAR(p["tokens_per_second"].get<double>(), 1000e6 / p["cycles_per_token"].get<double>(), 1e-6);
    EXPECT_GT(p["energy"]["tokens_per_joule"].get<double>(), 0);
  }
  // The largest, fastest point is on the Pareto front; 8x8 at port C (the same chip as 4x8 at C, and larger than
  // 4x4 at R x C, which is faster) is not.
  EXPECT_TRUE(j["points"][7]["pareto"].get<bool>()) << j["points"][7].dump();
  EXPECT_FALSE(j["points"][6]["pareto"].get<bool>()) << j["points"][6].dump();
  const std::string md = read_bytes(rep + "report.md");
  EXPECT_NE(md.find("| 8x8 wp64 kv32 |"), std::string::npos) << md;
  EXPECT_NE(md.find("tokens/s at an assumed 1000 MHz"), std::string::npos) << md;
  for (const char* plot : {"area", "tokens_per_s", "tokens_per_joule"}) {
    const std::string svg = read_bytes(rep + "plots/" + plot + ".svg");
    EXPECT_NE(svg.find("<svg"), std::string::npos) << plot;
    EXPECT_EQ(read_bytes(rep + "plots/" + plot + ".png").substr(1, 3), "PNG") << plot;
  }
  EXPECT_NE(read_bytes(rep + "plots/area.svg").find("area (mm²)"), std::string::npos);
  EXPECT_NE(read_bytes(rep + "plots/area.svg").find("weight SRAM"), std::string::npos);
  EXPECT_NE(read_bytes(rep + "plots/tokens_per_s.svg").find("chip area (mm²): logic + memories"), std::string::npos);
  EXPECT_NE(read_bytes(rep + "plots/tokens_per_s.svg").find("Pareto front"), std::string::npos);
  EXPECT_NE(read_bytes(rep + "plots/tokens_per_joule.svg").find("tokens per joule"), std::string::npos);
  // Again: every point has its results.
  ASSERT_EQ(sh(std::string(HARDWIRE_BIN) + grid + " --out " + tmp.file("a"), &log), 0) << log;
  EXPECT_NE(log.find("8 design points (8 with results already)"), std::string::npos) << log;

  // Emit, run the commands, collect: the same report.
  ASSERT_EQ(sh(std::string(HARDWIRE_BIN) + grid + " --out " + tmp.file("b") + " --emit-jobs " + tmp.file("jobs.sh"), &log), 0)
      << log;
  EXPECT_FALSE(fs::exists(tmp.file("b/report")));
  const auto jobs = lines_of(read_bytes(tmp.file("jobs.sh")));
  ASSERT_EQ(jobs.size(), 9u);
  EXPECT_EQ(jobs[0].rfind("# hardwire sweep jobs", 0), 0u);
  ASSERT_EQ(sh("bash " + tmp.file("jobs.sh"), &log), 0) << log;
  ASSERT_EQ(sh(std::string(HARDWIRE_BIN) + " sweep --collect --out " + tmp.file("b"), &log), 0) << log;
  for (const char* f : {"sweep.csv", "sweep.json", "report.md", "gnuplot/area.gp", "gnuplot/points.dat",
                        "plots/area.svg", "plots/tokens_per_s.svg", "plots/tokens_per_joule.svg"})
    EXPECT_EQ(read_bytes(tmp.file(std::string("a/report/") + f)), read_bytes(tmp.file(std::string("b/report/") + f))) << f;
  // The jobs file is hardwire's own: writing it again is allowed.
  ASSERT_EQ(sh(std::string(HARDWIRE_BIN) + grid + " --out " + tmp.file("b") + " --emit-jobs " + tmp.file("jobs.sh"), &log), 0)
      << log;
  EXPECT_NE(log.find("0 points of 8 to run"), std::string::npos) << log;
}

// Logic synthesized per point (here the matrix engine only) is in the area by unit; --steps simulates each point,
// and its cycles are the simulator's.
TEST(Sweep, LogicAndSimulatedCycles) {
  TmpDir tmp;
  std::string log;
  ASSERT_EQ(sh("HARDWIRE_CACHE_DIR=" + tmp.file("cache") + " " + HARDWIRE_BIN +
                   " sweep --model tiny --arrays 4x4 --weight-ports c,rc --blocks gemv --steps 2 --jobs 2 --out " +
                   tmp.file("s"),
               &log),
            0)
      << log;
  const auto j = nlohmann::json::parse(read_bytes(tmp.file("s/report/sweep.json")));
  ASSERT_EQ(j["points"].size(), 2u);
  double engine[2];
  for (int i = 0; i < 2; ++i) {
    const auto& p = j["points"][i];
    EXPECT_EQ(p["cycles_source"], "simulated");
    const auto sim = nlohmann::json::parse(read_bytes(tmp.file("s/points/" + p["point"]["id"].get<std::string>() + "/sim.json")));
    EXPECT_EQ(p["cycles_per_token"].get<double>(), sim["cycles_per_token"].get<double>());
    engine[i] = p["area_mm2"]["by_unit"]["matrix engine"].get<double>();
    EXPECT_GT(engine[i], 0);
    EXPECT_EQ(p["area_mm2"]["by_unit"]["attention"].get<double>(), 0);  // not synthesized
  }
  EXPECT_GT(engine[1], 2 * engine[0]);  // 16 multipliers against 4
  EXPECT_LT(j["points"][1]["cycles_per_token"].get<double>(), j["points"][0]["cycles_per_token"].get<double>());
}

// --seq-len chips fewer positions at every point: the points' commands carry it (so their ids differ from the
// model's own length), the report names it, and the KV cache, and with it the memories, shrink.
TEST(Sweep, SeqLenChipsFewerPositions) {
  TmpDir tmp;
  std::string log;
  const std::string grid = std::string(HARDWIRE_BIN) + " sweep --model tiny --arrays 4x4 --memories-only";
  ASSERT_EQ(sh(grid + " --out " + tmp.file("full"), &log), 0) << log;
  ASSERT_EQ(sh(grid + " --seq-len 32 --out " + tmp.file("half"), &log), 0) << log;
  const auto full = nlohmann::json::parse(read_bytes(tmp.file("full/report/sweep.json")));
  const auto half = nlohmann::json::parse(read_bytes(tmp.file("half/report/sweep.json")));
  ASSERT_EQ(half["points"].size(), 1u);
  const auto& p = half["points"][0]["point"];
  EXPECT_EQ(p["seq_len"], 32);
  EXPECT_EQ(full["points"][0]["point"]["seq_len"], 64);
  const std::string point_json = read_bytes(tmp.file("half/points/" + p["id"].get<std::string>() + "/point.json"));
  EXPECT_NE(point_json.find(" synth --model tiny --seq-len 32 --array 4x4"), std::string::npos) << point_json;
  EXPECT_NE(p["id"], full["points"][0]["point"]["id"]);
  EXPECT_LT(half["points"][0]["area_mm2"]["memories"].get<double>(), full["points"][0]["area_mm2"]["memories"].get<double>());
  EXPECT_EQ(read_bytes(tmp.file("half/report/report.md")).rfind("# hardwire sweep: tiny, 32 positions\n", 0), 0u);
  EXPECT_EQ(sh(grid + " --seq-len 32 --steps 33 --out " + tmp.file("o"), &log), 1);
  EXPECT_EQ(log, "hardwire: error: --steps 33 needs 33 positions but the model's seq_len is 32; use at most --steps 32\n");
  EXPECT_FALSE(fs::exists(tmp.file("o")));
}

// Bad sweeps: one clear error each, and nothing written.
TEST(Sweep, Errors) {
  TmpDir tmp;
  const std::string bin = std::string(HARDWIRE_BIN) + " sweep --model tiny ";
  const std::string out = " --out " + tmp.file("o");
  struct Case {
    std::string args, error;
  };
  const std::vector<Case> cases = {
      {"--memories-only", "the sweep grid is empty: give --arrays (e.g. --arrays 8x8,16x16)"},
      {"--arrays 4x4 --weight-ports 3x",
       "--weight-ports: '3x' is not a weight port: give c, <n>c (e.g. 4c), rc or a byte count"},
      {"--arrays 4x4 --kv-ports wide", "--kv-ports: 'wide' is not a KV port: give row, head or a byte count"},
      {"--arrays 2x2 --weight-ports 4c",
       "the sweep grid is empty: no point fits (2x2 weight port 4c: weight port 8 bytes per cycle must be a multiple "
       "of C = 2 from 2 to R x C = 4 on a 2x2 array, e.g. --weight-port 4)"},
      {"--arrays 4x4 --node 3nm", "unknown --node '3nm': choose 180nm, 45nm, 7nm or 5nm"},
      {"--arrays 4x4 --clock-mhz -1",
       "--clock-mhz -1 is out of range: give the clock assumed where the library has no timing, in MHz, above 0"},
      {"--arrays 4x4 --steps -2", "--steps -2 is negative: give 0 (no simulation) or more"},
      {"--arrays 4x4 --weight-formats 4x16",
       "--weight-formats: '4x16' is not a weight format: give the bits (8, 6 or 4), optionally g and the inputs per "
       "group scale, then optionally z for zero points, e.g. 4g16 or 4g8z"},
      {"--arrays 4x4 --weight-formats 5", "--weight-bits 5 is not supported; use 4, 6 or 8"},
      {"--arrays 4x4 --weight-formats 4g10",
       "the sweep grid is empty: no point fits (4x4 weight port rc format 4g10: --weight-group 10 must be a multiple "
       "of the weight port's 4 rows (the matrix engine takes 4 inputs per cycle), e.g. --weight-group 12)"},
  };
  for (const auto& c : cases) {
    std::string log;
    EXPECT_EQ(sh(bin + c.args + out, &log), 1) << c.args << "\n" << log;
    EXPECT_EQ(log, "hardwire: error: " + c.error + "\n") << c.args;
    EXPECT_FALSE(fs::exists(tmp.file("o"))) << c.args;
  }
  std::string log;
  // Collecting where there is no sweep.
  EXPECT_EQ(sh(bin + "--collect" + out, &log), 1);
  EXPECT_EQ(log, "hardwire: error: '" + tmp.file("o") + "' holds no sweep (no points/ directory); run hardwire sweep first\n");
  // A jobs file that is not hardwire's is never overwritten.
  hw_test::write_bytes(tmp.file("mine.sh"), "echo mine\n");
  EXPECT_EQ(sh(bin + "--arrays 4x4 --memories-only --emit-jobs " + tmp.file("mine.sh") + out, &log), 1);
  EXPECT_EQ(log, "hardwire: error: --emit-jobs: '" + tmp.file("mine.sh") +
                     "' exists and is not a jobs file hardwire wrote; choose another name or remove it\n");
  EXPECT_EQ(read_bytes(tmp.file("mine.sh")), "echo mine\n");
  // An output directory holding a user's files is refused.
  fs::create_directories(tmp.file("user"));
  hw_test::write_bytes(tmp.file("user/notes.txt"), "keep\n");
  EXPECT_EQ(sh(bin + "--arrays 4x4 --memories-only --out " + tmp.file("user"), &log), 1);
  EXPECT_NE(log.find("exists and is not a hardwire output"), std::string::npos) << log;
  EXPECT_EQ(read_bytes(tmp.file("user/notes.txt")), "keep\n");
  // An unwritable place.
  EXPECT_EQ(sh(bin + "--arrays 4x4 --memories-only --out /proc/hardwire-sweep", &log), 1);
  EXPECT_EQ(log.rfind("hardwire: error: ", 0), 0u) << log;
  EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 1) << log;
}

// ---- hardwire report ---------------------------------------------------------------------------------------------

// One page about one design: the shape, area by unit and memory, the decode bounds by phase (and, with --steps, the
// simulated cycles and energy), tokens/s, energy per token, and three plots; a second report into the same
// directory replaces the first.
TEST(Report, OneDesignPageWithPlots) {
  TmpDir tmp;
  std::string log;
  const std::string cmd = std::string(HARDWIRE_BIN) + " report --model tiny --array 4x4 --memories-only --out " + tmp.file("r");
  ASSERT_EQ(sh(cmd, &log), 0) << log;
  const std::string md = read_bytes(tmp.file("r/report.md"));
  for (const char* s : {"# hardwire report: tiny on 4x4, weight port 16 B, KV port 32 B", "## Model", "| 32 | 96 | 2 | 4 | 2 | 100 | 64 |",
                        "## Area", "weight SRAM (memory)", "(no logic synthesized)", "## Timing and speed",
                        "| ffn | 1152 | 1152 | 0 |", "Not simulated: the largest decode bound, 1996 cycles per token",
                        "at 1000.0 MHz (assumed): **501,002 tokens/s**", "## Energy", "Computed from the program (not simulated) at 45nm",
                        "![energy by item](plots/energy.svg)"})
    EXPECT_NE(md.find(s), std::string::npos) << s << "\n" << md;
  for (const char* plot : {"area", "cycles", "energy"}) {
    EXPECT_NE(read_bytes(tmp.file(std::string("r/plots/") + plot + ".svg")).find("<svg"), std::string::npos) << plot;
    EXPECT_EQ(read_bytes(tmp.file(std::string("r/plots/") + plot + ".png")).substr(1, 3), "PNG") << plot;
  }
  EXPECT_NE(read_bytes(tmp.file("r/plots/cycles.svg")).find("cycles per token"), std::string::npos);
  EXPECT_NE(read_bytes(tmp.file("r/plots/energy.svg")).find("energy per token (nJ)"), std::string::npos);
  // With a simulation: the measured cycles next to the bounds, and the energy of what the chip did.
  ASSERT_EQ(sh(cmd + " --steps 2", &log), 0) << log;
  const std::string md2 = read_bytes(tmp.file("r/report.md"));
  EXPECT_NE(md2.find("| phase | cycles (simulated) | compute |"), std::string::npos) << md2;
  EXPECT_NE(md2.find("Simulated: "), std::string::npos) << md2;
  EXPECT_NE(md2.find("Simulated (the events the chip counted) at 45nm"), std::string::npos) << md2;
  EXPECT_TRUE(fs::exists(tmp.file("r/sim.json")));
  // Nothing of the tools' work is left beside it.
  for (const auto& e : fs::directory_iterator(tmp.path())) EXPECT_EQ(e.path().filename().string().rfind(".r.", 0), std::string::npos) << e.path();
}

// A report in a narrow weight format: info, synth and the page all take the format (the model table gives the weight
// memory in it: 4 x 27,776 codes + 8 x 3,472 group scales = 138,880 bits, the embedding table apart).
TEST(Report, InANarrowWeightFormat) {
  TmpDir tmp;
  std::string log;
  ASSERT_EQ(sh(std::string(HARDWIRE_BIN) + " report --model tiny --array 4x4 --weight-bits 4 --weight-group 8 "
               "--memories-only --out " + tmp.file("r"), &log), 0) << log;
  const std::string md = read_bytes(tmp.file("r/report.md"));
  for (const char* s : {"# hardwire report: tiny on 4x4, weight port 16 4-bit codes, KV port 32 B",
                        "| 32 | 96 | 2 | 4 | 2 | 100 | 64 | 27,936 | 17,360 |",
                        "Weight format: int4 weights with a scale per 8 inputs (the weight memory: the matrices' codes and group entries; "
                        "the embedding table apart, int8).",
                        "--weight-bits 4 --weight-group 8"})
    EXPECT_NE(md.find(s), std::string::npos) << s << "\n" << md;
}

TEST(Report, Errors) {
  TmpDir tmp;
  std::string log;
  const std::string bin = std::string(HARDWIRE_BIN) + " report --model tiny --array 4x4 ";
  EXPECT_EQ(sh(bin + "--steps 65 --out " + tmp.file("r"), &log), 1);
  EXPECT_EQ(log, "hardwire: error: --steps 65 needs 65 positions but the model's seq_len is 64; use at most --steps 64\n");
  EXPECT_EQ(sh(bin + "--node 1nm --out " + tmp.file("r"), &log), 1);
  EXPECT_EQ(log, "hardwire: error: unknown --node '1nm': choose 180nm, 45nm, 7nm or 5nm\n");
  EXPECT_EQ(sh(bin + "--liberty " + tmp.file("none.lib") + " --out " + tmp.file("r"), &log), 1);
  EXPECT_EQ(log, "hardwire: error: --liberty '" + tmp.file("none.lib") + "' is not a file: give a liberty (.lib) file\n");
  EXPECT_FALSE(fs::exists(tmp.file("r")));
  fs::create_directories(tmp.file("user"));
  hw_test::write_bytes(tmp.file("user/notes.txt"), "keep\n");
  EXPECT_EQ(sh(bin + "--memories-only --out " + tmp.file("user"), &log), 1);
  EXPECT_NE(log.find("exists and is not a hardwire output"), std::string::npos) << log;
  EXPECT_EQ(read_bytes(tmp.file("user/notes.txt")), "keep\n");
  EXPECT_EQ(std::distance(fs::directory_iterator(tmp.path()), fs::directory_iterator()), 1);  // user/ alone
}

// Narrow codes are packed lane_bits apart in an image line (6-bit lanes do not fill whole hex digits); the group
// scales of a matrix lie tile by tile, a group per word.
TEST(Layout, NarrowCodesPackAndGroupScalesLieByTile) {
  gen::LaneWords w;
  w.lanes = 2;
  w.lane_bits = 6;
  w.values = {-1, 1, 5, -32};
  EXPECT_EQ(gen::hex_image(w), "07f\n805\n");  // {000001, 111111} and {100000, 000101}
  w.lane_bits = 4;
  w.values = {-1, 7, -8, 0};
  EXPECT_EQ(gen::hex_image(w), "7f\n08\n");
  // 3 rows x 10 inputs on P = 2, C = 2, groups of 2 words (4 inputs): NG = ceil(5 / 2) = 3 words per tile.
  golden::MatU8 gs(3, 3);
  gs << 1, 2, 3, 4, 5, 6, 7, 8, 9;
  const auto g = gen::gemv_group_scale_words(gs, 10, 2, 2, 2);
  EXPECT_EQ(gen::gemv_group_scale_word_count(3, 10, 2, 2, 2), 6);
  EXPECT_EQ(g.values, (std::vector<int64_t>{1, 4, 2, 5, 3, 6, 7, 0, 8, 0, 9, 0}));
  golden::MatI8 codes(2, 3);
  codes << 7, -8, 3, -1, 0, 1;
  const auto banks = gen::gemv_weight_words(codes, 1, 2, 4);
  ASSERT_EQ(banks.size(), 1u);
  EXPECT_EQ(banks[0].lane_bits, 4);
  EXPECT_EQ(gen::hex_image(banks[0]), "f7\n08\n13\n");
  // Zero points: the banks hold u = c + z (unsigned), a group-scale entry is {z, gs} with z above the scale's byte.
  golden::MatU8 zp(2, 1);
  zp << 8, 1;
  const auto ubanks = gen::gemv_weight_words(codes, 1, 2, 4, zp, 8);
  EXPECT_EQ(ubanks[0].values, (std::vector<int64_t>{15, 0, 0, 1, 11, 2}));  // {7+8, -1+1}, {-8+8, 0+1}, {3+8, 1+1}
  golden::MatU8 gs2(2, 1);
  gs2 << 200, 3;
  const auto ge = gen::gemv_group_scale_words(gs2, 3, 1, 2, 8, zp, 4);
  EXPECT_EQ(ge.lane_bits, 12);
  EXPECT_EQ(ge.values, (std::vector<int64_t>{8 * 256 + 200, 1 * 256 + 3}));
}

// Weight formats as a sweep axis: each format a point (its label, point.json and CSV columns), the weight memory
// smaller at fewer bits, a format whose groups do not fit a port left out with a line.
TEST(Sweep, WeightFormatsAreAnAxis) {
  TmpDir tmp;
  std::string log;
  ASSERT_EQ(sh(std::string(HARDWIRE_BIN) + " sweep --model tiny --arrays 4x4,8x8 --weight-formats 8,4g8,6,4g8z "
                   "--memories-only --out " + tmp.file("s"), &log), 0) << log;
  EXPECT_NE(log.find("8 design points"), std::string::npos) << log;
  const auto j = nlohmann::json::parse(read_bytes(tmp.file("s/report/sweep.json")));
  ASSERT_EQ(j["points"].size(), 8u);
  std::map<std::string, double> weights;  // label -> weight SRAM mm2 (with the group scales)
  for (const auto& p : j["points"]) weights[p["point"]["label"]] = p["area_mm2"]["by_unit"]["weight SRAM"];
  ASSERT_TRUE(weights.count("8x8 wp64 kv32 w4g8")) << j.dump();
  EXPECT_LT(weights["8x8 wp64 kv32 w6"], weights["8x8 wp64 kv32"]);
  EXPECT_LT(weights["4x4 wp16 kv32 w6"], weights["4x4 wp16 kv32"]);
  const auto csv = lines_of(read_bytes(tmp.file("s/report/sweep.csv")));
  EXPECT_NE(std::find_if(csv.begin(), csv.end(), [](const std::string& l) {
              return l.find("\"8x8 wp64 kv32 w4g8\",8x8,8,8,64,32,\"\",4,8,0,") != std::string::npos;
            }), csv.end());
  EXPECT_NE(std::find_if(csv.begin(), csv.end(), [](const std::string& l) {
              return l.find("\"8x8 wp64 kv32 w4g8z\",8x8,8,8,64,32,\"\",4,8,1,") != std::string::npos;
            }), csv.end());
  // The same codes; each group entry 4 bits wider (its zero point).
  EXPECT_GT(weights["8x8 wp64 kv32 w4g8z"], weights["8x8 wp64 kv32 w4g8"]);
  EXPECT_LT(weights["8x8 wp64 kv32 w4g8z"], weights["8x8 wp64 kv32 w6"]);
  // Groups of 8 inputs are not whole words of a 16-row port.
  ASSERT_EQ(sh(std::string(HARDWIRE_BIN) + " sweep --model tiny --arrays 16x16 --weight-formats 8,4g8 "
                   "--memories-only --out " + tmp.file("t"), &log), 0) << log;
  EXPECT_NE(log.find("skipped  16x16 weight port rc format 4g8: --weight-group 8 must be a multiple of the weight "
                     "port's 16 rows"), std::string::npos) << log;
}
