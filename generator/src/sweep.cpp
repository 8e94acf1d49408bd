#include "hardwire/gen/sweep.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

#include "hardwire/gen/chip_plan.hpp"
#include "hardwire/gen/design.hpp"
#include "hardwire/gen/files.hpp"
#include "hardwire/gen/model_source.hpp"
#include "hardwire/gen/outdir.hpp"
#include "hardwire/gen/process.hpp"
#include "hardwire/gen/quantizer.hpp"

namespace hardwire::gen {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// A file's bytes, or "" where it cannot be read (a point without results, a plot gnuplot did not write).
std::string read_text(const fs::path& p) {
  const auto data = read_file(p.string(), "file");
  return data ? std::string(data->begin(), data->end()) : std::string();
}

// "size:mtime" of a file, "" for a preset name: what a point's results depend on besides its options.
std::string file_identity(const std::string& path) {
  struct stat st {};
  if (path.empty() || ::stat(path.c_str(), &st) != 0) return "";
  return std::to_string(static_cast<long long>(st.st_size)) + ":" + std::to_string(static_cast<long long>(st.st_mtime));
}

bool all_digits(const std::string& s) {
  return !s.empty() && s.size() <= 9 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A weight-port token for an array: "c" (C bytes), "<n>c" (n x C), "rc" (R x C) or bytes.
Result<int64_t> weight_port_bytes(const std::string& tok, const ArrayShape& a) {
  if (tok == "c") return a.cols;
  if (tok == "rc") return a.rows * a.cols;
  if (tok.size() > 1 && tok.back() == 'c' && all_digits(tok.substr(0, tok.size() - 1)))
    return std::stoll(tok.substr(0, tok.size() - 1)) * a.cols;
  if (all_digits(tok)) return std::stoll(tok);
  return Error{"--weight-ports: '" + tok + "' is not a weight port: give c, <n>c (e.g. 4c), rc or a byte count"};
}

// A KV-port token: "row" (every KV head: 2 x kv_dim bytes), "head" (one KV head: 2 x head_size) or bytes.
Result<int64_t> kv_port_bytes(const std::string& tok, const golden::Shape& s) {
  if (tok == "row") return 2 * s.kv_dim();
  if (tok == "head") return 2 * s.head_size();
  if (all_digits(tok)) return std::stoll(tok);
  return Error{"--kv-ports: '" + tok + "' is not a KV port: give row, head or a byte count"};
}

// A weight-format token: bits (8, 6 or 4), optionally g<inputs per group scale> and then z (zero points): "8",
// "4g16", "4g8z".
Result<golden::WeightFormat> weight_format(const std::string& tok) {
  const bool zero = !tok.empty() && tok.back() == 'z';
  const std::string body = zero ? tok.substr(0, tok.size() - 1) : tok;
  const auto g = body.find('g');
  const std::string bits = body.substr(0, g), group = g == std::string::npos ? "" : body.substr(g + 1);
  if (!all_digits(bits) || (g != std::string::npos && !all_digits(group)) || (zero && g == std::string::npos))
    return Error{"--weight-formats: '" + tok + "' is not a weight format: give the bits (8, 6 or 4), optionally g and "
                 "the inputs per group scale, then optionally z for zero points, e.g. 4g16 or 4g8z"};
  golden::WeightFormat f{static_cast<int>(std::stoll(bits)), group.empty() ? 0 : std::stoll(group), zero};
  HW_TRY(validate_weight_format(f));
  return f;
}

std::string fmt_num(double v, int decimals) {
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", decimals, v);
  return b;
}

// Logic of synth's blocks, by what the sweep's area plot shows.
std::string logic_group(const std::string& key) {
  if (key == "gemv" || key == "core_gemm_packer" || key == "core_matvec_requant" || key == "core_gemm_serializer")
    return "matrix engine";
  if (key == "core_attention" || key == "softmax") return "attention";
  if (key == "rmsnorm" || key == "rope") return "RMSNorm, RoPE";
  return "other logic";
}
std::string memory_group(const std::string& name) {
  if (name == "weight SRAM" || name == "group scales") return "weight SRAM";
  if (name == "KV cache") return "KV cache";
  if (name == "embedding") return "embedding";
  return "other memories";
}
const std::vector<std::string> kGroups = {"matrix engine", "attention",  "RMSNorm, RoPE", "other logic",
                                          "weight SRAM",   "KV cache",   "embedding",     "other memories"};
// Their CSV columns, in the same order.
const std::vector<std::string> kGroupColumns = {"matrix_engine_mm2", "attention_mm2", "rmsnorm_rope_mm2",
                                                "other_logic_mm2",   "weight_sram_mm2", "kv_cache_mm2",
                                                "embedding_mm2",     "other_memories_mm2"};

struct Row {
  json point;  // point.json
  std::map<std::string, double> area_mm2;  // by group
  double logic = 0, memories = 0, total = 0;
  double fmax = 0, clock = 0, cycles = 0, tokens_s = 0, pj = 0, tokens_j = 0, watts = 0;
  std::string clock_source, cycles_source, node;
  bool pareto = false;
};

std::string q(const std::string& s) { return "\"" + s + "\""; }

}  // namespace

Result<std::map<std::string, std::string>> render_gnuplot(const std::string& beside,
                                                         const std::map<std::string, std::string>& files,
                                                         const std::vector<std::string>& plots) {
  // In a temporary directory, so a failed gnuplot leaves nothing behind.
  std::error_code ec;
  const std::string tmp = temp_name_beside(beside, "plots");
  TempGuard guard(tmp);
  fs::remove_all(tmp, ec);
  fs::create_directories(fs::path(tmp) / "gnuplot", ec);
  if (!ec) fs::create_directories(fs::path(tmp) / "plots", ec);
  if (ec) return Error{"cannot create '" + tmp + "': " + ec.message()};
  std::string scripts;
  for (const auto& [rel, text] : files) {
    std::ofstream f(fs::path(tmp) / rel, std::ios::binary);
    f << text;
    if (!f) return Error{"cannot write '" + tmp + "/" + rel + "'"};
  }
  for (const auto& name : plots) scripts += " gnuplot/" + name + ".gp";
  auto rc = run_command("command -v gnuplot >/dev/null 2>&1 || exit 127; cd " + shell_word(tmp) + " && gnuplot" +
                        scripts + " > gnuplot.log 2>&1");
  const std::string log = read_text(fs::path(tmp) / "gnuplot.log");
  std::map<std::string, std::string> out;
  if (rc && rc->ok)
    for (const auto& name : plots)
      for (const char* ext : {".svg", ".png"}) out["plots/" + name + ext] = read_text(fs::path(tmp) / "plots" / (name + ext));
  fs::remove_all(tmp, ec);
  if (!rc) return rc.error();
  if (rc->how == "exit 127")
    return Error{"gnuplot is not installed: install the Debian package gnuplot-nox (scripts/setup.sh does)"};
  if (!rc->ok) return Error{"gnuplot failed (" + rc->how + "): " + log.substr(0, 400)};
  for (const auto& [rel, data] : out)
    if (data.empty()) return Error{"gnuplot wrote no " + rel};
  return out;
}

std::string gnuplot_both(const std::string& name, const std::string& body) {
  return "reset\nset encoding utf8\nset terminal svg size 1000,600 dynamic font 'Sans,12'\nset output 'plots/" + name +
         ".svg'\n" + body + "set terminal pngcairo size 1000,600 font 'Sans,11'\nset output 'plots/" + name +
         ".png'\nreplot\nset output\n";
}

Result<std::vector<SweepPoint>> sweep_points(const SweepGrid& g, const std::string& exe, const std::string& out,
                                             std::vector<std::string>& skipped) {
  if (g.arrays.empty()) return Error{"the sweep grid is empty: give --arrays (e.g. --arrays 8x8,16x16)"};
  for (const auto* list : {&g.weight_ports, &g.kv_ports, &g.widths, &g.weight_formats})
    if (list->empty()) return Error{"the sweep grid is empty: every list of the grid needs at least one value"};
  if (g.steps < 0) return Error{"--steps " + std::to_string(g.steps) + " is negative: give 0 (no simulation) or more"};
  HW_ASSIGN_OR_RETURN(const ModelSource src, resolve_model(g.model, g.seq_len));
  HW_TRY(check_steps_fit(g.steps, src.shape.seq_len));
  std::error_code ec;
  const bool model_is_file = fs::is_regular_file(g.model, ec);
  const std::string model_arg = model_is_file ? fs::absolute(g.model).string() : g.model;
  const std::string model_id = model_arg + "@" + (model_is_file ? file_identity(g.model) : "");
  std::string liberty_arg;
  if (!g.liberty.empty()) {
    if (!fs::is_regular_file(g.liberty, ec))
      return Error{"--liberty '" + g.liberty + "' is not a file: give a liberty (.lib) file"};
    liberty_arg = fs::absolute(g.liberty).string();
  }
  for (const auto& w : g.widths)
    if (!w.empty() && w != "default") HW_TRY(parse_widths(w, golden::Widths{}));
  std::vector<golden::WeightFormat> formats;
  for (const auto& f : g.weight_formats) {
    HW_ASSIGN_OR_RETURN(const golden::WeightFormat wf, weight_format(f));
    formats.push_back(wf);
  }
  const std::string out_abs = fs::absolute(out).lexically_normal().string();
  std::vector<SweepPoint> pts;
  for (const auto& arr_text : g.arrays) {
    HW_ASSIGN_OR_RETURN(const ArrayShape arr, parse_array(arr_text));
    for (const auto& wp_tok : g.weight_ports) {
      HW_ASSIGN_OR_RETURN(const int64_t wp, weight_port_bytes(wp_tok, arr));
      if (auto st = check_weight_port(arr, wp); !st) {
        skipped.push_back(arr_text + " weight port " + wp_tok + ": " + st.message());
        continue;
      }
      for (const auto& kv_tok : g.kv_ports) {
        HW_ASSIGN_OR_RETURN(const int64_t kv, kv_port_bytes(kv_tok, src.shape));
        HW_TRY(check_kv_port(src.shape, kv));
        for (const auto& w0 : g.widths) {
          const std::string w = w0 == "default" ? "" : w0;
          for (size_t fi = 0; fi < formats.size(); ++fi) {
            const golden::WeightFormat& f = formats[fi];
            if (auto st = check_weight_format(f, wp / arr.cols); !st) {
              skipped.push_back(arr_text + " weight port " + wp_tok + " format " + g.weight_formats[fi] + ": " +
                                st.message());
              continue;
            }
            SweepPoint p;
            p.array = std::to_string(arr.rows) + "x" + std::to_string(arr.cols);
            p.rows = arr.rows;
            p.cols = arr.cols;
            p.weight_port = wp;
            p.kv_port = kv;
            p.seq_len = src.shape.seq_len;
            p.widths = w;
            p.weight_bits = f.bits;
            p.weight_group = f.group;
            p.weight_zero_point = f.zero_point;
            const bool int8 = f == golden::WeightFormat{};
            p.label = p.array + " wp" + std::to_string(wp) + " kv" + std::to_string(kv) + (w.empty() ? "" : " " + w) +
                      (int8 ? "" : " w" + std::to_string(f.bits) + (f.group ? "g" + std::to_string(f.group) : "") +
                                       (f.zero_point ? "z" : ""));
            std::string opts = (g.seq_len > 0 ? " --seq-len " + std::to_string(g.seq_len) : std::string()) +
                               " --array " + p.array + " --weight-port " + std::to_string(wp) + " --kv-port " +
                               std::to_string(kv) + " --sram-bank-depth " + std::to_string(g.bank_depth) +
                               (w.empty() ? "" : " --widths " + shell_word(w)) +
                               (int8 ? "" : " --weight-bits " + std::to_string(f.bits) + " --weight-group " +
                                                std::to_string(f.group)) +
                               (f.zero_point ? " --weight-zero-point" : "");
            std::string synth_opts = opts;
            if (!liberty_arg.empty()) synth_opts += " --liberty " + shell_word(liberty_arg);
            if (!g.node.empty()) synth_opts += " --node " + shell_word(g.node);
            if (!g.blocks.empty()) {
              std::string b;
              for (const auto& k : g.blocks) b += (b.empty() ? "" : ",") + k;
              synth_opts += " --blocks " + shell_word(b);
            }
            if (g.memories_only) synth_opts += " --memories-only";
            const std::string sim_opts =
                g.steps > 0 ? opts + " --steps " + std::to_string(g.steps) + " --no-stall" : "";
            // The id: what the point's results depend on (never where the sweep lives).
            p.id = fnv1a64_hex("model " + model_id + "\nsynth" + synth_opts + "\nliberty " +
                               file_identity(liberty_arg) + "\nsim" + sim_opts + "\n");
            const std::string dir = out_abs + "/points/" + p.id;
            p.command = "cd " + shell_word(dir) + " && " + shell_word(exe) + " synth --model " + shell_word(model_arg) +
                        synth_opts + " --jobs 1 --json synth.json > synth.log 2>&1";
            if (g.steps > 0)
              p.command += " && " + shell_word(exe) + " sim --model " + shell_word(model_arg) + sim_opts +
                           " --out design --json sim.json > sim.log 2>&1";
            if (std::none_of(pts.begin(), pts.end(), [&](const SweepPoint& o) { return o.id == p.id; }))
              pts.push_back(p);
          }
        }
      }
    }
  }
  if (pts.empty()) {
    std::string why;
    for (const auto& s : skipped) why += (why.empty() ? "" : "; ") + s;
    return Error{"the sweep grid is empty: no point fits (" + why + ")"};
  }
  return pts;
}

Status prepare_sweep(const std::string& out, const SweepGrid& g, const std::vector<SweepPoint>& points) {
  HW_TRY(claim_directory(out, {"points", "report"}, "sweep directory"));
  for (const auto& p : points) {
    const std::string dir = out + "/points/" + p.id;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return Error{"cannot create '" + dir + "': " + ec.message()};
    json j = {{"id", p.id},         {"label", p.label},           {"model", g.model},
              {"array", p.array},   {"rows", p.rows},             {"cols", p.cols},
              {"weight_port", p.weight_port}, {"kv_port", p.kv_port}, {"widths", p.widths},
              {"weight_bits", p.weight_bits}, {"weight_group", p.weight_group},
              {"weight_zero_point", p.weight_zero_point}, {"seq_len", p.seq_len},
              {"steps", g.steps},   {"clock_mhz_assumed", g.clock_mhz > 0 ? g.clock_mhz : 1000.0},
              {"command", p.command}};
    const std::string text = j.dump(2) + "\n";
    if (read_text(dir + "/point.json") != text) HW_TRY(write_file_atomic(dir + "/point.json", text, "sweep point"));
  }
  return Status::ok();
}

bool point_done(const std::string& out, const SweepPoint& p, const SweepGrid& g) {
  std::error_code ec;
  const std::string dir = out + "/points/" + p.id;
  return fs::is_regular_file(dir + "/synth.json", ec) && (g.steps == 0 || fs::is_regular_file(dir + "/sim.json", ec));
}

std::string jobs_file_text(const std::vector<SweepPoint>& points) {
  std::string s = std::string(kJobsBanner) +
                  ": one command per line, each a design point writing into its own directory; run them anywhere "
                  "that sees these paths (e.g. `parallel --sshlogin ... < FILE`), then `hardwire sweep --collect "
                  "--out DIR`\n";
  for (const auto& p : points) s += p.command + "\n";
  return s;
}

Status collect_sweep(const std::string& out, std::string& summary) {
  std::error_code ec;
  std::vector<Row> rows;
  const fs::path points = fs::path(out) / "points";
  if (!fs::is_directory(points, ec)) return Error{"'" + out + "' holds no sweep (no points/ directory); run hardwire sweep first"};
  int64_t pending = 0;
  for (const auto& e : fs::directory_iterator(points, ec)) {
    if (!e.is_directory()) continue;
    const fs::path pj = e.path() / "point.json", sj = e.path() / "synth.json", mj = e.path() / "sim.json";
    if (!fs::is_regular_file(pj, ec)) continue;
    Row r;
    json synth, sim;
    try {
      r.point = json::parse(read_text(pj));
      if (!fs::is_regular_file(sj, ec) || (r.point.at("steps").get<int64_t>() > 0 && !fs::is_regular_file(mj, ec))) {
        ++pending;
        continue;
      }
      synth = json::parse(read_text(sj));
      if (r.point.at("steps").get<int64_t>() > 0) sim = json::parse(read_text(mj));
      for (const auto& g : kGroups) r.area_mm2[g] = 0;
      for (const auto& b : synth.at("blocks")) {
        const double a = b.at("area_um2").get<double>() * static_cast<double>(b.at("instances").get<int64_t>()) / 1e6;
        r.area_mm2[logic_group(b.at("key").get<std::string>())] += a;
        r.logic += a;
      }
      for (const auto& m : synth.at("memories")) {
        const double a = m.at("area_um2").get<double>() / 1e6;
        r.area_mm2[memory_group(m.at("name").get<std::string>())] += a;
        r.memories += a;
      }
      r.total = r.logic + r.memories;
      const json& timing = synth.at("timing");
      if (timing.at("available").get<bool>()) {
        r.fmax = timing.at("fmax_mhz").get<double>();
        r.clock = r.fmax;
        r.clock_source = "fmax";
      } else {
        r.clock = r.point.at("clock_mhz_assumed").get<double>();
        r.clock_source = "assumed";
      }
      if (!sim.is_null()) {
        r.cycles = sim.at("cycles_per_token").get<double>();
        r.cycles_source = "simulated";
      } else {
        r.cycles = synth.at("decode_bound_cycles_per_token").get<double>();
        r.cycles_source = "bound";
      }
      r.tokens_s = r.clock * 1e6 / r.cycles;
      const json& en = synth.at("energy");
      r.pj = en.at("pj_per_token").get<double>();
      r.tokens_j = en.at("tokens_per_joule").get<double>();
      r.node = en.at("node").get<std::string>();
      r.watts = r.pj * 1e-12 * r.tokens_s;
    } catch (const std::exception& x) {
      return Error{"cannot read the results of sweep point " + e.path().filename().string() + ": " + x.what() +
                   "; run it again (remove " + (e.path() / "synth.json").string() + ")"};
    }
    rows.push_back(std::move(r));
  }
  if (rows.empty())
    return Error{"no point of the sweep in '" + out + "' has results yet (" + std::to_string(pending) +
                 " waiting): run its jobs, then collect"};
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    auto key = [](const Row& r) {
      return std::make_tuple(r.point["rows"].get<int64_t>(), r.point["cols"].get<int64_t>(),
                             r.point["weight_port"].get<int64_t>(), r.point["kv_port"].get<int64_t>(),
                             r.point["widths"].get<std::string>(), -r.point.value("weight_bits", int64_t{8}),
                             r.point.value("weight_group", int64_t{0}), r.point.value("weight_zero_point", false));
    };
    return key(a) < key(b);
  });
  // Pareto front: no other point is at most as large and at least as fast, and strictly better in one.
  for (auto& r : rows) {
    r.pareto = std::none_of(rows.begin(), rows.end(), [&](const Row& o) {
      return &o != &r && o.total <= r.total && o.tokens_s >= r.tokens_s && (o.total < r.total || o.tokens_s > r.tokens_s);
    });
  }
  const bool any_assumed = std::any_of(rows.begin(), rows.end(), [](const Row& r) { return r.clock_source == "assumed"; });
  const bool any_bound = std::any_of(rows.begin(), rows.end(), [](const Row& r) { return r.cycles_source == "bound"; });
  const int64_t positions = rows.front().point.value("seq_len", int64_t{0});
  const std::string model = rows.front().point["model"].get<std::string>() +
                            (positions > 0 ? ", " + std::to_string(positions) + " positions" : std::string());
  const std::string node = rows.front().node;
  std::string clock_note = any_assumed ? "No timing with this library: tokens/s at an assumed " +
                                             fmt_num(rows.front().point["clock_mhz_assumed"].get<double>(), 0) + " MHz"
                                       : "Tokens/s at each point's fmax";
  const std::string cycles_note = any_bound ? "cycles per token: the decode bound (mean over a full context), so "
                                              "tokens/s is an upper bound"
                                            : "cycles per token simulated";

  // CSV and JSON.
  std::string csv =
      "id,label,array,rows,cols,weight_port,kv_port,widths,weight_bits,weight_group,weight_zero_point,logic_mm2,"
      "memories_mm2,total_mm2";
  for (const auto& c : kGroupColumns) csv += "," + c;
  csv += ",fmax_mhz,clock_mhz,clock_source,cycles_per_token,cycles_source,tokens_per_s,node,pj_per_token,tokens_per_joule,"
         "watts,pareto\n";
  json jrows = json::array();
  for (const auto& r : rows) {
    csv += r.point["id"].get<std::string>() + "," + q(r.point["label"].get<std::string>()) + "," +
           r.point["array"].get<std::string>() + "," + std::to_string(r.point["rows"].get<int64_t>()) + "," +
           std::to_string(r.point["cols"].get<int64_t>()) + "," + std::to_string(r.point["weight_port"].get<int64_t>()) +
           "," + std::to_string(r.point["kv_port"].get<int64_t>()) + "," + q(r.point["widths"].get<std::string>()) + "," +
           std::to_string(r.point.value("weight_bits", int64_t{8})) + "," +
           std::to_string(r.point.value("weight_group", int64_t{0})) + "," +
           std::to_string(r.point.value("weight_zero_point", false) ? 1 : 0) + "," + fmt_num(r.logic, 4) + "," + fmt_num(r.memories, 4) + "," + fmt_num(r.total, 4);
    json areas = json::object();
    for (const auto& g : kGroups) {
      csv += "," + fmt_num(r.area_mm2.at(g), 4);
      areas[g] = r.area_mm2.at(g);
    }
    csv += "," + fmt_num(r.fmax, 2) + "," + fmt_num(r.clock, 2) + "," + r.clock_source + "," + fmt_num(r.cycles, 1) + "," +
           r.cycles_source + "," + fmt_num(r.tokens_s, 1) + "," + r.node + "," + fmt_num(r.pj, 1) + "," +
           fmt_num(r.tokens_j, 1) + "," + fmt_num(r.watts, 6) + "," + (r.pareto ? "1" : "0") + "\n";
    json point = r.point;
    point.erase("command");  // it names where the sweep ran; the report does not depend on that
    jrows.push_back({{"point", point},
                     {"area_mm2", {{"logic", r.logic}, {"memories", r.memories}, {"total", r.total}, {"by_unit", areas}}},
                     {"fmax_mhz", r.fmax > 0 ? json(r.fmax) : json()},
                     {"clock_mhz", r.clock},
                     {"clock_source", r.clock_source},
                     {"cycles_per_token", r.cycles},
                     {"cycles_source", r.cycles_source},
                     {"tokens_per_second", r.tokens_s},
                     {"energy", {{"node", r.node}, {"pj_per_token", r.pj}, {"tokens_per_joule", r.tokens_j}, {"watts", r.watts}}},
                     {"pareto", r.pareto}});
  }
  const json jall = {{"model", model}, {"points", jrows}, {"pending", pending}, {"clock", clock_note}, {"cycles", cycles_note}};

  // Markdown report.
  std::string md = "# hardwire sweep: " + model + "\n\n" + std::to_string(rows.size()) + " design points" +
                   (pending ? " (" + std::to_string(pending) + " still without results)" : "") + ". " + clock_note +
                   "; " + cycles_note + ". Energy per token computed from the program (mean over a full context) at " +
                   node + " (docs/architecture.md#energy). Area: logic from yosys per unit, memories from the macro "
                   "model. Pareto: no other point is both smaller and faster.\n\n";
  md += "| point | logic mm² | memories mm² | total mm² | clock MHz | cycles/token | tokens/s | energy/token | tokens/J | "
        "power W | Pareto |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|:-:|\n";
  for (const auto& r : rows)
    md += "| " + r.point["label"].get<std::string>() + " | " + fmt_num(r.logic, 3) + " | " + fmt_num(r.memories, 3) +
          " | " + fmt_num(r.total, 3) + " | " + fmt_num(r.clock, 1) + (r.clock_source == "assumed" ? " (assumed)" : "") +
          " | " + fmt_num(r.cycles, 0) + (r.cycles_source == "bound" ? " (bound)" : "") + " | " + fmt_num(r.tokens_s, 0) +
          " | " + fmt_num(r.pj / 1e3, 1) + " nJ | " + fmt_num(r.tokens_j, 0) + " | " + fmt_num(r.watts, 4) + " | " +
          (r.pareto ? "yes" : "") + " |\n";
  md += "\n## Area by unit (mm²)\n\n| point |";
  for (const auto& g : kGroups) md += " " + g + " |";
  md += "\n|---|";
  for (size_t i = 0; i < kGroups.size(); ++i) md += "---:|";
  md += "\n";
  for (const auto& r : rows) {
    md += "| " + r.point["label"].get<std::string>() + " |";
    for (const auto& g : kGroups) md += " " + fmt_num(r.area_mm2.at(g), 3) + " |";
    md += "\n";
  }
  md += "\n## Plots\n\n![area by unit](plots/area.svg)\n\n![tokens/s against area](plots/tokens_per_s.svg)\n\n"
        "![tokens/J against area](plots/tokens_per_joule.svg)\n\nEach point's command and result files: "
        "`points/<id>/` (`point.json`, `synth.json`" +
        std::string(rows.front().point["steps"].get<int64_t>() > 0 ? ", `sim.json`" : "") + ").\n";

  // gnuplot: data and scripts; each script draws its plot as SVG and PNG.
  std::string area_dat = "point";  // a header row: the plot's titles (columnheader)
  for (const auto& g : kGroups) area_dat += " " + q(g);
  area_dat += "\n";
  std::string pts_dat = "# label total_mm2 tokens_per_s tokens_per_joule pareto\n", front_s, front_j;
  for (const auto& r : rows) {
    area_dat += q(r.point["label"].get<std::string>());
    for (const auto& g : kGroups) area_dat += " " + fmt_num(r.area_mm2.at(g), 6);
    area_dat += "\n";
    pts_dat += q(r.point["label"].get<std::string>()) + " " + fmt_num(r.total, 6) + " " + fmt_num(r.tokens_s, 3) + " " +
               fmt_num(r.tokens_j, 3) + " " + (r.pareto ? "1" : "0") + "\n";
  }
  std::vector<const Row*> front;
  for (const auto& r : rows)
    if (r.pareto) front.push_back(&r);
  std::sort(front.begin(), front.end(), [](const Row* a, const Row* b) { return a->total < b->total; });
  std::string front_dat = "# total_mm2 tokens_per_s (the Pareto front, by area)\n";
  for (const Row* r : front) front_dat += fmt_num(r->total, 6) + " " + fmt_num(r->tokens_s, 3) + "\n";
  const std::string title_model = model;
  const auto both = gnuplot_both;
  std::string area_gp = "set title \"Area by unit: " + title_model + "\" noenhanced\n"
                        "set ylabel 'area (mm²)'\nset xlabel 'design point (array, weight port bytes, KV port bytes)'\n"
                        "set style data histograms\nset style histogram rowstacked\nset style fill solid 0.85 border -1\n"
                        "set boxwidth 0.7\nset xtics rotate by -30 noenhanced\nset key outside right top noenhanced\n"
                        "set grid ytics\nset yrange [0:*]\n"
                        "plot 'gnuplot/area.dat' using 2:xtic(1) title columnheader(2)";
  for (size_t i = 1; i < kGroups.size(); ++i) area_gp += ", '' using " + std::to_string(i + 2) + " title columnheader(" + std::to_string(i + 2) + ")";
  area_gp += "\n";
  const std::string tps_label = any_assumed ? "tokens/s at an assumed " +
                                                  fmt_num(rows.front().point["clock_mhz_assumed"].get<double>(), 0) + " MHz clock"
                                            : "tokens/s at fmax";
  const std::string tps_gp =
      "set title \"Decode speed against area: " + title_model + (any_bound ? " (cycles: decode bound)" : " (cycles: simulated)") +
      "\" noenhanced\nset xlabel 'chip area (mm²): logic + memories'\nset ylabel '" + tps_label +
      "'\nset grid\nset key inside top left box opaque\nset offsets graph 0.05, graph 0.05, graph 0.1, 0\nset yrange [0:*]\n"
      "plot 'gnuplot/points.dat' using 2:3 with points pt 7 ps 1.3 lc rgb '#3060c0' title 'design points', "
      "'gnuplot/front.dat' using 1:2 with linespoints lw 2 pt 6 ps 2.2 lc rgb '#d03020' title 'Pareto front', "
      "'gnuplot/points.dat' using 2:3:1 with labels offset 0,1.1 font ',9' noenhanced notitle\n";
  const std::string tpj_gp =
      "set title \"Energy efficiency against area: " + title_model + " (energy computed at " + node +
      ")\" noenhanced\nset xlabel 'chip area (mm²): logic + memories'\nset ylabel 'tokens per joule'\nset grid\n"
      "set key inside top left box opaque\nset offsets graph 0.05, graph 0.05, graph 0.1, 0\nset yrange [0:*]\n"
      "plot 'gnuplot/points.dat' using 2:4 with points pt 7 ps 1.3 lc rgb '#208040' title 'design points', "
      "'gnuplot/points.dat' using 2:4:1 with labels offset 0,1.1 font ',9' noenhanced notitle\n";

  const std::map<std::string, std::string> gp_files = {{"gnuplot/area.dat", area_dat},
                                                       {"gnuplot/points.dat", pts_dat},
                                                       {"gnuplot/front.dat", front_dat},
                                                       {"gnuplot/area.gp", both("area", area_gp)},
                                                       {"gnuplot/tokens_per_s.gp", both("tokens_per_s", tps_gp)},
                                                       {"gnuplot/tokens_per_joule.gp", both("tokens_per_joule", tpj_gp)}};
  HW_ASSIGN_OR_RETURN(const auto plots, render_gnuplot(out + "/report", gp_files, {"area", "tokens_per_s", "tokens_per_joule"}));
  HW_ASSIGN_OR_RETURN(auto staged, StagedDir::create(out + "/report", "sweep report directory"));
  HW_TRY(staged->write("sweep.csv", csv));
  HW_TRY(staged->write("sweep.json", jall.dump(2) + "\n"));
  HW_TRY(staged->write("report.md", md));
  for (const auto& [rel, text] : gp_files) HW_TRY(staged->write(rel, text));
  for (const auto& [rel, data] : plots) HW_TRY(staged->write(rel, data));
  HW_TRY(staged->commit({}));
  summary = std::to_string(rows.size()) + " points" + (pending ? " (" + std::to_string(pending) + " without results)" : "") +
            "; Pareto front:";
  for (const Row* r : front)
    summary += " " + r->point["label"].get<std::string>() + " (" + fmt_num(r->total, 2) + " mm², " +
               fmt_num(r->tokens_s, 0) + " tokens/s)";
  return Status::ok();
}

}  // namespace hardwire::gen
