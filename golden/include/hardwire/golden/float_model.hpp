// hardwire/golden/float_model.hpp — a Llama-style decoder in float32, as read from a checkpoint or synthesized.
#pragma once

#include <Eigen/Core>
#include <optional>
#include <string>
#include <vector>

#include "hardwire/golden/shape.hpp"

namespace hardwire::golden {

using MatF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;  // (out x in), row-major
using VecF = Eigen::VectorXf;

struct FloatLayer {
  VecF rms_att;         // [dim]
  MatF wq;              // [dim x dim]
  MatF wk;              // [kv_dim x dim]
  MatF wv;              // [kv_dim x dim]
  MatF wo;              // [dim x dim]
  VecF rms_ffn;         // [dim]
  MatF w1;              // [hidden x dim]  gate
  MatF w2;              // [dim x hidden]  down
  MatF w3;              // [hidden x dim]  up
};

// RMSNorm epsilon and RoPE base of llama2.c's models (the defaults; Hugging Face configs give their own).
inline constexpr float kRmsEps = 1e-5f;
inline constexpr double kRopeTheta = 10000.0;
inline constexpr int kBosToken = 1;

// Llama 3's RoPE frequency scaling (Hugging Face rope_scaling {"rope_type": "llama3", ...}): pairs of wavelength
// below original_max_position / high_freq_factor keep their frequency, those above original_max_position /
// low_freq_factor are divided by factor, those between are interpolated (docs/numerics.md §7).
struct Llama3RopeScaling {
  double factor = 8.0;
  double low_freq_factor = 1.0;
  double high_freq_factor = 4.0;
  double original_max_position = 8192.0;
  bool operator==(const Llama3RopeScaling&) const = default;
};

// How q and k rotate: pair j of a head (elements 2j, 2j+1) turns by pos * inv_freq(j).
struct RopeParams {
  double theta = kRopeTheta;
  std::optional<Llama3RopeScaling> llama3;

  // inv_freq(j) = theta^(-2j / head_size), scaled by llama3 where given; j = 0 .. head_size/2 - 1.
  std::vector<double> inv_freq(int64_t head_size) const;
  std::string to_string() const;  // "theta 10000" / "theta 500000, llama3 scaling (factor 8, ...)"
  bool operator==(const RopeParams&) const = default;
};

struct FloatModel {
  Shape shape;
  std::string name;             // preset name, file name, ...
  bool shared_classifier = true;
  MatF token_embedding;         // [vocab x dim]
  std::vector<FloatLayer> layers;
  VecF rms_final;               // [dim]
  MatF wcls;                    // [vocab x dim]; empty when shared_classifier (token_embedding is used)
  float rms_eps = kRmsEps;      // RMSNorm epsilon
  int64_t bos = kBosToken;      // the token a sequence starts with (Llama 2 and llama2.c: 1; Llama 3: 128000)
  RopeParams rope;              // RoPE frequencies

  const MatF& classifier() const { return shared_classifier ? token_embedding : wcls; }
};

}  // namespace hardwire::golden
