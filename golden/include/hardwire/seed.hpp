// hardwire/seed.hpp — the one reader of HARDWIRE_SEED, shared by the CLI, the tests and the Verilator harnesses
// (header-only, standard library only, so the embedded simulator testbench can carry it).
//
// A seed is a decimal number from 0 to 2^64 - 1, as every run prints it ("HARDWIRE_SEED=12345"); hexadecimal with a
// 0x prefix is accepted too. Anything else ("abc", "12abc", "1e5", "-1", "", a number past 2^64 - 1) is refused:
// a silently misread seed would replay a different run.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <random>
#include <string>

namespace hardwire {

inline std::optional<uint64_t> parse_seed(const std::string& text) {
  const bool hex = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
  const std::string digits = hex ? text.substr(2) : text;
  if (digits.empty() || digits.size() > (hex ? 16u : 20u)) return std::nullopt;
  uint64_t v = 0;
  for (char c : digits) {
    int d = -1;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (hex && c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (hex && c >= 'A' && c <= 'F') d = c - 'A' + 10;
    if (d < 0) return std::nullopt;
    const uint64_t base = hex ? 16 : 10;
    if (v > (UINT64_MAX - static_cast<uint64_t>(d)) / base) return std::nullopt;  // past 2^64 - 1
    v = v * base + static_cast<uint64_t>(d);
  }
  return v;
}

// The message for a HARDWIRE_SEED that parse_seed refuses.
inline std::string bad_seed_message(const std::string& text) {
  std::string shown;
  for (char c : text.substr(0, 40)) shown += (static_cast<unsigned char>(c) < 0x20) ? '?' : c;
  return "HARDWIRE_SEED='" + shown + (text.size() > 40 ? "...'" : "'") +
         " is not a seed; set it to a decimal number from 0 to 18446744073709551615 (the value a run printed), "
         "or unset it for a fresh seed";
}

// HARDWIRE_SEED when set (nullopt and `error` filled if it is malformed), else a fresh seed from random_device.
inline std::optional<uint64_t> seed_from_env(std::string& error) {
  if (const char* e = std::getenv("HARDWIRE_SEED"); e != nullptr && *e != 0) {  // empty: as unset
    auto v = parse_seed(e);
    if (!v) error = bad_seed_message(e);
    return v;
  }
  std::random_device rd;
  return (uint64_t{rd()} << 32) ^ uint64_t{rd()};
}

}  // namespace hardwire
