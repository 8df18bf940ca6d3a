// Clock: the source of "now" for everything that stores or compares times.
// Injected through constructors so tests can control time. Implementations are thread-safe.
#pragma once

#include <chrono>
#include <cstdint>

namespace cdp {

class Clock {
 public:
  virtual ~Clock() = default;
  // Microseconds since the Unix epoch, UTC.
  virtual int64_t NowMicros() const = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t NowMicros() const override {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

}  // namespace cdp
