// The template closure: which hand-written modules a module needs, read from the templates themselves.
#include "hardwire/gen/templates.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <sstream>

namespace hardwire::gen {
namespace {

bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// The template modules a template's text instantiates (a line "<hw_name> #(" or "<hw_name> <instance> (") and the
// template packages it names ("<hw_name>_pkg::").
std::set<std::string> references(const std::string& text) {
  std::set<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    const auto code = line.substr(0, line.find("//"));
    // Packages: every "hw_..._pkg::".
    for (size_t p = code.find("_pkg::"); p != std::string::npos; p = code.find("_pkg::", p + 1)) {
      size_t b = p;
      while (b > 0 && ident_char(code[b - 1])) --b;
      const std::string name = code.substr(b, p + 4 - b);
      if (name.rfind("hw_", 0) == 0) out.insert(name);
    }
    // Instances: the line's first word names an hw_ module, followed by "#" or an instance name and "(".
    size_t b = code.find_first_not_of(" \t");
    if (b == std::string::npos || code.compare(b, 3, "hw_") != 0) continue;
    size_t e = b;
    while (e < code.size() && ident_char(code[e])) ++e;
    const std::string name = code.substr(b, e - b);
    size_t n = code.find_first_not_of(" \t", e);
    if (n == std::string::npos || n == e) continue;
    if (code[n] == '#') {
      out.insert(name);
      continue;
    }
    size_t m = n;
    while (m < code.size() && ident_char(code[m])) ++m;
    if (m > n && code.find_first_not_of(" \t", m) != std::string::npos && code[code.find_first_not_of(" \t", m)] == '(')
      out.insert(name);
  }
  return out;
}

}  // namespace

std::vector<std::string> template_closure(const std::vector<std::string>& modules, const std::set<std::string>& stop) {
  std::map<std::string, const std::string*> text;
  for (const auto& [file, t] : embedded_templates())
    if (file.size() > 3 && file.compare(file.size() - 3, 3, ".sv") == 0) text[file.substr(0, file.size() - 3)] = &t;
  std::set<std::string> seen;
  std::vector<std::string> todo = modules;
  while (!todo.empty()) {
    const std::string m = todo.back();
    todo.pop_back();
    if (stop.count(m) || !text.count(m) || !seen.insert(m).second) continue;
    for (const auto& r : references(*text.at(m))) todo.push_back(r);
  }
  std::vector<std::string> out(seen.begin(), seen.end());
  // Packages first (read before the modules that import them), each group in name order.
  std::stable_partition(out.begin(), out.end(), [](const std::string& s) {
    return s.size() > 4 && s.compare(s.size() - 4, 4, "_pkg") == 0;
  });
  return out;
}

}  // namespace hardwire::gen
