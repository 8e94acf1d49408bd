#include "hardwire/gen/report.hpp"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "hardwire/gen/sweep.hpp"

namespace hardwire::gen {

using nlohmann::json;

namespace {

std::string num(double v, int decimals) {
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", decimals, v);
  return b;
}
std::string commas(double v) {
  std::string s = num(v, 0), o;
  const bool neg = !s.empty() && s[0] == '-';
  if (neg) s = s.substr(1);
  for (size_t i = 0; i < s.size(); ++i) {
    if (i && (s.size() - i) % 3 == 0) o += ',';
    o += s[i];
  }
  return (neg ? "-" : "") + o;
}
std::string joules(double pj) {
  if (pj >= 1e9) return num(pj / 1e9, 3) + " mJ";
  if (pj >= 1e6) return num(pj / 1e6, 3) + " µJ";
  if (pj >= 1e3) return num(pj / 1e3, 3) + " nJ";
  return num(pj, 3) + " pJ";
}
std::string quoted(const std::string& s) {
  std::string o = "\"";
  for (char c : s) o += (c == '"') ? '\'' : c;
  return o + "\"";
}
const char* kPhases[] = {"embedding", "norms", "projections", "attention", "ffn", "residual", "classifier", "output"};

}  // namespace

Result<std::map<std::string, std::string>> design_report_files(const DesignReportInput& in) {
  std::map<std::string, std::string> f;
  try {
    const json& info = in.info;
    const json& synth = in.synth;
    const bool simulated = !in.sim.is_null();
    std::string md = "# hardwire report: " + in.title + "\n\nRegenerate: `" + in.command + "`\n\n";

    // Model.
    const json& sh = info.at("shape");
    md += "## Model\n\n" + info.at("model").get<std::string>() + "\n\n| dim | hidden | layers | heads | KV heads | vocab | "
          "context | parameters | weight memory (bytes) | KV-cache bytes |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n| " +
          commas(sh.at("dim").get<double>()) + " | " + commas(sh.at("hidden_dim").get<double>()) + " | " +
          commas(sh.at("n_layers").get<double>()) + " | " + commas(sh.at("n_heads").get<double>()) + " | " +
          commas(sh.at("n_kv_heads").get<double>()) + " | " + commas(sh.at("vocab_size").get<double>()) + " | " +
          commas(sh.at("seq_len").get<double>()) + " | " + commas(info.at("parameters").get<double>()) + " | " +
          commas(std::ceil(info.at("weight_memory_bits").at("total").get<double>() / 8)) + " | " +
          commas(info.at("kv_cache_bytes").get<double>()) + " |\n\nWeight format: " +
          info.at("weight_format").at("text").get<std::string>() +
          " (the weight memory: the matrices' codes and group entries; the embedding table apart, int8). "
          "Activation widths: `" + info.at("widths").get<std::string>() + "`.\n\n";

    // Area.
    struct Item {
      std::string name;
      double mm2;
    };
    std::vector<Item> logic, memories;
    double logic_total = 0, mem_total = 0;
    for (const auto& b : synth.at("blocks")) {
      const double a = b.at("area_um2").get<double>() * static_cast<double>(b.at("instances").get<int64_t>()) / 1e6;
      logic.push_back({b.at("name").get<std::string>() +
                           (b.at("instances").get<int64_t>() > 1 ? " (x" + std::to_string(b.at("instances").get<int64_t>()) + ")" : ""),
                       a});
      logic_total += a;
    }
    for (const auto& m : synth.at("memories")) {
      memories.push_back({m.at("name").get<std::string>(), m.at("area_um2").get<double>() / 1e6});
      mem_total += m.at("area_um2").get<double>() / 1e6;
    }
    const double total = logic_total + mem_total;
    md += "## Area\n\nLibrary: " + synth.at("liberty").get<std::string>() + "; memories: the macro model at " +
          synth.at("sram_model").at("node").get<std::string>() + " (" + synth.at("sram_model").at("chosen").get<std::string>() +
          "). Logic " + num(logic_total, 3) + " mm², memories " + num(mem_total, 3) + " mm², total " + num(total, 3) +
          " mm²" + (logic.empty() ? " (no logic synthesized)"
                    : synth.at("partial").get<bool>() ? " (only some blocks synthesized: the logic is theirs)" : "") +
          ".\n\n| unit | mm² | share |\n|---|---:|---:|\n";
    auto by_size = [](const Item& a, const Item& b) { return a.mm2 > b.mm2; };
    std::stable_sort(logic.begin(), logic.end(), by_size);
    std::stable_sort(memories.begin(), memories.end(), by_size);
    for (const auto* list : {&logic, &memories})
      for (const auto& i : *list)
        md += "| " + i.name + (list == &memories ? " (memory)" : "") + " | " + num(i.mm2, 4) + " | " +
              num(total > 0 ? 100 * i.mm2 / total : 0, 1) + "% |\n";
    md += "\n![area by unit](plots/area.svg)\n\n";

    // Timing and speed.
    const json& timing = synth.at("timing");
    const bool has_timing = timing.at("available").get<bool>();
    const double clock = has_timing ? timing.at("fmax_mhz").get<double>() : (in.clock_mhz > 0 ? in.clock_mhz : 1000.0);
    md += "## Timing and speed\n\n";
    if (has_timing)
      md += "Slowest block: " + timing.at("slowest_block").get<std::string>() + ", " +
            num(timing.at("critical_ns").get<double>(), 3) + " ns: fmax " + num(clock, 1) + " MHz (OpenSTA, per block, "
            "no wires).\n\n";
    else
      md += "No timing: " + timing.at("why").get<std::string>() + "; tokens/s below are at an assumed " + num(clock, 0) +
            " MHz.\n\n";
    const json& bounds = simulated ? in.sim.at("bounds_by_phase") : in.bounds_by_phase;
    md += std::string("| phase | ") + (simulated ? "cycles (simulated) | " : "") +
          "compute | weights | KV cache | latency | largest bound |\n|---|" + (simulated ? "---:|" : "") +
          "---:|---:|---:|---:|---:|\n";
    std::string cyc_dat = std::string("phase ") + (simulated ? "\"cycles (simulated)\" " : "") +
                          "\"compute bound\" \"weight bound\" \"KV bound\" \"latency floor\"\n";
    for (const char* ph : kPhases) {
      const json& b = bounds.at(ph);
      const double c = b.at("compute_cycles").get<double>(), w = b.at("weight_cycles").get<double>(),
                   k = b.at("kv_cycles").get<double>(), l = b.at("latency_cycles").get<double>();
      const double largest = std::max({c, w, k, l});
      md += std::string("| ") + ph + " | ";
      cyc_dat += quoted(ph) + " ";
      if (simulated) {
        const double s = b.at("cycles").get<double>();
        md += num(s, 0) + " | ";
        cyc_dat += num(s, 2) + " ";
      }
      md += num(c, 0) + " | " + num(w, 0) + " | " + num(k, 0) + " | " + num(l, 0) + " | " + num(largest, 0) + " |\n";
      cyc_dat += num(c, 2) + " " + num(w, 2) + " " + num(k, 2) + " " + num(l, 2) + "\n";
    }
    const double per_token = simulated ? in.sim.at("cycles_per_token").get<double>() : [&] {
      double t = 0;  // the total's largest bound (not the sum of the phases')
      double c = 0, w = 0, k = 0, l = 0;
      for (const char* ph : kPhases) {
        const json& b = bounds.at(ph);
        c += b.at("compute_cycles").get<double>();
        w += b.at("weight_cycles").get<double>();
        k += b.at("kv_cycles").get<double>();
        l += b.at("latency_cycles").get<double>();
      }
      t = std::max({c, w, k, l});
      return t;
    }();
    const double tokens_s = clock * 1e6 / per_token;
    md += "\n" + std::string(simulated ? "Simulated: " + num(per_token, 0) + " cycles per token (mean over " +
                                             std::to_string(in.sim.at("positions").get<int64_t>()) +
                                             " positions, bit-exact), " + num(in.sim.at("ratio_to_bound").get<double>(), 2) +
                                             " x the largest bound"
                                       : "Not simulated: the largest decode bound, " + num(per_token, 0) +
                                             " cycles per token (mean over a full context), so tokens/s is at most") +
          "; at " + num(clock, 1) + " MHz" + (has_timing ? " (fmax)" : " (assumed)") + ": **" + commas(tokens_s) +
          " tokens/s**.\n\n![cycles by phase](plots/cycles.svg)\n\n";

    // Energy.
    const json& en = simulated ? in.sim.at("energy") : synth.at("energy");
    const double pj = en.at("pj_per_token").get<double>();
    md += "## Energy\n\n" + std::string(simulated ? "Simulated (the events the chip counted)" : "Computed from the program (not simulated)") +
          " at " + en.at("node").get<std::string>() + ": **" + joules(pj) + " per token**, " +
          commas(en.at("tokens_per_joule").get<double>()) + " tokens/J, " + num(pj * 1e-12 * tokens_s, 4) +
          " W at " + commas(tokens_s) + " tokens/s. Per-event energies: Horowitz, ISSCC 2014 (45 nm), scaled by node; "
          "datapath and memories only, no clock tree, flip-flops, wires or leakage (docs/architecture.md#energy).\n\n"
          "| item | per token | each | energy | share |\n|---|---:|---:|---:|---:|\n";
    std::vector<std::pair<std::string, double>> eitems;
    for (const auto& i : en.at("items")) {
      md += "| " + i.at("name").get<std::string>() + " | " + commas(i.at("count_per_token").get<double>()) + " | " +
            joules(i.at("pj_each").get<double>()) + " | " + joules(i.at("pj_per_token").get<double>()) + " | " +
            num(pj > 0 ? 100 * i.at("pj_per_token").get<double>() / pj : 0, 1) + "% |\n";
      eitems.emplace_back(i.at("name").get<std::string>(), i.at("pj_per_token").get<double>());
    }
    std::stable_sort(eitems.begin(), eitems.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    md += "\n![energy by item](plots/energy.svg)\n";
    f["report.md"] = md;

    // Plots.
    std::string area_dat = "unit \"area (mm²)\"\n";
    for (const auto* list : {&logic, &memories})
      for (const auto& i : *list) area_dat += quoted(i.name + (list == &memories ? " (memory)" : "")) + " " + num(i.mm2, 6) + "\n";
    f["gnuplot/area.dat"] = area_dat;
    f["gnuplot/area.gp"] = gnuplot_both(
        "area", "set title " + quoted("Area by unit: " + in.title) + " noenhanced\nset ylabel 'area (mm²)'\n"
                "set style data histograms\nset style histogram clustered gap 0.3\nset style fill solid 0.85 border -1\n"
                "set xtics rotate by -40 noenhanced font ',9'\nset grid ytics\nset yrange [0:*]\nset key off\n"
                "set bmargin 12\nset rmargin 10\nplot 'gnuplot/area.dat' using 2:xtic(1) lc rgb '#3060c0'\n");
    f["gnuplot/cycles.dat"] = cyc_dat;
    std::string cyc_plot = "plot 'gnuplot/cycles.dat' using 2:xtic(1) title columnheader(2)";
    for (int c = 3; c <= (simulated ? 6 : 5); ++c)
      cyc_plot += ", '' using " + std::to_string(c) + " title columnheader(" + std::to_string(c) + ")";
    f["gnuplot/cycles.gp"] = gnuplot_both(
        "cycles", "set title " + quoted("Cycles per token by phase against the decode bounds: " + in.title) +
                      " noenhanced\nset ylabel 'cycles per token'\nset xlabel 'phase'\nset style data histograms\n"
                      "set style histogram clustered gap 1\nset style fill solid 0.85 border -1\nset grid ytics\n"
                      "set yrange [0:*]\nset key inside top left noenhanced\n" + cyc_plot + "\n");
    std::string e_dat = "item \"energy per token (nJ)\"\n";
    for (const auto& [name, v] : eitems) e_dat += quoted(name) + " " + num(v / 1e3, 6) + "\n";
    f["gnuplot/energy.dat"] = e_dat;
    f["gnuplot/energy.gp"] = gnuplot_both(
        "energy", "set title " + quoted("Energy per token by item at " + en.at("node").get<std::string>() + ": " + in.title) +
                      " noenhanced\nset ylabel 'energy per token (nJ)'\nset style data histograms\n"
                      "set style histogram clustered gap 0.3\nset style fill solid 0.85 border -1\n"
                      "set xtics rotate by -40 noenhanced font ',9'\nset grid ytics\nset yrange [0:*]\nset key off\n"
                      "set bmargin 10\nset rmargin 10\n"
                      "plot 'gnuplot/energy.dat' using 2:xtic(1) lc rgb '#208040'\n");
  } catch (const std::exception& e) {
    return Error{std::string("cannot make the report from the tools' JSON: ") + e.what()};
  }
  return f;
}

}  // namespace hardwire::gen
