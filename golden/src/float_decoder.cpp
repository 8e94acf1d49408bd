#include <cmath>
#include <cstdio>

#include "hardwire/golden/decoder.hpp"
#include "hardwire/status.hpp"

namespace hardwire::golden {

FloatDecoder::FloatDecoder(const FloatModel& model) : m_(model), inv_freq_(model.rope.inv_freq(model.shape.head_size())) {
  const auto& s = m_.shape;
  for (int64_t l = 0; l < s.n_layers; ++l) {
    k_cache_.emplace_back(MatF::Zero(s.seq_len, s.kv_dim()));
    v_cache_.emplace_back(MatF::Zero(s.seq_len, s.kv_dim()));
  }
}

namespace {

// Normalized x / rms(x) (before gamma), as llama2.c computes it.
VecF rms_normalize(const VecF& x, float eps) {
  const float ss = x.squaredNorm() / static_cast<float>(x.size()) + eps;
  return x * (1.0f / std::sqrt(ss));
}

void rope_float(VecF& v, int64_t pos, int64_t head_size, const std::vector<double>& inv_freq) {
  for (Eigen::Index i = 0; i < v.size(); i += 2) {
    const double ang = static_cast<double>(pos) * inv_freq[static_cast<size_t>((i % head_size) / 2)];
    const auto c = static_cast<float>(std::cos(ang)), s = static_cast<float>(std::sin(ang));
    const float x0 = v[i], x1 = v[i + 1];
    v[i] = x0 * c - x1 * s;
    v[i + 1] = x0 * s + x1 * c;
  }
}

}  // namespace

std::vector<double> RopeParams::inv_freq(int64_t head_size) const {
  std::vector<double> f(static_cast<size_t>(head_size / 2));
  for (size_t j = 0; j < f.size(); ++j) {
    double w = std::pow(theta, -2.0 * static_cast<double>(j) / static_cast<double>(head_size));
    if (llama3) {
      const Llama3RopeScaling& sc = *llama3;
      const double wavelen = 2.0 * M_PI / w;
      const double low_wavelen = sc.original_max_position / sc.low_freq_factor;
      const double high_wavelen = sc.original_max_position / sc.high_freq_factor;
      if (wavelen > low_wavelen) {
        w /= sc.factor;
      } else if (wavelen >= high_wavelen) {
        const double smooth = (sc.original_max_position / wavelen - sc.low_freq_factor) /
                              (sc.high_freq_factor - sc.low_freq_factor);
        w = (1.0 - smooth) * w / sc.factor + smooth * w;
      }
    }
    f[j] = w;
  }
  return f;
}

std::string RopeParams::to_string() const {
  auto num = [](double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%.10g", v);
    return std::string(b);
  };
  std::string s = "theta " + num(theta);
  if (llama3) {
    s += ", llama3 scaling (factor " + num(llama3->factor) + ", low_freq_factor " + num(llama3->low_freq_factor) +
         ", high_freq_factor " + num(llama3->high_freq_factor) + ", original_max_position_embeddings " +
         num(llama3->original_max_position) + ")";
  }
  return s;
}

VecF FloatDecoder::step(int64_t token, int64_t pos, FloatTrace* trace) {
  const Shape& s = m_.shape;
  HW_CHECK(token >= 0 && token < s.vocab, "token id out of range");
  HW_CHECK(pos >= 0 && pos < s.seq_len, "position out of range");
  const int64_t hs = s.head_size(), kv_mul = s.kv_mul();
  auto put = [&](const std::string& name, const VecF& v) {
    if (trace) trace->put(name, v);
  };
  const float inv_sqrt_hs = 1.0f / std::sqrt(static_cast<float>(hs));
  const float log2e = static_cast<float>(M_LOG2E);

  VecF x = m_.token_embedding.row(token).transpose();
  put("embed", x);
  for (int64_t l = 0; l < s.n_layers; ++l) {
    const FloatLayer& L = m_.layers[static_cast<size_t>(l)];
    auto site = [&](const char* n) { return layer_site(l, n); };

    const VecF xn = rms_normalize(x, m_.rms_eps);
    put(site("attn.norm"), xn);
    const VecF xg = xn.cwiseProduct(L.rms_att);
    VecF q = L.wq * xg, k = L.wk * xg;
    const VecF v = L.wv * xg;
    put(site("attn.q_proj"), q);
    put(site("attn.k_proj"), k);
    rope_float(q, pos, hs, inv_freq_);
    rope_float(k, pos, hs, inv_freq_);
    put(site("attn.q"), q);
    put(site("attn.k"), k);
    put(site("attn.v"), v);
    k_cache_[static_cast<size_t>(l)].row(pos) = k.transpose();
    v_cache_[static_cast<size_t>(l)].row(pos) = v.transpose();

    const int64_t n_t = pos + 1;
    VecF scores(s.n_heads * n_t), probs(s.n_heads * n_t), att(s.dim);
    for (int64_t h = 0; h < s.n_heads; ++h) {
      const int64_t g = h / kv_mul;
      const auto kc = k_cache_[static_cast<size_t>(l)].block(0, g * hs, n_t, hs);
      const auto vc = v_cache_[static_cast<size_t>(l)].block(0, g * hs, n_t, hs);
      VecF z = (kc * q.segment(h * hs, hs)) * inv_sqrt_hs;  // natural-log domain scores
      VecF p = (z.array() - z.maxCoeff()).exp();
      p /= p.sum();
      att.segment(h * hs, hs) = vc.transpose() * p;
      scores.segment(h * n_t, n_t) = z * log2e;  // traced in the log2 domain, as the chip holds them
      probs.segment(h * n_t, n_t) = p;
    }
    put(site("attn.scores"), scores);
    put(site("attn.probs"), probs);
    put(site("attn.out"), att);
    const VecF proj = L.wo * att;
    put(site("attn.proj"), proj);
    x += proj;
    put(site("resid.attn"), x);

    const VecF fn = rms_normalize(x, m_.rms_eps);
    put(site("ffn.norm"), fn);
    const VecF fg = fn.cwiseProduct(L.rms_ffn);
    const VecF gate = L.w1 * fg, up = L.w3 * fg;
    put(site("ffn.gate"), gate);
    put(site("ffn.up"), up);
    const VecF silu = gate.array() / (1.0f + (-gate.array()).exp());
    const VecF hbuf = silu.cwiseProduct(up);
    put(site("ffn.h"), hbuf);
    const VecF down = L.w2 * hbuf;
    put(site("ffn.down"), down);
    x += down;
    put(site("resid.ffn"), x);
  }
  const VecF xn = rms_normalize(x, m_.rms_eps);
  put("final.norm", xn);
  VecF logits = m_.classifier() * xn.cwiseProduct(m_.rms_final);
  put("logits", logits);
  return logits;
}

}  // namespace hardwire::golden
