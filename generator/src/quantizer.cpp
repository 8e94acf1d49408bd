#include "hardwire/gen/quantizer.hpp"

#include <Eigen/Cholesky>
#include <algorithm>
#include <cmath>
#include <map>

#include "hardwire/gen/distill.hpp"
#include "hardwire/gen/model_source.hpp"
#include "hardwire/golden/compare.hpp"
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

const std::map<std::string, Clip>& clip_names() {
  static const std::map<std::string, Clip> m{{"max", Clip::kMaxAbs}, {"mse", Clip::kMse}};
  return m;
}
const std::map<std::string, Rounding>& rounding_names() {
  static const std::map<std::string, Rounding> m{{"nearest", Rounding::kNearest}, {"gptq", Rounding::kGptq}};
  return m;
}

// Sites whose values calibration records: every quantized activation site. Scores and probabilities have fixed
// formats (Q7.8, Q0.8) and logits a fixed rule (numerics §12), so only their max is kept.
bool ends_with(const std::string& name, const char* suffix) {
  const size_t n = std::char_traits<char>::length(suffix);
  return name.size() >= n && name.compare(name.size() - n, n, suffix) == 0;
}
bool has_fixed_format(const std::string& name) {
  auto ends = [&](const char* suffix) { return ends_with(name, suffix); };
  return ends("attn.scores") || ends("attn.probs") || name == "logits";
}
// Sites whose float values are the input of a weight matrix (GPTQ's second moments).
bool is_matrix_input(const std::string& name) {
  auto ends = [&](const char* suffix) { return ends_with(name, suffix); };
  return ends("attn.norm") || ends("attn.out") || ends("ffn.norm") || ends("ffn.h") || name == "final.norm";
}

// Records max |x|, a uniform reservoir sample of every site (Algorithm R, seeded, so deterministic) and the inputs of
// the weight matrices.
class Calibrator {
 public:
  explicit Calibrator(CalibrationData& d) : d_(d) {}
  void add(const golden::FloatTrace& t) {
    for (const auto& e : t.entries()) {
      CalibrationData::Site& s = d_.sites[e.name];
      for (double v : e.values) s.max_abs = std::max(s.max_abs, std::abs(v));
      if (is_matrix_input(e.name)) {
        golden::VecF x(static_cast<Eigen::Index>(e.values.size()));
        for (size_t i = 0; i < e.values.size(); ++i) x[static_cast<Eigen::Index>(i)] = static_cast<float>(e.values[i]);
        d_.inputs[e.name].push_back(std::move(x));
      }
      if (has_fixed_format(e.name)) continue;
      for (double v : e.values) {
        ++s.seen;
        if (s.sample.size() < CalibrationData::kSampleCap) {
          s.sample.push_back(static_cast<float>(v));
        } else {
          const uint64_t j = golden::splitmix64(rng_) % s.seen;
          if (j < CalibrationData::kSampleCap) s.sample[static_cast<size_t>(j)] = static_cast<float>(v);
        }
      }
    }
  }

 private:
  CalibrationData& d_;
  uint64_t rng_ = 0xCA11B;
};

const CalibrationData::Site& site_of(const CalibrationData& cal, const std::string& name) {
  auto it = cal.sites.find(name);
  HW_CHECK(it != cal.sites.end(), "calibration recorded every site");
  return it->second;
}

struct QuantizedMatrix {
  golden::MatI8 w;
  golden::MatU8 group_scale;  // empty without groups
  golden::MatU8 zero_point;   // with zero points: [out x groups]; else empty
  int64_t group = 0;
  int64_t max_code = 0;       // symmetric: |code| <= max_code; with zero points: u = code + z <= max_code
  std::vector<double> scale;  // per output row (the element's scale is this times its group scale)
  double element_scale(Eigen::Index r, Eigen::Index c) const {
    return scale[static_cast<size_t>(r)] * (group > 0 ? group_scale(r, c / group) : 1);
  }
  // The element's range of signed codes: [-max_code, max_code], or [-z, max_code - z] with zero points.
  golden::CodeWindow window(Eigen::Index r, Eigen::Index c) const {
    const bool zp = zero_point.size() > 0;
    return golden::code_window(max_code, zp, zp ? zero_point(r, c / group) : 0);
  }
  double lo(Eigen::Index r, Eigen::Index c) const { return static_cast<double>(window(r, c).lo); }
  double hi(Eigen::Index r, Eigen::Index c) const { return static_cast<double>(window(r, c).hi); }
};

