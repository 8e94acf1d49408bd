#include "hardwire/gen/quantizer.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "hardwire/gen/model_source.hpp"
#include "hardwire/golden/decoder.hpp"
#include "hardwire/golden/ops.hpp"

namespace hardwire::gen {

using golden::FloatModel;
using golden::MatF;
using golden::NormParams;
using golden::QLinear;
using golden::QModel;
using golden::Requant;

Result<Requant> requant_from_real(double real) {
  if (!std::isfinite(real) || real <= 0.0)
    return Error{"requantization multiplier " + std::to_string(real) +
                 " is not positive and finite: the float model overflows or its scales are degenerate (is the "
                 "checkpoint corrupt?)"};
  int e = 0;
  const double f = std::frexp(real, &e);  // real = f * 2^e, f in [0.5, 1)
  int64_t mult = std::llround(f * 2147483648.0);
  if (mult == (int64_t{1} << 31)) {
    mult >>= 1;
    ++e;
  }
  int64_t rshift = 31 - e;
  if (rshift < 1)
    return Error{"requantization multiplier " + std::to_string(real) +
                 " is too large (>= 2^30): the model's scales are degenerate (is the checkpoint corrupt?)"};
  if (rshift > 62) {  // below 2^-31: denormalize (round to nearest) into the largest shift
    const int extra = static_cast<int>(rshift - 62);
    mult = extra >= 63 ? 0 : (mult + (int64_t{1} << (extra - 1))) >> extra;
    rshift = 62;
  }
  return Requant{static_cast<int32_t>(mult), static_cast<int32_t>(rshift)};
}

Result<NormParams> norm_from_real(double gain) {
  if (!std::isfinite(gain) || gain <= 0.0) return Error{"rmsnorm gain " + std::to_string(gain) + " is not positive"};
  int e = 0;
  const double f = std::frexp(gain, &e);
  int64_t g = std::llround(f * 16777216.0);  // 2^24
  if (g == (int64_t{1} << 24)) {
    g >>= 1;
    ++e;
  }
  const int shift = 48 - e;
  if (shift < 1 || shift > 62)
    return Error{"rmsnorm gain " + std::to_string(gain) + " is outside the representable range 2^-14 .. 2^47"};
  NormParams p;
  p.gain = static_cast<uint32_t>(g);
  p.shift = shift;
  return p;
}

namespace {

// Records max |x| of every traced site over the calibration stream.
class Calibrator {
 public:
  void add(const golden::FloatTrace& t) {
    for (const auto& e : t.entries()) {
      double m = 0;
      for (double v : e.values) m = std::max(m, std::abs(v));
      auto [it, fresh] = max_.emplace(e.name, m);
      if (!fresh) it->second = std::max(it->second, m);
    }
  }
  double max(const std::string& name) const {
    auto it = max_.find(name);
    HW_CHECK(it != max_.end(), "calibration recorded every site");
    return it->second;
  }

