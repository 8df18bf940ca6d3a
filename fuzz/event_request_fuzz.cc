// Fuzz target: the bodies of the Event API as the server decodes them: the strict JSON
// parser api::Admit runs (core/json), then what the handlers of api/events.cc validate:
// each event of /event/create and /event/track (events::ParseEvent), the user and event of
// /user_event/create, nested or flat (events::SplitUserEvent, profiles::ParseProfileInput,
// ParseEvent) and the query of /event/get and /event/count (events::ParseEventQuery).
// Every body is tried as each of these.
//
// The handlers need a Store, so the few lines that pick the events out of a batch
// ({"nv":[...]}) are mirrored here; everything that reads a field is the product's code.
//
// Properties: accepted JSON survives serialize -> parse; an accepted event has a name within
// the limits, a time no later than a day ahead (else the server's time, flagged), an
// identifier, and attributes and context that are JSON objects again; an accepted query has
// a non-empty window and a page size of 1..1000, and its cursor encodes back to itself.
#include <boost/json.hpp>
#include <string>
#include <vector>

#include "check.h"
#include "core/json.h"
#include "events/event.h"
#include "events/event_input.h"
#include "profiles/profile_input.h"

namespace {

namespace json = boost::json;
using cdp::fuzz::Check;

// The server's clock during the run: fixed, so a crash replays the same way.
constexpr int64_t kNow = 1717243200LL * 1000000;  // 2024-06-01T12:00:00Z

void CheckObjectText(const std::string& text, std::string_view what) {
  auto parsed = cdp::ParseJson(text);
  Check(parsed.ok() && parsed->is_object(), what, text);
}

void CheckEvent(const cdp::events::Event& ev) {
  Check(!ev.name.empty() && cdp::Utf8Length(ev.name) <= cdp::events::kMaxEventNameChars,
        "an accepted event name is empty or too long", ev.name);
  Check(ev.time <= kNow + cdp::events::kMaxFutureMicros, "an event more than a day ahead was kept");
  Check(!ev.clamped || ev.time == kNow, "a clamped event does not carry the server's time");
  Check(ev.profile.user_id || ev.profile.anonymous_id, "an event without a user was accepted");
  CheckObjectText(ev.attributes_json, "an event's attributes are not a JSON object");
  if (!ev.context_json.empty())
    CheckObjectText(ev.context_json, "an event's context is not a JSON object");
  Check(!ev.message_id || (!ev.message_id->empty() &&
                           cdp::Utf8Length(*ev.message_id) <= cdp::events::kMaxMessageIdChars),
        "an accepted messageId is empty or too long");
  Check(!ev.sdk_id || (*ev.sdk_id >= 1 && *ev.sdk_id <= 3), "an sdk_id outside 1..3");
}

void TryEvent(const json::object& in) {
  auto ev = cdp::events::ParseEvent(in, kNow);
  if (ev.ok()) {
    CheckEvent(*ev);
  } else {
    Check(ev.status().code() == cdp::Code::kInvalidArgument,
          "a rejected event must be InvalidArgument");
  }
}

void TryQuery(const json::object& in) {
  auto q = cdp::events::ParseEventQuery(in, kNow);
  if (!q.ok()) {
    Check(q.status().code() == cdp::Code::kInvalidArgument,
          "a rejected query must be InvalidArgument");
    return;
  }
  Check(!q->name.empty(), "a query without an event name was accepted");
  Check(q->from < q->to, "a query with an empty window was accepted");
  Check(q->limit >= 1 && q->limit <= 1000, "a page size outside 1..1000 was accepted");
  auto cursor = cdp::events::DecodeCursor(cdp::events::EncodeCursor(q->after_profile));
  Check(cursor.ok() && *cursor == q->after_profile, "a cursor does not encode back to itself");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto body = cdp::ParseJson(cdp::fuzz::AsText(data, size));
  if (!body.ok()) return 0;
  cdp::fuzz::CheckJsonRoundTrip(*body);
  if (!body->is_object()) return 0;  // Admit answers 400 before any handler runs
  const json::object& obj = body->get_object();

  // /event/create: a batch, or one event like /event/track.
  if (const json::value* nv = obj.if_contains("nv")) {
    if (nv->is_array())
      for (const json::value& item : nv->get_array())
        if (item.is_object()) TryEvent(item.get_object());
  } else {
    TryEvent(obj);
  }
  // /user_event/create: {"user":{...}, "event":{...}} or the flat form, split as the handler
  // splits it; the event takes the user's identifiers unless it names its own.
  auto parts = cdp::events::SplitUserEvent(obj);
  if (parts.ok()) {
    auto profile = cdp::profiles::ParseProfileInput(parts->user);
    if (profile.ok()) {
      json::object event = parts->event;
      bool named = false;
      for (const auto& kv : event) named = named || cdp::profiles::IsIdentifierKey(kv.key());
      if (!named && profile->user_id) event["userId"] = *profile->user_id;
      if (!named && profile->anonymous_id) event["anonymousId"] = *profile->anonymous_id;
      TryEvent(event);
    }
  } else {
    Check(parts.status().code() == cdp::Code::kInvalidArgument,
          "a rejected /user_event/create body must be InvalidArgument");
  }
  // /event/get, /event/count.
  TryQuery(obj);
  return 0;
}
