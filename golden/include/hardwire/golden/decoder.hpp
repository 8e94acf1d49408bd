// hardwire/golden/decoder.hpp — one decode step: (token, position, KV cache) -> logits.
//
// IntDecoder is the bit-accurate golden model of the chip (docs/numerics.md); FloatDecoder is the float32
// reference of the same structure (llama2.c's forward), used to calibrate the quantizer and to measure what
// quantization costs. Both record every intermediate tensor under the names of trace.hpp when given a trace.
//
// Contract: step() must be called with positions 0, 1, 2, ... in order (the KV cache of position p is written by
// step(., p)); 0 <= token < vocab and 0 <= pos < seq_len are invariants the caller guarantees (checked).
#pragma once

#include <vector>

#include "hardwire/golden/float_model.hpp"
#include "hardwire/golden/qmodel.hpp"
#include "hardwire/golden/trace.hpp"

namespace hardwire::golden {

class IntDecoder {
 public:
  explicit IntDecoder(const QModel& model);
  // Returns the int32 logits (held in int64 elements).
  VecI step(int64_t token, int64_t pos, IntTrace* trace = nullptr);
  const QModel& model() const { return m_; }

 private:
  const QModel& m_;
  std::vector<MatI16> k_cache_;  // per layer [seq_len x kv_dim], width widths.k (<= 16 bits)
  std::vector<MatI16> v_cache_;  // per layer [seq_len x kv_dim], width widths.v
};

class FloatDecoder {
 public:
  explicit FloatDecoder(const FloatModel& model);
  VecF step(int64_t token, int64_t pos, FloatTrace* trace = nullptr);
  const FloatModel& model() const { return m_; }

 private:
  const FloatModel& m_;
  std::vector<double> inv_freq_;         // RoPE: m_.rope.inv_freq(head_size)
  std::vector<MatF> k_cache_, v_cache_;  // per layer [seq_len x kv_dim]
};

}  // namespace hardwire::golden
