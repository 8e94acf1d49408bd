#include "hardwire/gen/program.hpp"

#include <cstdio>

#include "hardwire/gen/chip_plan.hpp"
#include "hardwire/golden/trace.hpp"

namespace hardwire::gen {

const char* phase_name(Phase p) {
  switch (p) {
    case Phase::kEmbed: return "embedding";
    case Phase::kNorm: return "norms";
    case Phase::kProjection: return "projections";
    case Phase::kAttention: return "attention";
    case Phase::kFfn: return "ffn";
    case Phase::kResidual: return "residual";
    case Phase::kClassifier: return "classifier";
    case Phase::kOutput: return "output";
  }
  return "?";
}

namespace {

Note note(std::string text, Phase phase, std::string tap) {
  Note n;
  n.text = std::move(text);
  n.phase = phase;
  n.tap = std::move(tap);
  return n;
}

// Builds the program; a field over 32 bits is remembered and reported once at the end.
class Builder {
 public:
  explicit Builder(const ChipPlan& plan) : plan_(plan), mm_(plan.map) {}
  Result<Program> run();

 private:
  uint32_t u32(int64_t v) {
    if (v < 0 || v > static_cast<int64_t>(UINT32_MAX)) {
      if (problem_.empty()) problem_ = "a program field (" + std::to_string(v) + ") does not fit 32 bits";
      return 0;
    }
    return static_cast<uint32_t>(v);
  }
  void push(const isa::Instr& i, Note n) {
    p_.code.push_back(i);
    p_.notes.push_back(std::move(n));
  }
  // Streams `len` elements of one vector at a (inner loop, stride 1) into `len` results at dst.
  isa::Instr vector_op(isa::Op op, int64_t a, int64_t len, int64_t dst, int bits) {
    isa::Instr i;
    i.op = op;
    i.a_base = u32(a);
    i.a_stride_inner = 1;
    i.n_inner = u32(len);
    i.n_outer = 1;
    i.n_out = u32(len);
    i.dst = u32(dst);
    i.out_bits = u32(bits);
    return i;
  }
  // Element pairs a[i], b[i] (outer loop of len, one element each) into len results at dst.
  isa::Instr pair_op(isa::Op op, int64_t a, int64_t b, int64_t len, int64_t dst, int bits) {
    isa::Instr i;
    i.op = op;
    i.a_base = u32(a);
    i.a_stride_outer = 1;
    i.b_base = u32(b);
    i.b_stride_outer = 1;
    i.n_inner = 1;
    i.n_outer = u32(len);
    i.n_out = u32(len);
    i.dst = u32(dst);
    i.out_bits = u32(bits);
    return i;
  }
  // A pass over the KV cache of one layer: source A walks a_base with inner stride 1 (q-buffer words); source B
  // starts at the layer's first word of position 0 with the given strides.
  isa::Instr attention_op(isa::Op op, int64_t a, int64_t b, int64_t b_inner, int64_t b_outer, uint32_t n_inner,
                          uint32_t n_outer, uint32_t n_out, int64_t dst, int64_t rq, int bits) {
    isa::Instr i;
    i.op = op;
    i.a_base = u32(a);
    i.a_stride_inner = 1;
    i.b_base = u32(b);
    i.b_stride_inner = u32(b_inner);
    i.b_stride_outer = u32(b_outer);
    i.n_inner = n_inner;
    i.n_outer = n_outer;
    i.n_out = n_out;
    i.dst = u32(dst);
    i.rq_base = u32(rq);
    i.out_bits = u32(bits);
    return i;
  }
  void matvec(int64_t layer, MatrixKind kind, int64_t src, int64_t dst, const std::string& tap, Phase ph) {
    const MatrixSite& ms = plan_.matrix(layer, kind);
    isa::Instr i = vector_op(isa::Op::kMatvec, src, ms.cols, dst, ms.out_bits);
    i.n_out = u32(ms.rows);
    i.rq_base = u32(ms.rq_base);
    i.w_base = u32(ms.base);
    i.gs_base = u32(ms.gs_base);
    Note n = note("MATVEC " + ms.name + " -> " + tap, ph, tap);
    n.matrix = static_cast<int64_t>(&ms - plan_.matrices.data());
    push(i, n);
  }
  // Matrices of a layer with the same input as one MATVEC where the hardware cannot tell them from one matrix of
  // their rows stacked: b follows a in the weight memory, the group-scale ROM and the requant parameters, b's results region starts
  // where a's results would continue (a's rows padded to whole C-row tiles fill a's region, padded to scratchpad
  // words, exactly), and both have one result width, or (V > 1) the vector requant ROM gives each channel its own.
  // The padding rows (zero weights) write a's padding lanes.
  bool fusable(const MatrixSite& a, const MatrixSite& b, int64_t a_dst, int64_t b_dst) const {
    const int64_t V = mm_.vector_lanes;
    const int64_t padded = padded_rows(a);
    const int64_t rq_words = V > 1 ? (a.rows + V - 1) / V : a.rows;  // requant words of a
    const int64_t rq_padded = V > 1 ? padded / V : padded;            // requant words the stacked rows read
    return a.cols == b.cols && (a.out_bits == b.out_bits || V > 1) && b.base == a.base + a.words && padded % V == 0 &&
           b.rq_base == a.rq_base + rq_words && rq_padded == rq_words && b_dst == a_dst + padded &&
           b.gs_base == a.gs_base + a.gs_words;
  }
  int64_t padded_rows(const MatrixSite& a) const {
    const int64_t C = plan_.array.cols;
    return (a.rows + C - 1) / C * C;
  }
  struct Part {
    MatrixKind kind;
    int64_t dst;
    std::string tap;
  };
  // MATVECs of consecutive matrices on one input (src): as few instructions as fusable() allows, each within the
  // engine's N_MAX results.
  void matvec_group(int64_t layer, const std::vector<Part>& parts, int64_t src, Phase ph) {
    for (size_t i = 0; i < parts.size();) {
      const MatrixSite& a = plan_.matrix(layer, parts[i].kind);
      size_t j = i + 1;
      int64_t at = padded_rows(a);  // where the next matrix's results start
      for (; j < parts.size(); ++j) {
        const MatrixSite& prev = plan_.matrix(layer, parts[j - 1].kind);
        const MatrixSite& b = plan_.matrix(layer, parts[j].kind);
        if (!fusable(prev, b, parts[j - 1].dst, parts[j].dst) || at + b.rows > plan_.n_max) break;
        at += padded_rows(b);
      }
      if (j == i + 1) {
        matvec(layer, parts[i].kind, src, parts[i].dst, parts[i].tap, ph);
        i = j;
        continue;
      }
      isa::Instr in = vector_op(isa::Op::kMatvec, src, a.cols, parts[i].dst, a.out_bits);
      in.rq_base = u32(a.rq_base);
      in.w_base = u32(a.base);
      in.gs_base = u32(a.gs_base);
      std::string names = a.name, taps = parts[i].tap;
      Note n = note("", ph, parts[i].tap);
      n.matrix = static_cast<int64_t>(&a - plan_.matrices.data());
      n.tap_count = a.rows;
      int64_t first = padded_rows(a);
      for (size_t k = i + 1; k < j; ++k) {
        const MatrixSite& b = plan_.matrix(layer, parts[k].kind);
        n.fused.push_back({parts[k].tap, first, b.rows, static_cast<int64_t>(&b - plan_.matrices.data())});
        names += std::string("+") + matrix_kind_name(parts[k].kind);
        taps += ", " + parts[k].tap;
        in.n_out = u32(first + b.rows);
        first += padded_rows(b);
      }
      n.text = "MATVEC " + names + " -> " + taps;
      push(in, n);
      i = j;
    }
  }
  void norm(int64_t index, const std::string& text, const std::string& tap) {
    const auto& s = plan_.shape;
    isa::Instr i = vector_op(isa::Op::kNorm, mm_.x, s.dim, mm_.xn, plan_.widths.xn);
    i.norm_index = u32(index);
    push(i, note(text, Phase::kNorm, tap));
  }
  // x = sat_res(x + t): the branch output in t added to the residual stream.
  // One inner loop of element pairs, so that a reader with V-element scratchpad words takes V pairs per cycle.
  void residual_add(const std::string& text, const std::string& tap) {
    isa::Instr i = vector_op(isa::Op::kResadd, mm_.x, plan_.shape.dim, mm_.x, plan_.widths.res);
    i.b_base = u32(mm_.t);
    i.b_stride_inner = 1;
    push(i, note(text, Phase::kResidual, tap));
  }
  void layer(int64_t l);

