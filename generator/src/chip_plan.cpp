#include "hardwire/gen/chip_plan.hpp"

#include <algorithm>

#include "hardwire/gen/layout.hpp"
#include "hardwire/gen/quantizer.hpp"
#include "hardwire/golden/ops.hpp"

namespace hardwire::gen {

Result<ArrayShape> parse_array(const std::string& text) {
  const auto x = text.find('x');
  auto bad = [&] {
    return Error{"array '" + text + "' must be RxC with 1 <= R, C <= 256, e.g. --array 8x8 or --array 4x8"};
  };
  if (x == std::string::npos || x == 0 || x + 1 >= text.size()) return bad();
  ArrayShape a;
  try {
    size_t u1 = 0, u2 = 0;
    a.rows = std::stoll(text.substr(0, x), &u1);
    a.cols = std::stoll(text.substr(x + 1), &u2);
    if (u1 != x || u2 != text.size() - x - 1) return bad();
  } catch (const std::exception&) {
    return bad();
  }
  if (a.rows < 1 || a.rows > 256 || a.cols < 1 || a.cols > 256) return bad();
  return a;
}

Status check_bank_depth(int64_t d) {
  if (d == 0 || (d >= 16 && d <= (int64_t{1} << 24) && (d & (d - 1)) == 0)) return Status::ok();
  return Error{"SRAM bank depth " + std::to_string(d) +
               " must be 0 (one bank) or a power of two from 16 to 16777216 words, e.g. --sram-bank-depth 4096"};
}

Status check_weight_port(const ArrayShape& a, int64_t bytes) {
  if (bytes == 0 || (bytes >= a.cols && bytes <= a.rows * a.cols && bytes % a.cols == 0)) return Status::ok();
  return Error{"weight port " + std::to_string(bytes) + " bytes per cycle must be a multiple of C = " +
               std::to_string(a.cols) + " from " + std::to_string(a.cols) + " to R x C = " +
               std::to_string(a.rows * a.cols) + " on a " + std::to_string(a.rows) + "x" + std::to_string(a.cols) +
               " array, e.g. --weight-port " + std::to_string(a.rows * a.cols)};
}

Status check_kv_port(const golden::Shape& s, int64_t bytes) {
  const int64_t head = 2 * s.head_size(), row = 2 * s.kv_dim();
  if (bytes == 0 || (bytes >= head && bytes % head == 0 && row % bytes == 0)) return Status::ok();
  return Error{"KV port " + std::to_string(bytes) + " bytes per cycle must be whole KV heads of 2 x head_size = " +
               std::to_string(head) + " bytes that divide the KV row of 2 x kv_dim = " + std::to_string(row) +
               " bytes, e.g. --kv-port " + std::to_string(row)};
}

Status check_weight_format(const golden::WeightFormat& f, int64_t port_rows) {
  HW_TRY(validate_weight_format(f));
  if (f.group != 0 && f.group % port_rows != 0)
    return Error{"--weight-group " + std::to_string(f.group) + " must be a multiple of the weight port's " +
                 std::to_string(port_rows) + " rows (the matrix engine takes " + std::to_string(port_rows) +
                 " inputs per cycle), e.g. --weight-group " +
                 std::to_string(std::max<int64_t>(1, (f.group + port_rows - 1) / port_rows) * port_rows)};
  return Status::ok();
}

std::string weight_format_text(const golden::WeightFormat& f) {
  return "int" + std::to_string(f.bits) + " weights" +
         (f.group == 0 ? std::string()
                       : std::string(" with a scale") + (f.zero_point ? " and a zero point" : "") + " per " +
                             std::to_string(f.group) + " inputs");
}

int index_bits(int64_t count) {
  int b = 0;
  while ((int64_t{1} << b) < count) ++b;
  return b > 0 ? b : 1;
}

const char* matrix_kind_name(MatrixKind k) {
  switch (k) {
    case MatrixKind::kWq: return "wq";
    case MatrixKind::kWk: return "wk";
    case MatrixKind::kWv: return "wv";
    case MatrixKind::kWo: return "wo";
    case MatrixKind::kW1: return "w1";
    case MatrixKind::kW3: return "w3";
    case MatrixKind::kW2: return "w2";
    case MatrixKind::kClassifier: return "cls";
  }
  return "?";
}

namespace {

int clog2(int64_t v) {
  int b = 0;
  while ((int64_t{1} << b) < v) ++b;
  return b;
}

// Every matrix of the model in weight-memory order (per layer wq wk wv wo w1 w3 w2, then the classifier), with its
// base word in the P weight banks of C bytes (layout of gen::gemv_weight_words) and its first Requant word.
std::vector<MatrixSite> matrix_sites(const golden::Shape& sh, const golden::Widths& w,
                                     const golden::WeightFormat& format, int64_t P, int64_t C, int64_t V) {
  std::vector<MatrixSite> mats;
  auto add = [&](int64_t layer, MatrixKind kind, int64_t rows, int64_t cols, int act, int out) {
    MatrixSite s;
    s.name = (layer < 0 ? std::string() : "L" + std::to_string(layer) + ".") + matrix_kind_name(kind);
    s.kind = kind;
    s.layer = layer;
    s.act_bits = act;
    s.out_bits = out;
    s.rows = rows;
    s.cols = cols;
    s.acc_bits = golden::accumulator_bits(act, s.cols, format);
    mats.push_back(s);
  };
  const int64_t d = sh.dim, kvd = sh.kv_dim(), hd = sh.hidden_dim;
  for (int64_t l = 0; l < sh.n_layers; ++l) {
    add(l, MatrixKind::kWq, d, d, w.xn, w.q);
    add(l, MatrixKind::kWk, kvd, d, w.xn, w.k);
    add(l, MatrixKind::kWv, kvd, d, w.xn, w.v);
    add(l, MatrixKind::kWo, d, d, w.att, w.res);
    add(l, MatrixKind::kW1, hd, d, w.xn, w.gate);
    add(l, MatrixKind::kW3, hd, d, w.xn, w.up);
    add(l, MatrixKind::kW2, d, hd, w.h, w.res);
  }
  add(-1, MatrixKind::kClassifier, sh.vocab, d, w.xn, golden::kLogitBits);
  int64_t words = 0, rq = 0, gs = 0;
  for (auto& s : mats) {
    s.words = gemv_weight_word_count(s.rows, s.cols, P, C);
    s.base = words;
    words += s.words;
    if (format.group > 0) {
      s.gs_words = gemv_group_scale_word_count(s.rows, s.cols, P, C, format.group / P);
      s.gs_base = gs;
      gs += s.gs_words;
    }
    // Per-channel requant parameters: one word per channel, or with vector lanes one word per V channels (the
    // vector requant ROM, each matrix from a word of its own).
    s.rq_base = rq;
    rq += V > 1 ? (s.rows + V - 1) / V : s.rows;
  }
  return mats;
}

MemoryMap memory_map(const golden::Shape& s, const std::vector<MatrixSite>& mats, int64_t C, int64_t V,
                     int64_t kv_port) {
  MemoryMap mm;
  mm.vector_lanes = V;
  // Scratchpad: one region per vector of the step, each from a word of V lanes of its own.
  int64_t at = 0;
  auto region = [&](int64_t n) {
    const int64_t b = at;
    at += (n + V - 1) / V * V;
    return b;
  };
  mm.x = region(s.dim);
  mm.xn = region(s.dim);
  mm.q = region(s.dim);
  mm.k = region(s.kv_dim());
  mm.v = region(s.kv_dim());
  mm.att = region(s.dim);
  mm.t = region(s.dim);
  mm.gate = region(s.hidden_dim);
  mm.up = region(s.hidden_dim);
  mm.h = region(s.hidden_dim);
  mm.logits = region(s.vocab);
  mm.scratch_words = at;
  mm.n_layers = s.n_layers;
  // The KV port: a KV-cache word of whole KV heads (kv_port bytes of 16-bit lanes; 0: the whole row, every KV head),
  // so a position's K row is kv_row_words words and every head's score is one word's work.
  mm.kv_heads_per_word = kv_port == 0 ? s.n_kv_heads : kv_port / (2 * s.head_size());
  mm.lanes = mm.kv_heads_per_word * s.head_size();
  mm.kv_row_words = s.n_kv_heads / mm.kv_heads_per_word;
  mm.q_heads_per_word = mm.kv_heads_per_word * s.kv_mul();
  mm.q_lanes = mm.lanes * s.kv_mul();
  mm.q_words = mm.kv_row_words;
  mm.kv_pos_words = 2 * mm.kv_row_words;
  mm.kv_layer_words = s.seq_len * mm.kv_pos_words;
  mm.kv_words = s.n_layers * mm.kv_layer_words;
  mm.emb_words_per_row = (s.dim + C - 1) / C;
  mm.emb_words = s.vocab * mm.emb_words_per_row;
  if (V > 1) {
    for (const auto& ms : mats) mm.rqv_words += (ms.rows + V - 1) / V;
  } else {
    for (const auto& ms : mats) mm.rq_matrices_words += ms.rows;
  }
  mm.rq_embedding_base = mm.rq_matrices_words;
  mm.rq_layer_base = mm.rq_matrices_words + s.vocab;
  mm.requant_words = mm.rq_layer_base + 3 * s.n_layers;
  mm.norm_words = 2 * s.n_layers + 1;
  mm.silu_words = 256 * s.n_layers;
  return mm;
}

}  // namespace

Result<ChipPlan> plan_chip(const golden::Shape& shape, const golden::Widths& widths, const PlanOptions& o) {
  HW_TRY(check_weight_port(o.array, o.weight_port));
  HW_TRY(check_bank_depth(o.sram_bank_depth));
  HW_TRY(check_kv_port(shape, o.kv_port));
  ChipPlan p;
  p.array = o.array;
  p.shape = shape;
  p.widths = widths;
  const int64_t R = o.array.rows, C = o.array.cols;
  p.weight_port_rows = o.weight_port == 0 ? R : o.weight_port / C;
  HW_TRY(check_weight_format(o.weights, p.weight_port_rows));
  p.weights = o.weights;
  p.group_words = o.weights.group / p.weight_port_rows;
  const int64_t V = (C & (C - 1)) == 0 ? C : 1;  // vector lanes: C where it is a power of two
  p.matrices = matrix_sites(shape, widths, o.weights, p.weight_port_rows, C, V);
  for (const auto& s : p.matrices) {
    p.group_scale_words += s.gs_words;
    p.act_bits = std::max(p.act_bits, s.act_bits);
    p.acc_bits = std::max(p.acc_bits, s.acc_bits);
    p.k_max = std::max(p.k_max, s.cols);
    p.n_max = std::max(p.n_max, s.rows);
    p.weight_words += s.words;
    p.matmul_macs += s.rows * s.cols;
    p.weight_bytes += s.rows * s.cols;
  }
  // Weight banks: P of them, each split into macros of sram_bank_depth words when it is deeper; one image per macro.
  const bool banked = o.sram_bank_depth > 0 && p.weight_words > o.sram_bank_depth;
  p.weight_bank_depth = banked ? o.sram_bank_depth : 0;
  for (int64_t j = 0; j < p.weight_port_rows; ++j) {
    const std::string bank = "mem/weights_p" + std::to_string(j);
    if (!banked) p.weight_images.push_back(bank + ".hex");
    for (int64_t b = 0; banked && b < p.weight_macros_per_bank(); ++b)
      p.weight_images.push_back(bank + "_bank" + std::to_string(b) + ".hex");
  }
  // The core's own accumulators (attention, SwiGLU, embedding; numerics §8, §10, §11), as signed widths.
  const auto& s = shape;
  const auto& w = widths;
  const int score = w.q + w.k + clog2(s.head_size());
  const int pv = w.v + 9 + clog2(s.seq_len);
  const int swiglu = golden::kSiluBits + w.up;
  p.mac_acc_bits = std::max({34, score, pv, swiglu});
  p.requant_acc_bits = std::max(p.acc_bits, p.mac_acc_bits);
  p.rope_bits = std::max(w.q, w.k);
  p.map = memory_map(shape, p.matrices, C, V, o.kv_port);
  auto prog = build_program(p);
  if (!prog) return prog.error();
  p.program = std::move(*prog);
  return p;
}

Result<ChipPlan> plan_chip(const golden::QModel& m, const PlanOptions& options) {
  PlanOptions o = options;
  o.weights = m.weights;
  auto p = plan_chip(m.shape, m.widths, o);
  if (!p) return p;
  HW_CHECK(static_cast<int64_t>(m.layers.size()) == m.shape.n_layers, "the integer model has every layer");
  for (auto& s : p->matrices) {
    if (s.kind == MatrixKind::kClassifier) {
      s.lin = &m.cls;
    } else {
      const golden::QLayer& L = m.layers[static_cast<size_t>(s.layer)];
      static constexpr golden::QLinear golden::QLayer::*kSite[kMatricesPerLayer] = {
          &golden::QLayer::wq, &golden::QLayer::wk, &golden::QLayer::wv, &golden::QLayer::wo,
          &golden::QLayer::w1, &golden::QLayer::w3, &golden::QLayer::w2};
      s.lin = &(L.*kSite[static_cast<int>(s.kind)]);
    }
    HW_CHECK(s.lin->w.rows() == s.rows && s.lin->w.cols() == s.cols &&
                 static_cast<int64_t>(s.lin->rq.size()) == s.rows && s.lin->group == m.weights.group &&
                 (s.lin->zero_point.size() > 0) == m.weights.zero_point,
             "the integer model's matrices have the shape's sizes and its format");
  }
  return p;
}

const MatrixSite& ChipPlan::matrix(int64_t layer, MatrixKind kind) const {
  const size_t i = kind == MatrixKind::kClassifier ? matrices.size() - 1
                                                   : static_cast<size_t>(layer * kMatricesPerLayer + static_cast<int>(kind));
  HW_CHECK(i < matrices.size() && matrices[i].kind == kind && matrices[i].layer == layer, "matrix site lookup");
  return matrices[i];
}

int64_t ChipPlan::weight_macros_per_bank() const {
  return weight_bank_depth > 0 ? (weight_words + weight_bank_depth - 1) / weight_bank_depth : 1;
}

double Bounds::bound() const { return std::max({compute_cycles, weight_cycles, kv_cycles, latency_cycles}); }

Bounds& Bounds::operator+=(const Bounds& o) {
  macs += o.macs;
  weight_bytes += o.weight_bytes;
  kv_bytes += o.kv_bytes;
  compute_cycles += o.compute_cycles;
  weight_cycles += o.weight_cycles;
  kv_cycles += o.kv_cycles;
  latency_cycles += o.latency_cycles;
  return *this;
}

namespace {

// Fixed latencies of the units (cycles from an instruction's first input to its first result), from the RTL:
constexpr int64_t kReadLatency = 2;     // SRAM read + element register (hw_core_reader)
constexpr int64_t kRequantLatency = 2;  // hw_requant
constexpr int64_t kGemvLatency = 3;     // hw_gemv: issue, products, column sums
constexpr int64_t kNormEmit = 2;        // hw_rmsnorm: the scaled beat (read, register)
constexpr int64_t kSoftmaxDivide = 24;  // hw_softmax: one reciprocal per row, two quotient bits per cycle

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// The latency of one instruction at array width (C elements per cycle, the weight port's P rows of the matrix
// engine): its unit's fixed latency, plus the input it must take whole before its first result.
int64_t latency_cycles(const ChipPlan& p, const isa::Instr& in, int64_t rows) {
  const int64_t C = p.array.cols, R = p.array.rows;
  const auto n = [&](uint32_t v) { return v == kPosPlusOne ? rows : static_cast<int64_t>(v); };
  switch (in.op) {
    case isa::Op::kEmbed: return kReadLatency + kRequantLatency;
    case isa::Op::kNorm:  // capture, the root's 26 digits and the divide's 48 quotient bits, norm_steps per cycle
      return kReadLatency + ceil_div(n(in.n_inner), C) + ceil_div(26, p.norm_steps) + 48 / p.norm_steps + kNormEmit;
    case isa::Op::kMatvec:
      return kReadLatency + ceil_div(n(in.n_inner), p.weight_port_rows) + kGemvLatency + kRequantLatency +
             (in.to_host ? 1 : 0);  // to_host: then the token
    case isa::Op::kRope: return kReadLatency + 2;
    case isa::Op::kCopyKv:
    case isa::Op::kPackQ: return kReadLatency + 1;
    case isa::Op::kScores:  // q . K[t] of every head, requantize, then the softmax's max and exp-sum passes and divide
      return kReadLatency + 1 + kRequantLatency + 2 * ceil_div(rows, C) + kSoftmaxDivide + 1;
    case isa::Op::kPv: return kReadLatency + ceil_div(rows, R) + kRequantLatency;  // sum over positions, R per cycle
    case isa::Op::kSwiglu: return kReadLatency + 1 + kRequantLatency;
    case isa::Op::kResadd: return kReadLatency + 1;
    case isa::Op::kOutput: return kReadLatency + ceil_div(n(in.n_inner), C) + 1;  // the logits, then the token
  }
  return 0;
}

// The address ranges an instruction reads and writes, per memory, for the dependency chain.
enum class Space { kScratch, kQ, kKv, kEmbedding, kProbabilities };
struct Range {
  Space space;
  int64_t lo, hi;  // inclusive
};
Range loop_range(Space sp, uint32_t base, uint32_t si, uint32_t so, int64_t ni, int64_t no) {
  return {sp, base, base + (no - 1) * static_cast<int64_t>(so) + (ni - 1) * static_cast<int64_t>(si)};
}

}  // namespace

StepBounds ChipPlan::step_bounds(int64_t pos) const {
  HW_CHECK(pos >= 0 && pos < shape.seq_len, "step_bounds: a position of the model");
  StepBounds b;
  const double pes = static_cast<double>(array.rows * array.cols);
  auto add = [&](Phase ph, int64_t n_macs, int64_t n_weight_bytes, int64_t n_kv_bytes) {
    Bounds x;
    x.macs = n_macs;
    x.weight_bytes = n_weight_bytes;
    x.kv_bytes = n_kv_bytes;
    x.compute_cycles = static_cast<double>(n_macs) / pes;
    x.weight_cycles = static_cast<double>(n_weight_bytes) / static_cast<double>(weight_port_bytes());
    x.kv_cycles = static_cast<double>(n_kv_bytes) / static_cast<double>(kv_port_bytes());
    b.phase[static_cast<size_t>(ph)] += x;
    b.total += x;
  };
  for (const auto& m : matrices) {
    const Phase ph = m.kind == MatrixKind::kClassifier ? Phase::kClassifier
                     : (m.kind == MatrixKind::kW1 || m.kind == MatrixKind::kW3 || m.kind == MatrixKind::kW2)
                         ? Phase::kFfn
                         : Phase::kProjection;
    add(ph, m.rows * m.cols, m.rows * m.cols, 0);
  }
  // Attention: q.K and p.V over pos + 1 positions for every head; K and V rows of every KV head read once per layer.
  const int64_t rows = pos + 1;
  const int64_t att_macs = golden::compute_stats(shape, true).attention_macs_at(pos);
  const int64_t kv_bytes = shape.n_layers * rows * map.kv_row_words * 2 * kv_port_bytes();
  add(Phase::kAttention, att_macs, 0, kv_bytes);

  // Latency floor: longest read-after-write chain (each read range waits for the latest writers of its parts).
  struct Write {
    Range r;
    size_t instr;
  };
  std::vector<Write> writes;
  std::vector<double> finish(program.size(), 0);
  std::vector<int64_t> prev(program.size(), -1);
  for (size_t i = 0; i < program.size(); ++i) {
    const isa::Instr& in = program.code[i];
    const auto n = [&](uint32_t v) { return v == kPosPlusOne ? rows : static_cast<int64_t>(v); };
    const int64_t ni = n(in.n_inner), no = n(in.n_outer), nout = n(in.n_out);
    std::vector<Range> reads;
    const Space a_space = in.op == isa::Op::kScores ? Space::kQ : Space::kScratch;
    if (in.op == isa::Op::kPv)  // the softmax rows of the SCORES before it
      reads.push_back({Space::kProbabilities, 0, rows - 1});
    else if (in.op != isa::Op::kEmbed)
      reads.push_back(loop_range(a_space, in.a_base, in.a_stride_inner, in.a_stride_outer, ni, no));
    if (in.op == isa::Op::kScores || in.op == isa::Op::kPv)
      reads.push_back(loop_range(Space::kKv, in.b_base, in.b_stride_inner, in.b_stride_outer, ni, no));
    if (in.op == isa::Op::kSwiglu || in.op == isa::Op::kResadd)
      reads.push_back(loop_range(Space::kScratch, in.b_base, in.b_stride_inner, in.b_stride_outer, ni, no));
    double start = 0;
    for (const Range& r : reads) {
      // Walk the writers from the latest back; a part of the range written later shadows older writers.
      std::vector<std::pair<int64_t, int64_t>> open = {{r.lo, r.hi}};
      for (auto w = writes.rbegin(); w != writes.rend() && !open.empty(); ++w) {
        if (w->r.space != r.space) continue;
        std::vector<std::pair<int64_t, int64_t>> rest;
        bool hit = false;
        for (const auto& [lo, hi] : open) {
          if (w->r.hi < lo || w->r.lo > hi) {
            rest.emplace_back(lo, hi);
            continue;
          }
          hit = true;
          if (lo < w->r.lo) rest.emplace_back(lo, w->r.lo - 1);
          if (hi > w->r.hi) rest.emplace_back(w->r.hi + 1, hi);
        }
        if (hit && finish[w->instr] > start) {
          start = finish[w->instr];
          prev[i] = static_cast<int64_t>(w->instr);
        }
        open = std::move(rest);
      }
    }
    finish[i] = start + static_cast<double>(latency_cycles(*this, in, rows));
    switch (in.op) {
      case isa::Op::kCopyKv:
        writes.push_back({{Space::kKv, in.dst + pos * map.kv_pos_words, in.dst + pos * map.kv_pos_words + nout - 1}, i});
        break;
      case isa::Op::kPackQ: writes.push_back({{Space::kQ, 0, nout - 1}, i}); break;
      case isa::Op::kOutput: break;
      case isa::Op::kScores: writes.push_back({{Space::kProbabilities, 0, rows - 1}, i}); break;
      default: writes.push_back({{Space::kScratch, in.dst, in.dst + nout - 1}, i}); break;
    }
  }
  // The chain ends at the step's last result (OUTPUT); walk it back, charging each instruction to its phase.
  size_t last = 0;
  for (size_t i = 0; i < program.size(); ++i)
    if (finish[i] >= finish[last]) last = i;
  for (int64_t i = static_cast<int64_t>(last); i >= 0; i = prev[static_cast<size_t>(i)]) {
    const double own = finish[static_cast<size_t>(i)] - (prev[static_cast<size_t>(i)] >= 0
                                                             ? finish[static_cast<size_t>(prev[static_cast<size_t>(i)])]
                                                             : 0.0);
    b.phase[static_cast<size_t>(program.notes[static_cast<size_t>(i)].phase)].latency_cycles += own;
    b.total.latency_cycles += own;
  }
  return b;
}

std::vector<BlockParams> ChipPlan::blocks() const {
  const int64_t C = array.cols, P = weight_port_rows;
  std::vector<BlockParams> b;
  b.push_back({"hw_gemv",
               {{"P", P}, {"C", C}, {"W_BITS", weights.bits}, {"GROUP_WORDS", group_words},
                {"ZERO_POINT", weights.zero_point ? 1 : 0}, {"GS_DEPTH", group_scale_words}, {"A_W", act_bits}, {"ACC_W", acc_bits}, {"K_MAX", k_max}, {"N_MAX", n_max},
                {"W_DEPTH", weight_words}, {"W_BANK_DEPTH", weight_bank_depth}}});
  b.push_back({"hw_softmax", {{"MAX_LEN", shape.seq_len}, {"NUM_BUF", 1}, {"SUM_LANES", softmax_sum_lanes}}, shape.n_heads});
  b.push_back({"hw_rmsnorm",
               {{"DIM", shape.dim}, {"IN_W", widths.res}, {"OUT_W", widths.xn}, {"LANES", map.vector_lanes},
                {"STEPS", norm_steps}}});
  b.push_back({"hw_rope",
               {{"HEAD_SIZE", shape.head_size()}, {"SEQ_LEN", shape.seq_len}, {"W", rope_bits}, {"LANES", map.vector_lanes}}});
  b.push_back({"hw_requant", {{"ACC_W", requant_acc_bits}, {"OUT_W", 32}}});
  b.push_back({"hw_core",
               {{"W_ROWS", P},
                {"C", C},
                {"W_BITS", weights.bits},
                {"W_GROUP_WORDS", group_words},
                {"W_ZERO_POINT", weights.zero_point ? 1 : 0},
                {"GS_DEPTH", group_scale_words},
                {"A_W", act_bits},
                {"ACC_W", acc_bits},
                {"K_MAX", k_max},
                {"N_MAX", n_max},
                {"W_DEPTH", weight_words},
                {"W_BANK_DEPTH", weight_bank_depth},
                {"DIM", shape.dim},
                {"N_LAYERS", shape.n_layers},
                {"HEAD_SIZE", shape.head_size()},
                {"N_HEADS", shape.n_heads},
                {"N_KV_HEADS", shape.n_kv_heads},
                {"LANES", map.lanes},
                {"VOCAB", shape.vocab},
                {"SEQ_LEN", shape.seq_len},
                {"RES_W", widths.res},
                {"XN_W", widths.xn},
                {"GATE_W", widths.gate},
                {"ROPE_W", rope_bits},
                {"MAC_ACC_W", mac_acc_bits},
                {"SM_LANES", softmax_sum_lanes},
                {"NORM_STEPS", norm_steps},
                {"RQ_ACC_W", requant_acc_bits},
                {"SCRATCH_DEPTH", map.scratch_words},
                {"KV_DEPTH", map.kv_words},
                {"EMB_DEPTH", map.emb_words},
                {"EMB_WPR", map.emb_words_per_row},
                {"RQ_DEPTH", map.requant_words},
                {"V_LANES", map.vector_lanes},
                {"RQV_DEPTH", map.rqv_words},
                {"RQV_LANE_W", MemoryMap::kRqvLaneBits},
                {"NORM_DEPTH", map.norm_words},
                {"PROG_DEPTH", static_cast<int64_t>(program.size())}}});
  // hw_core's units, as hw_core instantiates them (its derived values: rtl_templates/hw_core.sv).
  const int64_t kg_max = (k_max + P - 1) / P;
  b.push_back({"hw_core_sequencer",
               {{"VOCAB", shape.vocab},
                {"SEQ_LEN", shape.seq_len},
                {"PROG_DEPTH", static_cast<int64_t>(program.size())},
                {"EMB_WPR", map.emb_words_per_row},
                {"KV_POS_WORDS", map.kv_pos_words},
                {"OVERLAP", map.vector_lanes > 1 ? 1 : 0}}});  // instructions overlap where the scratchpad has lanes
  const int64_t V = map.vector_lanes;
  const bool word_mode = V > 1 && P == V;  // MATVEC reads a scratchpad word (P elements) per cycle
  b.push_back({"hw_core_reader", {{"C", C}, {"V", V}}});
  b.push_back({"hw_core_mac",
               {{"MAC_ACC_W", mac_acc_bits},
                {"N_LAYERS", shape.n_layers},
                {"LAYER_W", program.layout.width[static_cast<size_t>(isa::Field::silu_layer)]},
                {"GATE_W", widths.gate},
                {"SWIGLU", V > 1 ? 0 : 1}}});
  if (V > 1) {
    b.push_back({"hw_core_elementwise",
                 {{"V", V},
                  {"N_LAYERS", shape.n_layers},
                  {"LAYER_W", program.layout.width[static_cast<size_t>(isa::Field::silu_layer)]},
                  {"GATE_W", widths.gate}}});
  }
  // COPYKV/PACKQ read scratchpad words where their packed words and scratchpad words divide one another (hw_core.sv
  // KvPackWords, QPackWords).
  const int64_t hs = shape.head_size();
  const auto pack_words = [&](int64_t lanes) { return V > 1 && (lanes % V == 0 || V % lanes == 0); };
  b.push_back({"hw_core_attention",
               {{"LANES", map.lanes},
                {"HEAD_SIZE", hs},
                {"KV_MUL", shape.kv_mul()},
                {"ROW_WORDS", map.kv_row_words},
                {"SEQ_LEN", shape.seq_len},
                {"MAC_ACC_W", mac_acc_bits},
                {"V", V},
                {"SUM_LANES", softmax_sum_lanes}}});
  b.push_back({"hw_core_gemm_packer",
               {{"P", P}, {"A_W", act_bits}, {"X_ADDR_W", index_bits(kg_max)}, {"WORDS", word_mode ? 1 : 0}}});
  if (map.vector_lanes > 1) {
    b.push_back({"hw_core_matvec_requant",
                 {{"V", map.vector_lanes}, {"ACC_W", acc_bits}, {"RQV_DEPTH", map.rqv_words},
                  {"LANE_W", MemoryMap::kRqvLaneBits}}});
  } else {
    b.push_back({"hw_core_gemm_serializer", {{"C", C}, {"ACC_W", acc_bits}}});
  }
  b.push_back({"hw_core_lane_packer",
               {{"LANES", map.lanes}, {"HEAD_SIZE", map.lanes}, {"V", V}, {"WORDS", pack_words(map.lanes) ? 1 : 0}}});
  if (map.q_lanes != map.lanes) {
    b.push_back({"hw_core_lane_packer#q",
                 {{"LANES", map.q_lanes},
                  {"HEAD_SIZE", map.q_lanes},
                  {"V", V},
                  {"WORDS", pack_words(map.q_lanes) ? 1 : 0}}});
  } else {
    b.back().instances = 2;
  }
  b.push_back({"hw_core_requant_feeder",
               {{"ACC_W", acc_bits},
                {"MAC_ACC_W", mac_acc_bits},
                {"RQ_ACC_W", requant_acc_bits},
                {"RQ_DEPTH", map.requant_words}}});
  b.push_back({"hw_core_output", {{"VOCAB", shape.vocab}, {"V", V}}});
  b.push_back({"hw_core_writeback", {{"XN_W", widths.xn}, {"ROPE_W", rope_bits}, {"V", map.vector_lanes}}});
  return b;
}

std::vector<MemoryDesc> ChipPlan::memories() const {
  const int64_t C = array.cols, P = weight_port_rows, seq = shape.seq_len, V = map.vector_lanes;
  const auto s = [](int64_t v) { return std::to_string(v); };
  const auto ceil_div = [](int64_t a, int64_t b) { return (a + b - 1) / b; };
  std::vector<MemoryDesc> m;
  // A bank split every --sram-bank-depth words: its full macros, and the last one sized to the words left (a memory
  // compiler makes it that size; the RTL's last bank is behavioural and simply holds them).
  const int64_t wdepth = weight_bank_depth > 0 ? weight_bank_depth : weight_words;
  const int64_t full = weight_words / wdepth, rest = weight_words % wdepth;
  const int64_t wb = weights.bits;
  std::vector<MacroShape> wmacros = {{P * full, wdepth, C * wb}};
  if (rest > 0) wmacros.push_back({P, rest, C * wb});
  m.push_back({"weight SRAM", P * weight_words * C * wb,
               "every weight as a " + s(wb) + "-bit code; " + s(P) + " bank(s) of " + s(C) + " codes read every cycle (weight port " +
                   s(P * C) + " weights), each " + s(weight_macros_per_bank()) + " macro(s) of up to " + s(wdepth) +
                   " words",
               wmacros});
  if (group_scale_words > 0) {
    const int64_t entry = golden::group_entry_bits(weights);
    m.push_back({"group scales", group_scale_words * C * entry,
                 (weights.zero_point ? "a byte and a " + s(wb) + "-bit zero point" : std::string("a byte")) +
                     " per output row and group of " + s(weights.group) + " inputs, " + s(C) +
                     " per word, read once per group",
                 {{1, group_scale_words, C * entry}}});
  }
  m.push_back({"embedding", map.emb_words * C * 8, "int8 rows", {{1, map.emb_words, C * 8}}});
  m.push_back({"requantization parameters", map.requant_words * 40, "40-bit words", {{1, map.requant_words, 40}}});
  if (V > 1)
    m.push_back({"vector requantization parameters", map.rqv_words * V * MemoryMap::kRqvLaneBits,
                 "per-channel parameters of every matrix (with the width each saturates to), " + s(V) + " x " +
                     s(MemoryMap::kRqvLaneBits) + " bits per word",
                 {{1, map.rqv_words, V * MemoryMap::kRqvLaneBits}}});
  m.push_back({"KV cache", map.kv_words * 16 * map.lanes,
               "n_layers x seq_len positions, K and V, 16-bit lanes (k " + s(widths.k) + " / v " + s(widths.v) +
                   " bits used), " + s(map.lanes) + " per word (" + s(map.kv_heads_per_word) + " KV heads: the KV port " +
                   s(2 * map.lanes) + " bytes), " + s(map.kv_row_words) + " word(s) per row, a position's K row then its V row",
               {{1, map.kv_words, 16 * map.lanes}}});
  m.push_back({"q buffer", map.q_words * 16 * map.q_lanes,
               "the step's q, " + s(map.q_lanes) + " lanes per word (the query heads of one KV word)",
               {{1, map.q_words, 16 * map.q_lanes}}});
  // The SiLU ROM: one copy in the scalar MAC, or one per lane of hw_core_elementwise (V > 1).
  const int64_t hs = shape.head_size();
  // (The exp2 tables are the softmax units', below.)
  m.push_back({"tables", map.silu_words * V * golden::kSiluRomWordBits + 2 * seq * (hs / 2) * 16,
               "SiLU per layer (" + s(V) + " cop" + (V > 1 ? "ies" : "y") + ", table pairs), RoPE cos/sin",
               {{V, map.silu_words, golden::kSiluRomWordBits}, {2, seq, (hs / 2) * 16}}});
  m.push_back({"activation scratchpad", 2 * map.scratch_words * 32,
               "x, xn, q, k, v, att, branch, gate, up, h, logits; words of " + s(V) +
                   " x 32 bits, two copies (two read ports)",
               {{2, map.scratch_words / V, V * 32}}});
  const auto n = static_cast<int64_t>(program.size());
  m.push_back({"microcode and norm constants", n * program.layout.word_bits() + map.norm_words * 72,
               s(n) + " instructions x " + s(program.layout.word_bits()) + " bits; RMSNorm constants x 72 bits",
               {{1, n, program.layout.word_bits()}, {1, map.norm_words, 72}}});
  const int64_t kg = ceil_div(k_max, P);
  m.push_back({"matrix engine X buffer", kg * P * act_bits, "one activation vector, P per word", {{1, kg, P * act_bits}}});
  m.push_back({"softmax row buffers", shape.n_heads * (seq * 16 + (softmax_sum_lanes + 1) * 256 * 16),
               "per head (" + s(shape.n_heads) + "): a row of seq_len scores in " + s(softmax_sum_lanes) + " banks + " +
                   s(softmax_sum_lanes + 1) + " exp2 tables",
               {{shape.n_heads * softmax_sum_lanes, ceil_div(seq, softmax_sum_lanes), 16},
                {shape.n_heads * (softmax_sum_lanes + 1), 256, 16}}});
  m.push_back({"RMSNorm vector buffer", shape.dim * widths.res, "one residual vector",
               {{1, ceil_div(shape.dim, V), V * widths.res}}});
  return m;
}

BlockParams ChipPlan::block(const std::string& module) const {
  for (auto& b : blocks())
    if (b.module == module) return b;
  HW_CHECK(false, "ChipPlan::block: unknown module");
  return {};
}

}  // namespace hardwire::gen
