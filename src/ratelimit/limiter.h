// Rate limits per brand and API group (docs/rate-limits.md).
//
// Algorithm: a fixed one-minute window aligned to the clock (12:00:00 to 12:00:59.999999),
// as the API's documented "per minute" limits imply: a client can predict its budget from
// X-RateLimit-Reset, and a window is one counter (one INCR in Redis). A window admits
// exactly `limit` requests however many clients race for them; refused requests are not
// counted. The cost of the simplicity: a client may spend one window's budget at its end and
// the next one's at its start.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace cdp::ratelimit {

inline constexpr int64_t kWindowMicros = 60'000'000;

// The API groups a limit applies to.
// kTracking: the tracking API (/v1) that SDKs send to with a source's write key.
enum class Group { kUsers, kEvents, kCampaigns, kReports, kTracking };
inline constexpr Group kGroups[] = {Group::kUsers, Group::kEvents, Group::kCampaigns,
                                    Group::kReports, Group::kTracking};
std::string_view NameOf(Group group);  // users | events | campaigns | reports | tracking
std::optional<Group> GroupNamed(std::string_view name);
// The documented defaults: users 100, events 500, campaigns 500, reports 50 per minute;
// tracking 300,000 (5,000 calls/s: a browser SDK sends one call per event, so a brand's
// sites sending 1,000 events/s stay far below it).
int64_t DefaultPerMinute(Group group);

struct Decision {
  bool allowed = true;
  int64_t limit = 0;          // 0: unlimited (the other fields are then 0)
  int64_t remaining = 0;      // after this request
  int64_t reset_seconds = 0;  // until the window ends, rounded up
};

// Counts admitted requests per key and window. Implementations must be exact under
// concurrency; a shared one (Redis) lets several nodes enforce one budget.
class Limiter {
 public:
  virtual ~Limiter() = default;
  // Admits one request for `key` if fewer than `limit` (> 0) were admitted in the window
  // holding `now` (micros).
  virtual Decision Admit(std::string_view key, int64_t limit, int64_t now) = 0;
};

// The in-process limiter: one node's counters in memory. Thread-safe.
class LocalLimiter final : public Limiter {
 public:
  Decision Admit(std::string_view key, int64_t limit, int64_t now) override;

 private:
  struct Window {
    int64_t index = 0;
    int64_t count = 0;
  };
  std::mutex mu_;
  std::unordered_map<std::string, Window> windows_;
  int64_t swept_index_ = 0;  // windows older than this were dropped
};

}  // namespace cdp::ratelimit
