// A profile's history: its events (/user/events) and the campaign messages it got, with
// what happened after (/user/messages). Both page newest first with position cursors.
#include <fmt/format.h>

#include <boost/json.hpp>
#include <charconv>
#include <optional>
#include <string>

#include "api/fields.h"
#include "api/users.h"
#include "core/json.h"
#include "core/time.h"
#include "http/envelope.h"

namespace cdp::api {
namespace {

namespace json = boost::json;

constexpr int64_t kMaxPage = 100;

std::optional<int64_t> ParseId(std::string_view text) {
  int64_t v = 0;
  auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (err != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

// A stored JSON object as a value; a stored text that does not parse is shown as a string.
json::value StoredJson(const std::string& text) {
  auto doc = ParseJson(text);
  return doc.ok() ? std::move(doc).value() : json::value(text);
}

json::object EventJson(const store::StoredEvent& e) {
  json::object out{{"event", e.name},
                   {"time", FormatTimestamp(e.time)},
                   {"attributes", StoredJson(e.attributes_json)}};
  if (e.ltv) out["ltv"] = *e.ltv;
  if (e.message_id) out["message_id"] = *e.message_id;
  if (!e.context_json.empty()) out["context"] = StoredJson(e.context_json);
  return out;
}

json::object MessageJson(const store::ProfileMessage& pm) {
  const store::Message& m = pm.message;
  json::object out{{"campaign_id", pm.campaign_id},
                   {"campaign_name", pm.campaign_name},
                   {"channel", pm.channel},
                   {"status", m.status}};
  if (!m.reason.empty()) out["reason"] = m.reason;
  if (!m.address.empty()) out["address"] = m.address;
  out["attempts"] = m.attempts;
  out["updated_at"] = FormatTimestamp(m.updated_at);
  json::array feedback;
  for (const store::Feedback& f : pm.feedback) {
    json::object one{{"kind", f.kind}, {"at", FormatTimestamp(f.at)}};
    if (!f.detail.empty()) one["detail"] = f.detail;
    feedback.push_back(std::move(one));
  }
  out["feedback"] = std::move(feedback);
  return out;
}

// The validated fields of a history page: the profile, the page size and where it starts.
struct PageRequest {
  profiles::Profile profile;
  size_t limit = 0;
  std::optional<Position> before;
};
Result<PageRequest> PageRequestOf(const Call& call, Services& services, int64_t default_limit) {
  CDP_RETURN_IF_ERROR(OnlyKeys(call.body, {"userId", "userID", "user_id", "anonymousId",
                                           "anonymous_id", "limit", "cursor"}));
  auto key = ProfileKeyOf(call.body);
  if (!key.ok()) return key.status();
  auto limit = Limit(call.body, default_limit, kMaxPage);
  if (!limit.ok()) return limit.status();
  auto before = PositionOf(call.body);
  if (!before.ok()) return before.status();
  auto profile = services.store.profiles.GetProfile(call.brand_id, *key);
  if (!profile.ok()) return profile.status();
  return PageRequest{std::move(profile).value(), static_cast<size_t>(*limit), *before};
}

}  // namespace

http::Response GetUserEvents(const Call& call, Services& services) {
  auto req = PageRequestOf(call, services, 100);
  if (!req.ok()) return http::ErrorResponse(req.status());
  std::optional<store::EventPosition> before;
  if (req->before) {
    auto id = ParseId(req->before->tiebreak);
    if (!id) return http::ErrorResponse(InvalidArgument("cursor: not a cursor of /user/events"));
    before = store::EventPosition{req->before->time, *id};
  }
  // One more than asked: whether there is a next page.
  auto events = services.store.events.ListProfileEvents(call.brand_id, req->profile.id, before,
                                                        req->limit + 1);
  if (!events.ok()) return http::ErrorResponse(events.status());
  json::array out;
  for (size_t i = 0; i < events->size() && i < req->limit; ++i) out.push_back(EventJson((*events)[i]));
  json::object data{{"events", std::move(out)}};
  if (events->size() > req->limit) {
    const store::StoredEvent& last = (*events)[req->limit - 1];
    data["next_cursor"] = PositionCursor({last.time, std::to_string(last.id)});
  }
  return http::SuccessResponse(std::move(data));
}

http::Response GetUserMessages(const Call& call, Services& services) {
  auto req = PageRequestOf(call, services, 50);
  if (!req.ok()) return http::ErrorResponse(req.status());
  std::optional<store::MessagePosition> before;
  if (req->before) before = store::MessagePosition{req->before->time, req->before->tiebreak};
  auto messages = services.store.campaigns.ListProfileMessages(call.brand_id, req->profile.id,
                                                               before, req->limit + 1);
  if (!messages.ok()) return http::ErrorResponse(messages.status());
  json::array out;
  for (size_t i = 0; i < messages->size() && i < req->limit; ++i)
    out.push_back(MessageJson((*messages)[i]));
  json::object data{{"messages", std::move(out)}};
  if (messages->size() > req->limit) {
    const store::ProfileMessage& last = (*messages)[req->limit - 1];
    data["next_cursor"] = PositionCursor({last.message.updated_at, last.campaign_id});
  }
  return http::SuccessResponse(std::move(data));
}

}  // namespace cdp::api
