#include "hardwire/gen/fidelity.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

#include "hardwire/golden/compare.hpp"
#include "hardwire/golden/decoder.hpp"
#include "hardwire/golden/ops.hpp"

namespace hardwire::gen {

namespace {

// log of sum exp, in double.
double log_sum_exp(const Eigen::VectorXd& v) {
  const double m = v.maxCoeff();
  return m + std::log((v.array() - m).exp().sum());
}

double cosine(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
  const double aa = a.squaredNorm(), bb = b.squaredNorm();
  if (aa == 0 || bb == 0) return aa == bb ? 1.0 : 0.0;
  return a.dot(b) / std::sqrt(aa * bb);
}

// KL(softmax(p) || softmax(q)) of two logit vectors in the same units.
double kl_divergence(const Eigen::VectorXd& p_logits, const Eigen::VectorXd& q_logits) {
  const Eigen::VectorXd lp = p_logits.array() - log_sum_exp(p_logits);
  const Eigen::VectorXd lq = q_logits.array() - log_sum_exp(q_logits);
  return std::max(0.0, (lp.array().exp() * (lp - lq).array()).sum());
}

// One variant stepping along with the reference.
class Runner {
 public:
  explicit Runner(const FidelityVariant& v) {
    if (v.integer) {
      int_ = std::make_unique<golden::IntDecoder>(*v.integer);
      auto it = v.integer->scales.find("logits");
      scale_ = it != v.integer->scales.end() ? it->second : 1.0;
    } else {
      flt_ = std::make_unique<golden::FloatDecoder>(*v.floating);
    }
  }
  // Logits in float units and the variant's own argmax (its tie rule: the lowest index).
  Eigen::VectorXd step(int64_t tok, int64_t pos, int64_t& top) {
    if (int_) {
      const golden::VecI lg = int_->step(tok, pos);
      top = golden::argmax(lg);
      return lg.cast<double>() * scale_;
    }
    const golden::VecF lg = flt_->step(tok, pos);
    top = golden::argmax_float(lg);
    return lg.cast<double>();
  }

