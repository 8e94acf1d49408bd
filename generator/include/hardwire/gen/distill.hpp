// hardwire/gen/distill.hpp — quantization-aware fine-tuning by distillation (numerics §2, "Fine-tuning").
//
// Post-training rounding chooses each matrix's codes from that matrix alone. Distillation chooses them for the
// whole model: a student decoder whose weights are fake-quantized (latent float weights, each rounded to its code at
// its element scale on the way forward, the rounding passed through unchanged on the way back: the straight-through
// estimator; the scales learned as in LSQ) is trained with Adam to match the float model's next-token distributions,
// KL(p_float || p_student) at every position, on sequences the float model itself writes (a prompt sampled at
// temperature 1, then its greedy continuation: as the chip decodes and fidelity evaluates); a weight whose code keeps
// flipping between two values is frozen at one of them (CodeTrack). The student has the chip's
// structure: rmsnorm gains folded into the matrices that follow, the embedding the chip's int8 table, activations in
// float (the weights' loss; numerics §13 quantizes the activations afterwards). The result is codes and scales in the
// same weight format: no hardware change. Deterministic, and independent of the thread count (each sequence's
// gradient has its own slot, summed in a fixed order).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hardwire/golden/float_model.hpp"
#include "hardwire/golden/qmodel.hpp"
#include "hardwire/status.hpp"

namespace hardwire::gen {

// A fake-quantized matrix in a weight format of numerics §2: forward weight = clamp(round(latent / e), lo, hi) * e
// (lo, hi: code_lo, code_hi) with the element scale e = row_scale[r] * gs[r, c / group], gs = clamp(round(unit), 1, 255) the
// group's integer scale (1 without groups). The latent weights, the rows' scales and the group scales (as floats,
// rounded on the way forward) are trained. max_code == 0 means no quantization (forward weight = latent): the float
// teacher, and gradient checks.
struct FakeQuantMatrix {
  golden::MatF latent;        // [out x in]
  Eigen::VectorXf row_scale;  // [out]
  golden::MatF unit;          // [out x groups]; [out x 1] of 1 without groups
  golden::MatU8 zero_point;   // with zero points [out x groups] (fixed): codes in [-z, max_code - z]; else empty
  int64_t group = 0;          // inputs per group scale; 0: none
  int64_t max_code = 0;       // golden::max_weight_code of the format

  float element_scale(Eigen::Index r, Eigen::Index c) const;
  // The element's range of codes: [-max_code, max_code], or [-z, max_code - z] with zero points.
  float code_lo(Eigen::Index r, Eigen::Index c) const;
  float code_hi(Eigen::Index r, Eigen::Index c) const;
  golden::MatF forward() const;
  // The codes of the forward weights and the integer group scales (require max_code > 0).
  golden::MatI8 codes() const;
  golden::MatU8 group_scales() const;
};

// The decoder being trained: gains folded (every rmsnorm normalizes only), a fixed embedding table.
struct StudentLayer {
  FakeQuantMatrix wq, wk, wv, wo, w1, w3, w2;
};
struct Student {
  golden::Shape shape;
  float rms_eps = golden::kRmsEps;
  golden::RopeParams rope;
  golden::MatF embedding;  // [vocab x dim], not trained
  std::vector<StudentLayer> layers;
  FakeQuantMatrix cls;     // [vocab x dim]

  // Every trained matrix, in a fixed order: per layer wq wk wv wo w1 w3 w2, then cls.
  std::vector<FakeQuantMatrix*> matrices();
  std::vector<const FakeQuantMatrix*> matrices() const;
};

// `model` with its gains folded and nothing quantized (max_code 0): the teacher in student form.
Student student_of(const golden::FloatModel& model);

// The distillation loss of one sequence: mean over its positions t of KL(target_t || softmax(student logits_t)),
// targets given as probabilities [tokens x vocab]. When `grad` is given it receives d loss / d forward weight of
// every matrix (same order and shapes as matrices()), added to what it holds; distill() turns that into the latent
// weights' gradient (straight through the rounding; zero where a clamped latent would move further out) and the
// scales' (LSQ).
double distill_loss(const Student& student, const std::vector<int64_t>& tokens, const golden::MatF& target,
                    std::vector<golden::MatF>* grad = nullptr);

// The float model's logits over a sequence, all positions at once [tokens x vocab] (the batched decoder the
// fine-tune uses; equal to FloatDecoder step by step up to float rounding).
golden::MatF sequence_logits(const Student& model, const std::vector<int64_t>& tokens);
// Their softmax, row by row: the targets the fine-tune trains against.
golden::MatF sequence_probs(const Student& model, const std::vector<int64_t>& tokens);

inline constexpr int64_t kMaxDistillSteps = 1000000;

// One weight's code over the fine-tune, to stop it oscillating (Nagel et al., "Overcoming Oscillations in
// Quantization-Aware Training", 2022; numerics §2). A latent weight near the midpoint between two codes flips
// between them step after step under the straight-through estimator, and its final code is whichever side the last
// step left it on. Each step observe() is given the weight's code after its update: a change of code in the direction
// opposite to its previous change is an oscillation; `freq` is the exponential moving average of oscillations per
// step and `mean` that of the code (rate `momentum`). Once freq exceeds `threshold` the weight is frozen for the rest
// of the fine-tune, at round(mean) limited to the two codes it was flipping between (the mean lags a weight that
// travelled several codes before it began to oscillate).
struct CodeTrack {
  float code = 0;      // the code after the last step
  float before = 0;    // the code before its last change
  float freq = 0;      // moving average of oscillations per step
  float mean = 0;      // moving average of the code
  int8_t dir = 0;      // direction of the last change of code: -1, +1, or 0 before the first
  bool frozen = false;

  explicit CodeTrack(float start = 0) : code(start), before(start), mean(start) {}
  // Records the code `q` after a step; returns true (and sets frozen) when the weight freezes now.
  bool observe(float q, double momentum, double threshold);
  // The code a frozen weight keeps: round(mean) (half away from zero) clamped to [min, max] of before and code.
  float frozen_code() const;
};

struct DistillConfig {
  int64_t steps = 0;         // Adam steps; 0: no fine-tuning
  int64_t batch = 8;         // sequences per step
  int64_t pool = 128;        // distinct training sequences (reused cyclically)
  int64_t tokens = 224;      // per sequence, at most seq_len
  int64_t prompt = 24;       // tokens (BOS and those sampled at temperature 1) before the greedy continuation
  double lr = 0.02;          // Adam step of a latent weight in units of its element scale; cosine decay to 0
  double scale_lr = 0.002;   // the rows' and groups' scales: Adam step relative to the scale itself (same decay)
  uint64_t seed = 0xD157;    // the training sequences' stream (independent of calibration and evaluation)
  double freeze_above = 0.02;     // freeze a weight once its oscillations per step (moving average) exceed this; 0: never
  double freeze_momentum = 0.01;  // the moving averages' rate (CodeTrack)
  int threads = 1;
};

struct DistillReport {
  double first_loss = 0, last_loss = 0;  // mean KL over every training sequence, before and after
  int64_t steps = 0, sequences = 0, tokens_per_sequence = 0;
  int64_t changed_codes = 0, total_codes = 0;
  int64_t frozen_codes = 0;  // weights frozen for oscillating (CodeTrack)
};

// Trains `student`'s latent weights against `teacher` (numerics §2). Errors name the problem when the shapes do
// not match or the configuration is out of range.
Result<DistillReport> distill(const golden::FloatModel& teacher, Student& student, const DistillConfig& config);

}  // namespace hardwire::gen
