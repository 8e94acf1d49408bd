#include "json_input.hpp"

#include <set>
#include <vector>

namespace hardwire::gen {

std::string printable_snippet(const std::string& s, size_t max) {
  std::string o;
  size_t i = 0;
  for (; i < s.size() && o.size() < max; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '\n') o += "\\n";
    else if (c < 0x20 || c == 0x7f) {
      static const char kHex[] = "0123456789abcdef";
      o += "\\x";
      o += kHex[c >> 4];
      o += kHex[c & 15];
    } else o += static_cast<char>(c);
  }
  return i < s.size() ? o + "..." : o;
}

std::string describe_json_value(const nlohmann::json& v) {
  switch (v.type()) {
    case nlohmann::json::value_t::object: return "an object";
    case nlohmann::json::value_t::array: return "a list";
    case nlohmann::json::value_t::string: return "the string \"" + printable_snippet(v.get<std::string>()) + "\"";
    case nlohmann::json::value_t::null: return "null";
    default: return printable_snippet(v.dump());  // a number or a boolean: short
  }
}

namespace {

struct StrictError {
  std::string message;
};

}  // namespace

Result<nlohmann::json> parse_json_strict(const std::string& text, const std::string& what) {
  // Nesting is checked on the raw text first (outside strings), so no deep structure is ever built.
  int depth = 0;
  bool in_string = false, escape = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (escape) escape = false;
      else if (c == '\\') escape = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth)
        return Error{what + ": nested more than " + std::to_string(kMaxJsonDepth) +
                     " levels deep (at byte " + std::to_string(i) + "); hardwire's JSON files are flat objects"};
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  std::vector<std::set<std::string>> keys;  // one set per open object (arrays get an unused entry)
  auto cb = [&](int /*depth*/, nlohmann::json::parse_event_t ev, nlohmann::json& parsed) {
    using E = nlohmann::json::parse_event_t;
    if (ev == E::object_start || ev == E::array_start) keys.emplace_back();
    else if (ev == E::object_end || ev == E::array_end) {
      if (!keys.empty()) keys.pop_back();
    } else if (ev == E::key && !keys.empty()) {
      const std::string k = parsed.get<std::string>();
      if (!keys.back().insert(k).second)
        throw StrictError{what + ": duplicate key \"" + printable_snippet(k) +
                          "\" (JSON would silently keep only the last one); keep one"};
    }
    return true;
  };
  try {
    return nlohmann::json::parse(text, cb);
  } catch (const StrictError& e) {
    return Error{e.message};
  } catch (const nlohmann::json::exception& e) {
    return Error{what + ": not valid JSON (" + printable_snippet(e.what(), 160) + ")"};
  }
}

}  // namespace hardwire::gen
