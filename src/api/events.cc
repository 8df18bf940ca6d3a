#include "api/events.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>

#include "api/profile_json.h"
#include "core/time.h"
#include "events/event_input.h"
#include "http/envelope.h"
#include "profiles/profile_input.h"

namespace cdp::api {
namespace {

namespace json = boost::json;
using events::Event;

// What a batch's response needs once the store has answered.
struct BatchReport {
  bool batch = false;
  json::array errors;
  json::array clamped;
  std::vector<size_t> index;  // request position of each event sent to the store

  std::string Where(size_t i) const { return batch ? fmt::format("nv[{}]: ", i) : std::string(); }

  http::Response Finish(const Result<std::vector<store::EventStore::EventResult>>& results) {
    if (!results.ok()) return http::ErrorResponse(results.status());
    size_t stored = 0, duplicates = 0;
    for (size_t k = 0; k < results->size(); ++k) {
      const auto& r = (*results)[k];
      if (!r.status.ok()) {
        errors.push_back(
            json::object{{"index", index[k]}, {"message", Where(index[k]) + r.status.message()}});
      } else if (r.outcome == events::EventOutcome::kDuplicate) {
        ++duplicates;
      } else {
        ++stored;
      }
    }
    std::sort(errors.begin(), errors.end(), [](const json::value& a, const json::value& b) {
      return a.at("index").to_number<int64_t>() < b.at("index").to_number<int64_t>();
    });
    const size_t failed = errors.size();
    std::string first_error = failed ? std::string(errors[0].at("message").get_string()) : "";
    const size_t n_clamped = clamped.size();
    json::object data{{"stored", stored},
                      {"duplicates", duplicates},
                      {"failed", failed},
                      {"errors", std::move(errors)},
                      {"clamped", std::move(clamped)}};
    if (stored + duplicates == 0) {
      std::string message =
          failed == 1 ? first_error
                      : fmt::format("no event stored: {} invalid; see data.errors", failed);
      return http::ErrorResponse(InvalidArgument(message).WithDetails(std::move(data)));
    }
    std::string message = fmt::format("{} event{} stored", stored, stored == 1 ? "" : "s");
    if (duplicates)
      message += fmt::format("; {} duplicate{} ignored", duplicates, duplicates == 1 ? "" : "s");
    if (failed) message += fmt::format("; {} rejected, see data.errors", failed);
    if (n_clamped)
      message += fmt::format("; {} clamped to server time, see data.clamped", n_clamped);
    return http::SuccessResponse(std::move(data), message);
  }
};

// Validates `items`, stores the valid ones, and replies with per-event outcomes.
void StoreEvents(const Call& call, Services& services,
                 const std::vector<const json::object*>& items, bool batch, http::Reply reply) {
  const int64_t now = services.clock.NowMicros();
  auto report = std::make_shared<BatchReport>();
  report->batch = batch;
  std::vector<Event> valid;
  for (size_t i = 0; i < items.size(); ++i) {
    auto ev = events::ParseEvent(*items[i], now);
    if (!ev.ok()) {
      report->errors.push_back(
          json::object{{"index", i}, {"message", report->Where(i) + ev.status().message()}});
      continue;
    }
    if (ev->clamped)
      report->clamped.push_back(json::object{
          {"index", i},
          {"message", report->Where(i) +
                          "event_time is more than 1 day ahead; stored with the server time " +
                          FormatTimestamp(ev->time)}});
    valid.push_back(std::move(ev).value());
    report->index.push_back(i);
  }
  if (valid.empty()) return reply(report->Finish(std::vector<store::EventStore::EventResult>()));
  services.store.events.AppendEventsAsync(
      call.brand_id, std::move(valid), now,
      [report, reply = std::move(reply)](Result<std::vector<store::EventStore::EventResult>> results) {
        reply(report->Finish(results));
      });
}

}  // namespace

void CreateEvents(const Call& call, Services& services, http::Reply reply) {
  const json::value* nv = call.body.if_contains("nv");
  if (!nv) return StoreEvents(call, services, {&call.body}, false, std::move(reply));
  auto fail = [&](std::string message) {
    reply(http::ErrorResponse(InvalidArgument(std::move(message))));
  };
  if (!nv->is_array()) return fail("nv: must be an array of events");
  const auto& arr = nv->get_array();
  if (arr.empty()) return fail("nv: must hold at least 1 event");
  if (arr.size() > events::kMaxEventsPerCall)
    return fail(fmt::format("nv: at most {} events per call, got {}", events::kMaxEventsPerCall,
                            arr.size()));
  std::vector<const json::object*> items;
  for (size_t i = 0; i < arr.size(); ++i) {
    if (!arr[i].is_object()) return fail(fmt::format("nv[{}]: must be an object", i));
    items.push_back(&arr[i].get_object());
  }
  StoreEvents(call, services, items, true, std::move(reply));
}

void TrackEvent(const Call& call, Services& services, http::Reply reply) {
  if (call.body.contains("nv"))
    return reply(http::ErrorResponse(
        InvalidArgument("/event/track takes one event object; send batches to /event/create")));
  StoreEvents(call, services, {&call.body}, false, std::move(reply));
}

http::Response CreateUserEvent(const Call& call, Services& services) {
  auto parts = events::SplitUserEvent(call.body);
  if (!parts.ok()) return http::ErrorResponse(parts.status());
  // Errors name the field as sent: "user.email" in the nested form, "email" in the flat one.
  const std::string user_where = parts->flat ? "" : "user.";
  const std::string event_where = parts->flat ? "" : "event.";
  const int64_t now = services.clock.NowMicros();
  // The event carries the user's identifiers unless it names its own.
  json::object& ev_json = parts->event;
  auto profile = profiles::ParseProfileInput(parts->user);
  if (!profile.ok())
    return http::ErrorResponse(InvalidArgument(user_where + profile.status().message()));
  if (std::none_of(ev_json.begin(), ev_json.end(),
                   [](const auto& kv) { return profiles::IsIdentifierKey(kv.key()); })) {
    if (profile->user_id) ev_json["userId"] = *profile->user_id;
    if (profile->anonymous_id) ev_json["anonymousId"] = *profile->anonymous_id;
  }
  auto ev = events::ParseEvent(ev_json, now);
  if (!ev.ok()) return http::ErrorResponse(InvalidArgument(event_where + ev.status().message()));
  if (ev->profile.user_id != profile->user_id)
    return http::ErrorResponse(InvalidArgument("event.userId: must match user.userId"));
  // The profile patch rides with the event so both land in one transaction.
  profiles::ProfilePatch merged = std::move(profile).value();
  if (!merged.anonymous_id) merged.anonymous_id = ev->profile.anonymous_id;
  for (size_t i = 0; i < profiles::kFieldCount; ++i)
    if (!merged.fields[i]) merged.fields[i] = ev->profile.fields[i];
  ev->profile = std::move(merged);
  ev->has_profile_fields = true;
  std::vector<Event> one;
  const bool clamped = ev->clamped;
  one.push_back(std::move(ev).value());
  auto results = services.store.events.AppendEvents(call.brand_id, std::move(one), now);
  if (!results.ok()) return http::ErrorResponse(results.status());
  const auto& r = (*results)[0];
  if (!r.status.ok()) return http::ErrorResponse(r.status);
  bool dup = r.outcome == events::EventOutcome::kDuplicate;
  json::object data{{"stored", dup ? 0 : 1}, {"duplicates", dup ? 1 : 0}, {"clamped", clamped}};
  return http::SuccessResponse(std::move(data),
                               dup ? "duplicate event ignored" : "user and event stored");
}

http::Response GetEventUsers(const Call& call, Services& services) {
  auto q = events::ParseEventQuery(call.body, services.clock.NowMicros());
  if (!q.ok()) return http::ErrorResponse(q.status());
  auto page = services.store.events.QueryEventUsers(call.brand_id, *q);
  if (!page.ok()) return http::ErrorResponse(page.status());
  json::array users;
  for (const auto& u : page->users) {
    json::object o = ProfileToJson(u.profile);
    o["event"] = json::object{{"name", q->name},
                              {"count", u.count},
                              {"first", FormatTimestamp(u.first)},
                              {"last", FormatTimestamp(u.last)}};
    users.push_back(std::move(o));
  }
  json::object data{{"users", std::move(users)}};
  if (page->next_after) data["next_cursor"] = events::EncodeCursor(*page->next_after);
  return http::SuccessResponse(std::move(data));
}

http::Response CountEventUsers(const Call& call, Services& services) {
  auto q = events::ParseEventQuery(call.body, services.clock.NowMicros());
  if (!q.ok()) return http::ErrorResponse(q.status());
  auto counts = services.store.events.CountEvents(call.brand_id, *q);
  if (!counts.ok()) return http::ErrorResponse(counts.status());
  return http::SuccessResponse(
      json::object{{"profiles", counts->profiles}, {"events", counts->events}});
}

}  // namespace cdp::api