  const ChipPlan& plan_;
  const MemoryMap& mm_;
  Program p_;
  std::string problem_;
};

void Builder::layer(int64_t l) {
  const auto& s = plan_.shape;
  const auto& w = plan_.widths;
  const size_t first = p_.code.size();
  auto site = [&](const char* n) { return golden::layer_site(l, n); };
  const std::string L = "L" + std::to_string(l) + " ";
  const int64_t kvd = s.kv_dim();
  norm(2 * l, L + "NORM attention", site("attn.norm"));
  // q, k and v (and w1 and w3 below) as one MATVEC where the plan places them so that it cannot tell.
  matvec_group(l,
               {{MatrixKind::kWq, mm_.q, site("attn.q_proj")}, {MatrixKind::kWk, mm_.k, site("attn.k_proj")},
                {MatrixKind::kWv, mm_.v, site("attn.v")}},
               mm_.xn, Phase::kProjection);
  if (w.q == w.k && mm_.k == mm_.q + s.dim) {
    // q and k side by side, one width: one ROPE over both (k's heads continue q's; the table row is the position's).
    Note n = note(L + "ROPE q+k", Phase::kAttention, site("attn.q"));
    n.tap_count = s.dim;
    n.fused.push_back({site("attn.k"), s.dim, kvd, -1});
    push(vector_op(isa::Op::kRope, mm_.q, s.dim + kvd, mm_.q, w.q), n);
  } else {
    push(vector_op(isa::Op::kRope, mm_.q, s.dim, mm_.q, w.q), note(L + "ROPE q", Phase::kAttention, site("attn.q")));
    push(vector_op(isa::Op::kRope, mm_.k, kvd, mm_.k, w.k), note(L + "ROPE k", Phase::kAttention, site("attn.k")));
  }
  {
    isa::Instr pq = vector_op(isa::Op::kPackQ, mm_.q, s.dim, 0, 0);
    pq.n_out = u32(mm_.q_words);
    push(pq, note(L + "PACKQ q -> q buffer (the query heads of each KV word)", Phase::kAttention, ""));
  }
  // The position's K row then its V row (MemoryMap: side by side in the KV cache): one COPYKV where k and v are side
  // by side in the scratchpad too, else one each.
  if (mm_.v == mm_.k + kvd) {
    isa::Instr i = vector_op(isa::Op::kCopyKv, mm_.k, 2 * kvd, mm_.k_base(l), 0);
    i.n_out = u32(mm_.kv_pos_words);
    i.dst_add_position = 1;
    push(i, note(L + "COPYKV k+v -> K and V cache[pos]", Phase::kAttention, ""));
  } else {
    for (int kv = 0; kv < 2; ++kv) {
      isa::Instr i = vector_op(isa::Op::kCopyKv, kv ? mm_.v : mm_.k, kvd, kv ? mm_.v_base(l) : mm_.k_base(l), 0);
      i.n_out = u32(mm_.kv_row_words);
      i.dst_add_position = 1;
      push(i, note(L + (kv ? "COPYKV v -> V cache[pos]" : "COPYKV k -> K cache[pos]"), Phase::kAttention, ""));
    }
  }
  // Every head at once: SCORES walks the K rows of positions 0..pos (kv_row_words words each, kv_pos_words apart; with the q word of
  // the same heads) into the n_heads softmax rows; PV walks the V rows as the probabilities come and writes the
  // attention output of every head.
  {
    isa::Instr sc = attention_op(isa::Op::kScores, 0, mm_.k_base(l), 1, mm_.kv_pos_words, u32(mm_.kv_row_words),
                                 kPosPlusOne, kPosPlusOne, 0, mm_.rq_layer_base + 3 * l + 0, golden::kScoreBits);
    Note n = note(L + "SCORES all heads + softmax", Phase::kAttention, "");
    n.scores_tap = site("attn.scores");
    push(sc, n);
    isa::Instr pv = attention_op(isa::Op::kPv, 0, mm_.v_base(l), 1, mm_.kv_pos_words, u32(mm_.kv_row_words),
                                 kPosPlusOne, u32(s.dim), mm_.att, mm_.rq_layer_base + 3 * l + 1, w.att);
    pv.a_stride_inner = 0;
    push(pv, note(L + "PV all heads", Phase::kAttention, site("attn.out")));
  }
  matvec(l, MatrixKind::kWo, mm_.att, mm_.t, site("attn.proj"), Phase::kProjection);
  residual_add(L + "RESADD attention", site("resid.attn"));
  norm(2 * l + 1, L + "NORM ffn", site("ffn.norm"));
  matvec_group(l, {{MatrixKind::kW1, mm_.gate, site("ffn.gate")}, {MatrixKind::kW3, mm_.up, site("ffn.up")}}, mm_.xn,
               Phase::kFfn);
  {
    // With vector lanes one inner loop, read a word (V pairs) per cycle; else a pair per outer iteration.
    isa::Instr i = mm_.vector_lanes > 1 ? vector_op(isa::Op::kSwiglu, mm_.gate, s.hidden_dim, mm_.h, w.h)
                                        : pair_op(isa::Op::kSwiglu, mm_.gate, mm_.up, s.hidden_dim, mm_.h, w.h);
    if (mm_.vector_lanes > 1) {
      i.b_base = u32(mm_.up);
      i.b_stride_inner = 1;
    }
    i.rq_base = u32(mm_.rq_layer_base + 3 * l + 2);
    i.silu_layer = u32(l);
    push(i, note(L + "SWIGLU", Phase::kFfn, site("ffn.h")));
  }
  matvec(l, MatrixKind::kW2, mm_.h, mm_.t, site("ffn.down"), Phase::kFfn);
  residual_add(L + "RESADD ffn", site("resid.ffn"));
  for (size_t k = first; k < p_.notes.size(); ++k) p_.notes[k].layer = l;
}

Result<Program> Builder::run() {
  const auto& s = plan_.shape;
  {
    // The embedding address advances once per C lanes (hw_core), so B has no strides.
    // With vector lanes one inner loop of embedding words (V elements each); else one element per outer iteration.
    isa::Instr i = pair_op(isa::Op::kEmbed, 0, 0, s.dim, mm_.x, plan_.widths.res);
    i.a_stride_outer = 0;
    i.b_stride_outer = 0;
    if (mm_.vector_lanes > 1) {
      i.n_inner = u32(s.dim);
      i.n_outer = 1;
    }
    i.b_add_token_row = 1;
    i.rq_add_token = 1;
    i.rq_base = u32(mm_.rq_embedding_base);
    push(i, note("EMBED token row -> embed", Phase::kEmbed, "embed"));
  }
  for (int64_t l = 0; l < s.n_layers; ++l) layer(l);
  norm(2 * s.n_layers, "NORM final", "final.norm");
  matvec(-1, MatrixKind::kClassifier, mm_.xn, mm_.logits, "logits", Phase::kClassifier);
  if (mm_.vector_lanes > 1) {
    // With vector lanes the classifier's result words go to the host as they are written (then the argmax token):
    // the output overlaps the classifier, and the MATVEC ends the step.
    p_.code.back().to_host = 1;
    p_.notes.back().text += ", to the host with the argmax token";
  } else {
    isa::Instr i = vector_op(isa::Op::kOutput, mm_.logits, s.vocab, 0, 0);
    i.n_out = 0;  // OUTPUT ends when the token has been sent
    push(i, note("OUTPUT logits, argmax token", Phase::kOutput, ""));
  }
  if (!problem_.empty()) return Error{problem_ + ": the model is too large for hw_core's 32-bit addresses"};
  auto layout = isa::layout_for(p_.code);
  if (!layout) return layout.error();
  p_.layout = *layout;
  return std::move(p_);
}

}  // namespace

Result<Program> build_program(const ChipPlan& plan) {
  Builder b(plan);
  return b.run();
}

std::string program_hex_words(const Program& p) {
  std::string out;
  for (const auto& i : p.code) {
    auto w = isa::encode(i, p.layout);
    HW_CHECK(static_cast<bool>(w), "program instructions fit their layout");
    out += isa::word_hex(*w, p.layout.word_bits()) + "\n";
  }
  return out;
}

namespace {
// A fused MATVEC's further tensors in the listing: " (T from result N)" each.
std::string fused_taps(const Note& n) {
  std::string out;
  for (const auto& f : n.fused) out += " (" + f.tap + " from result " + std::to_string(f.at) + ")";
  return out;
}
}  // namespace

std::string program_listing(const Program& p) {
  std::string out;
  out += "// Instruction word: " + std::to_string(p.layout.word_bits()) + " bits; field [msb:lsb]:\n";
  char buf[128];
  std::snprintf(buf, sizeof buf, "//   %-18s [%d:%d]\n", "op", p.layout.word_bits() - 1, p.layout.op_offset());
  out += buf;
  for (const auto& f : isa::fields()) {
    const int lo = p.layout.offset(f.field), w = p.layout.width[static_cast<size_t>(f.field)];
    std::snprintf(buf, sizeof buf, "//   %-18s [%d:%d]\n", f.name, lo + w - 1, lo);
    out += buf;
  }
  out += "// pc  encoding  op and fields  ; what it does [phase] (golden tensor it writes)\n";
  for (size_t pc = 0; pc < p.code.size(); ++pc) {
    const auto& n = p.notes[pc];
    auto w = isa::encode(p.code[pc], p.layout);
    HW_CHECK(static_cast<bool>(w), "program instructions fit their layout");
    std::snprintf(buf, sizeof buf, "%4zu  ", pc);
    out += buf + isa::word_hex(*w, p.layout.word_bits()) + "  " + isa::format(p.code[pc]) + "\n      ; " + n.text +
           " [" + phase_name(n.phase) + "]" + (n.tap.empty() ? "" : " (" + n.tap + ")") +
           fused_taps(n) +
           (n.scores_tap.empty() ? "" : " (" + n.scores_tap + ")") + "\n";
  }
  return out;
}

std::string norm_hex_words(const golden::QModel& m) {
  std::string out;
  char buf[32];
  auto put = [&](const golden::NormParams& n) {
    std::snprintf(buf, sizeof buf, "%010llx%08x\n", static_cast<unsigned long long>(n.eps),
                  (static_cast<uint32_t>(n.shift) << 24) | n.gain);
    out += buf;
  };
  for (const auto& L : m.layers) {
    put(L.att_norm);
    put(L.ffn_norm);
  }
  put(m.final_norm);
  return out;
}

}  // namespace hardwire::gen