 private:
  std::unique_ptr<golden::IntDecoder> int_;
  std::unique_ptr<golden::FloatDecoder> flt_;
  double scale_ = 1.0;
};

// The float model's top-1 probability minus its runner-up's (0 with one token).
double float_margin(const Eigen::VectorXd& logits) {
  if (logits.size() < 2) return 0.0;
  Eigen::Index top = 0;
  const double m = logits.maxCoeff(&top);
  double second = -std::numeric_limits<double>::infinity();
  for (Eigen::Index i = 0; i < logits.size(); ++i)
    if (i != top) second = std::max(second, logits[i]);
  const double lse = log_sum_exp(logits);
  return std::exp(m - lse) - std::exp(second - lse);
}

// The standard error of the mean `mean` of `x` (0 with fewer than two values).
double standard_error(const std::vector<double>& x, double mean) {
  if (x.size() < 2) return 0.0;
  double var = 0;
  for (double v : x) var += (v - mean) * (v - mean);
  const auto n = static_cast<double>(x.size());
  return std::sqrt(var / (n - 1) / n);
}

}  // namespace

size_t margin_bin(double margin) {
  size_t k = 0;
  while (k + 1 < kMarginBins && margin >= kMarginEdges[k + 1]) ++k;
  return k;
}

std::vector<std::vector<int64_t>> sample_prompts(const golden::FloatModel& model, int64_t count, int64_t length,
                                                 uint64_t seed, int threads) {
  HW_CHECK(count >= 0 && length >= 1 && length <= model.shape.seq_len, "sample_prompts: lengths within seq_len");
  std::vector<std::vector<int64_t>> out(static_cast<size_t>(count));
  parallel_for(count, threads, [&](int64_t i) {
    uint64_t state = seed + 0x9E3779B97F4A7C15ull * static_cast<uint64_t>(i);
    uint64_t rng = golden::splitmix64(state);
    golden::FloatDecoder dec(model);
    std::vector<int64_t>& p = out[static_cast<size_t>(i)];
    p.push_back(model.bos);
    for (int64_t pos = 0; pos + 1 < length; ++pos) p.push_back(golden::sample_token(dec.step(p.back(), pos), 1.0, rng));
  });
  return out;
}

Result<FidelityRun> evaluate_fidelity(const golden::FloatModel& ref, const std::vector<FidelityVariant>& variants,
                                      const std::vector<std::vector<int64_t>>& prompts, int64_t steps, int threads) {
  const golden::Shape& s = ref.shape;
  if (steps < 1) return Error{"--steps must be at least 1"};
  if (prompts.empty()) return Error{"no prompts to evaluate; give a prompt file with at least one line or --samples N >= 1"};
  for (size_t i = 0; i < prompts.size(); ++i) {
    const auto& p = prompts[i];
    if (p.empty()) return Error{"prompt " + std::to_string(i + 1) + " is empty"};
    for (int64_t t : p)
      if (t < 0 || t >= s.vocab)
        return Error{"prompt " + std::to_string(i + 1) + " has token " + std::to_string(t) + ", outside the vocabulary 0.." +
                     std::to_string(s.vocab - 1)};
    if (static_cast<int64_t>(p.size()) + steps - 1 > s.seq_len)
      return Error{"prompt " + std::to_string(i + 1) + " (" + std::to_string(p.size()) + " tokens) and " +
                   std::to_string(steps) + " steps need " + std::to_string(static_cast<int64_t>(p.size()) + steps - 1) +
                   " positions but the model's seq_len is " + std::to_string(s.seq_len) +
                   "; use fewer steps or shorter prompts"};
  }
  for (const auto& v : variants) {
    HW_CHECK((v.integer != nullptr) != (v.floating != nullptr), "a variant is an integer or a float model");
    const golden::Shape& vs = v.integer ? v.integer->shape : v.floating->shape;
    HW_CHECK(vs == s, "variants have the reference's shape");
  }

  FidelityRun run;
  run.prompts = prompts;
  run.float_tokens.resize(prompts.size());
  std::vector<std::vector<PromptFidelity>> per(variants.size(), std::vector<PromptFidelity>(prompts.size()));
  parallel_for(static_cast<int64_t>(prompts.size()), threads, [&](int64_t pi) {
    const auto& prompt = prompts[static_cast<size_t>(pi)];
    const auto P = static_cast<int64_t>(prompt.size());
    golden::FloatDecoder fdec(ref);
    std::vector<Runner> runners;
    runners.reserve(variants.size());
    for (const auto& v : variants) runners.emplace_back(v);
    std::vector<int64_t>& ftoks = run.float_tokens[static_cast<size_t>(pi)];
    int64_t tok = prompt[0];
    for (int64_t pos = 0; pos < P + steps - 1; ++pos) {
      const golden::VecF lf = fdec.step(tok, pos);
      const bool scored = pos >= P - 1;
      const int64_t ftok = golden::argmax_float(lf);
      if (scored) ftoks.push_back(ftok);
      const Eigen::VectorXd lfd = lf.cast<double>();
      const size_t bin = scored ? margin_bin(float_margin(lfd)) : 0;
      for (size_t vi = 0; vi < runners.size(); ++vi) {
        int64_t top = 0;
        const Eigen::VectorXd lv = runners[vi].step(tok, pos, top);
        if (!scored) continue;
        PromptFidelity& r = per[vi][static_cast<size_t>(pi)];
        const int64_t step = pos - (P - 1);
        ++r.by_margin.steps[bin];
        if (top == ftok) ++r.agree, ++r.by_margin.agree[bin];
        else if (!r.diverged) r.diverged = true, r.first_divergence = step;
        const double c = cosine(lfd, lv);
        r.mean_cosine += c;
        r.min_cosine = std::min(r.min_cosine, c);
        r.mean_kl += kl_divergence(lfd, lv);
      }
      tok = pos + 1 < P ? prompt[static_cast<size_t>(pos + 1)] : ftok;
    }
    for (auto& v : per) {
      PromptFidelity& r = v[static_cast<size_t>(pi)];
      if (!r.diverged) r.first_divergence = steps;
      r.mean_cosine /= static_cast<double>(steps);
      r.mean_kl /= static_cast<double>(steps);
    }
  });

  const auto n = static_cast<double>(prompts.size());
  for (size_t vi = 0; vi < variants.size(); ++vi) {
    FidelitySummary sm;
    sm.variant = variants[vi];
    sm.prompts = std::move(per[vi]);
    sm.steps = steps;
    std::vector<double> d, t;
    int64_t agree = 0;
    for (const auto& r : sm.prompts) {
      d.push_back(static_cast<double>(r.first_divergence));
      t.push_back(static_cast<double>(r.agree) / static_cast<double>(steps));
      sm.never_diverged += !r.diverged;
      agree += r.agree;
      sm.mean_cosine += r.mean_cosine / n;
      sm.min_cosine = std::min(sm.min_cosine, r.min_cosine);
      sm.mean_kl += r.mean_kl / n;
      for (size_t k = 0; k < kMarginBins; ++k) {
        sm.by_margin.steps[k] += r.by_margin.steps[k];
        sm.by_margin.agree[k] += r.by_margin.agree[k];
      }
    }
    for (double x : d) sm.mean_divergence += x / n;
    sm.divergence_stderr = standard_error(d, sm.mean_divergence);
    std::sort(d.begin(), d.end());
    const size_t m = d.size() / 2;
    sm.median_divergence = d.size() % 2 ? d[m] : 0.5 * (d[m - 1] + d[m]);
    sm.top1 = static_cast<double>(agree) / (n * static_cast<double>(steps));
    sm.top1_stderr = standard_error(t, sm.top1);
    run.variants.push_back(std::move(sm));
  }
  return run;
}

}  // namespace hardwire::gen