int8_t code_of(double w, double scale, double lo, double hi) {
  return static_cast<int8_t>(std::clamp(std::round(w / scale), lo, hi));
}

// Squared error of rounding `m`'s row r, columns [i0, i0 + n), to codes in [lo, hi] at scale `sc`.
double rounding_error(const MatF& m, Eigen::Index r, Eigen::Index i0, Eigen::Index n, double sc, double lo, double hi) {
  double err = 0;
  for (Eigen::Index i = i0; i < i0 + n; ++i) {
    const double d = std::clamp(std::round(m(r, i) / sc), lo, hi) * sc - m(r, i);
    err += d * d;
  }
  return err;
}

// The format's scales of `m` (numerics §2). Without groups, per row s = c / max_code; with groups, s = max|row| /
// (max_code * 255) and per group the integer scale gs = clamp(ceil(c / max|row| * 255), 1, 255). The clip c is
// max|row| (max|group|) times 1 - k/40, k = 0..CLIP_STEPS, the first of least squared rounding error of the row
// (group) at nearest rounding; CLIP_STEPS = 20 below 8 bits, 0 at 8 bits (c = max: int8 per row reaches +-127).
// A row of zeros gets s = 1 (and group scales 1). The codes are left to the rounding.
// With zero points (numerics §2): each group's range [min(a, 0), max(b, 0)] of its least a and greatest b, R the
// widest of the row's; s = R / (m * 255) with m = 2^b - 1; per group, for the clip f = 1 - k/40: gs = clamp(ceil(f *
// range / (m * s)), 1, 255) and z = clamp(round(-f * min(a, 0) / (gs * s)), 0, m), the first of least error.
QuantizedMatrix format_scales(const MatF& m, const golden::WeightFormat& f) {
  QuantizedMatrix q;
  q.group = f.group;
  q.max_code = golden::max_weight_code(f);
  const double max_code = static_cast<double>(q.max_code);
  const double gmax = static_cast<double>((1 << golden::kGroupScaleBits) - 1);
  const int clip_steps = f.bits < 8 ? 20 : 0;
  q.scale.resize(static_cast<size_t>(m.rows()));
  const Eigen::Index groups = f.group > 0 ? (m.cols() + f.group - 1) / f.group : 0;
  if (groups > 0) q.group_scale = golden::MatU8::Ones(m.rows(), groups);
  if (f.zero_point) q.zero_point = golden::MatU8::Zero(m.rows(), groups);
  for (Eigen::Index r = 0; r < m.rows(); ++r) {
    const double mx = m.row(r).cwiseAbs().maxCoeff();
    double& s = q.scale[static_cast<size_t>(r)];
    if (!(mx > 0)) {
      s = 1.0;
      continue;
    }
    if (groups == 0) {
      double best = -1;
      for (int k = 0; k <= clip_steps; ++k) {
        const double sc = mx * (1.0 - k / 40.0) / max_code;
        const double err = clip_steps ? rounding_error(m, r, 0, m.cols(), sc, -max_code, max_code) : 0.0;
        if (best < 0 || err < best) best = err, s = sc;
      }
      continue;
    }
    if (f.zero_point) {
      auto range = [&](Eigen::Index i0, Eigen::Index n) {
        const auto seg = m.row(r).segment(i0, n);
        return std::pair<double, double>{std::min(0.0, static_cast<double>(seg.minCoeff())),
                                         std::max(0.0, static_cast<double>(seg.maxCoeff()))};
      };
      double widest = 0;
      for (Eigen::Index g = 0; g < groups; ++g) {
        const Eigen::Index i0 = g * f.group;
        const auto [a, b] = range(i0, std::min<Eigen::Index>(f.group, m.cols() - i0));
        widest = std::max(widest, b - a);
      }
      s = widest / (max_code * gmax);
      for (Eigen::Index g = 0; g < groups; ++g) {
        const Eigen::Index i0 = g * f.group, n = std::min<Eigen::Index>(f.group, m.cols() - i0);
        const auto [a, b] = range(i0, n);
        double best = -1;
        for (int k = 0; k <= clip_steps; ++k) {
          const double clip = 1.0 - k / 40.0;
          const double gs = std::clamp(std::ceil(clip * (b - a) / (max_code * s)), 1.0, gmax);
          const double z = std::clamp(std::round(-clip * a / (gs * s)), 0.0, max_code);
          const double err = rounding_error(m, r, i0, n, gs * s, -z, max_code - z);
          if (best < 0 || err < best) {
            best = err;
            q.group_scale(r, g) = static_cast<uint8_t>(gs);
            q.zero_point(r, g) = static_cast<uint8_t>(z);
          }
        }
      }
      continue;
    }
    s = mx / (max_code * gmax);
    for (Eigen::Index g = 0; g < groups; ++g) {
      const Eigen::Index i0 = g * f.group, n = std::min<Eigen::Index>(f.group, m.cols() - i0);
      const double gm = m.row(r).segment(i0, n).cwiseAbs().maxCoeff();
      double best = -1;
      for (int k = 0; k <= clip_steps; ++k) {
        const double gs = std::clamp(std::ceil(gm * (1.0 - k / 40.0) / mx * gmax), 1.0, gmax);
        const double err = clip_steps ? rounding_error(m, r, i0, n, gs * s, -max_code, max_code) : 0.0;
        if (best < 0 || err < best) best = err, q.group_scale(r, g) = static_cast<uint8_t>(gs);
      }
    }
  }
  return q;
}

