// hardwire/gen/fidelity.hpp — does the chip say what the model says? The integer model (and other variants)
// against the float reference over a set of prompts.
//
// For each prompt the float reference decodes `steps` greedy tokens; every variant is then run teacher-forced on
// the prompt and the float's tokens, step by step. Up to a variant's first disagreement its teacher-forced state
// equals its free-running state, so the first step where its argmax differs from the float's token *is* the
// free-running first divergence: one pass gives both. Per step: top-1 agreement, the cosine of the two logit
// vectors, and KL(p_float || p_variant) of their softmaxes (a variant's logits in float units: integer logits times
// the logit scale). Prompts run in parallel (`threads`); results do not depend on the thread count.
#pragma once

#include <algorithm>
#include <atomic>
#include <array>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "hardwire/golden/float_model.hpp"
#include "hardwire/golden/qmodel.hpp"
#include "hardwire/status.hpp"

namespace hardwire::gen {

// Runs job(i) for i = 0..n-1 on `threads` threads, each index exactly once (results go to per-index slots, so they
// do not depend on the thread count).
template <class Job>
void parallel_for(int64_t n, int threads, Job job) {
  const int t = static_cast<int>(std::clamp<int64_t>(threads, 1, std::max<int64_t>(n, 1)));
  std::atomic<int64_t> next{0};
  auto worker = [&] {
    for (int64_t i = next++; i < n; i = next++) job(i);
  };
  std::vector<std::thread> pool;
  for (int k = 1; k < t; ++k) pool.emplace_back(worker);
  worker();
  for (auto& th : pool) th.join();
}

// `count` prompts of `length` tokens each: BOS, then length - 1 tokens sampled from the float model at
// temperature 1; prompt i draws from its own stream (seed and i through splitmix64), so any prompt replays alone.
std::vector<std::vector<int64_t>> sample_prompts(const golden::FloatModel& model, int64_t count, int64_t length,
                                                 uint64_t seed, int threads);

// One model compared with the reference: an integer model (the chip), or a float model (e.g. int8 weights with
// float activations).
struct FidelityVariant {
  std::string name;  // short, for tables: "chip", "weights only", "xn=16", ...
  std::string what;  // one line: what differs from the chip
  const golden::QModel* integer = nullptr;
  const golden::FloatModel* floating = nullptr;
};

// Teacher-forced steps binned by the float model's margin, its top-1 probability minus its runner-up's: bin k holds
// margins in [kMarginEdges[k], kMarginEdges[k + 1]) (the last bin includes 1). Where the float model itself nearly
// ties, a variant's argmax is close to a coin toss whatever its precision; the bins show how much of a variant's
// top-1 loss is there and how much where the float model is sure.
inline constexpr std::array<double, 7> kMarginEdges = {0.0, 0.01, 0.02, 0.05, 0.1, 0.2, 1.0};
inline constexpr size_t kMarginBins = kMarginEdges.size() - 1;
// The bin of a margin in [0, 1].
size_t margin_bin(double margin);
struct MarginCounts {
  std::array<int64_t, kMarginBins> steps{}, agree{};
};

struct PromptFidelity {
  int64_t first_divergence = 0;  // first step whose greedy token differs; == steps when none did
  bool diverged = false;
  int64_t agree = 0;             // teacher-forced steps whose argmax equals the float's token
  double mean_cosine = 0, min_cosine = 1, mean_kl = 0;
  MarginCounts by_margin;        // the steps and agreements again, by the float model's margin
};

struct FidelitySummary {
  FidelityVariant variant;
  std::vector<PromptFidelity> prompts;
  int64_t steps = 0;
  double mean_divergence = 0, divergence_stderr = 0, median_divergence = 0;
  int64_t never_diverged = 0;     // prompts identical for all steps (their divergence counts as `steps`)
  double top1 = 0;                // teacher-forced top-1 agreement over all steps of all prompts
  double top1_stderr = 0;         // its standard error over the prompts (each prompt has `steps` steps: top1 is
                                  // the mean of the prompts' top-1, and their spread says how sure that mean is)
  double mean_cosine = 0, min_cosine = 1, mean_kl = 0;
  MarginCounts by_margin;         // summed over the prompts
};

struct FidelityRun {
  std::vector<std::vector<int64_t>> prompts;
  std::vector<std::vector<int64_t>> float_tokens;  // the reference's greedy continuation of each prompt
  std::vector<FidelitySummary> variants;
};

// Requires every prompt non-empty, starting within the vocabulary, prompt + steps - 1 <= seq_len, and variants of
// the reference's shape (checked: errors name the problem).
Result<FidelityRun> evaluate_fidelity(const golden::FloatModel& reference, const std::vector<FidelityVariant>& variants,
                                      const std::vector<std::vector<int64_t>>& prompts, int64_t steps, int threads);

}  // namespace hardwire::gen
