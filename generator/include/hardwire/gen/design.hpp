// hardwire/gen/design.hpp — `hardwire generate`: a model's integer form (QModel) and an array size in; an output
// directory of configured RTL, memory images and manifest.json out.
//
// Output (all paths relative to the output directory; simulate and synthesize from there):
//   manifest.json          every parameter, the memory map, the file list with hashes, the regenerate command
//   files.f                the RTL file list (package first)
//   rtl/hw_*.sv            the hand-written templates (rtl_templates/), verbatim below a banner
//   rtl/hardwire_cfg_pkg.sv  generated: the model's and the hardware's constants, the weight memory map
//   rtl/hwc_*.sv           generated wrappers: the templates configured for this model
//   mem/*.hex              weights in the order the array consumes them (one image per SRAM bank,
//                          mem/weights_bank<b>.hex, or mem/weights.hex for a single bank), embedding rows,
//                          requantization parameters, and the exp2 / SiLU / RoPE tables
// Every file starts with a banner naming the command that regenerates it. The same inputs give byte-identical
// files. Files are written into a temporary directory that is renamed into place: a failed run leaves nothing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hardwire/gen/model_source.hpp"
#include "hardwire/golden/qmodel.hpp"
#include "hardwire/status.hpp"

namespace hardwire::gen {

struct ArrayShape {
  int64_t rows = 8;  // R: the reduction dimension fed per cycle
  int64_t cols = 8;  // C: output columns; also the weight SRAM word width in bytes
};
// "RxC", 1 <= R, C <= 256.
Result<ArrayShape> parse_array(const std::string& text);
// Words per SRAM bank: 0 (one bank) or a power of two from 16 to 2^24.
Status check_bank_depth(int64_t depth);

struct GenerateOptions {
  ArrayShape array;
  int64_t sram_bank_depth = 4096;  // words per weight SRAM bank (power of two); 0: one bank for all weights
  std::string out_dir;
  std::string regenerate_command;  // written into every banner and the manifest
  bool reuse_unchanged = false;    // leave out_dir as it is when its manifest has the same content hash
};

struct GenerateSummary {
  int64_t files = 0;
  int64_t bytes = 0;
  int64_t weight_words = 0;
  std::string content_hash;
  bool reused = false;  // reuse_unchanged and the directory already held this design
  std::vector<std::string> edited;  // reused, but these files differ from the manifest's hashes (edited in place)
  std::string damaged;  // the directory held this design damaged (a file missing or resized): regenerated
};

Result<GenerateSummary> generate_design(const ModelSource& src, const golden::QModel& model,
                                        const GenerateOptions& options);

// `text` safe inside a one-line // comment: control characters escaped (\n, \xNN).
std::string comment_safe(const std::string& text);
// `word` as one shell word: unchanged if it is plain ([A-Za-z0-9_./=,:+@%-]), else single-quoted (control characters
// are then escaped by comment_safe where the command is written).
std::string shell_word(const std::string& word);

// FNV-1a 64 of `data`, as 16 hex digits (file hashes in the manifest).
std::string fnv1a64_hex(const std::string& data);

}  // namespace hardwire::gen