// Rounds every element to nearest (half away from zero) at its scale.
QuantizedMatrix quantize_nearest(const MatF& m, const golden::WeightFormat& f) {
  QuantizedMatrix q = format_scales(m, f);
  q.w.resize(m.rows(), m.cols());
  for (Eigen::Index r = 0; r < m.rows(); ++r)
    for (Eigen::Index c = 0; c < m.cols(); ++c) q.w(r, c) = code_of(m(r, c), q.element_scale(r, c), q.lo(r, c), q.hi(r, c));
  return q;
}

// Symmetric per-row int8 (codes -127..127), round half away from zero: the embedding table.
QuantizedMatrix quantize_rows(const MatF& m) { return quantize_nearest(m, golden::WeightFormat{}); }

// The second moments sum_t x_t x_t^T of a matrix's calibration inputs.
Eigen::MatrixXd second_moments(const std::vector<golden::VecF>& xs, Eigen::Index n) {
  Eigen::MatrixXd x(static_cast<Eigen::Index>(xs.size()), n);
  for (size_t t = 0; t < xs.size(); ++t) {
    HW_CHECK(xs[t].size() == n, "calibration input length matches the matrix");
    x.row(static_cast<Eigen::Index>(t)) = xs[t].cast<double>().transpose();
  }
  Eigen::MatrixXd h = Eigen::MatrixXd::Zero(n, n);
  h.selfadjointView<Eigen::Lower>().rankUpdate(x.transpose());
  return h.selfadjointView<Eigen::Lower>();
}

golden::MatF dequantized(const QuantizedMatrix& q) {
  golden::MatF m(q.w.rows(), q.w.cols());
  for (Eigen::Index r = 0; r < m.rows(); ++r)
    for (Eigen::Index c = 0; c < m.cols(); ++c) m(r, c) = static_cast<float>(q.w(r, c) * q.element_scale(r, c));
  return m;
}

}  // namespace

const char* to_string(Clip c) { return c == Clip::kMaxAbs ? "max" : "mse"; }
const char* to_string(Rounding r) { return r == Rounding::kNearest ? "nearest" : "gptq"; }
Result<Clip> parse_clip(const std::string& text) {
  auto it = clip_names().find(text);
  if (it == clip_names().end())
    return Error{"--calibration '" + text + "' is not a calibration; use max (scale at max |x|) or mse (clip where "
                 "the mean squared error is least)"};
  return it->second;
}
Result<Rounding> parse_rounding(const std::string& text) {
  auto it = rounding_names().find(text);
  if (it == rounding_names().end())
    return Error{"--rounding '" + text + "' is not a rounding; use nearest or gptq (error-compensating)"};
  return it->second;
}

int64_t calibration_steps(const golden::Shape& s, const QuantConfig& cfg) {
  const int64_t macs = std::max<int64_t>(1, golden::compute_stats(s, false).matmul_macs_per_token);
  const int64_t by_budget = cfg.calib_macs / std::max<int64_t>(1, cfg.calib_sequences) / macs;
  return std::min(s.seq_len, std::clamp<int64_t>(by_budget, std::min<int64_t>(16, cfg.calib_steps), cfg.calib_steps));
}