 private:
  std::map<std::string, double> max_;
};

// Scale that maps max |x| onto the largest code of `bits`; a site that never saw a non-zero value gets scale 1
// (its values quantize to zero either way).
double scale_for(double max_abs, int bits) {
  return max_abs > 0 ? max_abs / static_cast<double>(golden::max_of(bits)) : 1.0;
}

struct QuantizedMatrix {
  golden::MatI8 w;
  std::vector<double> scale;  // per output row
};

// Symmetric per-row int8 (codes -127..127), round half away from zero.
QuantizedMatrix quantize_rows(const MatF& m) {
  QuantizedMatrix q;
  q.w.resize(m.rows(), m.cols());
  q.scale.resize(static_cast<size_t>(m.rows()));
  for (Eigen::Index r = 0; r < m.rows(); ++r) {
    const double mx = m.row(r).cwiseAbs().maxCoeff();
    const double s = mx > 0 ? mx / 127.0 : 1.0;
    q.scale[static_cast<size_t>(r)] = s;
    for (Eigen::Index c = 0; c < m.cols(); ++c) {
      const double v = std::round(static_cast<double>(m(r, c)) / s);
      q.w(r, c) = static_cast<int8_t>(std::clamp(v, -127.0, 127.0));
    }
  }
  return q;
}

// Quantizes W * diag(gamma) (gamma may be empty: none) and derives one Requant per row for
// acc * s_w[row] * s_in -> s_out.
Result<QLinear> quantize_linear(const MatF& w, const golden::VecF* gamma, double s_in, double s_out,
                                const std::string& what) {
  MatF folded = gamma ? MatF(w * gamma->asDiagonal()) : w;
  QuantizedMatrix q = quantize_rows(folded);
  QLinear l;
  l.w = std::move(q.w);
  for (double sw : q.scale) {
    auto rq = requant_from_real(sw * s_in / s_out);
    if (!rq) return Error{what + ": " + rq.message()};
    l.rq.push_back(*rq);
  }
  return l;
}

}  // namespace

Result<QModel> quantize(const FloatModel& fm, const QuantConfig& cfg) {
  HW_TRY(validate_widths(cfg.widths));
  const golden::Shape& s = fm.shape;
  const golden::Widths& W = cfg.widths;
  const int64_t n = std::min(cfg.calib_steps, s.seq_len);

  // 1. Calibrate on the float model: a greedy decode from BOS, then a pseudo-random token sequence.
  Calibrator cal;
  {
    golden::FloatDecoder dec(fm);
    golden::FloatTrace tr;
    int64_t tok = golden::kBosToken;
    for (int64_t p = 0; p < n; ++p) {
      tr.clear();
      const golden::VecF logits = dec.step(tok, p, &tr);
      cal.add(tr);
      Eigen::Index best = 0;
      logits.maxCoeff(&best);
      tok = best;
    }
  }
  {
    golden::FloatDecoder dec(fm);
    golden::FloatTrace tr;
    uint64_t x = cfg.calib_seed;
    for (int64_t p = 0; p < n; ++p) {
      x = x * 6364136223846793005ull + 1442695040888963407ull;  // LCG (Knuth MMIX constants)
      const int64_t tok = p == 0 ? golden::kBosToken : static_cast<int64_t>((x >> 33) % static_cast<uint64_t>(s.vocab));
      tr.clear();
      dec.step(tok, p, &tr);
      cal.add(tr);
    }
  }

  QModel q;
  q.shape = s;
  q.widths = W;
  q.name = fm.name;
  auto site = [](int64_t l, const char* n2) { return golden::layer_site(l, n2); };

  // 2. Scales. The residual stream has one scale for the whole model so residual adds need no rescaling; it
  // covers the whole embedding table, not just the calibration tokens.
  double res_max = fm.token_embedding.cwiseAbs().maxCoeff();
  res_max = std::max(res_max, cal.max("embed"));
  for (int64_t l = 0; l < s.n_layers; ++l)
    for (const char* n2 : {"attn.proj", "resid.attn", "ffn.down", "resid.ffn"}) res_max = std::max(res_max, cal.max(site(l, n2)));
  const double s_res = scale_for(res_max, W.res);
  q.scales["res"] = s_res;
  const double rms_eps_int = static_cast<double>(s.dim) * golden::kRmsEps / (s_res * s_res);
  const auto eps = static_cast<uint64_t>(std::clamp(std::round(rms_eps_int), 1.0, static_cast<double>((uint64_t{1} << 40) - 1)));
  auto make_norm = [&](const std::string& name) -> Result<NormParams> {
    const double s_out = scale_for(cal.max(name), W.xn);
    q.scales[name] = s_out;
    auto p = norm_from_real(std::sqrt(static_cast<double>(s.dim)) / s_out);
    if (!p) return Error{name + ": " + p.message()};
    p->eps = eps;
    return p;
  };

  // 3. Embedding: int8 per row, requantized into the residual scale.
  {
    QuantizedMatrix e = quantize_rows(fm.token_embedding);
    q.embedding = std::move(e.w);
    for (double se : e.scale) {
      auto rq = requant_from_real(se / s_res);
      if (!rq) return Error{"embedding: " + rq.message()};
      q.embed_rq.push_back(*rq);
    }
  }

  const double hs = static_cast<double>(s.head_size());
  for (int64_t l = 0; l < s.n_layers; ++l) {
    const golden::FloatLayer& F = fm.layers[static_cast<size_t>(l)];
    golden::QLayer L;
    auto sc = [&](const char* n2, int bits, std::initializer_list<const char*> sites) {
      double mx = 0;
      for (const char* x : sites) mx = std::max(mx, cal.max(site(l, x)));
      const double v = scale_for(mx, bits);
      q.scales[site(l, n2)] = v;
      return v;
    };
    auto norm = make_norm(site(l, "attn.norm"));
    if (!norm) return norm.error();
    L.att_norm = *norm;
    const double s_xa = q.scales[site(l, "attn.norm")];
    const double s_q = sc("attn.q", W.q, {"attn.q_proj", "attn.q"});
    const double s_k = sc("attn.k", W.k, {"attn.k_proj", "attn.k"});
    const double s_v = sc("attn.v", W.v, {"attn.v"});
    const double s_att = sc("attn.out", W.att, {"attn.out"});
    auto lin = [&](const MatF& w, const golden::VecF* g, double si, double so, const char* nm) {
      return quantize_linear(w, g, si, so, site(l, nm));
    };
    auto wq = lin(F.wq, &F.rms_att, s_xa, s_q, "wq");
    auto wk = lin(F.wk, &F.rms_att, s_xa, s_k, "wk");
    auto wv = lin(F.wv, &F.rms_att, s_xa, s_v, "wv");
    auto wo = lin(F.wo, nullptr, s_att, s_res, "wo");
    for (auto* r : {&wq, &wk, &wv, &wo})
      if (!*r) return r->error();
    L.wq = std::move(*wq);
    L.wk = std::move(*wk);
    L.wv = std::move(*wv);
    L.wo = std::move(*wo);
    // Scores: q.k * s_q * s_k / sqrt(head_size) * log2(e), in units of 2^-8 (Q7.8).
    auto score = requant_from_real(s_q * s_k / std::sqrt(hs) * M_LOG2E * 256.0);
    // Attention output: sum_t p_t v_t with p in units of 2^-8.
    auto att = requant_from_real(s_v / 256.0 / s_att);
    if (!score) return Error{site(l, "attn.scores") + ": " + score.message()};
    if (!att) return Error{site(l, "attn.out") + ": " + att.message()};
    L.score = *score;
    L.att_out = *att;

    auto fnorm = make_norm(site(l, "ffn.norm"));
    if (!fnorm) return fnorm.error();
    L.ffn_norm = *fnorm;
    const double s_xf = q.scales[site(l, "ffn.norm")];
    const double s_g = sc("ffn.gate", golden::kGateBits, {"ffn.gate"});
    const double s_u = sc("ffn.up", W.up, {"ffn.up"});
    const double s_h = sc("ffn.h", W.h, {"ffn.h"});
    auto w1 = lin(F.w1, &F.rms_ffn, s_xf, s_g, "w1");
    auto w3 = lin(F.w3, &F.rms_ffn, s_xf, s_u, "w3");
    auto w2 = lin(F.w2, nullptr, s_h, s_res, "w2");
    for (auto* r : {&w1, &w3, &w2})
      if (!*r) return r->error();
    L.w1 = std::move(*w1);
    L.w3 = std::move(*w3);
    L.w2 = std::move(*w2);
    // SiLU table over every int8 gate code; its output scale spans the table's own range.
    double silu_max = 0;
    std::array<double, 256> silu_f{};
    for (int g = -128; g < 128; ++g) {
      const double x = g * s_g;
      silu_f[static_cast<size_t>(g + 128)] = x / (1.0 + std::exp(-x));
      silu_max = std::max(silu_max, std::abs(silu_f[static_cast<size_t>(g + 128)]));
    }
    const double s_silu = scale_for(silu_max, golden::kSiluBits);
    q.scales[site(l, "ffn.silu")] = s_silu;
    for (size_t i = 0; i < 256; ++i)
      L.silu[i] = static_cast<int16_t>(std::clamp(std::round(silu_f[i] / s_silu), -32768.0, 32767.0));
    auto hrq = requant_from_real(s_silu * s_u / s_h);
    if (!hrq) return Error{site(l, "ffn.h") + ": " + hrq.message()};
    L.h = *hrq;
    q.layers.push_back(std::move(L));
  }

  auto fnorm = make_norm("final.norm");
  if (!fnorm) return fnorm.error();
  q.final_norm = *fnorm;
  // Logits: int32 at a common scale putting the largest calibrated logit at 2^24 (headroom for unseen inputs).
  const double logit_max = cal.max("logits");
  const double s_logit = logit_max > 0 ? logit_max / 16777216.0 : 1.0;
  q.scales["logits"] = s_logit;
  auto cls = quantize_linear(fm.classifier(), &fm.rms_final, q.scales["final.norm"], s_logit, "classifier");
  if (!cls) return cls.error();
  q.cls = std::move(*cls);

  rope_tables(s.seq_len, s.head_size(), q.rope_cos, q.rope_sin);
  return q;
}

void rope_tables(int64_t seq_len, int64_t head_size, golden::MatI16& cos, golden::MatI16& sin) {
  const int64_t half = head_size / 2;
  cos.resize(seq_len, half);
  sin.resize(seq_len, half);
  for (int64_t p = 0; p < seq_len; ++p) {
    for (int64_t i = 0; i < half; ++i) {
      const double ang = static_cast<double>(p) *
                         std::pow(golden::kRopeTheta, -2.0 * static_cast<double>(i) / static_cast<double>(head_size));
      cos(p, i) = static_cast<int16_t>(std::lround(std::cos(ang) * 16384.0));
      sin(p, i) = static_cast<int16_t>(std::lround(std::sin(ang) * 16384.0));
    }
  }
}

}  // namespace hardwire::gen
