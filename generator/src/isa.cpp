#include "hardwire/gen/isa.hpp"

#include <sstream>

namespace hardwire::gen::isa {

namespace {

std::vector<FieldInfo> make_fields() {
  std::vector<FieldInfo> v;
#define HW_ISA_FIELD(name, width, meaning) v.push_back({Field::name, #name, width, meaning});
#include "hardwire/gen/isa.def"
  return v;
}

std::array<bool, kNumFields> parse_uses(const char* list, const char* mnemonic) {
  std::array<bool, kNumFields> uses{};
  std::istringstream in(list);
  std::string word;
  while (in >> word) {
    bool found = false;
    for (const auto& f : fields())
      if (word == f.name) {
        HW_CHECK(!uses[static_cast<size_t>(f.field)], "isa.def: an op lists a field twice");
        uses[static_cast<size_t>(f.field)] = true;
        found = true;
      }
    if (!found) {
      const std::string what = std::string("isa.def: op ") + mnemonic + " uses unknown field '" + word + "'";
      HW_CHECK(found, what.c_str());
    }
  }
  return uses;
}

std::vector<OpInfo> make_ops() {
  std::vector<OpInfo> v;
#define HW_ISA_OP(Name, code, mnemonic, unit, fields, meaning) \
  v.push_back({Op::k##Name, code, #Name, mnemonic, unit, meaning, parse_uses(fields, mnemonic)});
#include "hardwire/gen/isa.def"
  for (size_t i = 0; i < v.size(); ++i)
    for (size_t j = 0; j < i; ++j) HW_CHECK(v[i].code != v[j].code, "isa.def: two ops share a code");
  return v;
}

int bits_for(uint64_t v) {
  int b = 0;
  while (b < 64 && (v >> b) != 0) ++b;
  return b;
}

// Fixed widths are isa.def's; sized fields are at least 1 bit.
int min_width(const FieldInfo& f) { return f.fixed_width > 0 ? f.fixed_width : 1; }

// CamelCase of a snake_case field name, for the SystemVerilog width parameters: a_base -> ABase.
std::string camel(const std::string& snake) {
  std::string o;
  bool up = true;
  for (char c : snake) {
    if (c == '_') {
      up = true;
      continue;
    }
    o += up ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    up = false;
  }
  return o;
}

}  // namespace

const std::vector<FieldInfo>& fields() {
  static const std::vector<FieldInfo> v = make_fields();
  return v;
}

const std::vector<OpInfo>& ops() {
  static const std::vector<OpInfo> v = make_ops();
  return v;
}

const OpInfo& info(Op op) {
  for (const auto& o : ops())
    if (o.op == op) return o;
  HW_CHECK(false, "isa: an Op value that isa.def does not define");
  return ops().front();
}

const FieldInfo& info(Field f) { return fields()[static_cast<size_t>(f)]; }

std::optional<Op> op_from_code(uint32_t code) {
  for (const auto& o : ops())
    if (o.code == code) return o.op;
  return std::nullopt;
}

const char* mnemonic(Op op) { return info(op).mnemonic; }

int op_bits() {
  uint32_t hi = 0;
  for (const auto& o : ops()) hi = std::max(hi, o.code);
  return std::max(1, bits_for(hi));
}

uint32_t Instr::get(Field f) const {
  switch (f) {
#define HW_ISA_FIELD(name, width, meaning) \
  case Field::name: return name;
#include "hardwire/gen/isa.def"
  }
  return 0;
}

void Instr::set(Field f, uint32_t value) {
  switch (f) {
#define HW_ISA_FIELD(name, width, meaning) \
  case Field::name: name = value; return;
#include "hardwire/gen/isa.def"
  }
}

int Layout::word_bits() const {
  int b = op_bits();
  for (int w : width) b += w;
  return b;
}

int Layout::offset(Field f) const {
  int o = 0;
  for (int k = kNumFields - 1; k > static_cast<int>(f); --k) o += width[static_cast<size_t>(k)];
  return o;
}

int Layout::op_offset() const { return word_bits() - op_bits(); }

Layout widest_layout() {
  Layout l;
  for (const auto& f : fields()) l.width[static_cast<size_t>(f.field)] = f.fixed_width > 0 ? f.fixed_width : kMaxFieldBits;
  return l;
}

Result<Layout> layout_for(const std::vector<Instr>& program) {
  const Layout wide = widest_layout();
  Layout l;
  for (const auto& f : fields()) l.width[static_cast<size_t>(f.field)] = min_width(f);
  for (size_t pc = 0; pc < program.size(); ++pc) {
    if (auto st = validate(program[pc], wide); !st) return Error{"instruction " + std::to_string(pc) + ": " + st.message()};
    for (const auto& f : fields()) {
      auto& w = l.width[static_cast<size_t>(f.field)];
      if (f.fixed_width == 0) w = std::max(w, bits_for(program[pc].get(f.field)));
    }
  }
  return l;
}

Status validate(const Instr& instr, const Layout& layout) {
  if (!op_from_code(static_cast<uint32_t>(instr.op)))
    return Error{"op code " + std::to_string(static_cast<uint32_t>(instr.op)) + " is not in isa.def"};
  const OpInfo& o = info(instr.op);
  for (const auto& f : fields()) {
    const uint32_t v = instr.get(f.field);
    const int w = layout.width[static_cast<size_t>(f.field)];
    if (w < min_width(f) || w > kMaxFieldBits || (f.fixed_width > 0 && w != f.fixed_width))
      return Error{std::string("field ") + f.name + " cannot be " + std::to_string(w) + " bits wide"};
    if (!o.uses[static_cast<size_t>(f.field)] && v != 0)
      return Error{std::string(o.mnemonic) + " does not use field " + f.name + ", which must be 0 (is " +
                   std::to_string(v) + ")"};
    if (bits_for(v) > w)
      return Error{std::string(o.mnemonic) + " field " + f.name + " = " + std::to_string(v) + " does not fit its " +
                   std::to_string(w) + " bits"};
  }
  return Status::ok();
}

namespace {
void put_bits(Word& w, int at, int n, uint64_t v) {
  for (int b = 0; b < n; ++b)
    if ((v >> b) & 1u) w[static_cast<size_t>((at + b) / 32)] |= 1u << ((at + b) % 32);
}
uint64_t get_bits(const Word& w, int at, int n) {
  uint64_t v = 0;
  for (int b = 0; b < n; ++b)
    if ((w[static_cast<size_t>((at + b) / 32)] >> ((at + b) % 32)) & 1u) v |= uint64_t{1} << b;
  return v;
}
size_t limbs(const Layout& l) { return static_cast<size_t>((l.word_bits() + 31) / 32); }
}  // namespace

Result<Word> encode(const Instr& instr, const Layout& layout) {
  HW_TRY(validate(instr, layout));
  Word w(limbs(layout), 0);
  put_bits(w, layout.op_offset(), op_bits(), static_cast<uint32_t>(instr.op));
  for (const auto& f : fields())
    put_bits(w, layout.offset(f.field), layout.width[static_cast<size_t>(f.field)], instr.get(f.field));
  return w;
}

Result<Instr> decode(const Word& word, const Layout& layout) {
  if (word.size() != limbs(layout))
    return Error{"instruction word of " + std::to_string(word.size() * 32) + " bits for a layout of " +
                 std::to_string(layout.word_bits())};
  const int top = layout.word_bits() % 32;
  if (top != 0 && (word.back() >> top) != 0) return Error{"instruction word has bits above its width"};
  const auto code = static_cast<uint32_t>(get_bits(word, layout.op_offset(), op_bits()));
  const auto op = op_from_code(code);
  if (!op) return Error{"op code " + std::to_string(code) + " is not in isa.def"};
  Instr i;
  i.op = *op;
  for (const auto& f : fields())
    i.set(f.field, static_cast<uint32_t>(get_bits(word, layout.offset(f.field), layout.width[static_cast<size_t>(f.field)])));
  HW_TRY(validate(i, layout));
  return i;
}

std::string word_hex(const Word& word, int bits) {
  static const char kHex[] = "0123456789abcdef";
  const int digits = (bits + 3) / 4;
  std::string s(static_cast<size_t>(digits), '0');
  for (int d = 0; d < digits; ++d) {
    const uint32_t nib = (word[static_cast<size_t>(d * 4 / 32)] >> (d * 4 % 32)) & 0xfu;
    s[static_cast<size_t>(digits - 1 - d)] = kHex[nib];
  }
  return s;
}

std::string format(const Instr& instr) {
  const OpInfo& o = info(instr.op);
  std::string s = o.mnemonic;
  for (const auto& f : fields())
    if (o.uses[static_cast<size_t>(f.field)]) s += std::string(" ") + f.name + "=" + std::to_string(instr.get(f.field));
  return s;
}

const std::vector<EventInfo>& events() {
  static const std::vector<EventInfo> v = {
#define HW_EVENT(Name, snake_name, meaning) {Event::k##Name, snake_name, meaning},
#include "hardwire/gen/events.def"
  };
  return v;
}

vlog::Package sv_package(const Layout& layout) {
  vlog::Package p;
  p.name = "hw_isa_pkg";
  p.comment = "hw_core's instruction set (generated from generator/include/hardwire/gen/isa.def): op codes, and the\n"
              "instruction word of this design, every field as wide as this design's program needs.";
  bool first = true;
  for (const auto& f : fields()) {
    if (f.fixed_width == 1) continue;  // flags are plain logic
    p.params.push_back({"int unsigned", camel(f.name) + "W", vlog::Expr::num(layout.width[static_cast<size_t>(f.field)]),
                        first ? "field widths (bits): as wide as this design's program needs" : ""});
    first = false;
  }
  p.params.push_back({"int unsigned", "OpW", vlog::Expr::num(op_bits()), "op code bits"});
  p.params.push_back({"int unsigned", "InstrW", vlog::Expr::num(layout.word_bits()), "instruction word bits"});
  // The events as an enum (a unit that imports the package without using them gets no unused-parameter warning):
  // Ev<Name> is the bit of hw_core's dbg_ev_o, EvCount its width.
  vlog::Enum ev;
  ev.name = "ev_e";
  ev.width = 1;
  while ((1 << ev.width) <= kNumEvents) ++ev.width;
  ev.comment = "activity events: the bits of hw_core's dbg_ev_o (generator/include/hardwire/gen/events.def)";
  for (const auto& e : events())
    ev.members.push_back({std::string("Ev") + camel(e.name), static_cast<uint64_t>(e.event), e.meaning});
  ev.members.push_back({"EvCount", static_cast<uint64_t>(kNumEvents), "how many: dbg_ev_o's width"});
  vlog::Enum e;
  e.name = "op_e";
  e.width = op_bits();
  e.width_param = "OpW";
  e.comment = "op codes";
  for (const auto& o : ops()) {
    e.members.push_back({std::string("Op") + o.name, o.code, o.mnemonic});
  }
  p.enums.push_back(e);
  p.enums.push_back(ev);
  vlog::Struct st;
  st.name = "instr_t";
  st.comment = "one instruction word (the program ROM holds InstrW-bit words of this layout)";
  st.members.push_back({"op", "op_e", "", 0, ""});
  for (const auto& f : fields()) {
    if (f.fixed_width == 1) st.members.push_back({f.name, "", "", 1, "flag"});
    else st.members.push_back({f.name, "", camel(f.name) + "W", 0, ""});
  }
  p.structs.push_back(st);
  return p;
}

std::string markdown() {
  std::string s;
  s += "| code | op | unit | fields read | computes |\n|---:|---|---|---|---|\n";
  for (const auto& o : ops()) {
    std::string used;
    for (const auto& f : fields())
      if (o.uses[static_cast<size_t>(f.field)]) used += (used.empty() ? "" : ", ") + std::string("`") + f.name + "`";
    s += "| " + std::to_string(o.code) + " | " + o.mnemonic + " | " + o.unit + " | " + used + " | " + o.meaning + " |\n";
  }
  s += "\n| field | width | meaning |\n|---|---|---|\n";
  s += "| `op` | " + std::to_string(op_bits()) + " | op code (most significant bits) |\n";
  for (const auto& f : fields())
    s += std::string("| `") + f.name + "` | " + (f.fixed_width > 0 ? std::to_string(f.fixed_width) : "as needed") +
         " | " + f.meaning + " |\n";
  return s;
}

}  // namespace hardwire::gen::isa
