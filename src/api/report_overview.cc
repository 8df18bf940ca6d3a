// /report/overview: a brand's figures at a glance over a range of days (docs/reports.md).
#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <tuple>
#include <vector>

#include "api/fields.h"
#include "api/reports.h"
#include "core/json.h"
#include "core/time.h"
#include "http/envelope.h"

namespace cdp::api {
namespace {

namespace json = boost::json;

constexpr int64_t kMicrosPerDay = 86'400'000'000;
constexpr int64_t kMaxDays = 366;
constexpr int64_t kDefaultDays = 30;

// An instant or a date in any form the Event API takes; a `to` date covers that whole day.
Result<std::optional<int64_t>> Instant(const json::object& body, std::string_view key, bool end) {
  const json::value* v = body.if_contains(key);
  if (!v || v->is_null()) return std::optional<int64_t>();
  auto t = v->is_string() ? ParseTimestamp(v->get_string()) : std::nullopt;
  if (!t)
    return InvalidArgument(
        fmt::format("{}: must be a date (2026-11-01) or a timestamp (2026-11-01T10:00:00Z)", key));
  return std::optional<int64_t>(t->micros + (end && t->date_only ? kMicrosPerDay : 0));
}

int64_t FloorDay(int64_t micros) {
  int64_t d = micros / kMicrosPerDay;
  if (micros % kMicrosPerDay < 0) --d;
  return d * kMicrosPerDay;
}

}  // namespace

http::Response ReportOverview(const Call& call, Services& services) {
  if (Status st = OnlyKeys(call.body, {"from", "to"}); !st.ok()) return http::ErrorResponse(st);
  auto from_in = Instant(call.body, "from", false);
  if (!from_in.ok()) return http::ErrorResponse(from_in.status());
  auto to_in = Instant(call.body, "to", true);
  if (!to_in.ok()) return http::ErrorResponse(to_in.status());
  const int64_t to = to_in->value_or(services.clock.NowMicros());
  const int64_t from = from_in->value_or(to - kDefaultDays * kMicrosPerDay);
  if (to <= from) return http::ErrorResponse(InvalidArgument("to: must be after from"));
  if (to - from > kMaxDays * kMicrosPerDay)
    return http::ErrorResponse(
        InvalidArgument(fmt::format("from, to: at most {} days apart", kMaxDays)));

  auto profiles = services.store.profiles.CountProfiles(call.brand_id);
  if (!profiles.ok()) return http::ErrorResponse(profiles.status());
  // Reads every event of the range once (an index range per backend), so a year of a large
  // brand's events costs a scan of that year's index entries; nothing outside the range.
  const int64_t origin = FloorDay(from);
  auto days = services.store.events.CountEventsPerDay(call.brand_id, from, to, origin);
  if (!days.ok()) return http::ErrorResponse(days.status());
  auto messages = services.store.campaigns.CountMessagesUpdated(call.brand_id, from, to);
  if (!messages.ok()) return http::ErrorResponse(messages.status());
  auto all = services.store.campaigns.ListCampaigns(call.brand_id);
  if (!all.ok()) return http::ErrorResponse(all.status());

  // One entry per UTC day that the range touches, zeros included.
  const size_t n = static_cast<size_t>((to - 1 - origin) / kMicrosPerDay + 1);
  std::vector<int64_t> per_day(n);
  int64_t events = 0;
  for (const store::DayCount& d : *days) {
    events += d.count;
    if (d.day >= 0 && static_cast<size_t>(d.day) < n) per_day[static_cast<size_t>(d.day)] += d.count;
  }
  json::array day_json;
  for (size_t i = 0; i < n; ++i)
    day_json.push_back(json::object{
        {"day", FormatTimestamp(origin + static_cast<int64_t>(i) * kMicrosPerDay).substr(0, 10)},
        {"count", per_day[i]}});

  // Sending and scheduled campaigns, soonest first: by the time each is (or was) due.
  std::vector<const store::Campaign*> active;
  for (const store::Campaign& c : *all)
    if (c.status == store::kCampaignSending || c.status == store::kCampaignScheduled)
      active.push_back(&c);
  auto due = [](const store::Campaign* c) {
    return std::make_tuple(c->send_at.value_or(c->started_at.value_or(c->created_at)), c->id);
  };
  std::sort(active.begin(), active.end(),
            [&](const auto* a, const auto* b) { return due(a) < due(b); });
  json::array campaigns;
  for (const store::Campaign* c : active)
    campaigns.push_back(json::object{{"campaign_id", c->id},
                                     {"name", c->name},
                                     {"channel", c->channel},
                                     {"status", c->status},
                                     {"send_at", OptionalTimestamp(c->send_at)},
                                     {"started_at", OptionalTimestamp(c->started_at)}});

  return http::SuccessResponse(json::object{
      {"from", FormatTimestamp(from)},
      {"to", FormatTimestamp(to)},
      {"profiles", *profiles},
      {"events", events},
      {"messages", json::object{{"sent", messages->sent},
                                {"failed", messages->failed},
                                {"skipped", messages->skipped},
                                {"queued", messages->queued}}},
      {"events_per_day", std::move(day_json)},
      {"campaigns", std::move(campaigns)}});
}

}  // namespace cdp::api
