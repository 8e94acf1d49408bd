#include "hardwire/gen/verilog.hpp"

#include <algorithm>
#include <set>
#include <sstream>

#include "hardwire/status.hpp"

namespace hardwire::gen::vlog {

Expr Expr::id(std::string name) {
  Expr e;
  e.kind_ = Kind::kId;
  e.text_ = std::move(name);
  return e;
}
Expr Expr::num(int64_t value) {
  Expr e;
  e.kind_ = Kind::kNum;
  e.value_ = value;
  return e;
}
Expr Expr::sized(int width, uint64_t value) {
  HW_CHECK(width >= 1 && width <= 64, "sized literal width");
  HW_CHECK(width == 64 || value < (uint64_t{1} << width), "sized literal fits its width");
  Expr e;
  e.kind_ = Kind::kSized;
  e.width_ = width;
  e.value_ = static_cast<int64_t>(value);
  return e;
}
Expr Expr::str(std::string text) {
  HW_CHECK(text.find_first_of("\"\\\n") == std::string::npos, "string literal without quotes, backslashes, newlines");
  Expr e;
  e.kind_ = Kind::kStr;
  e.text_ = std::move(text);
  return e;
}
Expr Expr::slice(std::string name, int msb, int lsb) {
  HW_CHECK(msb >= lsb && lsb >= 0, "part select bounds");
  Expr e = id(std::move(name));
  e.kind_ = Kind::kSlice;
  e.msb_ = msb;
  e.lsb_ = lsb;
  return e;
}

std::string Expr::render() const {
  switch (kind_) {
    case Kind::kId: return text_;
    case Kind::kNum: return std::to_string(value_);
    case Kind::kSized: return std::to_string(width_) + "'d" + std::to_string(static_cast<uint64_t>(value_));
    case Kind::kStr: return "\"" + text_ + "\"";
    case Kind::kSlice:
      return msb_ == lsb_ ? text_ + "[" + std::to_string(msb_) + "]"
                          : text_ + "[" + std::to_string(msb_) + ":" + std::to_string(lsb_) + "]";
  }
  return "";
}

namespace {

bool is_identifier(const std::string& s) {
  static const std::set<std::string> kKeywords = {
      "module", "endmodule", "input", "output", "inout", "logic", "wire", "reg", "assign", "always", "always_ff",
      "always_comb", "begin", "end", "if", "else", "for", "generate", "endgenerate", "parameter", "localparam",
      "package", "endpackage", "import", "function", "endfunction", "int", "string", "signed", "unsigned", "case",
      "endcase", "default", "typedef", "enum", "struct", "bit", "byte", "initial", "genvar", "posedge", "negedge"};
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return !kKeywords.count(s);
}

std::string comment_lines(const std::string& text, const std::string& indent) {
  std::string out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out += indent + (line.empty() ? "//" : "// " + line) + "\n";
  return out;
}

std::string range(int width, bool is_signed) {
  std::string s = is_signed ? "logic signed" : "logic";
  if (width > 1) s += " [" + std::to_string(width - 1) + ":0]";
  return s;
}

}  // namespace

std::string check(const Package& p) {
  if (!is_identifier(p.name)) return "package name '" + p.name + "' is not an identifier";
  std::set<std::string> seen;
  for (const auto& lp : p.params) {
    if (!is_identifier(lp.name)) return "localparam name '" + lp.name + "' is not an identifier";
    if (!seen.insert(lp.name).second) return "localparam '" + lp.name + "' defined twice";
  }
  for (const auto& e : p.enums) {
    if (!is_identifier(e.name) || !seen.insert(e.name).second) return "enum '" + e.name + "' is not a new identifier";
    if (e.width < 1 || e.width > 64 || e.members.empty()) return "enum '" + e.name + "' needs 1..64 bits and members";
    if (!e.width_param.empty() && !seen.count(e.width_param)) return "enum '" + e.name + "' has an unknown width parameter";
    std::set<uint64_t> values;
    for (const auto& m : e.members) {
      if (!is_identifier(m.name) || !seen.insert(m.name).second)
        return "enum member '" + m.name + "' is not a new identifier";
      if (e.width < 64 && m.value >= (uint64_t{1} << e.width)) return "enum member '" + m.name + "' does not fit";
      if (!values.insert(m.value).second) return "enum '" + e.name + "' repeats a value";
    }
  }
  for (const auto& st : p.structs) {
    if (!is_identifier(st.name) || !seen.insert(st.name).second)
      return "struct '" + st.name + "' is not a new identifier";
    std::set<std::string> members;
    for (const auto& m : st.members) {
      if (!is_identifier(m.name) || !members.insert(m.name).second)
        return "struct member '" + m.name + "' is not a new identifier";
      if (!m.type.empty() && !seen.count(m.type)) return "struct member '" + m.name + "' has an unknown type";
      if (!m.width_param.empty() && !seen.count(m.width_param))
        return "struct member '" + m.name + "' has an unknown width parameter";
      if (m.type.empty() && m.width_param.empty() && m.width < 1) return "struct member '" + m.name + "' has no bits";
    }
  }
  return "";
}

std::string check(const Module& m) {
  if (!is_identifier(m.name)) return "module name '" + m.name + "' is not an identifier";
  std::set<std::string> names;
  for (const auto& p : m.ports) {
    if (!is_identifier(p.name)) return "port name '" + p.name + "' is not an identifier";
    if (p.width < 1) return "port '" + p.name + "' has no bits";
    if (!names.insert(p.name).second) return "name '" + p.name + "' declared twice";
  }
  for (const auto& n : m.nets) {
    if (!is_identifier(n.name)) return "net name '" + n.name + "' is not an identifier";
    if (!names.insert(n.name).second) return "name '" + n.name + "' declared twice";
  }
  std::set<std::string> inst_names;
  for (const auto& i : m.instances) {
    if (!is_identifier(i.module) || !is_identifier(i.name)) return "instance '" + i.name + "' has a bad name";
    if (!inst_names.insert(i.name).second) return "instance '" + i.name + "' declared twice";
    std::set<std::string> ports;
    for (const auto& c : i.ports)
      if (!ports.insert(c.port).second) return "instance '" + i.name + "' connects port '" + c.port + "' twice";
  }
  return "";
}

std::string emit(const Package& p) {
  const std::string problem = check(p);
  HW_CHECK(problem.empty(), problem.c_str());
  std::string out = comment_lines(p.comment, "");
  out += "package " + p.name + ";\n";
  size_t w = 0;
  auto declare = [](const LocalParam& lp) { return lp.type.empty() ? lp.name : lp.type + " " + lp.name; };
  for (const auto& lp : p.params) w = std::max(w, declare(lp).size());
  for (const auto& lp : p.params) {
    if (!lp.comment.empty()) out += comment_lines(lp.comment, "  ");
    std::string decl = declare(lp);
    decl.resize(w, ' ');
    out += "  localparam " + decl + " = " + lp.value.render() + ";\n";
  }
  for (const auto& e : p.enums) {
    out += "\n";
    if (!e.comment.empty()) out += comment_lines(e.comment, "  ");
    out += "  typedef enum " + (e.width_param.empty() ? range(e.width, false) : "logic [" + e.width_param + "-1:0]") +
           " {\n";
    size_t mw = 0;
    for (const auto& m : e.members) mw = std::max(mw, m.name.size());
    for (size_t i = 0; i < e.members.size(); ++i) {
      const auto& m = e.members[i];
      std::string name = m.name;
      name.resize(mw, ' ');
      std::string line = "    " + name + " = " + Expr::sized(e.width, m.value).render() +
                         (i + 1 < e.members.size() ? "," : " ");
      if (!m.comment.empty()) line += "  // " + m.comment;
      out += line + "\n";
    }
    out += "  } " + e.name + ";\n";
  }
  for (const auto& st : p.structs) {
    out += "\n";
    if (!st.comment.empty()) out += comment_lines(st.comment, "  ");
    out += "  typedef struct packed {\n";
    auto type_of = [](const StructMember& m) {
      if (!m.type.empty()) return m.type;
      if (!m.width_param.empty()) return "logic [" + m.width_param + "-1:0]";
      return range(m.width, false);
    };
    size_t tw = 0, nw = 0;
    for (const auto& m : st.members) {
      tw = std::max(tw, type_of(m).size());
      nw = std::max(nw, m.name.size());
    }
    for (const auto& m : st.members) {
      std::string type = type_of(m), name = m.name + ";";
      type.resize(tw, ' ');
      std::string line = "    " + type + " " + name;
      if (!m.comment.empty()) {
        line.resize(4 + tw + 1 + nw + 1, ' ');
        line += "  // " + m.comment;
      }
      out += line + "\n";
    }
    out += "  } " + st.name + ";\n";
  }
  out += "endpackage\n";
  return out;
}

std::string emit(const Module& m) {
  const std::string problem = check(m);
  HW_CHECK(problem.empty(), problem.c_str());
  std::string out = comment_lines(m.comment, "");
  out += "module " + m.name + " (\n";
  size_t tw = 0, nw = 0;
  for (const auto& p : m.ports) {
    tw = std::max(tw, range(p.width, p.is_signed).size());
    nw = std::max(nw, p.name.size());
  }
  for (size_t i = 0; i < m.ports.size(); ++i) {
    const auto& p = m.ports[i];
    std::string dir = p.dir == Dir::kInput ? "input " : "output";
    std::string type = range(p.width, p.is_signed);
    type.resize(tw, ' ');
    std::string line = "  " + dir + " " + type + " " + p.name + (i + 1 < m.ports.size() ? "," : "");
    if (!p.comment.empty()) {
      line.resize(std::max(line.size(), 6 + tw + nw + 4), ' ');
      line += " // " + p.comment;
    }
    out += line + "\n";
  }
  out += ");\n";
  for (const auto& n : m.nets) {
    out += "  " + range(n.width, false) + " " + n.name + ";" + (n.comment.empty() ? "" : "  // " + n.comment) + "\n";
  }
  for (const auto& inst : m.instances) {
    out += "\n  " + inst.module;
    if (!inst.params.empty()) {
      out += " #(\n";
      for (size_t i = 0; i < inst.params.size(); ++i)
        out += "    ." + inst.params[i].port + "(" + inst.params[i].expr.render() + ")" +
               (i + 1 < inst.params.size() ? ",\n" : "\n");
      out += "  )";
    }
    out += " " + inst.name + " (\n";
    size_t pw = 0;
    for (const auto& c : inst.ports) pw = std::max(pw, c.port.size());
    for (size_t i = 0; i < inst.ports.size(); ++i) {
      std::string port = inst.ports[i].port;
      port.resize(pw, ' ');
      out += "    ." + port + " (" + inst.ports[i].expr.render() + ")" + (i + 1 < inst.ports.size() ? ",\n" : "\n");
    }
    out += "  );\n";
  }
  out += "endmodule\n";
  return out;
}

}  // namespace hardwire::gen::vlog
