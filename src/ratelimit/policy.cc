#include "ratelimit/policy.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace cdp::ratelimit {

Policy::Policy(store::BrandStore& store, Limiter& limiter, const Clock& clock,
               std::chrono::milliseconds ttl)
    : store_(store),
      limiter_(limiter),
      clock_(clock),
      ttl_micros_(std::chrono::duration_cast<std::chrono::microseconds>(ttl).count()) {}

int64_t Policy::LimitOf(std::string_view brand_id, Group group) {
  const int64_t now = clock_.NowMicros();
  const size_t g = static_cast<size_t>(group);
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(std::string(brand_id));
    if (it != cache_.end() && now - it->second.fetched_at < ttl_micros_)
      return it->second.limits[g];
  }
  // Read outside the lock: a slow store must not stall other brands' calls.
  auto stored = store_.GetRateLimits(brand_id);
  std::lock_guard lock(mu_);
  Entry& e = cache_[std::string(brand_id)];
  if (stored.ok()) {
    for (Group each : kGroups) e.limits[static_cast<size_t>(each)] = DefaultPerMinute(each);
    for (const auto& [name, per_minute] : *stored)
      if (auto named = GroupNamed(name)) e.limits[static_cast<size_t>(*named)] = per_minute;
    e.loaded = true;
  } else {
    spdlog::warn("rate limits of brand {}: {} (keeping the last known)", brand_id,
                 stored.status().message());
    if (!e.loaded)
      for (Group each : kGroups) e.limits[static_cast<size_t>(each)] = DefaultPerMinute(each);
  }
  e.fetched_at = now;
  return e.limits[g];
}

Decision Policy::Admit(std::string_view brand_id, Group group) {
  const int64_t limit = LimitOf(brand_id, group);
  if (limit <= 0) return Decision{};
  return limiter_.Admit(fmt::format("{}/{}", brand_id, NameOf(group)), limit, clock_.NowMicros());
}

}  // namespace cdp::ratelimit
