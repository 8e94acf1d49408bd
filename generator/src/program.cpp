#include "hardwire/gen/program.hpp"

#include <cstdio>

#include "hardwire/golden/trace.hpp"
#include "hardwire/status.hpp"

namespace hardwire::gen {

std::vector<MatrixSite> matrix_sites(const golden::QModel& m, int64_t R, int64_t C) {
  const auto& w = m.widths;
  std::vector<MatrixSite> mats;
  for (size_t l = 0; l < m.layers.size(); ++l) {
    const auto& L = m.layers[l];
    const std::string p = "L" + std::to_string(l) + ".";
    mats.push_back({p + "wq", &L.wq, w.xn, w.q});
    mats.push_back({p + "wk", &L.wk, w.xn, w.k});
    mats.push_back({p + "wv", &L.wv, w.xn, w.v});
    mats.push_back({p + "wo", &L.wo, w.att, w.res});
    mats.push_back({p + "w1", &L.w1, w.xn, golden::kGateBits});
    mats.push_back({p + "w3", &L.w3, w.xn, w.up});
    mats.push_back({p + "w2", &L.w2, w.h, w.res});
  }
  mats.push_back({"cls", &m.cls, w.xn, golden::kLogitBits});
  int64_t words = 0, rq = 0;
  for (auto& s : mats) {
    const int64_t K = s.lin->w.cols(), N = s.lin->w.rows();
    s.words = ((N + C - 1) / C) * ((K + R - 1) / R) * R;
    s.base = words;
    words += s.words;
    s.rq_base = rq;
    rq += N;
  }
  return mats;
}

const char* op_name(Op op) {
  switch (op) {
    case Op::kEmbed: return "EMBED";
    case Op::kNorm: return "NORM";
    case Op::kMatvec: return "MATVEC";
    case Op::kRope: return "ROPE";
    case Op::kCopyKv: return "COPYKV";
    case Op::kScores: return "SCORES";
    case Op::kPv: return "PV";
    case Op::kSwiglu: return "SWIGLU";
    case Op::kResadd: return "RESADD";
    case Op::kOutput: return "OUTPUT";
    case Op::kPackQ: return "PACKQ";
  }
  return "?";
}

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
uint32_t u32(int64_t v) {
  HW_CHECK(v >= 0 && v <= UINT32_MAX, "program field out of 32-bit range");
  return static_cast<uint32_t>(v);
}
}  // namespace

