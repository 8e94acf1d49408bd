// hardwire/gen/verilog.hpp — a small Verilog AST for what the generator emits: packages of typed constants and
// structural wrapper modules (ports, nets, instances with parameter overrides). There are no free-form logic
// strings: expressions are identifiers, sized or unsized integer literals, string literals, and bit selects.
// Logic lives in the hand-written templates (rtl_templates/); the generator only configures and connects them.
// Emission is deterministic: the same AST always renders to the same text.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace hardwire::gen::vlog {

// An expression: an identifier, an integer literal (optionally sized), a string literal, or a constant part
// select of an identifier.
class Expr {
 public:
  static Expr id(std::string name);
  static Expr num(int64_t value);                    // 42, -3
  static Expr sized(int width, uint64_t value);      // 8'd42 (unsigned)
  static Expr str(std::string text);                 // "mem/weights.hex"
  static Expr slice(std::string name, int msb, int lsb);
  std::string render() const;

 private:
  enum class Kind { kId, kNum, kSized, kStr, kSlice } kind_ = Kind::kNum;
  std::string text_;
  int64_t value_ = 0;
  int width_ = 0, msb_ = 0, lsb_ = 0;
};

struct LocalParam {
  std::string type;   // "int unsigned", "int", or "" (untyped: file names; Verilator 5.006 blanks a `string`
                      // localparam passed on to an untyped module parameter, so images are untyped literals)
  std::string name;
  Expr value;
  std::string comment;
};

// typedef enum logic [width-1:0] { Name = width'dValue, ... } name;
struct EnumMember {
  std::string name;
  uint64_t value = 0;
  std::string comment;
};
struct Enum {
  std::string name;
  int width = 1;
  std::string width_param;  // a localparam holding `width`: the range is written [width_param-1:0]
  std::vector<EnumMember> members;
  std::string comment;
};
// typedef struct packed { ... } name; a member is `type name` (type: an earlier typedef), or
// `logic [width_param-1:0] name` (width_param: a localparam of the package), or `logic [width-1:0] name`.
struct StructMember {
  std::string name;
  std::string type;
  std::string width_param;
  int width = 1;
  std::string comment;
};
struct Struct {
  std::string name;
  std::vector<StructMember> members;
  std::string comment;
};

// Emitted in order: localparams, enums, structs.
struct Package {
  std::string name;
  std::string comment;
  std::vector<LocalParam> params;
  std::vector<Enum> enums;
  std::vector<Struct> structs;
};

enum class Dir { kInput, kOutput };

struct Port {
  Dir dir;
  std::string name;
  int width = 1;       // bits; ports are `logic [width-1:0]` (or plain `logic` for 1)
  bool is_signed = false;
  std::string comment;
};

struct Net {
  std::string name;
  int width = 1;
  std::string comment;
};

struct Connection {
  std::string port;
  Expr expr;
};

struct Instance {
  std::string module;
  std::string name;
  std::vector<Connection> params;
  std::vector<Connection> ports;
};

struct Module {
  std::string name;
  std::string comment;
  std::vector<Port> ports;
  std::vector<Net> nets;
  std::vector<Instance> instances;
};

// Validates names (SystemVerilog identifiers, not keywords) and connections (every instance port named once).
// Returns an empty string when valid, else the first problem; the emitters HW_CHECK it.
std::string check(const Module& m);
std::string check(const Package& p);

std::string emit(const Package& p);
std::string emit(const Module& m);

}  // namespace hardwire::gen::vlog
