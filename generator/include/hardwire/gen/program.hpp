// hardwire/gen/program.hpp — the microcode of one decode step: the schedule as data (rtl_templates/hw_core.sv
// executes it; isa.def defines the instruction set; docs/architecture.md, "Microcode", documents it).
//
// Contract: build_program() is deterministic and depends only on the chip plan (the model's shape, its widths and the
// memory map; never on weights), so the generator (which writes mem/program.hex and mem/program.lst) and the
// simulator front end (which names what each instruction wrote) always agree on it. A Program is the code
// (isa::Instr, exactly what the ROM holds) and, beside it, one Note per instruction: listing and debug metadata that
// is not part of the encoding.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hardwire/gen/isa.hpp"
#include "hardwire/golden/qmodel.hpp"
#include "hardwire/status.hpp"

namespace hardwire::gen {

struct ChipPlan;

// What the time of an instruction counts as (cycles per token are reported per phase).
enum class Phase { kEmbed, kNorm, kProjection, kAttention, kFfn, kResidual, kClassifier, kOutput };
inline constexpr int kNumPhases = 8;
const char* phase_name(Phase p);

// A length field of 0 means pos + 1.
inline constexpr uint32_t kPosPlusOne = 0;

// Listing and debug metadata of one instruction.
struct Note {
  std::string text;           // "L0 MATVEC wq -> q_proj"
  Phase phase = Phase::kEmbed;
  std::string tap;            // golden trace name of the results written ("": none, e.g. KV-cache copies)
  int64_t tap_offset = 0;     // first element within that tensor
  int64_t tap_count = -1;     // results of that tensor (-1: all n_out); a fused MATVEC's first matrix
  // A fused MATVEC: each matrix after the first (the next in the weight memory each), its tensor from result index
  // `at` (the rows before it padded to whole tiles and words), `count` results; a fused ROPE (q+k): k's tensor.
  struct Fused {
    std::string tap;
    int64_t at = 0, count = 0;
    int64_t matrix = -1;      // MATVEC: index into ChipPlan::matrices
  };
  std::vector<Fused> fused;
  std::string scores_tap;     // SCORES: golden trace name of the scores (every head's row, head-major)
  int64_t layer = -1;         // the layer it belongs to (-1: embedding, final norm, classifier, output)
  int64_t matrix = -1;        // MATVEC: index into ChipPlan::matrices
};

struct Program {
  std::vector<isa::Instr> code;
  std::vector<Note> notes;  // one per instruction
  isa::Layout layout;       // the narrowest instruction word that holds `code`
  size_t size() const { return code.size(); }
};

// Fails only where a field does not fit 32 bits (a model beyond the accelerator's address range).
Result<Program> build_program(const ChipPlan& plan);

// ROM image: one line per instruction, layout.word_bits() wide, hex, most significant digit first.
std::string program_hex_words(const Program& p);
// Readable listing (mem/program.lst): the layout, then per instruction its pc, encoding, fields and note.
std::string program_listing(const Program& p);
// Norm ROM image: {eps[39:0], 2'b0, shift[5:0], gain[23:0]} per word.
std::string norm_hex_words(const golden::QModel& m);

}  // namespace hardwire::gen
