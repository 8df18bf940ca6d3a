#include "ratelimit/limiter.h"

namespace cdp::ratelimit {

std::string_view NameOf(Group group) {
  switch (group) {
    case Group::kUsers:
      return "users";
    case Group::kEvents:
      return "events";
    case Group::kCampaigns:
      return "campaigns";
    case Group::kReports:
      return "reports";
    case Group::kTracking:
      return "tracking";
  }
  return "";
}

std::optional<Group> GroupNamed(std::string_view name) {
  for (Group g : kGroups)
    if (NameOf(g) == name) return g;
  return std::nullopt;
}

int64_t DefaultPerMinute(Group group) {
  switch (group) {
    case Group::kUsers:
      return 100;
    case Group::kEvents:
    case Group::kCampaigns:
      return 500;
    case Group::kReports:
      return 50;
    case Group::kTracking:
      return 300'000;
  }
  return 0;
}

Decision LocalLimiter::Admit(std::string_view key, int64_t limit, int64_t now) {
  const int64_t index = now / kWindowMicros;
  Decision d;
  d.limit = limit;
  d.reset_seconds = ((index + 1) * kWindowMicros - now + 999'999) / 1'000'000;
  std::lock_guard lock(mu_);
  if (index > swept_index_) {  // once per window: forget keys idle since the last one
    std::erase_if(windows_, [&](const auto& kv) { return kv.second.index < index - 1; });
    swept_index_ = index;
  }
  Window& w = windows_[std::string(key)];
  if (w.index != index) w = Window{index, 0};
  d.allowed = w.count < limit;
  if (d.allowed) ++w.count;
  d.remaining = limit - w.count;
  return d;
}

}  // namespace cdp::ratelimit
