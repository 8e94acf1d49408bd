// hardwire/gen/quantizer.hpp — float model -> integer model (golden::QModel). Floats never leave this module.
//
// Weights: int8, symmetric, per output channel (rmsnorm gamma folded into the following matrix first), rounded to
// nearest or with error compensation (GPTQ: each column's rounding error folded into the columns not yet quantized,
// weighted by the calibration inputs' second moments). Activations: per-tensor scales from a calibration over float
// decodes of the model (a greedy decode from BOS and sequences sampled at temperature 1), clipped where the
// quantization error (rounding plus clipping, mean squared) is least, or at max |x|. Every scale becomes integer
// parameters (Requant multiplier/shift, NormParams, SiLU table, RoPE tables). Optionally the rounded codes and
// scales are then fine-tuned by distillation from the float model (distill.hpp). docs/numerics.md §2 and §13 give
// the derivations to the bit.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hardwire/gen/distill.hpp"
#include "hardwire/golden/float_model.hpp"
#include "hardwire/golden/qmodel.hpp"
#include "hardwire/status.hpp"

namespace hardwire::gen {

// How an activation site's scale is chosen from its calibration values.
enum class Clip {
  kMaxAbs,  // s = max|x| / (2^(b-1) - 1): nothing saturates on the calibration set
  kMse,     // the clip c <= max|x| minimizing the mean squared error of quantize-dequantize on the calibration set
};
// How weights are rounded to int8.
enum class Rounding {
  kNearest,  // round half away from zero, each weight alone
  kGptq,     // error-compensating (numerics §2): same format, smaller output error
};
const char* to_string(Clip c);
const char* to_string(Rounding r);
Result<Clip> parse_clip(const std::string& text);
Result<Rounding> parse_rounding(const std::string& text);

struct QuantConfig {
  golden::Widths widths;
  golden::WeightFormat weights;    // bits 4, 6 or 8; group 0 (none) or 8..2^20 inputs per group scale; zero points
  Clip clip = Clip::kMse;
  Rounding rounding = Rounding::kGptq;
  int64_t calib_steps = 128;       // tokens per calibration sequence at most (see calibration_steps)
  int64_t calib_sequences = 8;     // the greedy decode from BOS, then sequences sampled at temperature 1
  int64_t calib_macs = int64_t{1} << 32;  // budget of float multiply-accumulates over all sequences
  uint64_t calib_seed = 0x5EED;    // seed of the sampled calibration sequences
  DistillConfig finetune;          // steps 0 (the default): no fine-tuning (numerics §2)
  DistillReport* finetune_report = nullptr;  // receives what the fine-tune did, when given
};

// What calibration recorded on the float model: per activation site its max |x| and a fixed-size uniform sample of
// its values, per matrix input the input vectors themselves (GPTQ's second moments). Depends on the float model,
// calib_steps, calib_sequences, calib_macs and calib_seed only (not on widths, clip or rounding), so one calibration serves
// every variant of a model.
struct CalibrationData {
  struct Site {
    double max_abs = 0;
    uint64_t seen = 0;
    std::vector<float> sample;  // reservoir of at most kSampleCap values
  };
  static constexpr size_t kSampleCap = 1 << 15;
  std::map<std::string, Site> sites;
  std::map<std::string, std::vector<golden::VecF>> inputs;  // "L0.attn.norm", ... -> one vector per token
  int64_t tokens = 0;
};

// Real multiplier -> Requant (TFLite's QuantizeMultiplier, expressed as a total right shift).
// Errors when the multiplier is not positive and finite or is >= 2^30.
Result<golden::Requant> requant_from_real(double real);
// Real gain C (y = x / r * C) -> NormParams gain/shift (eps set by the caller).
Result<golden::NormParams> norm_from_real(double gain);

// Tokens per calibration sequence (numerics §13): calib_steps, fewer where calib_sequences of them would exceed
// calib_macs of matrix work, but at least 16, and never past seq_len.
int64_t calibration_steps(const golden::Shape& shape, const QuantConfig& config);
// Runs the float model over the calibration sequences (numerics §13).
CalibrationData calibrate(const golden::FloatModel& model, const QuantConfig& config);
// The scale of an activation site of `bits` from its calibration record (numerics §13).
double site_scale(const CalibrationData::Site& site, int bits, Clip clip);

// Quantizes `model` with a calibration made by calibrate() from the same model and config. When `weights_only` is
// given, it receives the float model whose weights are the integer weights times their scales (gamma folded, norms
// 1, classifier unshared): what the weight format alone costs, with float activations.
Result<golden::QModel> quantize(const golden::FloatModel& model, const CalibrationData& calibration,
                                const QuantConfig& config, golden::FloatModel* weights_only = nullptr);
// calibrate() then quantize().
Result<golden::QModel> quantize(const golden::FloatModel& model, const QuantConfig& config);

// Checks a weight format: "--weight-bits 5 is not supported; ..." style errors.
Status validate_weight_format(const golden::WeightFormat& f);

// Error-compensating rounding of `w` (rows = outputs, columns = inputs) to codes in [-max_code, max_code] at the
// given per-element scales (the row's scale times its group's), for inputs with second-moment matrix `h` (inputs x
// inputs, symmetric positive semi-definite; dampened here).
golden::MatI8 gptq_round(const golden::MatF& w, const Eigen::MatrixXd& scale, int64_t max_code, const Eigen::MatrixXd& h);
// The same with each element's codes in [lo, hi] (per element: the zero-point format's windows).
golden::MatI8 gptq_round(const golden::MatF& w, const Eigen::MatrixXd& scale, const Eigen::MatrixXd& lo,
                         const Eigen::MatrixXd& hi, const Eigen::MatrixXd& h);

// The least-squares scale of one row given its codes (numerics §2, after GPTQ): with q~ the codes times their group
// scales (`unit`: the element's scale divided by the row's) and `w` the row, s = q~'Hw / q~'Hq~, the scale of least
// output error ||X (w - s q~)||^2 over the inputs of second moments `h`; `fallback` where that is not positive and
// finite (no signal, or codes against the row).
double refit_row_scale(const Eigen::VectorXd& w, const Eigen::VectorXd& unit, const Eigen::MatrixXd& h, double fallback);

// RoPE tables in Q1.14 (numerics §7): cos/sin of pos * rope.inv_freq(head_size)[j], [seq_len x head_size/2].
void rope_tables(int64_t seq_len, int64_t head_size, const golden::RopeParams& rope, golden::MatI16& cos,
                 golden::MatI16& sin);

}  // namespace hardwire::gen
