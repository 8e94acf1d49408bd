// verif/common/stream.hpp — the one stream driver and monitor of the Verilator harnesses.
//
//   Source<T>  transactions driven on a valid/ready (or valid-only) input with random gaps. Each cycle, before the
//              rising edge, `drive()` gives the transaction to present (valid high) or nullptr (valid low); once
//              presented it stays until `accept()` is called for a cycle where valid && ready was seen (the valid/ready
//              rule: valid never drops and data never changes before the transfer).
//   Sink<T>    the transactions a block should hand out, in order. `ready()` is the random ready of the cycle;
//              `check(got)` compares one transfer with the next expected one; the first mismatches are printed with
//              `describe`. `done()`: everything expected has arrived.
//
// Both draw their gaps from StallPattern (harness.hpp), seeded from the run's printed seed, so HARDWIRE_SEED replays
// the exact cycle-by-cycle pattern. T needs operator==.
#pragma once

#include <cstdint>
#include <cstdio>
#include <deque>
#include <functional>
#include <string>
#include <utility>

#include "harness.hpp"

namespace hardwire::verif {

// One value of a stream with its end-of-group mark (a vector's last element, a row's last probability).
struct Beat {
  int64_t value = 0;
  bool last = false;
  bool operator==(const Beat&) const = default;
};
inline std::string describe_beat(const Beat& b) { return std::to_string(b.value) + (b.last ? " (last)" : ""); }

template <class T>
class Source {
 public:
  Source(uint64_t seed, bool stall = true) : stall_(seed), stall_enabled_(stall) {}
  void push(T t) { queue_.push_back(std::move(t)); }
  bool empty() const { return queue_.empty(); }
  size_t pending() const { return queue_.size(); }
  // The next transaction, presented or not (for side inputs that hold while a group streams), or nullptr.
  const T* peek() const { return queue_.empty() ? nullptr : &queue_.front(); }
  // The transaction presented this cycle, or nullptr.
  const T* drive() {
    if (queue_.empty()) return nullptr;
    if (!presented_) presented_ = !stall_enabled_ || stall_.next();
    return presented_ ? &queue_.front() : nullptr;
  }
  // The presented transaction was taken at this edge.
  void accept() {
    if (!presented_ || queue_.empty()) return;
    queue_.pop_front();
    presented_ = false;
  }

 private:
  std::deque<T> queue_;
  StallPattern stall_;
  bool stall_enabled_;
  bool presented_ = false;
};

template <class T>
class Sink {
 public:
  Sink(std::string name, uint64_t seed, std::function<std::string(const T&)> describe, bool stall = true)
      : name_(std::move(name)), stall_(seed), describe_(std::move(describe)), stall_enabled_(stall) {}
  void expect(T t) { expected_.push_back(std::move(t)); }
  bool ready() { return !stall_enabled_ || stall_.next(); }
  void check(const T& got) {
    ++checked_;
    if (expected_.empty()) {
      if (failed_++ < 5) std::printf("[%s] MISMATCH: unexpected %s\n", name_.c_str(), describe_(got).c_str());
      return;
    }
    if (!(got == expected_.front()) && failed_++ < 5) {
      std::printf("[%s] MISMATCH at transfer %lld: got %s, expected %s\n", name_.c_str(), checked_ - 1,
                  describe_(got).c_str(), describe_(expected_.front()).c_str());
    }
    expected_.pop_front();
  }
  bool done() const { return expected_.empty(); }
  size_t missing() const { return expected_.size(); }
  long long checked() const { return checked_; }
  // Mismatches, plus every expected transfer that never came.
  long long failed() const { return failed_ + static_cast<long long>(expected_.size()); }

 private:
  std::string name_;
  StallPattern stall_;
  std::function<std::string(const T&)> describe_;
  bool stall_enabled_;
  std::deque<T> expected_;
  long long checked_ = 0, failed_ = 0;
};

}  // namespace hardwire::verif