CalibrationData calibrate(const FloatModel& fm, const QuantConfig& cfg) {
  const golden::Shape& s = fm.shape;
  const int64_t n = calibration_steps(s, cfg);
  CalibrationData d;
  Calibrator cal(d);
  for (int64_t seq = 0; seq < std::max<int64_t>(1, cfg.calib_sequences); ++seq) {
    // Sequence 0 is the greedy decode from BOS; sequence k > 0 samples at temperature 1 with its own stream.
    uint64_t rng = cfg.calib_seed ^ (0x9E3779B97F4A7C15ull * static_cast<uint64_t>(seq));
    golden::FloatDecoder dec(fm);
    golden::FloatTrace tr;
    int64_t tok = fm.bos;
    for (int64_t p = 0; p < n; ++p) {
      tr.clear();
      const golden::VecF logits = dec.step(tok, p, &tr);
      cal.add(tr);
      ++d.tokens;
      tok = seq == 0 ? golden::argmax_float(logits) : golden::sample_token(logits, 1.0, rng);
    }
  }
  return d;
}

double site_scale(const CalibrationData::Site& site, int bits, Clip clip) {
  if (site.max_abs <= 0) return 1.0;  // never saw a non-zero value: its values quantize to zero either way
  const double qmax = static_cast<double>(golden::max_of(bits));
  if (clip == Clip::kMaxAbs || site.sample.empty()) return site.max_abs / qmax;
  // Candidate clips max * (1 - k/128), k = 0..96; the sample plus the max itself; the first (largest) clip of least
  // squared error wins.
  double best_c = site.max_abs, best_err = -1;
  for (int k = 0; k <= 96; ++k) {
    const double c = site.max_abs * (1.0 - k / 128.0);
    const double sc = c / qmax;
    auto err_of = [&](double x) {
      const double q = std::clamp(std::round(x / sc), -qmax, qmax) * sc;
      return (q - x) * (q - x);
    };
    double err = err_of(site.max_abs);
    for (float x : site.sample) err += err_of(x);
    if (best_err < 0 || err < best_err) best_err = err, best_c = c;
  }
  return best_c / qmax;
}

golden::MatI8 gptq_round(const MatF& w, const Eigen::MatrixXd& scale, int64_t max_code, const Eigen::MatrixXd& h_in) {
  const Eigen::MatrixXd m = Eigen::MatrixXd::Constant(w.rows(), w.cols(), static_cast<double>(max_code));
  return gptq_round(w, scale, -m, m, h_in);
}

