// hardwire/golden/compare.hpp — what quantization costs: the integer golden against the float reference.
#pragma once

#include <cstdint>
#include <vector>

#include "hardwire/golden/float_model.hpp"
#include "hardwire/golden/qmodel.hpp"

namespace hardwire::golden {

struct CompareResult {
  std::vector<int64_t> prompt;        // forced tokens (starts with BOS)
  std::vector<int64_t> float_tokens;  // greedy continuation of the float reference (free-running)
  std::vector<int64_t> int_tokens;    // greedy continuation of the integer golden (free-running)
  int64_t first_divergence = -1;      // first step where the two continuations differ; -1 if none
  // Teacher-forced on the float reference's sequence: per generated step, whether both argmaxes agree and the
  // cosine similarity of the two logit vectors.
  std::vector<bool> top1_agree;
  std::vector<double> cosine;
  double top1_agreement() const;
  double min_cosine() const;
  double mean_cosine() const;
};

// Runs both models on `prompt` (forced) and then `steps` greedy steps. Requires prompt.size() >= 1 and
// prompt.size() + steps - 1 <= seq_len (checked).
CompareResult compare_decode(const FloatModel& fm, const QModel& qm, const std::vector<int64_t>& prompt,
                             int64_t steps);

double cosine_similarity(const VecF& a, const VecI& b);

// splitmix64: advances `state` by the golden-ratio increment and returns its mix (fully specified, so every seeded
// stream of the project is the same on every machine).
uint64_t splitmix64(uint64_t& state);
// Index of the largest float logit; the lowest index wins ties (as golden::argmax for integers).
int64_t argmax_float(const VecF& logits);
// A token drawn from softmax(logits / temperature), temperature > 0, by inverse CDF over the ids in order with one
// uniform u = (splitmix64(rng) >> 11) * 2^-53 in [0, 1); computed in double.
int64_t sample_token(const VecF& logits, double temperature, uint64_t& rng);

}  // namespace hardwire::golden
