// hardwire/gen/quantizer.hpp — float model -> integer model (golden::QModel). Floats never leave this module.
//
// Weights: int8, symmetric, per output channel (rmsnorm gamma folded into the following matrix first).
// Activations: per-tensor scales calibrated by max |x| on the float model over a deterministic token stream (a
// greedy decode from BOS, then a fixed pseudo-random token sequence). Every scale becomes integer parameters
// (Requant multiplier/shift, NormParams, SiLU table, RoPE tables). docs/numerics.md gives the derivations.
#pragma once

#include <cstdint>

#include "hardwire/golden/float_model.hpp"
#include "hardwire/golden/qmodel.hpp"
#include "hardwire/status.hpp"

namespace hardwire::gen {

struct QuantConfig {
  golden::Widths widths;
  int64_t calib_steps = 64;        // tokens per calibration sequence (capped at seq_len)
  uint64_t calib_seed = 0x5EED;    // seed of the pseudo-random calibration sequence
};

// Real multiplier -> Requant (TFLite's QuantizeMultiplier, expressed as a total right shift).
// Errors when the multiplier is not positive and finite or is >= 2^30.
Result<golden::Requant> requant_from_real(double real);
// Real gain C (y = x / r * C) -> NormParams gain/shift (eps set by the caller).
Result<golden::NormParams> norm_from_real(double gain);

Result<golden::QModel> quantize(const golden::FloatModel& model, const QuantConfig& config);

// RoPE tables in Q1.14 (numerics §7): cos/sin of pos * theta^(-2j/head_size), [seq_len x head_size/2].
void rope_tables(int64_t seq_len, int64_t head_size, golden::MatI16& cos, golden::MatI16& sin);

}  // namespace hardwire::gen
