#include "hardwire/gen/energy.hpp"

#include <algorithm>
#include <cmath>

#include "hardwire/gen/synth.hpp"
#include "hardwire/golden/ops.hpp"

namespace hardwire::gen {

namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Horowitz, ISSCC 2014, 45 nm, 0.9 V (energy.hpp).
constexpr double kMul8 = 0.2, kMul32 = 3.1, kAdd8 = 0.03, kAdd32 = 0.1;
struct SramPoint {
  double bytes, pj64;
};
constexpr SramPoint kSram[] = {{8.0 * 1024, 10.0}, {32.0 * 1024, 20.0}, {1024.0 * 1024, 100.0}};

// y = y0 * (x / x0)^k on the log-log line through (x0, y0) and (x1, y1).
double loglog(double x, double x0, double y0, double x1, double y1) {
  const double k = std::log(y1 / y0) / std::log(x1 / x0);
  return y0 * std::pow(x / x0, k);
}

}  // namespace

Activity& Activity::operator+=(const Activity& o) {
  for (size_t i = 0; i < events.size(); ++i) events[i] += o.events[i];
  for (const auto& [op, n] : o.results) results[op] += n;
  scores += o.scores;
  logits += o.logits;
  steps += o.steps;
  return *this;
}

bool counts_results(isa::Op op) {
  switch (op) {
    case isa::Op::kMatvec:
    case isa::Op::kEmbed:
    case isa::Op::kNorm:
    case isa::Op::kRope:
    case isa::Op::kSwiglu:
    case isa::Op::kResadd:
    case isa::Op::kPv: return true;
    default: return false;
  }
}

Activity step_activity(const ChipPlan& p, int64_t pos) {
  HW_CHECK(pos >= 0 && pos < p.shape.seq_len, "step_activity: a position of the model");
  const int64_t V = p.map.vector_lanes, P = p.weight_port_rows, C = p.array.cols, rows = pos + 1;
  // Which instructions the reader walks in whole scratchpad words (hw_core's `words`; the test against the RTL's
  // counts holds this to it).
  const bool word_output = V > 1;
  const bool word_matvec = V > 1 && P == V;
  const bool kv_words = V > 1 && (p.map.lanes % V == 0 || V % p.map.lanes == 0);
  const bool q_words = V > 1 && (p.map.q_lanes % V == 0 || V % p.map.q_lanes == 0);
  Activity a;
  a.steps = 1;
  auto ev = [&](isa::Event e) -> int64_t& { return a.events[static_cast<size_t>(e)]; };
  for (const isa::Instr& in : p.program.code) {
    const auto n = [&](uint32_t v) { return v == kPosPlusOne ? rows : static_cast<int64_t>(v); };
    const int64_t ni = n(in.n_inner), no = n(in.n_outer), nout = n(in.n_out);
    bool words = false;
    switch (in.op) {
      case isa::Op::kMatvec: words = word_matvec; break;
      case isa::Op::kCopyKv: words = kv_words; break;
      case isa::Op::kPackQ: words = q_words; break;
      case isa::Op::kOutput:
      case isa::Op::kResadd:
      case isa::Op::kNorm:
      case isa::Op::kEmbed:
      case isa::Op::kSwiglu:
      case isa::Op::kRope: words = word_output; break;
      default: break;
    }
    const int64_t issues = no * (words ? ceil_div(ni, V) : ni);
    ev(isa::Event::kNormRead) += 1;  // every instruction's decode reads the norm ROM
    ev(isa::Event::kScratchReadA) += issues;
    if (in.op == isa::Op::kSwiglu || in.op == isa::Op::kResadd) ev(isa::Event::kScratchReadB) += issues;
    if (in.op == isa::Op::kScores || in.op == isa::Op::kPv) ev(isa::Event::kKvRead) += issues;
    if (in.op == isa::Op::kScores) ev(isa::Event::kQRead) += issues;
    if (in.op == isa::Op::kEmbed) ev(isa::Event::kEmbRead) += issues;
    switch (in.op) {
      case isa::Op::kMatvec:
        // The packer writes the X-buffer word being filled at every element, or (word mode) once per word.
        ev(isa::Event::kXbufWrite) += words ? ceil_div(ni, P) : issues;
        ev(isa::Event::kWeightRead) += ceil_div(ni, P) * ceil_div(nout, C);
        if (p.group_words > 0) ev(isa::Event::kGroupScaleRead) += ceil_div(ceil_div(ni, P), p.group_words) * ceil_div(nout, C);
        break;
      case isa::Op::kCopyKv: ev(isa::Event::kKvWrite) += nout; break;
      case isa::Op::kPackQ: ev(isa::Event::kQWrite) += nout; break;
      case isa::Op::kScores: a.scores += p.shape.n_heads * rows; break;
      case isa::Op::kOutput: a.logits += ni * no; break;  // the logits it streams (n_out: the token)
      default: break;
    }
    if (in.op == isa::Op::kMatvec && in.to_host) a.logits += p.shape.vocab;
    if (counts_results(in.op)) {
      a.results[in.op] += nout;
      ev(isa::Event::kScratchWrite) += V > 1 ? ceil_div(nout, V) : nout;
    }
  }
  return a;
}

