// coverage_report — per-module line and toggle coverage of the accelerator from Verilator coverage data
// (`hardwire sim --coverage FILE`; scripts/coverage.sh runs the end-to-end regression that way).
//
//   coverage_report --templates rtl_templates --json OUT.json --md OUT.md  DESIGN_DIR:FILE.dat ...
//
// Each input names the design directory its data came from (the generated rtl/*.sv are the templates below a
// banner: line numbers are mapped back to rtl_templates/). Points of all instances, configurations and runs are
// merged. Per module (parameterizations merged): line coverage = source lines of a covered block or branch / source
// lines of all blocks and branches (a line counts as covered when any block containing it ran), block coverage =
// blocks and if/else/case branches taken / all of them (per instance), toggle coverage = toggle points that toggled /
// all toggle points. Every uncovered line is listed with its text, for review.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

struct Module {
  std::map<int, uint64_t> lines;  // template line -> max count of a block covering it
  uint64_t toggle_points = 0, toggle_hit = 0;
  std::map<std::string, uint64_t> toggles;   // (hier, signal) -> count, merged over runs
  std::map<std::string, uint64_t> branches;  // (line, column, hier) -> count: blocks and branches
};

std::vector<std::string> read_lines(const fs::path& p) {
  std::ifstream in(p);
  std::vector<std::string> v;
  for (std::string l; std::getline(in, l);) v.push_back(l);
  return v;
}

// "159,161-162" -> {159, 161, 162}
std::vector<int> parse_lines(const std::string& s) {
  std::vector<int> out;
  std::istringstream in(s);
  std::string part;
  while (std::getline(in, part, ',')) {
    const auto dash = part.find('-');
    try {
      if (dash == std::string::npos) out.push_back(std::stoi(part));
      else for (int i = std::stoi(part.substr(0, dash)); i <= std::stoi(part.substr(dash + 1)); ++i) out.push_back(i);
    } catch (const std::exception&) {
    }
  }
  return out;
}

