// hardwire/gen/design.hpp — `hardwire generate`: a model's integer form (QModel) and an array size in; an output
// directory of configured RTL, memory images and manifest.json out.
//
// Output (all paths relative to the output directory; simulate and synthesize from there), all of it read from the
// chip plan (chip_plan.hpp):
//   manifest.json          every parameter and block configuration, the memory map, the file list with hashes
//   files.f                the RTL file list (packages first, top hwc_top last)
//   program.lst            the microcode listing: instruction layout, every instruction's encoding and fields
//   rtl/hw_*.sv            the hand-written templates (rtl_templates/), verbatim below a banner
//   rtl/hardwire_cfg_pkg.sv  generated: the model's and the hardware's constants, the weight memory map
//   rtl/hw_isa_pkg.sv      generated from isa.def: op_e, instr_t with this program's field widths
//   rtl/hwc_top.sv         generated: hw_core configured for this model
//   mem/*.hex              weights in the order the array consumes them (one image per SRAM bank,
//                          mem/weights_bank<b>.hex, or mem/weights.hex for a single bank), embedding rows,
//                          requantization parameters, norm constants, the program, and the exp2 / SiLU / RoPE tables
// Every file starts with a banner naming the command that regenerates it (with the output directory as DIR). The
// same inputs give byte-identical files wherever they are written. Files are written into a temporary directory
// that is renamed into place: a failed run leaves nothing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hardwire/gen/chip_plan.hpp"
#include "hardwire/gen/model_source.hpp"
#include "hardwire/golden/qmodel.hpp"
#include "hardwire/status.hpp"

namespace hardwire::gen {

struct GenerateOptions {
  ArrayShape array;
  int64_t sram_bank_depth = 4096;  // words per weight SRAM macro (power of two); 0: one macro per weight bank
  int64_t weight_port = 0;         // bytes of weights read per cycle (check_weight_port); 0: R x C
  int64_t kv_port = 0;             // bytes of the KV cache read per cycle (check_kv_port); 0: the whole KV row
  golden::WeightFormat weights{};  // the weight format (numerics §2): the integer model's must be this one
  std::string out_dir;
  std::string regenerate_command;  // without --out: banners and the manifest add " --out DIR", so the files do not
                                   // depend on where they are written
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

// Plans the chip (plan_chip with options.array, sram_bank_depth, weight_port, kv_port and the model's weight
// format, which must be options.weights) and writes it.
Result<GenerateSummary> generate_design(const ModelSource& src, const golden::QModel& model,
                                        const GenerateOptions& options);
// Writes the design of `plan` (planned from `model` with the same options).
Result<GenerateSummary> generate_design(const ModelSource& src, const golden::QModel& model, const ChipPlan& plan,
                                        const GenerateOptions& options);

// A shape-only design of `plan` (plan_chip from the shape and widths): everything above but the images that depend
// on weights (weights, embedding, requantization parameters, SiLU tables, norm constants; the manifest's
// "shape_only" is true and lists no such file). The RTL, the package, the program and the exp2 and RoPE tables are
// those of the full design, so it synthesizes to the same figures (every memory is a black box); it cannot be
// simulated. A model of any size: nothing of the weights' size is allocated.
Result<GenerateSummary> generate_shape_design(const ModelSource& src, const ChipPlan& plan,
                                              const GenerateOptions& options);

// `text` safe inside a one-line // comment: control characters escaped (\n, \xNN).
std::string comment_safe(const std::string& text);
// `word` as one shell word: unchanged if it is plain ([A-Za-z0-9_./=,:+@%-]), else single-quoted (control characters
// are then escaped by comment_safe where the command is written).
std::string shell_word(const std::string& word);

// FNV-1a 64 of `data`, as 16 hex digits (file hashes in the manifest).
std::string fnv1a64_hex(const std::string& data);

}  // namespace hardwire::gen
