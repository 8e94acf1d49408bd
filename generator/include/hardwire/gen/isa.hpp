// hardwire/gen/isa.hpp — hw_core's instruction set in C++: typed instructions, the word layout of one design,
// encoder, decoder and validator, and the renderings that derive from isa.def (SystemVerilog package, listing,
// documentation table). isa.def is the only definition of op codes, fields and flags.
//
// Contract: for every Layout L and Instr i with validate(i, L) ok, decode(encode(i, L), L) == i. A Layout is the
// width of every field; layout_for(program) gives the narrowest that holds a program. The instruction word is
// L.word_bits() wide: the op code in the most significant bits, then the fields in isa.def order (hw_isa_pkg's
// instr_t, a packed struct, has the same bit positions).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hardwire/gen/verilog.hpp"
#include "hardwire/status.hpp"

namespace hardwire::gen::isa {

enum class Op : uint32_t {
#define HW_ISA_OP(Name, code, mnemonic, unit, fields, meaning) k##Name = code,
#include "hardwire/gen/isa.def"
};

enum class Field : int {
#define HW_ISA_FIELD(name, width, meaning) name,
#include "hardwire/gen/isa.def"
};

inline constexpr int kNumFields = 0
#define HW_ISA_FIELD(name, width, meaning) +1
#include "hardwire/gen/isa.def"
    ;

inline constexpr int kMaxFieldBits = 32;

// One instruction, every field by name (0 unless the op uses it).
struct Instr {
  Op op = Op::kEmbed;
#define HW_ISA_FIELD(name, width, meaning) uint32_t name = 0;
#include "hardwire/gen/isa.def"

  uint32_t get(Field f) const;
  void set(Field f, uint32_t value);
  bool operator==(const Instr&) const = default;
};

struct FieldInfo {
  Field field;
  const char* name;
  int fixed_width;  // 0: sized by the program; 1: a flag
  const char* meaning;
};
struct OpInfo {
  Op op;
  uint32_t code;
  const char* name;      // "CopyKv": op_e member Op<name>
  const char* mnemonic;  // "COPYKV"
  const char* unit;
  const char* meaning;
  std::array<bool, kNumFields> uses{};  // the fields it reads
};
const std::vector<FieldInfo>& fields();  // isa.def order
const std::vector<OpInfo>& ops();        // isa.def order
const OpInfo& info(Op op);
const FieldInfo& info(Field f);
std::optional<Op> op_from_code(uint32_t code);
const char* mnemonic(Op op);
int op_bits();  // bits of the op field: the largest code's

// Field widths of one design's instruction word.
struct Layout {
  std::array<int, kNumFields> width{};
  int word_bits() const;   // op_bits() + every field
  int offset(Field f) const;  // least significant bit of f
  int op_offset() const;
  bool operator==(const Layout&) const = default;
};
// The narrowest layout holding every instruction of `program` (fixed widths as isa.def says; others >= 1 bit).
Result<Layout> layout_for(const std::vector<Instr>& program);
// The widest layout (every sized field 32 bits): any valid instruction fits.
Layout widest_layout();

// An instruction word, 32 bits per limb, limb 0 least significant.
using Word = std::vector<uint32_t>;

// Unused fields are 0, every field fits its width, the op is known. The message names the op and the field.
Status validate(const Instr& instr, const Layout& layout);
Result<Word> encode(const Instr& instr, const Layout& layout);
// Fails on an unknown op code or a word of the wrong size.
Result<Instr> decode(const Word& word, const Layout& layout);

// ceil(word_bits / 4) hex digits, most significant first (one $readmemh line).
std::string word_hex(const Word& word, int bits);
// "MATVEC a_base=32 a_stride_inner=1 n_inner=32 ..." : the op and every field it uses, in isa.def order.
std::string format(const Instr& instr);

// hw_core's activity events (events.def order): the bit of dbg_ev_o each raises.
enum class Event : int {
#define HW_EVENT(Name, snake_name, meaning) k##Name,
#include "hardwire/gen/events.def"
};
inline constexpr int kNumEvents = 0
#define HW_EVENT(Name, snake_name, meaning) +1
#include "hardwire/gen/events.def"
    ;
struct EventInfo {
  Event event;
  const char* name;  // "kv_read"
  const char* meaning;
};
const std::vector<EventInfo>& events();  // events.def order: index i is dbg_ev_o[i]

// hw_isa_pkg for this layout: field widths (<Field>W), op_e, instr_t, InstrW; and the event bits (enum ev_e: Ev<Name>,
// EvCount).
vlog::Package sv_package(const Layout& layout);
// The microcode table of docs/architecture.md: ops with code, unit, fields and meaning; then the fields.
std::string markdown();

}  // namespace hardwire::gen::isa
