// hardwire/status.hpp — user errors as values.
//
// Contract: functions that can fail because of user input (a malformed checkpoint, an impossible shape, an
// unwritable directory) return Status or Result<T>; they never throw for those and never abort. An Error carries
// one human sentence naming the problem and, where there is one, the fix. Violated internal invariants are
// programming errors and are checked with HW_CHECK (which aborts with file:line).
#pragma once

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace hardwire {

struct Error {
  std::string message;
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error e) : error_(std::move(e)) {}  // NOLINT(google-explicit-constructor): `return Error{...};`
  static Status ok() { return {}; }
  bool is_ok() const { return !error_.has_value(); }
  explicit operator bool() const { return is_ok(); }
  const std::string& message() const { return error_->message; }
  const Error& error() const { return *error_; }

 private:
  std::optional<Error> error_;
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Error e) : v_(std::move(e)) {}      // NOLINT(google-explicit-constructor)
  bool is_ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return is_ok(); }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<Error>(v_); }
  const std::string& message() const { return error().message; }
  Status status() const { return is_ok() ? Status{} : Status{error()}; }

 private:
  std::variant<T, Error> v_;
};

[[noreturn]] inline void check_failed(const char* expr, const char* file, int line, const char* what) {
  std::fprintf(stderr, "hardwire: internal invariant violated: %s (%s) at %s:%d\n", what, expr, file, line);
  std::abort();
}

}  // namespace hardwire

// Invariant check: always on (also in Release). For programming errors only, never for user input.
#define HW_CHECK(cond, what) \
  ((cond) ? (void)0 : ::hardwire::check_failed(#cond, __FILE__, __LINE__, (what)))

// Propagate an error from an expression returning Status or Result<T>.
#define HW_TRY(expr)                                           \
  do {                                                         \
    auto hw_try_status_ = (expr);                              \
    if (!hw_try_status_.is_ok()) return hw_try_status_.error(); \
  } while (0)

// Unwrap a Result<T> into `lhs` (a declaration or an lvalue), or leave the function with its error:
//   HW_ASSIGN_OR_RETURN(auto plan, gen::plan_chip(model, options));
// In the CLI, HW_ASSIGN_OR_FAIL does the same but returns fail(message) (the command's exit status).
#define HW_STATUS_CONCAT_INNER_(a, b) a##b
#define HW_STATUS_CONCAT_(a, b) HW_STATUS_CONCAT_INNER_(a, b)
#define HW_ASSIGN_OR_RETURN(lhs, expr) HW_ASSIGN_OR_RETURN_IMPL_(HW_STATUS_CONCAT_(hw_result_, __LINE__), lhs, expr)
#define HW_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.is_ok()) return tmp.error();           \
  lhs = std::move(*tmp)