std::string json_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\', o += c;
    else if (static_cast<unsigned char>(c) < 0x20) o += ' ';
    else o += c;
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  std::string templates = "rtl_templates", json_out, md_out;
  std::vector<std::string> inputs;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--templates" && i + 1 < argc) templates = argv[++i];
    else if (a == "--json" && i + 1 < argc) json_out = argv[++i];
    else if (a == "--md" && i + 1 < argc) md_out = argv[++i];
    else inputs.push_back(a);
  }
  if (inputs.empty()) {
    std::fprintf(stderr, "usage: coverage_report [--templates DIR] [--json F] [--md F] DESIGN_DIR:FILE.dat ...\n");
    return 2;
  }
  std::map<std::string, Module> mods;          // template file name -> figures
  std::map<std::string, int> offsets;          // "design|rtl/x.sv" -> banner lines
  for (const auto& in : inputs) {
    const auto colon = in.rfind(':');
    if (colon == std::string::npos) {
      std::fprintf(stderr, "coverage_report: '%s' is not DESIGN_DIR:FILE.dat\n", in.c_str());
      return 2;
    }
    const std::string design = in.substr(0, colon), dat = in.substr(colon + 1);
    std::ifstream f(dat, std::ios::binary);
    if (!f) {
      std::fprintf(stderr, "coverage_report: cannot read '%s'\n", dat.c_str());
      return 2;
    }
    for (std::string line; std::getline(f, line);) {
      if (line.rfind("C '", 0) != 0) continue;
      const auto close = line.rfind('\'');
      const std::string keys = line.substr(3, close - 3);
      const uint64_t count = std::stoull(line.substr(close + 2));
      std::map<std::string, std::string> kv;
      std::istringstream ks(keys);
      for (std::string item; std::getline(ks, item, '\x01');) {
        const auto sep = item.find('\x02');
        if (sep != std::string::npos) kv[item.substr(0, sep)] = item.substr(sep + 1);
      }
      const std::string file = kv["f"], page = kv["page"];
      const std::string name = fs::path(file).filename().string();
      if (name.rfind("hw_", 0) != 0) continue;  // generated wrappers (hwc_*) have no logic of their own
      const std::string key = design + "|" + file;
      if (!offsets.count(key)) {
        const auto gen = read_lines(fs::path(design) / file), tpl = read_lines(fs::path(templates) / name);
        offsets[key] = static_cast<int>(gen.size()) - static_cast<int>(tpl.size());
      }
      Module& m = mods[name];
      if (page.rfind("v_line/", 0) == 0 || page.rfind("v_branch/", 0) == 0) {
        // Blocks and if/else/case branches: the source lines each one covers (an empty else: its own line).
        auto lines = parse_lines(kv["S"]);
        if (lines.empty()) lines = parse_lines(kv["l"]);
        for (int l : lines) {
          auto& c = m.lines[l - offsets[key]];
          c = std::max(c, count);
        }
        auto& b = m.branches[kv["l"] + ":" + kv["n"] + ":" + kv["h"]];
        b += count;
      } else if (page.rfind("v_toggle/", 0) == 0) {
        m.toggles[kv["h"] + "." + kv["o"]] += count;
      }
    }
  }
  std::ostringstream md, js;
  md << "| module | lines covered | line coverage | blocks and branches taken | toggle points toggled | toggle coverage |\n"
     << "|---|---|---|---|---|---|\n";
  js << "{\n  \"modules\": {\n";
  bool first = true;
  std::ostringstream uncovered;
  for (auto& [name, m] : mods) {
    size_t hit = 0;
    for (const auto& [l, c] : m.lines) hit += c > 0;
    size_t thit = 0;
    for (const auto& [k, c] : m.toggles) thit += c > 0;
    const double lc = m.lines.empty() ? 100.0 : 100.0 * static_cast<double>(hit) / static_cast<double>(m.lines.size());
    const double tc =
        m.toggles.empty() ? 100.0 : 100.0 * static_cast<double>(thit) / static_cast<double>(m.toggles.size());
    size_t bhit = 0;
    for (const auto& [k, c] : m.branches) bhit += c > 0;
    char buf[256];
    std::snprintf(buf, sizeof buf, "| %s | %zu / %zu | %.1f%% | %zu / %zu | %zu / %zu | %.1f%% |\n", name.c_str(), hit,
                  m.lines.size(), lc, bhit, m.branches.size(), thit, m.toggles.size(), tc);
    md << buf;
    const auto src = read_lines(fs::path(templates) / name);
    js << (first ? "" : ",\n") << "    \"" << name << "\": {\"lines\": " << m.lines.size() << ", \"lines_covered\": " << hit
       << ", \"line_coverage\": " << lc << ", \"blocks_and_branches\": " << m.branches.size()
       << ", \"blocks_and_branches_taken\": " << bhit << ", \"toggle_points\": " << m.toggles.size()
       << ", \"toggle_points_toggled\": " << thit << ", \"toggle_coverage\": " << tc << ", \"uncovered_lines\": [";
    first = false;
    bool f2 = true;
    for (const auto& [l, c] : m.lines) {
      if (c > 0) continue;
      const std::string text = l >= 1 && l <= static_cast<int>(src.size()) ? src[static_cast<size_t>(l - 1)] : "";
      js << (f2 ? "" : ", ") << "{\"line\": " << l << ", \"text\": \"" << json_escape(text) << "\"}";
      f2 = false;
      uncovered << "- `rtl_templates/" << name << ":" << l << "` `" << text.substr(text.find_first_not_of(' ') == std::string::npos ? 0 : text.find_first_not_of(' ')) << "`\n";
    }
    js << "]}";
  }
  js << "\n  }\n}\n";
  const std::string table = md.str();
  std::printf("%s", table.c_str());
  if (!json_out.empty()) std::ofstream(json_out) << js.str();
  if (!md_out.empty()) {
    std::ofstream o(md_out);
    o << table << "\nUncovered lines (template line numbers):\n\n" << (uncovered.str().empty() ? "none\n" : uncovered.str());
  }
  return 0;
}
