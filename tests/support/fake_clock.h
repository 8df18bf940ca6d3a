// A clock that tests set and advance by hand. Not thread-safe.
#pragma once

#include <cstdint>

#include "core/clock.h"

namespace cdp::testing {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t micros = 1700000000LL * 1000000) : now(micros) {}
  int64_t NowMicros() const override { return now; }
  void Advance(int64_t micros) { now += micros; }
  int64_t now;
};

}  // namespace cdp::testing
