#include "hardwire/verif/sim.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "hardwire/gen/design.hpp"
#include "hardwire/gen/files.hpp"
#include "hardwire/gen/process.hpp"
#include "hardwire/gen/templates.hpp"
#include "hardwire/golden/decoder.hpp"
#include "hardwire/golden/ops.hpp"

namespace hardwire::gen {
const std::vector<std::pair<std::string, std::string>>& embedded_sim_sources();
}

namespace hardwire::verif {

namespace fs = std::filesystem;

namespace {

std::string read_text(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

// At most 120 characters of a line from the simulator, control characters shown as '?'.
std::string printable(const std::string& s) {
  std::string o;
  for (unsigned char c : s.substr(0, 120)) o += (c < 0x20 || c == 0x7f) ? '?' : static_cast<char>(c);
  return s.size() > 120 ? o + "..." : o;
}

std::string shell_quote(const std::string& s) {
  std::string o = "'";
  for (char c : s) o += (c == '\'') ? std::string("'\\''") : std::string(1, c);
  return o + "'";
}

// The testbench's sources, as embedded: core_tb.cpp and the harness.hpp it includes.
std::string testbench_text() {
  std::string all;
  for (const auto& [name, text] : gen::embedded_sim_sources()) all += name + "\n" + text;
  return all;
}

}  // namespace

Result<SimBuild> build_simulator(const SimBuildOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  const fs::path dir(o.design_dir);
  std::error_code ec;
  if (!fs::is_regular_file(dir / "manifest.json", ec) || !fs::is_regular_file(dir / "files.f", ec)) {
    return Error{"'" + o.design_dir + "' is not a generated design (no manifest.json / files.f); run hardwire generate"};
  }
  std::string content_hash;
  try {
    content_hash = nlohmann::json::parse(read_text(dir / "manifest.json")).at("content_hash").get<std::string>();
  } catch (const std::exception& e) {
    return Error{"cannot read " + (dir / "manifest.json").string() + ": " + e.what() + "; regenerate the design"};
  }
  const std::string tb = testbench_text();
  const fs::path obj = dir / "sim" / (o.trace ? "obj_trace" : o.coverage ? "obj_coverage" : o.x_unique ? "obj_xunique" : "obj");
  const fs::path exe = obj / "hwc_sim";
  std::string flags = o.x_unique ? "--x-assign unique --x-initial unique -O3" : "--x-assign fast --x-initial fast -O3";
  if (o.trace) flags += " --trace-fst -CFLAGS -DHW_TRACE";
  if (o.coverage) flags += " --coverage-line --coverage-toggle";
  // The C++ of the model at -O3: it is evaluated every cycle of every step (stories15M on 16x16, 8 steps: 0.97 tokens/s
  // of simulation at -O2, 1.36-1.39 at -O3 on the 2-core machine). Verilator's slow files (construction, the initial
  // blocks that load the memory images, the first settle) run once, so they are not optimized: stories260K on 4x8
  // builds in 30.6 s instead of 42.2 s with -O1 there, and simulates 32 steps in the same ~1 s.
  const std::string cxx = "-MAKEFLAGS OPT_FAST=-O3 -MAKEFLAGS OPT_SLOW=-O0";
  // The Verilator runtime (verilated.cpp, verilated_threads.cpp) comes prebuilt from hardwire's own build where that
  // is still there and this simulator neither traces nor counts coverage (the prebuilt one is compiled without
  // either); otherwise Verilator's Makefile compiles it, as it does by default. Measured: stories260K on 4x8 builds
  // with 29.0 s of user CPU instead of 31.6 s.
  std::string runtime, runtime_id;
  if (!o.trace && !o.coverage) {
    if (auto lib = gen::read_file(VERILATED_RUNTIME_PATH, "Verilator runtime"); lib && !lib->empty()) {
      runtime = " -MAKEFLAGS VM_GLOBAL_FAST= -MAKEFLAGS VM_GLOBAL_SLOW= -LDFLAGS " + shell_quote(VERILATED_RUNTIME_PATH);
      runtime_id = "runtime " VERILATED_RUNTIME_PATH " " + std::to_string(lib->size()) + " " +
                   gen::fnv1a64_hex(std::string(lib->begin(), lib->end())) + "\n";
    }
  }
  const std::string stamp = "design " + content_hash + "\ntestbench " + gen::fnv1a64_hex(tb) + "\nflags " + flags + " " + cxx +
                            "\nverilator " VERILATOR_VERSION_TEXT "\n" + runtime_id;
  // The cached binary is used only while the stamp matches and the binary is the one that build wrote (its size
  // and hash are in the stamp's last line): an emptied or damaged binary is rebuilt.
  auto exe_id = [&]() -> std::string {
    auto data = gen::read_file(exe.string(), "simulator");
    if (!data || data->empty()) return "";
    return "exe " + std::to_string(data->size()) + " " + gen::fnv1a64_hex(std::string(data->begin(), data->end())) + "\n";
  };
  if (!o.force_rebuild && fs::is_regular_file(exe, ec)) {
    const std::string id = exe_id();
    if (!id.empty() && read_text(obj / "hardwire.stamp") == stamp + id)
      return SimBuild{fs::absolute(exe).string(), true, 0.0};
  }
  fs::remove_all(obj, ec);
  fs::create_directories(obj, ec);
  if (ec) return Error{"cannot create '" + obj.string() + "': " + ec.message()};
  for (const auto& [name, text] : gen::embedded_sim_sources())
    if (auto st = gen::write_file_atomic((dir / "sim" / name).string(), text, "testbench"); !st) return st.error();
  const std::string log = (obj / "build.log").string();
  const std::string cmd =
      "cd " + shell_quote(dir.string()) + " && exec " VERILATOR_EXE_PATH " --cc --exe --build -j " +
      std::to_string(o.jobs) + " -Wno-fatal --top-module hwc_top -f files.f --Mdir " +
      shell_quote(fs::relative(obj, dir).string()) + " -o hwc_sim " + flags +
      " " + cxx + runtime + " " + shell_quote(fs::absolute(dir / "sim" / "core_tb.cpp").string()) + " > " + shell_quote(fs::absolute(log).string()) +
      " 2>&1";
  auto rc = [&] {
    gen::TempGuard partial(obj.string());  // an interrupted build leaves no half-built directory
    return gen::run_command(cmd);
  }();
  if (!rc) return rc.error();
  if (!rc->ok || !fs::is_regular_file(exe, ec)) {
    return Error{"Verilator could not build the simulator (" + rc->how + "); see " + log};
  }
  const std::string id = exe_id();
  if (id.empty()) return Error{"Verilator's build left no simulator binary in '" + obj.string() + "'; see " + log};
  if (auto st = gen::write_file_atomic((obj / "hardwire.stamp").string(), stamp + id, "build stamp"); !st) return st.error();
  return SimBuild{fs::absolute(exe).string(), false,
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()};
}

std::string describe(const Mismatch& m) {
  std::string s = "step " + std::to_string(m.step) + " (pos " + std::to_string(m.pos) + "): " + m.tensor + "[" +
                  std::to_string(m.index) + "] chip " + std::to_string(m.chip) + ", golden " +
                  std::to_string(m.golden);
  if (m.pc >= 0) s += "; written by instruction " + std::to_string(m.pc) + " (" + m.instr + ")";
  if (!m.note.empty()) s += "; " + m.note;
  return s;
}

namespace {

// The simulator process: a child with its stdin and stdout on pipes, in its own process group (registered, so an
// interrupt stops it). SIGPIPE is ignored by the CLI: writing to a dead simulator fails with EPIPE instead.
class Child {
 public:
  ~Child() { stop(); }
  Status start(const std::string& exe, const std::string& cwd, const std::vector<std::string>& args) {
    int in[2], out[2], err[2];
    if (pipe(in) != 0 || pipe(out) != 0 || pipe(err) != 0) return Error{"cannot create pipes for the simulator"};
    for (int fd : {in[1], out[0], err[0], err[1]}) fcntl(fd, F_SETFD, FD_CLOEXEC);
    pid_ = fork();
    if (pid_ < 0) return Error{"cannot start the simulator (fork failed)"};
    if (pid_ == 0) {
      setpgid(0, 0);
      for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE}) signal(sig, SIG_DFL);
      dup2(in[0], 0);
      dup2(out[1], 1);
      close(in[0]);
      close(out[1]);
      if (chdir(cwd.c_str()) != 0) _exit(126);
      std::vector<char*> argv;
      argv.push_back(const_cast<char*>(exe.c_str()));
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(exe.c_str(), argv.data());
      // Tell the parent why (the close-on-exec pipe carries errno only when exec failed).
      const int e = errno;
      const ssize_t w = write(err[1], &e, sizeof e);
      (void)w;
      _exit(127);
    }
    setpgid(pid_, pid_);
    gen::register_child(pid_);
    close(in[0]);
    close(out[1]);
    close(err[1]);
    int exec_errno = 0;
    const ssize_t n = read(err[0], &exec_errno, sizeof exec_errno);
    close(err[0]);
    to_ = fdopen(in[1], "w");
    from_ = fdopen(out[0], "r");
    if (n == static_cast<ssize_t>(sizeof exec_errno)) {
      stop();
      return Error{"cannot run the simulator '" + exe + "': " + std::strerror(exec_errno)};
    }
    return Status::ok();
  }
  bool send(const std::string& line) {
    if (!to_) return false;
    if (std::fputs(line.c_str(), to_) < 0) return false;
    return std::fflush(to_) == 0;
  }
  bool read_line(std::string& line) {
    line.clear();
    char buf[512];
    while (std::fgets(buf, sizeof buf, from_)) {
      line += buf;
      if (!line.empty() && line.back() == '\n') {
        line.pop_back();
        return true;
      }
    }
    return !line.empty();
  }
  // Closes the pipes and waits; returns how the simulator ended ("exit 0", "killed by signal 11 (...)").
  std::string stop() {
    if (to_) {
      std::fputs("quit\n", to_);
      std::fclose(to_);
      to_ = nullptr;
    }
    if (from_) {
      std::fclose(from_);
      from_ = nullptr;
    }
    if (pid_ > 0) {
      int status = 0;
      while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
      gen::unregister_child(pid_);
      pid_ = -1;
      how_ = gen::describe_wait_status(status);
    }
    return how_;
  }

