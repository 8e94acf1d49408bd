// hardwire_farm — the random-configuration farm: random model shapes x random arrays x design options, each
// generated, linted (verilator --lint-only -Wall on files.f) and decoded with `hardwire sim` (random host stalls)
// bit-exact against golden at every step. A failing configuration is shrunk to a small one that still fails and
// written out as a regression file (verif/farm/regressions/ holds the kept ones; ctest replays them).
//
//   hardwire_farm --configs N --steps S [--seed X] [--work DIR] [--max-side 16] [--jobs J] [--shrink-budget SEC]
//   hardwire_farm --replay FILE... [--work DIR]      # one configuration per file, as the farm prints them
//
// Every configuration is printed as one line of `key=value` pairs (the regression-file format) with the seed that
// drew it; HARDWIRE_SEED (or --seed) replays the whole run. Exit 0 only if every configuration passed.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "hardwire/golden/qmodel.hpp"
#include "hardwire/seed.hpp"

namespace fs = std::filesystem;

namespace {

struct Config {
  int64_t dim = 32, hidden = 96, layers = 2, heads = 4, kv_heads = 2, vocab = 100, seq = 64;
  bool shared = true;
  int64_t model_seed = 1;
  std::map<std::string, int> widths;  // site -> 8 or 16 (only sites that differ from the defaults)
  int64_t rows = 8, cols = 8, bank_depth = 4096, steps = 8;
  int64_t weight_port = 0;  // bytes per cycle; 0: the default, R x C
  int64_t kv_port = 0;      // KV bytes per cycle; 0: the default, the whole KV row
  int64_t weight_bits = 8, weight_group = 0;  // the weight format (numerics §2)
  bool weight_zero_point = false;
  uint64_t sim_seed = 1;

  int64_t port_rows() const { return weight_port ? weight_port / cols : rows; }

  int64_t head() const { return dim / heads; }
  int64_t kv_dim() const { return head() * kv_heads; }
  std::string widths_arg() const {
    std::string s;
    for (const auto& [k, v] : widths) s += (s.empty() ? "" : ",") + k + "=" + std::to_string(v);
    return s;
  }
  std::string line() const {
    std::ostringstream o;
    o << "dim=" << dim << " hidden=" << hidden << " layers=" << layers << " heads=" << heads << " kv_heads=" << kv_heads
      << " vocab=" << vocab << " seq=" << seq << " shared=" << (shared ? 1 : 0) << " model_seed=" << model_seed
      << " widths=" << (widths.empty() ? "-" : widths_arg()) << " array=" << rows << "x" << cols
      << " bank_depth=" << bank_depth << " weight_port=" << weight_port << " kv_port=" << kv_port
      << " weight_bits=" << weight_bits << " weight_group=" << weight_group
      << " weight_zero_point=" << (weight_zero_point ? 1 : 0) << " steps=" << steps
      << " sim_seed=" << sim_seed;
    return o.str();
  }
  std::string json() const {
    std::ostringstream o;
    o << "{\"name\": \"farm\", \"dim\": " << dim << ", \"hidden_dim\": " << hidden << ", \"n_layers\": " << layers
      << ", \"n_heads\": " << heads << ", \"n_kv_heads\": " << kv_heads << ", \"vocab_size\": " << vocab
      << ", \"seq_len\": " << seq << ", \"shared_classifier\": " << (shared ? "true" : "false")
      << ", \"seed\": " << model_seed << "}\n";
    return o.str();
  }
};

bool parse_line(const std::string& text, Config& c, std::string& err) {
  std::istringstream in(text);
  std::string kv;
  while (in >> kv) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos) {
      err = "'" + kv + "' is not key=value";
      return false;
    }
    const std::string k = kv.substr(0, eq), v = kv.substr(eq + 1);
    try {
      if (k == "dim") c.dim = std::stoll(v);
      else if (k == "hidden") c.hidden = std::stoll(v);
      else if (k == "layers") c.layers = std::stoll(v);
      else if (k == "heads") c.heads = std::stoll(v);
      else if (k == "kv_heads") c.kv_heads = std::stoll(v);
      else if (k == "vocab") c.vocab = std::stoll(v);
      else if (k == "seq") c.seq = std::stoll(v);
      else if (k == "shared") c.shared = v == "1";
      else if (k == "model_seed") c.model_seed = std::stoll(v);
      else if (k == "bank_depth") c.bank_depth = std::stoll(v);
      else if (k == "weight_port") c.weight_port = std::stoll(v);
      else if (k == "kv_port") c.kv_port = std::stoll(v);
      else if (k == "weight_bits") c.weight_bits = std::stoll(v);
      else if (k == "weight_group") c.weight_group = std::stoll(v);
      else if (k == "weight_zero_point") c.weight_zero_point = v == "1";
      else if (k == "steps") c.steps = std::stoll(v);
      else if (k == "sim_seed") c.sim_seed = std::stoull(v);
      else if (k == "array") {
        const auto x = v.find('x');
        c.rows = std::stoll(v.substr(0, x));
        c.cols = std::stoll(v.substr(x + 1));
      } else if (k == "widths") {
        c.widths.clear();
        if (v != "-") {
          std::istringstream w(v);
          std::string item;
          while (std::getline(w, item, ',')) c.widths[item.substr(0, item.find('='))] = std::stoi(item.substr(item.find('=') + 1));
        }
      } else {
        err = "unknown key '" + k + "'";
        return false;
      }
    } catch (const std::exception&) {
      err = "bad value in '" + kv + "'";
      return false;
    }
  }
  return true;
}