Program build_program(const golden::QModel& m, int64_t R, int64_t C) {
  const auto& s = m.shape;
  const auto& w = m.widths;
  Program p;
  p.matrices = matrix_sites(m, R, C);
  MemoryMap& mm = p.map;
  // Scratchpad: one region per vector of the step.
  int64_t at = 0;
  auto region = [&](int64_t n) {
    const int64_t b = at;
    at += n;
    return b;
  };
  mm.x = region(s.dim);
  mm.xn = region(s.dim);
  mm.q = region(s.dim);
  mm.k = region(s.kv_dim());
  mm.v = region(s.kv_dim());
  mm.p = region(s.n_heads * s.seq_len);
  mm.att = region(s.dim);
  mm.t = region(s.dim);
  mm.gate = region(s.hidden_dim);
  mm.up = region(s.hidden_dim);
  mm.h = region(s.hidden_dim);
  mm.logits = region(s.vocab);
  mm.scratch_words = at;
  mm.n_layers = s.n_layers;
  // As many words per head as C lanes need, with the fewest lanes that need no more: no padding lanes where the
  // head divides evenly (head 8 on a 16-wide array gets 8 lanes, not 8 idle ones in the KV cache).
  mm.head_words = (s.head_size() + C - 1) / C;
  mm.lanes = (s.head_size() + mm.head_words - 1) / mm.head_words;
  mm.kv_row_words = s.n_kv_heads * mm.head_words;
  mm.q_words = s.n_heads * mm.head_words;
  mm.kv_layer_words = s.seq_len * mm.kv_row_words;
  mm.kv_words = 2 * s.n_layers * mm.kv_layer_words;
  mm.emb_words_per_row = (s.dim + C - 1) / C;
  int64_t rq_mats = 0;
  for (const auto& ms : p.matrices) rq_mats += ms.lin->w.rows();
  mm.rq_embedding_base = rq_mats;
  mm.rq_layer_base = rq_mats + s.vocab;
  mm.requant_words = mm.rq_layer_base + 3 * s.n_layers;
  mm.norm_words = 2 * s.n_layers + 1;

  auto& prog = p.instrs;
  auto vec_op = [&](Op op, int64_t a, int64_t len, int64_t dst, int bits) {
    Instr i;
    i.op = op;
    i.a_base = u32(a);
    i.a_si = 1;
    i.n_inner = u32(len);
    i.n_outer = 1;
    i.n_out = u32(len);
    i.dst = u32(dst);
    i.out_bits = u32(bits);
    return i;
  };
  auto elem_op = [&](Op op, int64_t a, int64_t b, int64_t len, int64_t dst, int bits) {
    Instr i;
    i.op = op;
    i.a_base = u32(a);
    i.a_so = 1;
    i.b_base = u32(b);
    i.b_so = 1;
    i.n_inner = 1;
    i.n_outer = u32(len);
    i.n_out = u32(len);
    i.dst = u32(dst);
    i.out_bits = u32(bits);
    return i;
  };
  auto matvec = [&](size_t mi, int64_t src, int64_t dst, const std::string& tap, Phase ph) {
    const MatrixSite& ms = p.matrices[mi];
    Instr i = vec_op(Op::kMatvec, src, ms.lin->w.cols(), dst, ms.out_bits);
    i.n_out = u32(ms.lin->w.rows());
    i.rq_base = u32(ms.rq_base);
    i.aux = u32(ms.base);
    i.matrix = static_cast<int64_t>(mi);
    i.text = "MATVEC " + ms.name + " -> " + tap;
    i.tap = tap;
    i.phase = ph;
    prog.push_back(i);
  };

  // x = sat_res(x + t): the branch output in t added to the residual stream.
  auto residual_add = [&](const std::string& text, const std::string& tap) {
    Instr i = elem_op(Op::kResadd, mm.x, mm.t, s.dim, mm.x, w.res);
    i.text = text;
    i.tap = tap;
    i.phase = Phase::kResidual;
    prog.push_back(i);
  };

  {
    Instr i = elem_op(Op::kEmbed, 0, 0, s.dim, mm.x, w.res);
    i.a_so = 0;
    i.b_so = 0;  // the embedding address advances once per C lanes (hw_core)
    i.flags = kFlagBTok | kFlagRqTok;
    i.rq_base = u32(mm.rq_embedding_base);
    i.text = "EMBED token row -> embed";
    i.tap = "embed";
    i.phase = Phase::kEmbed;
    prog.push_back(i);
  }
  const int64_t hs = s.head_size(), kvd = s.kv_dim();
  for (int64_t l = 0; l < s.n_layers; ++l) {
    const size_t first = prog.size();
    const size_t mb = static_cast<size_t>(l) * 7;
    auto site = [&](const char* n) { return golden::layer_site(l, n); };
    const std::string L = "L" + std::to_string(l) + " ";
    {
      Instr i = vec_op(Op::kNorm, mm.x, s.dim, mm.xn, w.xn);
      i.aux = u32(2 * l);
      i.text = L + "NORM attention";
      i.tap = site("attn.norm");
      i.phase = Phase::kNorm;
      prog.push_back(i);
    }
    matvec(mb + 0, mm.xn, mm.q, site("attn.q_proj"), Phase::kProjection);
    matvec(mb + 1, mm.xn, mm.k, site("attn.k_proj"), Phase::kProjection);
    matvec(mb + 2, mm.xn, mm.v, site("attn.v"), Phase::kProjection);
    {
      Instr i = vec_op(Op::kRope, mm.q, s.dim, mm.q, w.q);
      i.text = L + "ROPE q";
      i.tap = site("attn.q");
      i.phase = Phase::kAttention;
      prog.push_back(i);
      Instr k = vec_op(Op::kRope, mm.k, kvd, mm.k, w.k);
      k.text = L + "ROPE k";
      k.tap = site("attn.k");
      k.phase = Phase::kAttention;
      prog.push_back(k);
      Instr pq = vec_op(Op::kPackQ, mm.q, s.dim, 0, 16);
      pq.n_out = u32(mm.q_words);
      pq.text = L + "PACKQ q -> q buffer (attention lanes)";
      pq.phase = Phase::kAttention;
      prog.push_back(pq);
    }
    for (int kv = 0; kv < 2; ++kv) {
      Instr i = vec_op(Op::kCopyKv, kv ? mm.v : mm.k, kvd, kv ? mm.v_base(l) : mm.k_base(l), 16);
      i.n_out = u32(s.n_kv_heads * mm.head_words);
      i.flags = kFlagDstPos;
      i.text = L + (kv ? "COPYKV v -> V cache[pos]" : "COPYKV k -> K cache[pos]");
      i.phase = Phase::kAttention;
      prog.push_back(i);
    }
    // All heads' scores first: the softmax rows of consecutive heads overlap (hw_softmax has 4 row buffers); then
    // the PV products, which start once every probability is written.
    // One head's pass over the KV cache: source A walks a_base with inner stride 1 (q buffer words, or p[t]); source
    // B starts at the kv head's first word of position 0 with the given strides.
    auto attention_op = [&](Op op, int64_t a_base, int64_t b_base, int64_t b_si, int64_t b_so, uint32_t n_inner,
                            uint32_t n_outer, uint32_t n_out, int64_t dst, int64_t rq, int bits) {
      Instr i;
      i.op = op;
      i.a_base = u32(a_base);
      i.a_si = 1;
      i.a_so = 0;
      i.b_base = u32(b_base);
      i.b_si = u32(b_si);
      i.b_so = u32(b_so);
      i.n_inner = n_inner;
      i.n_outer = n_outer;
      i.n_out = n_out;
      i.dst = u32(dst);
      i.rq_base = u32(rq);
      i.out_bits = u32(bits);
      i.phase = Phase::kAttention;
      return i;
    };
    // All heads' scores first: the softmax rows of consecutive heads overlap (hw_softmax has 4 row buffers); then
    // the PV products, which start once every probability is written.
    for (int64_t h = 0; h < s.n_heads; ++h) {
      const int64_t g = h / s.kv_mul();
      Instr sc = attention_op(Op::kScores, h * mm.head_words, mm.k_base(l) + g * mm.head_words, 1, mm.kv_row_words,
                              u32(mm.head_words), kPosPlusOne, kPosPlusOne, mm.p + h * s.seq_len,
                              mm.rq_layer_base + 3 * l + 0, golden::kScoreBits);
      sc.text = L + "SCORES head " + std::to_string(h) + " (kv head " + std::to_string(g) + ") + softmax";
      sc.aux_tap = site("attn.scores");
      sc.tap_offset = h;
      sc.tap_offset_per_row = true;
      sc.head = h;
      prog.push_back(sc);
    }
    for (int64_t h = 0; h < s.n_heads; ++h) {
      const int64_t g = h / s.kv_mul();
      Instr pv = attention_op(Op::kPv, mm.p + h * s.seq_len, mm.v_base(l) + g * mm.head_words, mm.kv_row_words, 1,
                              kPosPlusOne, u32(mm.head_words), u32(hs), mm.att + h * hs, mm.rq_layer_base + 3 * l + 1,
                              w.att);
      pv.text = L + "PV head " + std::to_string(h);
      pv.tap = site("attn.out");
      pv.tap_offset = h * hs;
      prog.push_back(pv);
    }
    matvec(mb + 3, mm.att, mm.t, site("attn.proj"), Phase::kProjection);
    residual_add(L + "RESADD attention", site("resid.attn"));
    {
      Instr i = vec_op(Op::kNorm, mm.x, s.dim, mm.xn, w.xn);
      i.aux = u32(2 * l + 1);
      i.text = L + "NORM ffn";
      i.tap = site("ffn.norm");
      i.phase = Phase::kNorm;
      prog.push_back(i);
    }
    matvec(mb + 4, mm.xn, mm.gate, site("ffn.gate"), Phase::kFfn);
    matvec(mb + 5, mm.xn, mm.up, site("ffn.up"), Phase::kFfn);
    {
      Instr i = elem_op(Op::kSwiglu, mm.gate, mm.up, s.hidden_dim, mm.h, w.h);
      i.rq_base = u32(mm.rq_layer_base + 3 * l + 2);
      i.aux = u32(l);
      i.text = L + "SWIGLU";
      i.tap = site("ffn.h");
      i.phase = Phase::kFfn;
      prog.push_back(i);
    }
    matvec(mb + 6, mm.h, mm.t, site("ffn.down"), Phase::kFfn);
    residual_add(L + "RESADD ffn", site("resid.ffn"));
    for (size_t k = first; k < prog.size(); ++k) prog[k].layer = l;
  }
  {
    Instr i = vec_op(Op::kNorm, mm.x, s.dim, mm.xn, w.xn);
    i.aux = u32(2 * s.n_layers);
    i.text = "NORM final";
    i.tap = "final.norm";
    i.phase = Phase::kNorm;
    prog.push_back(i);
  }
  matvec(p.matrices.size() - 1, mm.xn, mm.logits, "logits", Phase::kClassifier);
  {
    Instr i = vec_op(Op::kOutput, mm.logits, s.vocab, 0, 32);
    i.text = "OUTPUT logits, argmax token";
    i.phase = Phase::kOutput;
    prog.push_back(i);
  }
  return p;
}

std::string program_hex_words(const Program& p) {
  std::string out;
  char buf[16];
  for (const auto& i : p.instrs) {
    const uint32_t f[14] = {static_cast<uint32_t>(i.op) | i.flags,
                            i.a_base, i.a_si, i.a_so, i.b_base, i.b_si, i.b_so, i.n_inner, i.n_outer, i.n_out,
                            i.dst, i.rq_base, i.out_bits, i.aux};
    for (int k = 13; k >= 0; --k) {
      std::snprintf(buf, sizeof buf, "%08x", f[k]);
      out += buf;
    }
    out += '\n';
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