Activity context_activity(const ChipPlan& p, int64_t positions) {
  Activity a;
  for (int64_t pos = 0; pos < positions; ++pos) a += step_activity(p, pos);
  return a;
}

double multiply_pj(int a_bits, int b_bits) {
  return loglog(static_cast<double>(a_bits) * b_bits, 64.0, kMul8, 1024.0, kMul32);
}
double add_pj(int bits) { return loglog(bits, 8.0, kAdd8, 32.0, kAdd32); }

double sram_read_pj(int64_t words, int64_t width_bits) {
  const double macro_bytes =
      static_cast<double>(std::min(words, SramModel::kMaxWords)) * static_cast<double>(std::min(width_bits, SramModel::kMaxWidth)) / 8.0;
  const double b = std::max(macro_bytes, 1.0);
  const double pj64 = b <= kSram[1].bytes ? loglog(b, kSram[0].bytes, kSram[0].pj64, kSram[1].bytes, kSram[1].pj64)
                                          : loglog(b, kSram[1].bytes, kSram[1].pj64, kSram[2].bytes, kSram[2].pj64);
  return pj64 * static_cast<double>(width_bits) / 64.0;
}

Result<double> energy_node_scale(const std::string& node) {
  static const std::map<std::string, std::pair<double, double>> kNodes = {
      {"180nm", {180, 1.8}}, {"45nm", {45, 0.9}}, {"7nm", {7, 0.75}}, {"5nm", {5, 0.70}}};
  const auto it = kNodes.find(node);
  if (it == kNodes.end())
    return Error{"unknown --node '" + node + "': choose 180nm, 45nm, 7nm or 5nm"};
  const auto [nm, vdd] = it->second;
  return nm / 45.0 * (vdd / 0.9) * (vdd / 0.9);
}

double EnergyReport::watts(double clock_mhz, double cycles_per_token) const {
  if (cycles_per_token <= 0) return 0;
  return pj_per_token * 1e-12 * clock_mhz * 1e6 / cycles_per_token;
}