golden::MatI8 gptq_round(const MatF& w, const Eigen::MatrixXd& scale, const Eigen::MatrixXd& lo,
                         const Eigen::MatrixXd& hi, const Eigen::MatrixXd& h_in) {
  const Eigen::Index rows = w.rows(), n = w.cols();
  HW_CHECK(scale.rows() == rows && scale.cols() == n && h_in.rows() == n && h_in.cols() == n && lo.rows() == rows &&
               lo.cols() == n && hi.rows() == rows && hi.cols() == n,
           "gptq_round: shapes agree");
  golden::MatI8 q(rows, n);
  Eigen::MatrixXd h = h_in;
  const double mean_diag = n > 0 ? h.diagonal().mean() : 0.0;
  if (!(mean_diag > 0) || !std::isfinite(mean_diag)) {  // no calibration signal: nearest rounding
    for (Eigen::Index r = 0; r < rows; ++r)
      for (Eigen::Index c = 0; c < n; ++c) q(r, c) = code_of(w(r, c), scale(r, c), lo(r, c), hi(r, c));
    return q;
  }
  for (Eigen::Index i = 0; i < n; ++i)
    if (h(i, i) <= 0) h(i, i) = 1;  // an input never non-zero: its column neither gives nor takes error
  // Columns in order of decreasing second moment (the most significant inputs are rounded first).
  std::vector<Eigen::Index> perm(static_cast<size_t>(n));
  for (Eigen::Index i = 0; i < n; ++i) perm[static_cast<size_t>(i)] = i;
  std::stable_sort(perm.begin(), perm.end(), [&](Eigen::Index a, Eigen::Index b) { return h(a, a) > h(b, b); });
  Eigen::MatrixXd hp(n, n);
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < n; ++j) hp(i, j) = h(perm[static_cast<size_t>(i)], perm[static_cast<size_t>(j)]);
  // Dampen by 1% of the mean diagonal (more if the matrix is not positive definite), then U with H^-1 = U^T U.
  Eigen::MatrixXd u;
  for (double damp = 0.01; damp <= 10.0; damp *= 10) {
    Eigen::MatrixXd hd = hp;
    hd.diagonal().array() += damp * mean_diag;
    Eigen::LLT<Eigen::MatrixXd> llt(hd);
    if (llt.info() != Eigen::Success) continue;
    const Eigen::MatrixXd hinv = llt.solve(Eigen::MatrixXd::Identity(n, n));
    Eigen::LLT<Eigen::MatrixXd> llt2(hinv);
    if (llt2.info() != Eigen::Success) continue;
    u = llt2.matrixU();
    break;
  }
  if (u.size() == 0) return gptq_round(w, scale, lo, hi, Eigen::MatrixXd::Zero(n, n));
  Eigen::MatrixXd wp(rows, n);
  for (Eigen::Index j = 0; j < n; ++j) wp.col(j) = w.col(perm[static_cast<size_t>(j)]).cast<double>();
  constexpr Eigen::Index kBlock = 128;
  Eigen::MatrixXd err(rows, kBlock);
  for (Eigen::Index b0 = 0; b0 < n; b0 += kBlock) {
    const Eigen::Index b1 = std::min(n, b0 + kBlock);
    for (Eigen::Index i = b0; i < b1; ++i) {
      Eigen::VectorXd deq(rows);
      const Eigen::Index col = perm[static_cast<size_t>(i)];
      for (Eigen::Index r = 0; r < rows; ++r) {
        const int8_t c = code_of(wp(r, i), scale(r, col), lo(r, col), hi(r, col));
        q(r, col) = c;
        deq[r] = c * scale(r, col);
      }
      const Eigen::VectorXd e = (wp.col(i) - deq) / u(i, i);
      if (i + 1 < b1) wp.block(0, i + 1, rows, b1 - i - 1).noalias() -= e * u.row(i).segment(i + 1, b1 - i - 1);
      err.col(i - b0) = e;
    }
    if (b1 < n) wp.rightCols(n - b1).noalias() -= err.leftCols(b1 - b0) * u.block(b0, b1, b1 - b0, n - b1);
  }
  return q;
}

double refit_row_scale(const Eigen::VectorXd& w, const Eigen::VectorXd& unit, const Eigen::MatrixXd& h, double fallback) {
  HW_CHECK(w.size() == unit.size() && h.rows() == w.size() && h.cols() == w.size(), "refit_row_scale: shapes agree");
  const Eigen::VectorXd hq = h * unit;
  const double den = unit.dot(hq), num = w.dot(hq);
  const double s = num / den;
  return den > 0 && num > 0 && std::isfinite(s) ? s : fallback;
}

Status validate_weight_format(const golden::WeightFormat& f) {
  if (f.bits != 4 && f.bits != 6 && f.bits != 8)
    return Error{"--weight-bits " + std::to_string(f.bits) + " is not supported; use 4, 6 or 8"};
  if (f.group != 0 && (f.group < 8 || f.group > (int64_t{1} << 20)))
    return Error{"--weight-group " + std::to_string(f.group) +
                 " is out of range; give 0 (one scale per row) or 8 to 1048576 inputs per group scale"};
  if (f.zero_point && f.group == 0)
    return Error{"--weight-zero-point needs group scales: a zero point belongs to a group; give --weight-group"};
  if (f.zero_point && f.bits == 8)
    return Error{"--weight-zero-point is offered at 4 and 6 bits; use --weight-bits 4 or 6, or drop it (int8 "
                 "weights are symmetric)"};
  return Status::ok();
}

Result<QModel> quantize(const FloatModel& fm, const QuantConfig& cfg) {
  HW_TRY(validate_widths(cfg.widths));
  HW_TRY(validate_weight_format(cfg.weights));
  return quantize(fm, calibrate(fm, cfg), cfg);
}

