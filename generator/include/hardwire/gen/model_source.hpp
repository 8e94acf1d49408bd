// hardwire/gen/model_source.hpp — where a model comes from: a built-in preset, a JSON shape file (synthetic
// weights), a llama2.c checkpoint, or a Hugging Face model directory (config.json + safetensors).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hardwire/golden/float_model.hpp"
#include "hardwire/golden/qmodel.hpp"
#include "hardwire/status.hpp"

namespace hardwire::gen {

struct ModelSource {
  enum class Kind { kPreset, kJsonShape, kCheckpoint, kHuggingFace };
  Kind kind = Kind::kPreset;
  std::string name;            // preset name, or the file name
  std::string path;            // file path (JSON or checkpoint) or Hugging Face directory
  golden::Shape shape;
  bool shared_classifier = true;
  uint64_t seed = 1;           // synthetic weights (presets and JSON shapes)
  std::optional<golden::Widths> widths;  // activation widths given by a JSON shape file
  float rms_eps = golden::kRmsEps;       // the model's RMSNorm epsilon and RoPE (Hugging Face configs set them)
  golden::RopeParams rope;
  int64_t bos = golden::kBosToken;       // the token a sequence starts with (Hugging Face: bos_token_id)

  std::string describe() const;  // "tiny (preset, synthetic weights, seed 1)"
};

struct Preset {
  const char* name;
  golden::Shape shape;
  const char* note;
};
const std::vector<Preset>& presets();
inline constexpr const char* kDefaultModel = "tiny";

// Resolves `spec`: a preset name, a path to a .json shape file, a path to a llama2.c checkpoint or a Hugging Face
// model directory. Reads only what is needed to know the shape (checkpoints: the header, checked against the file
// size; Hugging Face: config.json and the safetensors headers). seq_len > 0 chips that many positions instead of
// the model's own (at most those).
Result<ModelSource> resolve_model(const std::string& spec, int64_t seq_len = 0);
// `--steps steps` decoded from position 0 fit the chip's seq_len positions: "--steps 65 needs 65 positions but the
// model's seq_len is 64; use at most --steps 64" otherwise (report, sweep).
Status check_steps_fit(int64_t steps, int64_t seq_len);
// Parses a JSON shape file's text (`path` names it in errors; the default model name is its file name).
Result<ModelSource> parse_json_shape(const std::string& text, const std::string& path);
// Materializes the float weights: reads the checkpoint or synthesizes seeded weights.
Result<golden::FloatModel> load_float_model(const ModelSource& src);

// Seeded synthetic weights, deterministic across runs and machines of the same kind: matrices N(0, 1/fan_in)
// (std 1/sqrt(fan_in)), embedding N(0, 0.1^2), norm weights 1 + N(0, 0.1^2).
golden::FloatModel synthesize(const golden::Shape& shape, bool shared_classifier, uint64_t seed, std::string name);

// Parses "res=16,k=8" into widths (starting from `base`). Each value must be 8 or 16.
Result<golden::Widths> parse_widths(const std::string& text, golden::Widths base);
std::string widths_to_string(const golden::Widths& w);
Status validate_widths(const golden::Widths& w);

}  // namespace hardwire::gen
