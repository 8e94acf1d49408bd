#include "hardwire/gen/distill.hpp"

#include <algorithm>
#include <cmath>

#include "hardwire/gen/fidelity.hpp"
#include "hardwire/golden/compare.hpp"
#include "hardwire/golden/decoder.hpp"

namespace hardwire::gen {

using golden::MatF;
using golden::VecF;

namespace {
float unit_code(float u) { return std::clamp(std::round(u), 1.0f, static_cast<float>((1 << golden::kGroupScaleBits) - 1)); }
}  // namespace

float FakeQuantMatrix::element_scale(Eigen::Index r, Eigen::Index c) const {
  return row_scale[r] * (group > 0 ? unit_code(unit(r, c / group)) : 1.0f);
}

namespace {
golden::CodeWindow window_of(const FakeQuantMatrix& m, Eigen::Index r, Eigen::Index c) {
  const bool zp = m.zero_point.size() > 0;
  return golden::code_window(m.max_code, zp, zp ? m.zero_point(r, c / m.group) : 0);
}
}  // namespace

float FakeQuantMatrix::code_lo(Eigen::Index r, Eigen::Index c) const { return static_cast<float>(window_of(*this, r, c).lo); }
float FakeQuantMatrix::code_hi(Eigen::Index r, Eigen::Index c) const { return static_cast<float>(window_of(*this, r, c).hi); }

MatF FakeQuantMatrix::forward() const {
  if (max_code == 0) return latent;
  MatF w(latent.rows(), latent.cols());
  for (Eigen::Index r = 0; r < w.rows(); ++r)
    for (Eigen::Index c = 0; c < w.cols(); ++c) {
      const float e = element_scale(r, c);
      w(r, c) = std::clamp(std::round(latent(r, c) / e), code_lo(r, c), code_hi(r, c)) * e;
    }
  return w;
}

golden::MatI8 FakeQuantMatrix::codes() const {
  HW_CHECK(max_code > 0, "codes of a quantized matrix");
  golden::MatI8 q(latent.rows(), latent.cols());
  for (Eigen::Index r = 0; r < q.rows(); ++r)
    for (Eigen::Index c = 0; c < q.cols(); ++c)
      q(r, c) = static_cast<int8_t>(std::clamp(std::round(latent(r, c) / element_scale(r, c)), code_lo(r, c), code_hi(r, c)));
  return q;
}

golden::MatU8 FakeQuantMatrix::group_scales() const {
  HW_CHECK(max_code > 0 && group > 0, "group scales of a grouped matrix");
  return unit.unaryExpr([](float u) { return static_cast<uint8_t>(unit_code(u)); });
}

bool CodeTrack::observe(float q, double momentum, double threshold) {
  float oscillated = 0;
  if (q != code) {
    const int8_t d = q > code ? 1 : -1;
    if (dir != 0 && d != dir) oscillated = 1;
    dir = d;
    before = code;
    code = q;
  }
  freq = static_cast<float>((1 - momentum) * freq + momentum * oscillated);
  mean = static_cast<float>((1 - momentum) * mean + momentum * q);
  if (threshold > 0 && freq > threshold) frozen = true;
  return frozen;
}

float CodeTrack::frozen_code() const { return std::clamp(std::round(mean), std::min(before, code), std::max(before, code)); }

std::vector<FakeQuantMatrix*> Student::matrices() {
  std::vector<FakeQuantMatrix*> v;
  for (auto& L : layers)
    for (auto* m : {&L.wq, &L.wk, &L.wv, &L.wo, &L.w1, &L.w3, &L.w2}) v.push_back(m);
  v.push_back(&cls);
  return v;
}
std::vector<const FakeQuantMatrix*> Student::matrices() const {
  std::vector<const FakeQuantMatrix*> v;
  for (const auto& L : layers)
    for (const auto* m : {&L.wq, &L.wk, &L.wv, &L.wo, &L.w1, &L.w3, &L.w2}) v.push_back(m);
  v.push_back(&cls);
  return v;
}

Student student_of(const golden::FloatModel& fm) {
  Student s;
  s.shape = fm.shape;
  s.rms_eps = fm.rms_eps;
  s.rope = fm.rope;
  s.embedding = fm.token_embedding;
  auto fold = [](const MatF& w, const VecF* g) {
    FakeQuantMatrix m;
    m.latent = g ? MatF(w * g->asDiagonal()) : w;
    return m;
  };
  for (const auto& F : fm.layers) {
    StudentLayer L;
    L.wq = fold(F.wq, &F.rms_att);
    L.wk = fold(F.wk, &F.rms_att);
    L.wv = fold(F.wv, &F.rms_att);
    L.wo = fold(F.wo, nullptr);
    L.w1 = fold(F.w1, &F.rms_ffn);
    L.w3 = fold(F.w3, &F.rms_ffn);
    L.w2 = fold(F.w2, nullptr);
    s.layers.push_back(std::move(L));
  }
  s.cls = fold(fm.classifier(), &fm.rms_final);
  return s;
}

namespace {

constexpr int kPerLayer = 7;  // wq wk wv wo w1 w3 w2

// The sequence's activations, kept for the backward pass.
struct LayerTape {
  MatF xa, na, q, k, v, att, xf, nf, gate, sg, up, silu, hb;
  VecF ra, rf;
  std::vector<MatF> p;  // per head [T x T] (causal: upper triangle zero)
};
struct Tape {
  std::vector<LayerTape> layers;
  MatF xfin, nfin, logits;
  VecF rfin;
};

// Row-wise x / rms(x): returns the normalized rows, `r` the per-row 1/rms.
MatF rms_rows(const MatF& x, float eps, VecF& r) {
  r.resize(x.rows());
  MatF y(x.rows(), x.cols());
  for (Eigen::Index t = 0; t < x.rows(); ++t) {
    const float ss = x.row(t).squaredNorm() / static_cast<float>(x.cols()) + eps;
    r[t] = 1.0f / std::sqrt(ss);
    y.row(t) = x.row(t) * r[t];
  }
  return y;
}
// d/dx of y = x * r(x), r = (mean x^2 + eps)^-1/2: dx = r dy - r^3 / n * x (x . dy).
MatF rms_back(const MatF& x, const VecF& r, const MatF& dy) {
  MatF dx(x.rows(), x.cols());
  const float n = static_cast<float>(x.cols());
  for (Eigen::Index t = 0; t < x.rows(); ++t) {
    const float xd = x.row(t).dot(dy.row(t));
    dx.row(t) = dy.row(t) * r[t] - x.row(t) * (r[t] * r[t] * r[t] / n * xd);
  }
  return dx;
}

// RoPE tables for positions 0..T-1 (as FloatDecoder: angles in double, cos/sin rounded to float).
struct Rope {
  MatF cos, sin;  // [T x head_size/2]
  Rope(int64_t T, int64_t hs, const golden::RopeParams& p) : cos(T, hs / 2), sin(T, hs / 2) {
    const std::vector<double> f = p.inv_freq(hs);
    for (int64_t t = 0; t < T; ++t)
      for (int64_t j = 0; j < hs / 2; ++j) {
        const double a = static_cast<double>(t) * f[static_cast<size_t>(j)];
        cos(t, j) = static_cast<float>(std::cos(a));
        sin(t, j) = static_cast<float>(std::sin(a));
      }
  }
  // Rotates every row t by +angle (sign 1) or -angle (sign -1, the transpose: the backward pass).
  void apply(MatF& m, int64_t hs, float sign) const {
    for (Eigen::Index t = 0; t < m.rows(); ++t)
      for (Eigen::Index i = 0; i < m.cols(); i += 2) {
        const Eigen::Index j = (i % hs) / 2;
        const float c = cos(t, j), s = sign * sin(t, j);
        const float x0 = m(t, i), x1 = m(t, i + 1);
        m(t, i) = x0 * c - x1 * s;
        m(t, i + 1) = x0 * s + x1 * c;
      }
  }
};

// The forward pass over all positions of `tokens`, weights `w` in matrices() order.
void forward(const Student& st, const std::vector<MatF>& w, const std::vector<int64_t>& tokens, Tape& tape) {
  const golden::Shape& s = st.shape;
  const auto T = static_cast<Eigen::Index>(tokens.size());
  const int64_t hs = s.head_size(), kv_mul = s.kv_mul();
  const Rope rope(T, hs, st.rope);
  const float scale = 1.0f / std::sqrt(static_cast<float>(hs));
  MatF x(T, s.dim);
  for (Eigen::Index t = 0; t < T; ++t) x.row(t) = st.embedding.row(tokens[static_cast<size_t>(t)]);
  tape.layers.resize(static_cast<size_t>(s.n_layers));
  for (int64_t l = 0; l < s.n_layers; ++l) {
    LayerTape& L = tape.layers[static_cast<size_t>(l)];
    const MatF* W = &w[static_cast<size_t>(l * kPerLayer)];
    L.xa = x;
    L.na = rms_rows(x, st.rms_eps, L.ra);
    L.q = L.na * W[0].transpose();
    L.k = L.na * W[1].transpose();
    L.v = L.na * W[2].transpose();
    rope.apply(L.q, hs, 1.0f);
    rope.apply(L.k, hs, 1.0f);
    L.att = MatF::Zero(T, s.dim);
    L.p.assign(static_cast<size_t>(s.n_heads), MatF());
    for (int64_t h = 0; h < s.n_heads; ++h) {
      const int64_t g = h / kv_mul;
      MatF sc = (L.q.middleCols(h * hs, hs) * L.k.middleCols(g * hs, hs).transpose()) * scale;
      MatF& P = L.p[static_cast<size_t>(h)];
      P = MatF::Zero(T, T);
      for (Eigen::Index i = 0; i < T; ++i) {
        const float mx = sc.row(i).head(i + 1).maxCoeff();
        P.row(i).head(i + 1) = (sc.row(i).head(i + 1).array() - mx).exp();
        P.row(i).head(i + 1) /= P.row(i).head(i + 1).sum();
      }
      L.att.middleCols(h * hs, hs) = P * L.v.middleCols(g * hs, hs);
    }
    x += L.att * W[3].transpose();
    L.xf = x;
    L.nf = rms_rows(x, st.rms_eps, L.rf);
    L.gate = L.nf * W[4].transpose();
    L.up = L.nf * W[5].transpose();
    L.sg = (1.0f + (-L.gate.array()).exp()).inverse().matrix();
    L.silu = L.gate.cwiseProduct(L.sg);
    L.hb = L.silu.cwiseProduct(L.up);
    x += L.hb * W[6].transpose();
  }
  tape.xfin = x;
  tape.nfin = rms_rows(x, st.rms_eps, tape.rfin);
  tape.logits = tape.nfin * w.back().transpose();
}

std::vector<MatF> forward_weights(const Student& st) {
  std::vector<MatF> w;
  for (const FakeQuantMatrix* m : st.matrices()) w.push_back(m->forward());
  return w;
}

// Row-wise softmax.
MatF softmax_rows(const MatF& z) {
  MatF p(z.rows(), z.cols());
  for (Eigen::Index t = 0; t < z.rows(); ++t) {
    p.row(t) = (z.row(t).array() - z.row(t).maxCoeff()).exp();
    p.row(t) /= p.row(t).sum();
  }
  return p;
}

double loss_with(const Student& st, const std::vector<MatF>& w, const std::vector<int64_t>& tokens,
                 const MatF& target, std::vector<MatF>* grad) {
  const golden::Shape& s = st.shape;
  const auto T = static_cast<Eigen::Index>(tokens.size());
  HW_CHECK(target.rows() == T && target.cols() == s.vocab, "distill_loss: one target row per token");
  Tape tape;
  forward(st, w, tokens, tape);
  // KL(p || q) = sum p (log p - log q), q = softmax(logits).
  double loss = 0;
  MatF dlog(T, s.vocab);
  for (Eigen::Index t = 0; t < T; ++t) {
    const Eigen::VectorXd z = tape.logits.row(t).cast<double>().transpose();
    const double mx = z.maxCoeff();
    const double lse = mx + std::log((z.array() - mx).exp().sum());
    for (Eigen::Index v = 0; v < s.vocab; ++v) {
      const double p = target(t, v), lq = z[v] - lse;
      if (p > 0) loss += p * (std::log(p) - lq);
      dlog(t, v) = static_cast<float>((std::exp(lq) - p) / static_cast<double>(T));
    }
  }
  loss /= static_cast<double>(T);
  if (!grad) return loss;
  HW_CHECK(grad->size() == w.size(), "distill_loss: one gradient per matrix");
  auto acc = [&](size_t i, const MatF& g) { (*grad)[i] += g; };
  const int64_t hs = s.head_size(), kv_mul = s.kv_mul();
  const Rope rope(T, hs, st.rope);
  const float scale = 1.0f / std::sqrt(static_cast<float>(hs));

  acc(w.size() - 1, dlog.transpose() * tape.nfin);
  MatF dx = rms_back(tape.xfin, tape.rfin, dlog * w.back());
  for (int64_t l = s.n_layers - 1; l >= 0; --l) {
    const LayerTape& L = tape.layers[static_cast<size_t>(l)];
    const auto base = static_cast<size_t>(l * kPerLayer);
    const MatF* W = &w[base];
    // Feed-forward: x += (silu(gate) * up) W2'.
    const MatF dhb = dx * W[6];
    acc(base + 6, dx.transpose() * L.hb);
    const MatF dup = dhb.cwiseProduct(L.silu);
    const MatF dgate = dhb.cwiseProduct(L.up).cwiseProduct(
        (L.sg.array() * (1.0f + L.gate.array() * (1.0f - L.sg.array()))).matrix());
    acc(base + 4, dgate.transpose() * L.nf);
    acc(base + 5, dup.transpose() * L.nf);
    dx += rms_back(L.xf, L.rf, dgate * W[4] + dup * W[5]);
    // Attention: x += att Wo'.
    const MatF datt = dx * W[3];
    acc(base + 3, dx.transpose() * L.att);
    MatF dq = MatF::Zero(T, s.dim), dk = MatF::Zero(T, s.kv_dim()), dv = MatF::Zero(T, s.kv_dim());
    for (int64_t h = 0; h < s.n_heads; ++h) {
      const int64_t g = h / kv_mul;
      const MatF& P = L.p[static_cast<size_t>(h)];
      const MatF dO = datt.middleCols(h * hs, hs);
      MatF dP = dO * L.v.middleCols(g * hs, hs).transpose();
      dv.middleCols(g * hs, hs) += P.transpose() * dO;
      // dS = P * (dP - rowsum(dP * P)); P is zero above the diagonal, so dS is too.
      for (Eigen::Index i = 0; i < T; ++i) {
        const float d = dP.row(i).dot(P.row(i));
        dP.row(i) = P.row(i).cwiseProduct((dP.row(i).array() - d).matrix());
      }
      dq.middleCols(h * hs, hs) = (dP * L.k.middleCols(g * hs, hs)) * scale;
      dk.middleCols(g * hs, hs) += (dP.transpose() * L.q.middleCols(h * hs, hs)) * scale;
    }
    rope.apply(dq, hs, -1.0f);
    rope.apply(dk, hs, -1.0f);
    acc(base + 0, dq.transpose() * L.na);
    acc(base + 1, dk.transpose() * L.na);
    acc(base + 2, dv.transpose() * L.na);
    dx += rms_back(L.xa, L.ra, dq * W[0] + dk * W[1] + dv * W[2]);
  }
  return loss;
}

}  // namespace

double distill_loss(const Student& st, const std::vector<int64_t>& tokens, const MatF& target,
                    std::vector<MatF>* grad) {
  return loss_with(st, forward_weights(st), tokens, target, grad);
}

MatF sequence_logits(const Student& st, const std::vector<int64_t>& tokens) {
  Tape tape;
  forward(st, forward_weights(st), tokens, tape);
  return tape.logits;
}

MatF sequence_probs(const Student& st, const std::vector<int64_t>& tokens) {
  return softmax_rows(sequence_logits(st, tokens));
}

Result<DistillReport> distill(const golden::FloatModel& teacher, Student& st, const DistillConfig& cfg) {
  const golden::Shape& s = teacher.shape;
  if (!(st.shape == s)) return Error{"distill: the student's shape differs from the teacher's"};
  if (cfg.steps < 0 || cfg.batch < 1 || cfg.pool < 1 || cfg.tokens < 2 || cfg.prompt < 1 || !(cfg.lr > 0) ||
      !(cfg.scale_lr >= 0) || !(cfg.freeze_above >= 0) || !(cfg.freeze_momentum > 0 && cfg.freeze_momentum <= 1))
    return Error{"distill: steps >= 0, batch >= 1, pool >= 1, tokens >= 2, prompt >= 1, lr > 0, scale_lr >= 0, "
                 "freeze_above >= 0 and 0 < freeze_momentum <= 1 are required"};
  DistillReport rep;
  rep.steps = cfg.steps;
  if (cfg.steps == 0) return rep;
  const int64_t T = std::min(cfg.tokens, s.seq_len);
  const int64_t n_seq = std::min(cfg.pool, cfg.steps * cfg.batch);
  rep.sequences = n_seq;
  rep.tokens_per_sequence = T;

  // The training sequences and their targets, from the float teacher.
  std::vector<std::vector<int64_t>> seqs(static_cast<size_t>(n_seq));
  std::vector<MatF> targets(static_cast<size_t>(n_seq));
  const Student teach = student_of(teacher);
  parallel_for(n_seq, cfg.threads, [&](int64_t i) {
    uint64_t rng = cfg.seed ^ (0x9E3779B97F4A7C15ull * static_cast<uint64_t>(i + 1));
    golden::splitmix64(rng);
    golden::FloatDecoder dec(teacher);
    std::vector<int64_t>& toks = seqs[static_cast<size_t>(i)];
    int64_t tok = teacher.bos;
    for (int64_t p = 0; p < T; ++p) {
      toks.push_back(tok);
      if (p + 1 == T) break;
      const VecF lg = dec.step(tok, p);
      tok = p + 1 >= cfg.prompt ? golden::argmax_float(lg) : golden::sample_token(lg, 1.0, rng);
    }
    targets[static_cast<size_t>(i)] = sequence_probs(teach, toks);
  });

  std::vector<FakeQuantMatrix*> mats = st.matrices();
  const size_t nm = mats.size();
  struct Adam {
    MatF m_w, v_w, g_unit, m_unit, v_unit;
    Eigen::VectorXf g_row, m_row, v_row;
  };
  std::vector<Adam> adam(nm);
  std::vector<golden::MatI8> codes0;
  std::vector<std::vector<CodeTrack>> track(nm);  // per matrix, column-major as Eigen stores it
  for (size_t i = 0; i < nm; ++i) {
    const FakeQuantMatrix& m = *mats[i];
    Adam& a = adam[i];
    a.m_w = a.v_w = MatF::Zero(m.latent.rows(), m.latent.cols());
    a.g_unit = a.m_unit = a.v_unit = MatF::Zero(m.unit.rows(), m.unit.cols());
    a.g_row = a.m_row = a.v_row = Eigen::VectorXf::Zero(m.latent.rows());
    codes0.push_back(m.max_code > 0 ? m.codes() : golden::MatI8());
    for (Eigen::Index k = 0; k < codes0.back().size(); ++k) track[i].emplace_back(static_cast<float>(codes0.back().data()[k]));
  }
  // The mean loss over the whole pool at the forward weights.
  auto pool_loss = [&] {
    const std::vector<MatF> w = forward_weights(st);
    std::vector<double> l(static_cast<size_t>(n_seq));
    parallel_for(n_seq, cfg.threads, [&](int64_t i) {
      l[static_cast<size_t>(i)] = loss_with(st, w, seqs[static_cast<size_t>(i)], targets[static_cast<size_t>(i)], nullptr);
    });
    double sum = 0;
    for (double v : l) sum += v;
    return sum / static_cast<double>(n_seq);
  };
  rep.first_loss = pool_loss();
  const double b1 = 0.9, b2 = 0.999, eps = 1e-12;
  std::vector<std::vector<MatF>> grads(static_cast<size_t>(cfg.batch));
  for (int64_t step = 0; step < cfg.steps; ++step) {
    const std::vector<MatF> w = forward_weights(st);
    parallel_for(cfg.batch, cfg.threads, [&](int64_t j) {
      auto& g = grads[static_cast<size_t>(j)];
      g.clear();
      for (const MatF& x : w) g.push_back(MatF::Zero(x.rows(), x.cols()));
      const auto i = static_cast<size_t>((step * cfg.batch + j) % n_seq);
      loss_with(st, w, seqs[i], targets[i], &g);
    });
    const double lr = cfg.lr * 0.5 * (1.0 + std::cos(M_PI * static_cast<double>(step) / static_cast<double>(cfg.steps)));
    const double c1 = 1.0 - std::pow(b1, static_cast<double>(step + 1));
    const double c2 = 1.0 - std::pow(b2, static_cast<double>(step + 1));
    for (size_t i = 0; i < nm; ++i) {
      FakeQuantMatrix& m = *mats[i];
      if (m.max_code == 0) continue;
      MatF g = grads[0][i];
      for (size_t j = 1; j < grads.size(); ++j) g += grads[j][i];
      g /= static_cast<float>(cfg.batch);
      Adam& a = adam[i];
      a.g_row.setZero();
      a.g_unit.setZero();
      for (Eigen::Index r = 0; r < g.rows(); ++r)
        for (Eigen::Index c = 0; c < g.cols(); ++c) {
          const float e = m.element_scale(r, c), x = m.latent(r, c) / e;
          const float lo = m.code_lo(r, c), hi = m.code_hi(r, c);
          const float q = std::clamp(std::round(x), lo, hi);
          const bool above = x > hi + 0.5f, below = x < lo - 0.5f;
          float gr = g(r, c);
          // The scales' gradient (LSQ, Esser et al. 2019): d w / d e = q - x inside the range, q where clamped.
          const float dwde = above || below ? q : q - x;
          a.g_row[r] += gr * dwde * e / m.row_scale[r];
          if (m.group > 0) a.g_unit(r, c / m.group) += gr * dwde * m.row_scale[r];
          CodeTrack& t = track[i][static_cast<size_t>(c * g.rows() + r)];
          if (t.frozen) {
            m.latent(r, c) = q * e;  // the code stays as the scales move
            continue;
          }
          if ((above && gr < 0) || (below && gr > 0)) gr = 0;  // clamped and moving outward: no gradient
          a.m_w(r, c) = static_cast<float>(b1 * a.m_w(r, c) + (1 - b1) * gr);
          a.v_w(r, c) = static_cast<float>(b2 * a.v_w(r, c) + (1 - b2) * gr * gr);
          m.latent(r, c) -= static_cast<float>(lr * e * (a.m_w(r, c) / c1) / (std::sqrt(a.v_w(r, c) / c2) + eps));
          if (t.observe(std::clamp(std::round(m.latent(r, c) / e), lo, hi), cfg.freeze_momentum, cfg.freeze_above)) {
            m.latent(r, c) = std::clamp(t.frozen_code(), lo, hi) * e;
            ++rep.frozen_codes;
          }
        }
      // Scales move relative to themselves: the row's real scale and the group's 8-bit scale.
      for (Eigen::Index r = 0; r < g.rows(); ++r) {
        a.m_row[r] = static_cast<float>(b1 * a.m_row[r] + (1 - b1) * a.g_row[r]);
        a.v_row[r] = static_cast<float>(b2 * a.v_row[r] + (1 - b2) * a.g_row[r] * a.g_row[r]);
        m.row_scale[r] *= static_cast<float>(1.0 - cfg.scale_lr * lr / cfg.lr * (a.m_row[r] / c1) /
                                                       (std::sqrt(a.v_row[r] / c2) + eps));
      }
      if (m.group > 0)
        for (Eigen::Index k = 0; k < m.unit.size(); ++k) {
          const float gu = a.g_unit.data()[k];
          a.m_unit.data()[k] = static_cast<float>(b1 * a.m_unit.data()[k] + (1 - b1) * gu);
          a.v_unit.data()[k] = static_cast<float>(b2 * a.v_unit.data()[k] + (1 - b2) * gu * gu);
          float& u = m.unit.data()[k];
          u = std::clamp(u - static_cast<float>(cfg.scale_lr * lr / cfg.lr * std::max(u, 1.0f) * (a.m_unit.data()[k] / c1) /
                                                  (std::sqrt(a.v_unit.data()[k] / c2) + eps)),
                         1.0f, static_cast<float>((1 << golden::kGroupScaleBits) - 1));
        }
    }
  }
  rep.last_loss = pool_loss();
  for (size_t i = 0; i < nm; ++i) {
    if (mats[i]->max_code == 0) continue;
    const golden::MatI8 c = mats[i]->codes();
    rep.total_codes += c.size();
    rep.changed_codes += (c.array() != codes0[i].array()).count();
  }
  return rep;
}

}  // namespace hardwire::gen