Result<QModel> quantize(const FloatModel& fm, const CalibrationData& cal, const QuantConfig& cfg,
                        FloatModel* weights_only) {
  HW_TRY(validate_widths(cfg.widths));
  HW_TRY(validate_weight_format(cfg.weights));
  const golden::Shape& s = fm.shape;
  const golden::Widths& W = cfg.widths;

  // Quantizes W * diag(gamma) (gamma may be empty: none) with inputs recorded at `input_site`, and derives one
  // Requant per row for acc * s_w[row] * s_in -> s_out.
  std::map<std::string, QuantizedMatrix> tuned;  // the fine-tune's codes, by matrix name (when it runs)
  auto quantize_matrix = [&](const MatF& w, const golden::VecF* gamma, const std::string& input_site,
                             const golden::WeightFormat& format, const std::string& name = {}) {
    if (auto it = tuned.find(name); it != tuned.end()) return it->second;
    const MatF folded = gamma ? MatF(w * gamma->asDiagonal()) : w;
    if (cfg.rounding == Rounding::kNearest) return quantize_nearest(folded, format);
    QuantizedMatrix q = format_scales(folded, format);
    Eigen::MatrixXd scale(folded.rows(), folded.cols()), lo(folded.rows(), folded.cols()), hi(folded.rows(), folded.cols());
    for (Eigen::Index r = 0; r < scale.rows(); ++r)
      for (Eigen::Index c = 0; c < scale.cols(); ++c) {
        scale(r, c) = q.element_scale(r, c);
        lo(r, c) = q.lo(r, c);
        hi(r, c) = q.hi(r, c);
      }
    auto it = cal.inputs.find(input_site);
    HW_CHECK(it != cal.inputs.end(), "calibration recorded every matrix input");
    const Eigen::MatrixXd h = second_moments(it->second, folded.cols());
    q.w = gptq_round(folded, scale, lo, hi, h);
    // Each row's scale refit to its codes (the group scales stay): the least output error they allow.
    for (Eigen::Index r = 0; r < folded.rows(); ++r) {
      Eigen::VectorXd unit(folded.cols());
      for (Eigen::Index c = 0; c < folded.cols(); ++c)
        unit[c] = static_cast<double>(q.w(r, c)) * (q.group > 0 ? q.group_scale(r, c / q.group) : 1);
      const auto row = static_cast<size_t>(r);
      q.scale[row] = refit_row_scale(folded.row(r).transpose().cast<double>(), unit, h, q.scale[row]);
    }
    return q;
  };
  auto requants = [](const QuantizedMatrix& q, double s_in, double s_out, const std::string& what) -> Result<QLinear> {
    QLinear l;
    l.w = q.w;
    l.group_scale = q.group_scale;
    l.zero_point = q.zero_point;
    l.group = q.group;
    for (double sw : q.scale) {
      auto rq = requant_from_real(sw * s_in / s_out);
      if (!rq) return Error{what + ": " + rq.message()};
      l.rq.push_back(*rq);
    }
    return l;
  };

  QModel q;
  q.shape = s;
  q.widths = W;
  q.weights = cfg.weights;
  q.name = fm.name;
  auto site = [](int64_t l, const char* n2) { return golden::layer_site(l, n2); };
  if (weights_only) {
    *weights_only = FloatModel{};
    weights_only->shape = s;
    weights_only->name = fm.name + " (quantized weights, float activations)";
    weights_only->shared_classifier = false;
    weights_only->rms_final = golden::VecF::Ones(s.dim);
    weights_only->rms_eps = fm.rms_eps;
    weights_only->rope = fm.rope;
    weights_only->bos = fm.bos;
  }

  // 1b. Fine-tuning (numerics §2): the rounded matrices' codes trained end to end against the float model.
  if (cfg.finetune.steps > 0) {
    Student st = student_of(fm);
    st.embedding = dequantized(quantize_rows(fm.token_embedding));
    auto init = [&](FakeQuantMatrix& m, const MatF& w, const golden::VecF* gamma, const std::string& input,
                    const std::string& name) {
      QuantizedMatrix qm = quantize_matrix(w, gamma, input, cfg.weights);
      m.row_scale = Eigen::Map<const Eigen::VectorXd>(qm.scale.data(), static_cast<Eigen::Index>(qm.scale.size()))
                        .cast<float>();
      m.group = qm.group;
      m.unit = qm.group > 0 ? golden::MatF(qm.group_scale.cast<float>()) : golden::MatF::Ones(qm.w.rows(), 1);
      m.zero_point = qm.zero_point;
      m.latent = gamma ? MatF(w * gamma->asDiagonal()) : w;  // the float weights: the forward starts at nearest
      m.max_code = qm.max_code;
      tuned.emplace(name, std::move(qm));
    };
    for (int64_t l = 0; l < s.n_layers; ++l) {
      const golden::FloatLayer& F = fm.layers[static_cast<size_t>(l)];
      StudentLayer& L = st.layers[static_cast<size_t>(l)];
      const std::string an = golden::layer_site(l, "attn.norm"), ao = golden::layer_site(l, "attn.out");
      const std::string fn = golden::layer_site(l, "ffn.norm"), fh = golden::layer_site(l, "ffn.h");
      init(L.wq, F.wq, &F.rms_att, an, golden::layer_site(l, "wq"));
      init(L.wk, F.wk, &F.rms_att, an, golden::layer_site(l, "wk"));
      init(L.wv, F.wv, &F.rms_att, an, golden::layer_site(l, "wv"));
      init(L.wo, F.wo, nullptr, ao, golden::layer_site(l, "wo"));
      init(L.w1, F.w1, &F.rms_ffn, fn, golden::layer_site(l, "w1"));
      init(L.w3, F.w3, &F.rms_ffn, fn, golden::layer_site(l, "w3"));
      init(L.w2, F.w2, nullptr, fh, golden::layer_site(l, "w2"));
    }
    init(st.cls, fm.classifier(), &fm.rms_final, "final.norm", "classifier");
    auto rep = distill(fm, st, cfg.finetune);
    if (!rep) return Error{"fine-tuning: " + rep.message()};
    std::vector<std::string> names;
    for (int64_t l = 0; l < s.n_layers; ++l)
      for (const char* n2 : {"wq", "wk", "wv", "wo", "w1", "w3", "w2"}) names.push_back(golden::layer_site(l, n2));
    names.push_back("classifier");
    const std::vector<FakeQuantMatrix*> mats = st.matrices();
    for (size_t i = 0; i < names.size(); ++i) {
      QuantizedMatrix& qm = tuned[names[i]];
      qm.w = mats[i]->codes();
      if (qm.group > 0) qm.group_scale = mats[i]->group_scales();
      for (size_t r = 0; r < qm.scale.size(); ++r) qm.scale[r] = mats[i]->row_scale[static_cast<Eigen::Index>(r)];
    }
    if (cfg.finetune_report) *cfg.finetune_report = *rep;
  }

  // 2. Scales. The residual stream has one scale for the whole model so residual adds need no rescaling; it
  // covers the whole embedding table, not just the calibration tokens, and is never clipped (a clipped residual
  // saturates every later layer).
  double res_max = fm.token_embedding.cwiseAbs().maxCoeff();
  res_max = std::max(res_max, site_of(cal, "embed").max_abs);
  for (int64_t l = 0; l < s.n_layers; ++l)
    for (const char* n2 : {"attn.proj", "resid.attn", "ffn.down", "resid.ffn"})
      res_max = std::max(res_max, site_of(cal, site(l, n2)).max_abs);
  const double s_res = res_max > 0 ? res_max / static_cast<double>(golden::max_of(W.res)) : 1.0;
  q.scales["res"] = s_res;
  const double rms_eps_int = static_cast<double>(s.dim) * static_cast<double>(fm.rms_eps) / (s_res * s_res);
  const auto eps = static_cast<uint64_t>(std::clamp(std::round(rms_eps_int), 1.0, static_cast<double>((uint64_t{1} << 40) - 1)));
  auto make_norm = [&](const std::string& name) -> Result<NormParams> {
    const double s_out = site_scale(site_of(cal, name), W.xn, cfg.clip);
    q.scales[name] = s_out;
    auto p = norm_from_real(std::sqrt(static_cast<double>(s.dim)) / s_out);
    if (!p) return Error{name + ": " + p.message()};
    p->eps = eps;
    return p;
  };

  // 3. Embedding: int8 per row (nearest: it is a table, not a product), requantized into the residual scale.
  {
    QuantizedMatrix e = quantize_rows(fm.token_embedding);
    if (weights_only) weights_only->token_embedding = dequantized(e);
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
    golden::FloatLayer D;  // the weights-only model's layer
    golden::QLayer L;
    auto sc = [&](const char* n2, int bits, std::initializer_list<const char*> sites) {
      CalibrationData::Site m;  // sites sharing one scale (q before and after RoPE, k likewise): their union
      for (const char* x : sites) {
        const auto& st = site_of(cal, site(l, x));
        m.max_abs = std::max(m.max_abs, st.max_abs);
        m.seen += st.seen;
        m.sample.insert(m.sample.end(), st.sample.begin(), st.sample.end());
      }
      const double v = site_scale(m, bits, cfg.clip);
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
    auto lin = [&](const MatF& w, const golden::VecF* g, const char* input, double si, double so, const char* nm,
                   MatF& deq) -> Result<QLinear> {
      const QuantizedMatrix m = quantize_matrix(w, g, site(l, input), cfg.weights, site(l, nm));
      if (weights_only) deq = dequantized(m);
      return requants(m, si, so, site(l, nm));
    };
    auto wq = lin(F.wq, &F.rms_att, "attn.norm", s_xa, s_q, "wq", D.wq);
    auto wk = lin(F.wk, &F.rms_att, "attn.norm", s_xa, s_k, "wk", D.wk);
    auto wv = lin(F.wv, &F.rms_att, "attn.norm", s_xa, s_v, "wv", D.wv);
    auto wo = lin(F.wo, nullptr, "attn.out", s_att, s_res, "wo", D.wo);
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
    const double s_g = sc("ffn.gate", W.gate, {"ffn.gate"});
    const double s_u = sc("ffn.up", W.up, {"ffn.up"});
    const double s_h = sc("ffn.h", W.h, {"ffn.h"});
    auto w1 = lin(F.w1, &F.rms_ffn, "ffn.norm", s_xf, s_g, "w1", D.w1);
    auto w3 = lin(F.w3, &F.rms_ffn, "ffn.norm", s_xf, s_u, "w3", D.w3);
    auto w2 = lin(F.w2, nullptr, "ffn.h", s_h, s_res, "w2", D.w2);
    for (auto* r : {&w1, &w3, &w2})
      if (!*r) return r->error();
    L.w1 = std::move(*w1);
    L.w3 = std::move(*w3);
    L.w2 = std::move(*w2);
    if (weights_only) {
      D.rms_att = golden::VecF::Ones(s.dim);
      D.rms_ffn = golden::VecF::Ones(s.dim);
      weights_only->layers.push_back(std::move(D));
    }
    // SiLU table at the gate codes (j - 128) * 2^(gate - 8), j = 0..256 (numerics §11); its output scale spans
    // the table's own range.
    double silu_max = 0;
    std::array<double, golden::SiluTable().size()> silu_f{};
    const double step = s_g * std::exp2(W.gate - golden::kSiluIndexBits);
    for (size_t j = 0; j < silu_f.size(); ++j) {
      const double x = (static_cast<double>(j) - 128.0) * step;
      silu_f[j] = x / (1.0 + std::exp(-x));
      silu_max = std::max(silu_max, std::abs(silu_f[j]));
    }
    const double s_silu = silu_max > 0 ? silu_max / static_cast<double>(golden::max_of(golden::kSiluBits)) : 1.0;
    q.scales[site(l, "ffn.silu")] = s_silu;
    for (size_t i = 0; i < silu_f.size(); ++i)
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
  const double logit_max = site_of(cal, "logits").max_abs;
  const double s_logit = logit_max > 0 ? logit_max / 16777216.0 : 1.0;
  q.scales["logits"] = s_logit;
  {
    // The classifier is a matrix of the weight memory like the blocks', in their format (numerics §2): the chip's
    // multipliers are as narrow as its codes.
    const QuantizedMatrix m = quantize_matrix(fm.classifier(), &fm.rms_final, "final.norm", cfg.weights, "classifier");
    if (weights_only) weights_only->wcls = dequantized(m);
    auto cls = requants(m, q.scales["final.norm"], s_logit, "classifier");
    if (!cls) return cls.error();
    q.cls = std::move(*cls);
  }

  rope_tables(s.seq_len, s.head_size(), fm.rope, q.rope_cos, q.rope_sin);
  return q;
}

void rope_tables(int64_t seq_len, int64_t head_size, const golden::RopeParams& rope, golden::MatI16& cos,
                 golden::MatI16& sin) {
  const int64_t half = head_size / 2;
  const std::vector<double> inv_freq = rope.inv_freq(head_size);
  cos.resize(seq_len, half);
  sin.resize(seq_len, half);
  for (int64_t p = 0; p < seq_len; ++p) {
    for (int64_t i = 0; i < half; ++i) {
      const double ang = static_cast<double>(p) * inv_freq[static_cast<size_t>(i)];
      cos(p, i) = static_cast<int16_t>(std::lround(std::cos(ang) * 16384.0));
      sin(p, i) = static_cast<int16_t>(std::lround(std::sin(ang) * 16384.0));
    }
  }
}

}  // namespace hardwire::gen
