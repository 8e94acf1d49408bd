// hardwire/golden/float_model.hpp — a Llama-style decoder in float32, as read from a checkpoint or synthesized.
#pragma once

#include <Eigen/Core>
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

struct FloatModel {
  Shape shape;
  std::string name;             // preset name, file name, ...
  bool shared_classifier = true;
  MatF token_embedding;         // [vocab x dim]
  std::vector<FloatLayer> layers;
  VecF rms_final;               // [dim]
  MatF wcls;                    // [vocab x dim]; empty when shared_classifier (token_embedding is used)

  const MatF& classifier() const { return shared_classifier ? token_embedding : wcls; }
};

// RMSNorm epsilon and RoPE base used by the architecture (llama2.c values).
inline constexpr float kRmsEps = 1e-5f;
inline constexpr double kRopeTheta = 10000.0;
inline constexpr int kBosToken = 1;

}  // namespace hardwire::golden
