// json_input.hpp (generator-internal) — JSON from users' files, parsed defensively.
//
// parse_json_strict(): at most kMaxJsonDepth levels of nesting (deeper input is refused before anything deep is
// built), no duplicate keys in an object (nlohmann would silently keep the last), and error messages that quote at
// most a short, printable snippet of the input, never a whole value.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "hardwire/status.hpp"

namespace hardwire::gen {

inline constexpr int kMaxJsonDepth = 64;

// At most `max` characters of `s`, control characters escaped, "..." when cut.
std::string printable_snippet(const std::string& s, size_t max = 40);
// "an integer", "a string", "a list", ... and, for scalars, the value itself as a short snippet.
std::string describe_json_value(const nlohmann::json& v);

// `what` prefixes every error ("model shape file 'x.json'").
Result<nlohmann::json> parse_json_strict(const std::string& text, const std::string& what);

}  // namespace hardwire::gen