 private:
  pid_t pid_ = -1;
  FILE* to_ = nullptr;
  FILE* from_ = nullptr;
  std::string how_;
};

struct StepData {
  std::map<int64_t, std::map<int64_t, int64_t>> res, aux, probs;  // pc -> idx -> value
  std::vector<int64_t> logits;
  int64_t token = -1;
  std::map<int64_t, uint64_t> pc_cycles;
  std::array<int64_t, gen::isa::kNumEvents> events{};
  uint64_t cycles = 0, held = 0;
};

Status read_step(Child& c, StepData& d) {
  std::string line;
  while (c.read_line(line)) {
    const char kind = line.empty() ? ' ' : line[0];
    long long a = 0, b = 0, v = 0;
    if (kind == 't' && std::sscanf(line.c_str(), "t %lld %lld %lld", &a, &b, &v) == 3) {
      d.res[a][b] = v;
    } else if (kind == 'a' && std::sscanf(line.c_str(), "a %lld %lld %lld", &a, &b, &v) == 3) {
      d.aux[a][b] = v;
    } else if (kind == 'p' && std::sscanf(line.c_str(), "p %lld %lld %lld", &a, &b, &v) == 3) {
      d.probs[a][b] = v;
    } else if (kind == 'o' && std::sscanf(line.c_str(), "o %lld", &v) == 1) {
      d.logits.push_back(v);
    } else if (kind == 'k' && std::sscanf(line.c_str(), "k %lld", &v) == 1) {
      d.token = v;
    } else if (kind == 'c' && std::sscanf(line.c_str(), "c %lld %lld", &a, &v) == 2) {
      d.pc_cycles[a] = static_cast<uint64_t>(v);
    } else if (line.rfind("e ", 0) == 0 && std::sscanf(line.c_str(), "e %lld %lld", &a, &v) == 2) {
      if (a < 0 || a >= gen::isa::kNumEvents) return Error{"simulator protocol: event " + std::to_string(a) + " is not in events.def"};
      d.events[static_cast<size_t>(a)] = v;
    } else if (kind == 'e' && std::sscanf(line.c_str(), "end %lld %lld", &a, &b) == 2) {
      d.cycles = static_cast<uint64_t>(a);
      d.held = static_cast<uint64_t>(b);
      return Status::ok();
    } else if (line.rfind("error ", 0) == 0) {
      return Error{"simulator: " + line.substr(6)};
    } else if (line.find("%Error") != std::string::npos) {  // Verilator prints $error and $stop on stdout
      return Error{"the RTL stopped with an error: " + line.substr(line.find("%Error"))};
    } else {
      return Error{"simulator protocol: unexpected line '" + printable(line) + "'"};
    }
  }
  return Error{"the simulator exited in the middle of a step (" + c.stop() + "; see its messages above)"};
}

// Compares the chip's values of one tensor slice with golden; fills `mm` with the first difference.
bool compare_slice(const std::map<int64_t, int64_t>& chip, const golden::IntTrace& trace, const std::string& name,
                   int64_t offset, int64_t n, Mismatch& mm) {
  const auto* e = trace.find(name);
  HW_CHECK(e != nullptr, "golden trace has every tensor the program names");
  HW_CHECK(offset + n <= static_cast<int64_t>(e->values.size()), "tap slice within the golden tensor");
  for (int64_t i = 0; i < n; ++i) {
    const int64_t g = e->values[static_cast<size_t>(offset + i)];
    const auto it = chip.find(i);
    if (it == chip.end() || it->second != g) {
      mm.tensor = name;
      mm.index = offset + i;
      mm.golden = g;
      mm.chip = it == chip.end() ? 0 : it->second;
      if (it == chip.end()) mm.note = "the chip wrote " + std::to_string(chip.size()) + " of " + std::to_string(n) + " values";
      return false;
    }
  }
  if (static_cast<int64_t>(chip.size()) != n) {
    mm.tensor = name;
    mm.index = offset + n;
    mm.note = "the chip wrote " + std::to_string(chip.size()) + " values, expected " + std::to_string(n);
    return false;
  }
  return true;
}

}  // namespace

