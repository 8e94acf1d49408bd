#include <cmath>

#include "hardwire/golden/decoder.hpp"
#include "hardwire/golden/ops.hpp"
#include "hardwire/status.hpp"

namespace hardwire::golden {

IntDecoder::IntDecoder(const QModel& model) : m_(model) {
  const auto& s = m_.shape;
  HW_CHECK(m_.widths.k <= 16 && m_.widths.v <= 16, "K/V cache is stored in 16-bit words");
  for (int64_t l = 0; l < s.n_layers; ++l) {
    k_cache_.emplace_back(MatI16::Zero(s.seq_len, s.kv_dim()));
    v_cache_.emplace_back(MatI16::Zero(s.seq_len, s.kv_dim()));
  }
}

VecI IntDecoder::step(int64_t token, int64_t pos, IntTrace* trace) {
  const Shape& s = m_.shape;
  const Widths& w = m_.widths;
  HW_CHECK(token >= 0 && token < s.vocab, "token id out of range");
  HW_CHECK(pos >= 0 && pos < s.seq_len, "position out of range");
  const int64_t hs = s.head_size(), kv_dim = s.kv_dim(), kv_mul = s.kv_mul();
  auto put = [&](const std::string& name, const VecI& v) {
    if (trace) trace->put(name, v);
  };

  // §embedding: int8 row -> residual width, per-row requantize.
  VecI x(s.dim);
  const Requant erq = m_.embed_rq[static_cast<size_t>(token)];
  for (int64_t i = 0; i < s.dim; ++i) x[i] = requantize_sat(m_.embedding(token, i), erq, w.res);
  put("embed", x);

  for (int64_t l = 0; l < s.n_layers; ++l) {
    const QLayer& L = m_.layers[static_cast<size_t>(l)];
    auto site = [&](const char* n) { return layer_site(l, n); };

    // Attention block.
    const VecI xn = rmsnorm(x, L.att_norm, w.xn);
    put(site("attn.norm"), xn);
    VecI q = linear(L.wq, xn, w.q);
    VecI k = linear(L.wk, xn, w.k);
    const VecI v = linear(L.wv, xn, w.v);
    put(site("attn.q_proj"), q);
    put(site("attn.k_proj"), k);
    rope(q, pos, hs, m_.rope_cos, m_.rope_sin, w.q);
    rope(k, pos, hs, m_.rope_cos, m_.rope_sin, w.k);
    put(site("attn.q"), q);
    put(site("attn.k"), k);
    put(site("attn.v"), v);
    MatI16& kc = k_cache_[static_cast<size_t>(l)];
    MatI16& vc = v_cache_[static_cast<size_t>(l)];
    for (int64_t i = 0; i < kv_dim; ++i) {
      kc(pos, i) = static_cast<int16_t>(k[i]);
      vc(pos, i) = static_cast<int16_t>(v[i]);
    }

    const int64_t n_t = pos + 1;
    VecI scores(s.n_heads * n_t), probs(s.n_heads * n_t), att(s.dim);
    for (int64_t h = 0; h < s.n_heads; ++h) {
      const int64_t g = h / kv_mul;  // kv head shared by this query head
      VecI z(n_t);
      for (int64_t t = 0; t < n_t; ++t) {
        int64_t acc = 0;  // |acc| <= head_size * 2^(q-1) * 2^(k-1)
        for (int64_t d = 0; d < hs; ++d) acc += q[h * hs + d] * int64_t{kc(t, g * hs + d)};
        z[t] = requantize_sat(acc, L.score, kScoreBits);
      }
      const VecI p = softmax(z);
      for (int64_t d = 0; d < hs; ++d) {
        int64_t acc = 0;  // |acc| <= (pos+1) * 255 * 2^(v-1)
        for (int64_t t = 0; t < n_t; ++t) acc += p[t] * int64_t{vc(t, g * hs + d)};
        att[h * hs + d] = requantize_sat(acc, L.att_out, w.att);
      }
      scores.segment(h * n_t, n_t) = z;
      probs.segment(h * n_t, n_t) = p;
    }
    put(site("attn.scores"), scores);
    put(site("attn.probs"), probs);
    put(site("attn.out"), att);
    const VecI proj = linear(L.wo, att, w.res);
    put(site("attn.proj"), proj);
    x = residual_add(x, proj, w.res);
    put(site("resid.attn"), x);

    // FFN block.
    const VecI fn = rmsnorm(x, L.ffn_norm, w.xn);
    put(site("ffn.norm"), fn);
    const VecI gate = linear(L.w1, fn, w.gate);
    const VecI up = linear(L.w3, fn, w.up);
    put(site("ffn.gate"), gate);
    put(site("ffn.up"), up);
    const VecI hbuf = swiglu(gate, up, L.silu, w.gate, L.h, w.h);
    put(site("ffn.h"), hbuf);
    const VecI down = linear(L.w2, hbuf, w.res);
    put(site("ffn.down"), down);
    x = residual_add(x, down, w.res);
    put(site("resid.ffn"), x);
  }

  const VecI xn = rmsnorm(x, m_.final_norm, w.xn);
  put("final.norm", xn);
  VecI logits = linear(m_.cls, xn, kLogitBits);
  put("logits", logits);
  return logits;
}

}  // namespace hardwire::golden