// A random configuration: head sizes below and above the array width, grouped-query ratios, odd hidden and vocab
// sizes, per-site widths, non-square arrays from 1 to max_side on each side (half of them with C a power of two),
// banked and single-bank weight SRAMs, weight ports from C to R x C, weight formats of 8, 6 and 4 bits with and
// without group scales.
Config draw(std::mt19937_64& rng, int64_t steps, int64_t max_side) {
  auto pick = [&](int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(rng() % static_cast<uint64_t>(hi - lo + 1)); };
  Config c;
  c.heads = pick(1, 6);
  const int64_t ratio_choices[] = {1, 2, 3};
  do c.kv_heads = c.heads / ratio_choices[rng() % 3];
  while (c.kv_heads < 1 || c.heads % c.kv_heads != 0);
  c.dim = c.heads * 2 * pick(1, 12);  // head size 2..24 (even)
  c.hidden = pick(4, 160);
  c.layers = pick(1, 3);
  c.vocab = pick(2, 300);
  c.seq = steps + pick(1, 16);
  c.shared = rng() % 2;
  c.model_seed = pick(1, 1000000);
  for (const auto& site : hardwire::golden::kWidthSites)
    if (rng() % 3 == 0) c.widths[site.name] = rng() % 2 ? 8 : 16;
  c.rows = pick(1, max_side);
  // Half the draws a power-of-two C (from 2): the scratchpad then has C lanes and instructions overlap (hw_core's
  // V_LANES > 1), which uniform draws would seldom reach.
  int64_t max_log = 0;
  while ((int64_t{2} << max_log) <= max_side) ++max_log;
  c.cols = (max_log > 0 && rng() % 2) ? int64_t{1} << pick(1, max_log) : pick(1, max_side);
  const int64_t depths[] = {0, 16, 64, 256, 4096};
  c.bank_depth = depths[rng() % 5];
  c.weight_port = (rng() % 2) ? c.cols * pick(1, c.rows) : 0;
  // KV port: the default (the whole row) or a divisor of the KV heads, in whole heads of 2 x head bytes.
  c.kv_port = 0;
  if (rng() % 2) {
    int64_t h = pick(1, c.kv_heads);
    while (c.kv_heads % h != 0) --h;
    c.kv_port = 2 * c.head() * h;
  }
  c.steps = steps;
  c.sim_seed = rng() & 0xffffffffffffull;
  // The weight format: half the draws int8 per row; else 6 or 4 bits, half of them with a group scale per whole
  // input words of the engine (at least 8 inputs), and half of those with zero points.
  if (rng() % 2) {
    c.weight_bits = rng() % 2 ? 6 : 4;
    if (rng() % 2) {
      const int64_t p = c.port_rows(), min_words = (8 + p - 1) / p;
      c.weight_group = p * pick(min_words, min_words + 3);
      c.weight_zero_point = rng() % 2;
    }
  }
  return c;
}