Result<EnergyReport> price_activity(const ChipPlan& p, const Activity& a, const std::string& node) {
  HW_CHECK(a.steps > 0, "price_activity: at least one step");
  HW_ASSIGN_OR_RETURN(const double scale, energy_node_scale(node));
  EnergyReport r;
  r.node = node;
  r.scale = scale;
  const double steps = static_cast<double>(a.steps);
  const int64_t V = p.map.vector_lanes, P = p.weight_port_rows, C = p.array.cols;
  const auto item = [&](const std::string& name, double count, double pj45, const std::string& basis) {
    if (count > 0) r.items.push_back({name, count / steps, pj45 * scale, basis});
  };
  const auto ev = [&](isa::Event e) { return static_cast<double>(a.events[static_cast<size_t>(e)]); };
  const auto res = [&](isa::Op op) {
    const auto it = a.results.find(op);
    return it == a.results.end() ? 0.0 : static_cast<double>(it->second);
  };
  const auto mem = [&](int64_t words, int64_t width) {
    return std::to_string(words) + " x " + std::to_string(width) + " bits";
  };
  // Memories as the RTL holds them (ChipPlan::memories gives the same shapes).
  const int64_t wdepth = p.weight_bank_depth > 0 ? std::min(p.weight_bank_depth, p.weight_words) : p.weight_words;
  const int64_t xwords = ceil_div(p.k_max, P), xwidth = P * p.act_bits;
  const int64_t swords = p.map.scratch_words / V, swidth = V * 32;
  const int64_t kvwidth = 16 * p.map.lanes, qwidth = 16 * p.map.q_lanes;
  const int hs = static_cast<int>(p.shape.head_size());
  const int requant_in = p.requant_acc_bits;
  const double requant = multiply_pj(requant_in, 31) + add_pj(32);
  const double requant_rom = V > 1 ? sram_read_pj(p.map.rqv_words, V * MemoryMap::kRqvLaneBits) / static_cast<double>(V)
                                   : sram_read_pj(p.map.requant_words, 40);

  const int wb = p.weights.bits;
  const int mb = wb + (p.weights.zero_point ? 1 : 0);  // the multiplier's weight operand ({0, u} with zero points)
  item("weight SRAM reads", ev(isa::Event::kWeightRead) * static_cast<double>(P),
       sram_read_pj(wdepth, C * wb), "a word of one weight bank: " + mem(wdepth, C * wb) + " macro");
  item("matrix MACs", ev(isa::Event::kWeightRead) * static_cast<double>(P * C),
       multiply_pj(mb, p.act_bits) + add_pj(p.acc_bits),
       std::to_string(mb) + " x " + std::to_string(p.act_bits) + "-bit multiply, " + std::to_string(p.acc_bits) +
           "-bit add");
  if (p.group_words > 0) {
    const int64_t gsum = std::min<int64_t>(p.acc_bits, p.act_bits + mb + index_bits(p.weights.group + 1));
    const int64_t entry = golden::group_entry_bits(p.weights);
    const int64_t xg = p.act_bits + index_bits(p.weights.group + 1);
    // With zero points also z x (the group's sum of x) and a subtraction per column, and the shared sum of x.
    const double zero = p.weights.zero_point
                            ? static_cast<double>(C) * (multiply_pj(static_cast<int>(xg), wb + 1) + add_pj(static_cast<int>(gsum))) +
                                  static_cast<double>(p.group_words * P) * add_pj(static_cast<int>(xg))
                            : 0.0;
    item("group scales", ev(isa::Event::kGroupScaleRead),
         sram_read_pj(p.group_scale_words, C * entry) +
             static_cast<double>(C) * (multiply_pj(static_cast<int>(gsum), 9) + add_pj(p.acc_bits)) + zero,
         "a word of the group-scale ROM (" + mem(p.group_scale_words, C * entry) + "), then C " +
             std::to_string(gsum) + " x 9-bit scalings and adds" +
             (p.weights.zero_point ? "; C zero-point corrections (" + std::to_string(xg) + " x " + std::to_string(wb + 1) +
                                         "-bit) and the group's sum of x"
                                   : std::string()));
  }
  item("X-buffer reads", ev(isa::Event::kWeightRead), sram_read_pj(xwords, xwidth), mem(xwords, xwidth));
  item("X-buffer writes", ev(isa::Event::kXbufWrite), sram_read_pj(xwords, xwidth), mem(xwords, xwidth) + " (as a read)");
  item("scratchpad reads", ev(isa::Event::kScratchReadA) + ev(isa::Event::kScratchReadB), sram_read_pj(swords, swidth),
       mem(swords, swidth));
  item("scratchpad writes", 2 * ev(isa::Event::kScratchWrite), sram_read_pj(swords, swidth),
       mem(swords, swidth) + ", both copies (as a read)");
  item("KV-cache reads", ev(isa::Event::kKvRead), sram_read_pj(p.map.kv_words, kvwidth), mem(p.map.kv_words, kvwidth));
  item("attention MACs", ev(isa::Event::kKvRead) * static_cast<double>(p.map.q_lanes),
       multiply_pj(16, 16) + add_pj(p.mac_acc_bits),
       "q.K and p.V: 16 x 16-bit multiply, " + std::to_string(p.mac_acc_bits) + "-bit add, every query head of a KV lane");
  item("KV-cache writes", ev(isa::Event::kKvWrite), sram_read_pj(p.map.kv_words, kvwidth),
       mem(p.map.kv_words, kvwidth) + " (as a read)");
  item("q-buffer reads", ev(isa::Event::kQRead), sram_read_pj(p.map.q_words, qwidth), mem(p.map.q_words, qwidth));
  item("q-buffer writes", ev(isa::Event::kQWrite), sram_read_pj(p.map.q_words, qwidth),
       mem(p.map.q_words, qwidth) + " (as a read)");
  item("embedding reads", ev(isa::Event::kEmbRead), sram_read_pj(p.map.emb_words, C * 8), mem(p.map.emb_words, C * 8));
  item("norm-constant reads", ev(isa::Event::kNormRead), sram_read_pj(p.map.norm_words, 72), mem(p.map.norm_words, 72));
  // Per result, by unit.
  const double requantized = res(isa::Op::kMatvec) + res(isa::Op::kEmbed) + res(isa::Op::kSwiglu) + res(isa::Op::kPv);
  item("requantizers", requantized, requant + requant_rom,
       std::to_string(requant_in) + " x 31-bit multiply, 32-bit add, its parameters from the requant ROM");
  item("RMSNorm", res(isa::Op::kNorm),
       multiply_pj(p.widths.res, p.widths.res) + add_pj(48) + multiply_pj(p.widths.res, 24) +
           2 * sram_read_pj(ceil_div(p.shape.dim, V), V * p.widths.res) / static_cast<double>(V),
       "per element: square, 48-bit sum, 24-bit gain multiply; its vector buffer written and read");
  item("RoPE", res(isa::Op::kRope),
       2 * multiply_pj(p.rope_bits, 16) + add_pj(32) + 2 * sram_read_pj(p.shape.seq_len, (hs / 2) * 16) / std::max(1, hs / 2),
       "per element: two 16-bit multiplies, an add, a cos and a sin lane");
  const bool interp = p.widths.gate > golden::kSiluIndexBits;
  item("SwiGLU", res(isa::Op::kSwiglu),
       multiply_pj(golden::kSiluBits, p.widths.up) + sram_read_pj(p.map.silu_words, golden::kSiluRomWordBits) +
           (interp ? multiply_pj(17, p.widths.gate - golden::kSiluIndexBits + 1) : 0.0),
       "per element: SiLU ROM read (a 32-bit pair), " + std::string(interp ? "17 x 9-bit interpolation, " : "") +
           "16 x " + std::to_string(p.widths.up) + "-bit multiply");
  item("residual adds", res(isa::Op::kResadd), add_pj(p.widths.res), std::to_string(p.widths.res) + "-bit add");
  const int64_t row_words = ceil_div(p.shape.seq_len, p.softmax_sum_lanes);
  item("softmax", static_cast<double>(a.scores),
       requant + 3 * sram_read_pj(row_words, 16) + 2 * sram_read_pj(256, 16) + add_pj(32) + multiply_pj(16, 24),
       "per score: requantized, row buffer written and read twice, two exp2 lookups, sum, reciprocal multiply");
  item("argmax", static_cast<double>(a.logits), add_pj(32), "per logit: a 32-bit compare");
  for (const auto& i : r.items) r.pj_per_token += i.pj();
  return r;
}

}  // namespace hardwire::gen
