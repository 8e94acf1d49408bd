// Golden files: what the generator emits for two configurations, against the committed copies under tests/golden/:
// the configuration package, the ISA package, the top and the program listing byte for byte, every other file
// (templates, memory images) by its FNV-1a hash; and the instruction-set table of docs/architecture.md. A change to a template, the ISA or an
// emitter shows up here as a diff to review.
//
//   HARDWIRE_UPDATE_GOLDEN=1 ctest -R Golden     rewrites the committed files from the current generator
//
// The committed files are also linted (verilator --lint-only -Wall with the templates), so what is reviewed is what
// the tools accept.
#include <algorithm>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "hardwire/gen/isa.hpp"
#include "support/tmpdir.hpp"

using hw_test::read_bytes;
using hw_test::TmpDir;
using hw_test::write_bytes;
namespace fs = std::filesystem;

namespace {

const std::string kSource = HARDWIRE_SOURCE_DIR;
const std::string kGolden = kSource + "/tests/golden";

bool updating() {
  const char* e = std::getenv("HARDWIRE_UPDATE_GOLDEN");
  return e != nullptr && std::string(e) == "1";
}

int sh(const std::string& cmd, std::string* output) {
  const std::string log = std::string(HARDWIRE_TEST_TMP) + "/golden." + std::to_string(::getpid()) + ".out";
  fs::create_directories(HARDWIRE_TEST_TMP);
  const int status = std::system((cmd + " > " + log + " 2>&1").c_str());
  *output = read_bytes(log);
  std::error_code ec;
  fs::remove(log, ec);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

// Compares `actual` with the committed file (or rewrites it when updating).
void check_golden(const std::string& rel, const std::string& actual) {
  const std::string path = kGolden + "/" + rel;
  if (updating()) {
    fs::create_directories(fs::path(path).parent_path());
    write_bytes(path, actual);
    std::printf("[  GOLDEN  ] rewrote tests/golden/%s\n", rel.c_str());
    return;
  }
  ASSERT_TRUE(fs::exists(path)) << "tests/golden/" << rel << " is missing: HARDWIRE_UPDATE_GOLDEN=1 writes it";
  const std::string expected = read_bytes(path);
  if (expected == actual) return;
  // The first differing line, for the failure message.
  size_t line = 1, i = 0;
  while (i < expected.size() && i < actual.size() && expected[i] == actual[i]) line += expected[i++] == '\n';
  auto line_at = [](const std::string& s, size_t at) {
    const size_t b = s.rfind('\n', at == 0 ? 0 : at - 1);
    const size_t start = b == std::string::npos ? 0 : b + 1;
    return s.substr(start, s.find('\n', start) - start);
  };
  ADD_FAILURE() << "tests/golden/" << rel << " differs at line " << line << ":\n  committed: "
                << line_at(expected, i) << "\n  generated: " << line_at(actual, i)
                << "\n(review the change; HARDWIRE_UPDATE_GOLDEN=1 rewrites the committed files)";
}

struct Config {
  std::string name, args;
};

void PrintTo(const Config& c, std::ostream* os) { *os << c.args; }

const char* const kFiles[] = {"rtl/hardwire_cfg_pkg.sv", "rtl/hw_isa_pkg.sv", "rtl/hwc_top.sv", "program.lst"};

}  // namespace

class Golden : public ::testing::TestWithParam<Config> {};

TEST_P(Golden, EmittedFilesMatchAndLint) {
  TmpDir tmp;
  const auto& c = GetParam();
  const std::string out = tmp.file("design");
  std::string log;
  // From the source tree, so a model path in the banner is the same relative path in every checkout.
  ASSERT_EQ(sh("cd " + kSource + " && " + HARDWIRE_BIN + " generate " + c.args + " --out " + out, &log), 0) << log;
  for (const char* f : kFiles) check_golden(c.name + "/" + f, read_bytes(out + "/" + f));
  // Every other file (templates, images) by its hash: any change to what is emitted is a reviewed change here.
  const auto manifest = nlohmann::json::parse(read_bytes(out + "/manifest.json"));
  std::string hashes;
  for (const auto& f : manifest["files"]) hashes += f["fnv1a64"].get<std::string>() + "  " + f["path"].get<std::string>() + "\n";
  check_golden(c.name + "/files.fnv1a64", hashes);
  // Lint the committed files with the templates: packages first, hwc_top the top.
  std::string cmd = std::string(VERILATOR_EXE) + " --lint-only -Wall --top-module hwc_top " + kGolden + "/" + c.name +
                    "/rtl/hardwire_cfg_pkg.sv " + kGolden + "/" + c.name + "/rtl/hw_isa_pkg.sv";
  // The templates in name order, packages first (a module importing one is read after it).
  std::vector<std::string> templates;
  for (const auto& e : fs::directory_iterator(kSource + "/rtl_templates"))
    if (e.path().extension() == ".sv") templates.push_back(e.path().string());
  std::sort(templates.begin(), templates.end());
  std::stable_partition(templates.begin(), templates.end(),
                        [](const std::string& t) { return t.size() > 7 && t.compare(t.size() - 7, 7, "_pkg.sv") == 0; });
  for (const auto& t : templates) cmd += " " + t;
  cmd += " " + kGolden + "/" + c.name + "/rtl/hwc_top.sv";
  ASSERT_EQ(sh(cmd, &log), 0) << log;
  EXPECT_EQ(log.find("%Warning"), std::string::npos) << log;
}

INSTANTIATE_TEST_SUITE_P(Configs, Golden,
                         ::testing::Values(Config{"tiny_8x8", "--model tiny --array 8x8"},
                                           // grouped-query attention (6 heads on 2 kv heads) on a non-square array
                                           Config{"odd48_4x8", "--model verif/models/odd48.json --array 4x8"}),
                         [](const ::testing::TestParamInfo<Config>& i) { return i.param.name; });

// docs/architecture.md carries the instruction-set table isa::markdown() renders from isa.def.
TEST(GoldenDocs, ArchitectureIsaTableIsGenerated) {
  const std::string path = kSource + "/docs/architecture.md";
  const std::string begin = "<!-- isa-table:begin (generated from isa.def; HARDWIRE_UPDATE_GOLDEN=1 rewrites) -->\n";
  const std::string end = "<!-- isa-table:end -->";
  std::string doc = read_bytes(path);
  const size_t b = doc.find(begin), e = doc.find(end);
  ASSERT_NE(b, std::string::npos) << "docs/architecture.md lacks the isa-table markers";
  ASSERT_NE(e, std::string::npos);
  ASSERT_LT(b, e);
  const std::string table = hardwire::gen::isa::markdown();
  const std::string current = doc.substr(b + begin.size(), e - b - begin.size());
  if (updating()) {
    write_bytes(path, doc.substr(0, b + begin.size()) + table + doc.substr(e));
    std::printf("[  GOLDEN  ] rewrote the ISA table of docs/architecture.md\n");
    return;
  }
  EXPECT_EQ(current, table) << "the ISA table of docs/architecture.md is stale: HARDWIRE_UPDATE_GOLDEN=1 rewrites it";
}