struct Outcome {
  bool ok = false;
  std::string stage, detail;  // stage that failed: generate, lint, sim
  double seconds = 0;
};

std::string quote(const std::string& s) { return "'" + s + "'"; }

int sh(const std::string& cmd, std::string& out) {
  out.clear();
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return -1;
  char buf[4096];
  while (size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  const int status = ::pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// The last n lines of s (all of s when it has fewer), without its final newline.
std::string last_lines(std::string s, int n) {
  while (!s.empty() && s.back() == '\n') s.pop_back();
  size_t pos = s.size();
  for (int i = 0; i < n; ++i) {
    pos = pos == 0 ? std::string::npos : s.rfind('\n', pos - 1);
    if (pos == std::string::npos) return s;
  }
  return s.substr(pos + 1);
}

// Generates, lints and simulates c in dir. With stop_after = "generate" or "lint", a configuration that gets past
// that stage counts as passing (the shrinker asks only whether a smaller one still fails where the original did).
Outcome run_one(const Config& c, const fs::path& dir, int build_jobs, const std::string& stop_after = "sim") {
  const auto t0 = std::chrono::steady_clock::now();
  Outcome o;
  fs::create_directories(dir);
  { std::ofstream(dir / "model.json") << c.json(); }
  { std::ofstream(dir / "config.txt") << c.line() << "\n"; }
  const std::string common = "--model " + quote((dir / "model.json").string()) + " --array " + std::to_string(c.rows) +
                             "x" + std::to_string(c.cols) + " --sram-bank-depth " + std::to_string(c.bank_depth) +
                             (c.weight_port ? " --weight-port " + std::to_string(c.weight_port) : std::string()) +
                             (c.kv_port ? " --kv-port " + std::to_string(c.kv_port) : std::string()) +
                             (c.weight_bits != 8 ? " --weight-bits " + std::to_string(c.weight_bits) : std::string()) +
                             (c.weight_group ? " --weight-group " + std::to_string(c.weight_group) : std::string()) +
                             (c.weight_zero_point ? " --weight-zero-point" : "") +
                             (c.widths.empty() ? "" : " --widths " + c.widths_arg());
  const std::string design = (dir / "design").string();
  std::string out;
  auto fail = [&](const std::string& stage, const std::string& detail) {
    o.stage = stage;
    o.detail = last_lines(detail, 6);
    o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return o;
  };
  auto pass = [&] {
    o.ok = true;
    o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return o;
  };
  if (sh(std::string(HARDWIRE_BIN) + " generate " + common + " --out " + quote(design), out) != 0) return fail("generate", out);
  if (stop_after == "generate") return pass();
  if (sh("cd " + quote(design) + " && " VERILATOR_EXE " --lint-only -Wall -f files.f", out) != 0 ||
      out.find("%Warning") != std::string::npos)
    return fail("lint", out);
  if (stop_after == "lint") return pass();
  const std::string cmd = "HARDWIRE_SEED=" + std::to_string(c.sim_seed) + " " + HARDWIRE_BIN + " sim " + common +
                          " --steps " + std::to_string(c.steps) + " --jobs " + std::to_string(build_jobs) + " --out " +
                          quote(design) + " --json " + quote((dir / "sim.json").string());
  if (sh(cmd, out) != 0 || out.find("bit-exact against the golden model") == std::string::npos) return fail("sim", out);
  return pass();
}

bool valid(const Config& c) {
  return c.heads >= 1 && c.kv_heads >= 1 && c.heads % c.kv_heads == 0 && c.dim % c.heads == 0 && c.head() % 2 == 0 &&
         c.hidden >= 1 && c.layers >= 1 && c.vocab >= 2 && c.seq >= c.steps && c.rows >= 1 && c.cols >= 1 &&
         c.steps >= 1 && (c.weight_port == 0 || (c.weight_port % c.cols == 0 && c.weight_port <= c.rows * c.cols)) &&
         (c.kv_port == 0 || (c.kv_port % (2 * c.head()) == 0 && (2 * c.kv_dim()) % c.kv_port == 0)) &&
         (c.weight_bits == 8 || c.weight_bits == 6 || c.weight_bits == 4) &&
         (c.weight_group == 0 || (c.weight_group >= 8 && c.weight_group % c.port_rows() == 0)) &&
         (!c.weight_zero_point || (c.weight_group > 0 && c.weight_bits != 8));
}

// Greedy shrinking: try smaller variants of each parameter, keep any that still fails at the same stage; each
// candidate runs only as far as that stage. Stops after budget_s seconds with the smallest failure found so far.
Config shrink(Config c, const std::string& stage, const fs::path& work, int build_jobs, double budget_s) {
  const auto t0 = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  int round = 0;
  bool progress = true;
  while (progress && round < 40) {
    progress = false;
    std::vector<Config> cands;
    auto add = [&](auto&& f) {
      Config d = c;
      f(d);
      if (valid(d) && d.line() != c.line()) cands.push_back(d);
    };
    add([](Config& d) { d.layers = 1; });
    add([](Config& d) { d.steps = std::max<int64_t>(1, d.steps / 2); d.seq = d.steps + 1; });
    add([](Config& d) { d.seq = d.steps + 1; });
    add([](Config& d) { d.vocab = std::max<int64_t>(2, d.vocab / 2); });
    add([](Config& d) { d.hidden = std::max<int64_t>(1, d.hidden / 2); });
    add([](Config& d) { d.heads = d.kv_heads; d.dim = d.head() * d.heads; });
    add([](Config& d) { const int64_t h = d.head(); d.heads = 1; d.kv_heads = 1; d.dim = h; });
    add([](Config& d) { d.dim = d.heads * 2; });
    add([](Config& d) { d.rows = std::max<int64_t>(1, d.rows / 2); });
    add([](Config& d) { d.cols = std::max<int64_t>(1, d.cols / 2); });
    add([](Config& d) { d.widths.clear(); });
    add([](Config& d) { d.bank_depth = 4096; });
    add([](Config& d) { d.weight_port = 0; });
    add([](Config& d) { d.weight_port = d.cols; });
    add([](Config& d) { d.kv_port = 0; });
    add([](Config& d) { d.kv_port = 2 * d.head(); });
    add([](Config& d) { d.weight_bits = 8; d.weight_group = 0; d.weight_zero_point = false; });
    add([](Config& d) { d.weight_group = 0; d.weight_zero_point = false; });
    add([](Config& d) { d.weight_zero_point = false; });
    add([](Config& d) { d.shared = true; });
    for (const auto& d : cands) {
      if (elapsed() > budget_s) {
        std::printf("[farm]   shrink: stopped after its %.0f s budget\n", budget_s);
        return c;
      }
      const Outcome o = run_one(d, work / ("shrink" + std::to_string(round)), build_jobs, stage);
      std::printf("[farm]   shrink: %s -> %s\n", d.line().c_str(), o.ok ? "passes" : ("fails at " + o.stage).c_str());
      std::fflush(stdout);
      if (!o.ok && o.stage == stage) {
        c = d;
        progress = true;
        break;
      }
    }
    ++round;
  }
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  int64_t configs = 4, steps = 25, max_side = 16;
  int jobs = 1;
  std::string work = "farm-work", seed_text;
  std::vector<std::string> replay;
  bool do_shrink = true;
  double shrink_budget = 600;  // seconds the shrinker may spend on one failing configuration
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "hardwire_farm: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--configs") configs = std::stoll(next());
    else if (a == "--steps") steps = std::stoll(next());
    else if (a == "--max-side") max_side = std::stoll(next());
    else if (a == "--jobs") jobs = std::stoi(next());
    else if (a == "--work") work = next();
    else if (a == "--seed") seed_text = next();
    else if (a == "--no-shrink") do_shrink = false;
    else if (a == "--shrink-budget") shrink_budget = std::stod(next());
    else if (a == "--replay") {
      while (i + 1 < argc && std::string(argv[i + 1]).rfind("--", 0) != 0) replay.push_back(argv[++i]);
    } else {
      std::fprintf(stderr, "hardwire_farm: unknown option '%s' (see the comment at the top of verif/farm/farm.cpp)\n", a.c_str());
      return 2;
    }
  }
  uint64_t seed = 0;
  if (!seed_text.empty()) {
    auto s = hardwire::parse_seed(seed_text);
    if (!s) {
      std::fprintf(stderr, "hardwire_farm: %s\n", hardwire::bad_seed_message(seed_text).c_str());
      return 2;
    }
    seed = *s;
  } else {
    std::string err;
    auto s = hardwire::seed_from_env(err);
    if (!s) {
      std::fprintf(stderr, "hardwire_farm: %s\n", err.c_str());
      return 2;
    }
    seed = *s & 0xffffffffffffull;
  }
  std::vector<Config> todo;
  if (!replay.empty()) {
    for (const auto& f : replay) {
      std::ifstream in(f);
      std::string line, err;
      while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        Config c;
        if (!parse_line(line, c, err) || !valid(c)) {
          std::fprintf(stderr, "hardwire_farm: %s: %s\n", f.c_str(), err.empty() ? "invalid configuration" : err.c_str());
          return 2;
        }
        todo.push_back(c);
      }
    }
    std::printf("[farm] replaying %zu configuration(s)\n", todo.size());
  } else {
    std::printf("[farm] HARDWIRE_SEED=%llu: %lld configurations x %lld steps, arrays up to %lldx%lld (replay with "
                "HARDWIRE_SEED=%llu)\n",
                static_cast<unsigned long long>(seed), static_cast<long long>(configs), static_cast<long long>(steps),
                static_cast<long long>(max_side), static_cast<long long>(max_side), static_cast<unsigned long long>(seed));
    std::mt19937_64 rng(seed);
    for (int64_t i = 0; i < configs; ++i) todo.push_back(draw(rng, steps, max_side));
  }
  std::fflush(stdout);
  fs::create_directories(work);
  std::vector<Outcome> results(todo.size());
  std::atomic<size_t> next{0};
  std::mutex print;
  auto worker = [&] {
    for (size_t i; (i = next++) < todo.size();) {
      results[i] = run_one(todo[i], fs::path(work) / ("c" + std::to_string(i)), 1);
      std::lock_guard<std::mutex> g(print);
      std::printf("[farm] %3zu %s  %s (%.0f s)\n", i, results[i].ok ? "PASS" : "FAIL", todo[i].line().c_str(),
                  results[i].seconds);
      if (!results[i].ok) std::printf("[farm]     %s failed:\n%s\n", results[i].stage.c_str(), results[i].detail.c_str());
      std::fflush(stdout);
    }
  };
  std::vector<std::thread> pool;
  for (int j = 0; j < std::max(1, jobs); ++j) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  int failed = 0;
  int64_t total_steps = 0;
  for (size_t i = 0; i < todo.size(); ++i) {
    if (results[i].ok) {
      total_steps += todo[i].steps;
      continue;
    }
    ++failed;
    if (do_shrink && replay.empty()) {
      std::printf("[farm] shrinking configuration %zu (fails at %s)\n", i, results[i].stage.c_str());
      const Config small = shrink(todo[i], results[i].stage, fs::path(work) / ("c" + std::to_string(i)), 2,
                                  shrink_budget);
      const fs::path reg = fs::path(work) / ("regression_" + std::to_string(i) + ".cfg");
      std::ofstream(reg) << "# hardwire_farm: fails at " << results[i].stage << " (shrunk from: " << todo[i].line()
                         << ")\n" << small.line() << "\n";
      std::printf("[farm] shrunk to: %s\n[farm] kept as %s: copy it into verif/farm/regressions/ to make it a ctest "
                  "regression\n",
                  small.line().c_str(), reg.string().c_str());
    }
  }
  std::printf("%zu passed, %d failed\n", todo.size() - static_cast<size_t>(failed), failed);
  std::printf("[farm] %lld decode steps bit-exact in the passing configurations\n", static_cast<long long>(total_steps));
  return failed == 0 ? 0 : 1;
}
