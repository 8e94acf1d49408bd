#include "hardwire/golden/compare.hpp"

#include <cmath>
#include <vector>

#include "hardwire/golden/decoder.hpp"
#include "hardwire/golden/ops.hpp"
#include "hardwire/status.hpp"

namespace hardwire::golden {

double CompareResult::top1_agreement() const {
  if (top1_agree.empty()) return 1.0;
  int64_t n = 0;
  for (bool b : top1_agree) n += b;
  return static_cast<double>(n) / static_cast<double>(top1_agree.size());
}
double CompareResult::min_cosine() const {
  double m = 1.0;
  for (double c : cosine) m = std::min(m, c);
  return m;
}
double CompareResult::mean_cosine() const {
  if (cosine.empty()) return 1.0;
  double s = 0;
  for (double c : cosine) s += c;
  return s / static_cast<double>(cosine.size());
}

double cosine_similarity(const VecF& a, const VecI& b) {
  HW_CHECK(a.size() == b.size(), "cosine: lengths differ");
  double ab = 0, aa = 0, bb = 0;
  for (Eigen::Index i = 0; i < a.size(); ++i) {
    const double x = a[i], y = static_cast<double>(b[i]);
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  if (aa == 0 || bb == 0) return aa == bb ? 1.0 : 0.0;
  return ab / std::sqrt(aa * bb);
}

int64_t argmax_float(const VecF& v) {
  Eigen::Index best = 0;
  for (Eigen::Index i = 1; i < v.size(); ++i)
    if (v[i] > v[best]) best = i;
  return best;
}

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

int64_t sample_token(const VecF& logits, double temperature, uint64_t& rng) {
  HW_CHECK(logits.size() > 0 && temperature > 0, "sample_token: logits and a positive temperature");
  const double mx = logits.maxCoeff();
  std::vector<double> p(static_cast<size_t>(logits.size()));
  double sum = 0;
  for (Eigen::Index i = 0; i < logits.size(); ++i) sum += p[static_cast<size_t>(i)] = std::exp((logits[i] - mx) / temperature);
  const double u = static_cast<double>(splitmix64(rng) >> 11) * 0x1.0p-53 * sum;
  double acc = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    acc += p[i];
    if (u < acc) return static_cast<int64_t>(i);
  }
  return argmax_float(logits);  // u rounded past the last bucket: the most likely token
}

CompareResult compare_decode(const FloatModel& fm, const QModel& qm, const std::vector<int64_t>& prompt,
                             int64_t steps) {
  HW_CHECK(!prompt.empty() && steps >= 1, "compare_decode: a prompt and at least one step");
  HW_CHECK(static_cast<int64_t>(prompt.size()) + steps - 1 <= fm.shape.seq_len, "compare_decode: fits seq_len");
  CompareResult r;
  r.prompt = prompt;
  const auto P = static_cast<int64_t>(prompt.size());

  // Free-running float reference.
  FloatDecoder fdec(fm);
  std::vector<VecF> float_logits;
  {
    int64_t tok = prompt[0];
    for (int64_t pos = 0; pos < P + steps - 1; ++pos) {
      const VecF lg = fdec.step(tok, pos);
      if (pos >= P - 1) {
        float_logits.push_back(lg);
        r.float_tokens.push_back(argmax_float(lg));
      }
      tok = pos + 1 < P ? prompt[static_cast<size_t>(pos + 1)] : r.float_tokens.back();
    }
  }
  // Free-running integer golden.
  {
    IntDecoder idec(qm);
    int64_t tok = prompt[0];
    for (int64_t pos = 0; pos < P + steps - 1; ++pos) {
      const VecI lg = idec.step(tok, pos);
      if (pos >= P - 1) r.int_tokens.push_back(argmax(lg));
      tok = pos + 1 < P ? prompt[static_cast<size_t>(pos + 1)] : r.int_tokens.back();
    }
  }
  for (size_t i = 0; i < r.int_tokens.size(); ++i) {
    if (r.int_tokens[i] != r.float_tokens[i]) {
      r.first_divergence = static_cast<int64_t>(i);
      break;
    }
  }
  // Integer golden teacher-forced on the float sequence.
  {
    IntDecoder idec(qm);
    int64_t tok = prompt[0];
    for (int64_t pos = 0; pos < P + steps - 1; ++pos) {
      const VecI lg = idec.step(tok, pos);
      if (pos >= P - 1) {
        const auto i = static_cast<size_t>(pos - (P - 1));
        r.top1_agree.push_back(argmax(lg) == r.float_tokens[i]);
        r.cosine.push_back(cosine_similarity(float_logits[i], lg));
      }
      tok = pos + 1 < P ? prompt[static_cast<size_t>(pos + 1)] : r.float_tokens[static_cast<size_t>(pos + 1 - P)];
    }
  }
  return r;
}

}  // namespace hardwire::golden