Result<SimReport> run_sim(const golden::QModel& model, const gen::ChipPlan& plan, const SimOptions& o) {
  const auto& s = model.shape;
  const gen::Program& program = plan.program;
  HW_CHECK(!o.prompt.empty() && o.steps >= 1, "run_sim: a prompt and at least one step");
  const int64_t positions = static_cast<int64_t>(o.prompt.size()) + o.steps - 1;
  if (positions > s.seq_len) {
    return Error{"the prompt and " + std::to_string(o.steps) + " steps need " + std::to_string(positions) +
                 " positions but the model's seq_len is " + std::to_string(s.seq_len)};
  }
  Child child;
  std::vector<std::string> args = {"--seed", std::to_string(o.seed), "--stall", o.stall ? "1" : "0"};
  if (!o.trace_path.empty()) {
    args.push_back("--trace");
    args.push_back(fs::absolute(o.trace_path).string());
  }
  if (!o.coverage_path.empty()) {
    args.push_back("--coverage");
    args.push_back(fs::absolute(o.coverage_path).string());
  }
  HW_TRY(child.start(o.exe, o.design_dir, args));
  std::string line;
  if (!child.read_line(line) || line != "ready") {
    const std::string how = child.stop();
    return Error{"the simulator did not start (" + (line.empty() ? std::string("no output") : printable(line)) +
                 ", " + how + "); are the memory images in '" + o.design_dir + "/mem'?"};
  }

  golden::IntDecoder dec(model);
  golden::IntTrace trace;
  SimReport rep;
  int64_t tok = o.prompt[0];
  for (int64_t pos = 0; pos < positions; ++pos) {
    if (!child.send("step " + std::to_string(tok) + " " + std::to_string(pos) + "\n"))
      return Error{"the simulator stopped reading its input at step " + std::to_string(pos) + " (" + child.stop() + ")"};
    StepData d;
    HW_TRY(read_step(child, d));
    trace.clear();
    const golden::VecI logits = dec.step(tok, pos, &trace);
    const int64_t gtok = golden::argmax(logits);

    StepReport sr;
    sr.step = pos;
    sr.pos = pos;
    sr.token_in = tok;
    sr.token_out = d.token;
    sr.prompt = pos < static_cast<int64_t>(o.prompt.size());
    sr.cycles = d.cycles;
    sr.held = d.held;
    for (const auto& [pc, cyc] : d.pc_cycles)
      if (pc >= 0 && pc < static_cast<int64_t>(program.size()))
        sr.phase_cycles[static_cast<size_t>(program.notes[static_cast<size_t>(pc)].phase)] += cyc;
    sr.activity.steps = 1;
    sr.activity.events = d.events;
    for (const auto& [pc, values] : d.res)
      if (pc >= 0 && pc < static_cast<int64_t>(program.size()) && gen::counts_results(program.code[static_cast<size_t>(pc)].op))
        sr.activity.results[program.code[static_cast<size_t>(pc)].op] += static_cast<int64_t>(values.size());
    for (const auto& [pc, values] : d.aux) sr.activity.scores += static_cast<int64_t>(values.size());
    sr.activity.logits = static_cast<int64_t>(d.logits.size());

    // Every tapped tensor in program order, then the host stream.
    Mismatch mm;
    mm.step = pos;
    mm.pos = pos;
    bool ok = true;
    static const std::map<int64_t, int64_t> kNone;
    for (size_t pc = 0; pc < program.size() && ok; ++pc) {
      const auto& in = program.notes[pc];
      const auto& code = program.code[pc];
      const int64_t row = pos + 1;
      const int64_t n = code.n_out == gen::kPosPlusOne ? row : code.n_out;
      const int64_t off = in.tap_offset;
      const auto pcs = static_cast<int64_t>(pc);
      // Attention taps hold every head's row (head-major, pos + 1 each): the scores SCORES pushes, the
      // probabilities PV takes.
      if (!in.scores_tap.empty()) {
        const auto it = d.aux.find(pcs);
        ok = compare_slice(it == d.aux.end() ? kNone : it->second, trace, in.scores_tap, 0, s.n_heads * row, mm);
      }
      if (ok && code.op == gen::isa::Op::kPv) {
        const auto it = d.probs.find(pcs);
        ok = compare_slice(it == d.probs.end() ? kNone : it->second, trace, golden::layer_site(in.layer, "attn.probs"),
                           0, s.n_heads * row, mm);
      }
      if (ok && !in.tap.empty() && in.fused.empty()) {
        const auto it = d.res.find(pcs);
        ok = compare_slice(it == d.res.end() ? kNone : it->second, trace, in.tap, off, n, mm);
      } else if (ok && !in.tap.empty()) {
        // A fused MATVEC (or ROPE q+k): each tensor, and the padding rows after each but the last (their values
        // are not the model's), which it must write too.
        const auto& all = d.res.count(pcs) ? d.res.at(pcs) : kNone;
        struct Part {
          const std::string* tap;
          int64_t at, count, end;  // results [at, at + count), padding up to end
        };
        std::vector<Part> parts{{&in.tap, 0, in.tap_count, in.fused.front().at}};
        for (size_t k = 0; k < in.fused.size(); ++k) {
          const auto& f = in.fused[k];
          parts.push_back({&f.tap, f.at, f.count, k + 1 < in.fused.size() ? in.fused[k + 1].at : f.at + f.count});
        }
        for (const auto& part : parts) {
          std::map<int64_t, int64_t> values;
          int64_t padding = 0;
          for (auto it = all.lower_bound(part.at); it != all.end() && it->first < part.end; ++it) {
            if (it->first < part.at + part.count) values[it->first - part.at] = it->second;
            else ++padding;
          }
          ok = compare_slice(values, trace, *part.tap, part.tap == &in.tap ? off : 0, part.count, mm);
          if (ok && padding != part.end - part.at - part.count) {
            ok = false;
            mm.tensor = *part.tap;
            mm.index = part.count;
            mm.note = "the chip wrote " + std::to_string(padding) + " padding results after it, expected " +
                      std::to_string(part.end - part.at - part.count);
          }
          if (!ok) break;
        }
      }
      if (!ok) {
        mm.pc = pcs;
        mm.instr = in.text;
      }
    }
    if (ok) {
      std::map<int64_t, int64_t> out;
      for (size_t i = 0; i < d.logits.size(); ++i) out[static_cast<int64_t>(i)] = d.logits[i];
      ok = compare_slice(out, trace, "logits", 0, s.vocab, mm);
      if (!ok) mm.instr = "host output stream";
    }
    if (ok && d.token != gtok) {
      ok = false;
      mm.tensor = "token";
      mm.index = 0;
      mm.chip = d.token;
      mm.golden = gtok;
      mm.instr = "host output stream (argmax)";
    }
    if (ok) {
      // What the chip did must be what the program implies (gen::step_activity, the energy model of shapes too large
      // to simulate): every event count, and the results, scores and logits.
      const gen::Activity want = gen::step_activity(plan, pos);
      auto differs = [&](const std::string& what, int64_t chip, int64_t expected) {
        if (!ok || chip == expected) return;
        ok = false;
        mm.tensor = "activity." + what;
        mm.index = 0;
        mm.chip = chip;
        mm.golden = expected;
        mm.instr = "activity counters (dbg_ev_o, debug taps)";
        mm.note = "the chip's count differs from the one the program implies (gen::step_activity)";
      };
      for (const auto& e : gen::isa::events())
        differs(e.name, sr.activity.events[static_cast<size_t>(e.event)], want.events[static_cast<size_t>(e.event)]);
      for (const auto& op : gen::isa::ops())
        if (gen::counts_results(op.op))
          differs(std::string("results.") + op.mnemonic,
                  sr.activity.results.count(op.op) ? sr.activity.results.at(op.op) : 0,
                  want.results.count(op.op) ? want.results.at(op.op) : 0);
      differs("scores", sr.activity.scores, want.scores);
      differs("logits", sr.activity.logits, want.logits);
    }
    sr.bit_exact = ok;
    rep.steps.push_back(sr);
    if (o.on_step) o.on_step(sr);
    if (!ok) {
      rep.mismatch = mm;
      return rep;
    }
    if (pos + 1 < static_cast<int64_t>(o.prompt.size())) {
      tok = o.prompt[static_cast<size_t>(pos + 1)];
    } else {
      tok = d.token;
      rep.generated.push_back(d.token);
    }
  }
  return rep;
}

}  // namespace hardwire::verif
