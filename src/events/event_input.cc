#include "events/event_input.h"

#include <fmt/format.h>

#include <boost/json.hpp>

#include "core/json.h"
#include "core/time.h"
#include "profiles/profile_input.h"

namespace cdp::events {
namespace {

namespace json = boost::json;

constexpr size_t kMaxQueryBatch = 1000;
constexpr size_t kMaxContextBytes = 16 * 1024;

const json::value* Find(const json::object& in, std::initializer_list<std::string_view> names) {
  for (auto n : names)
    if (const auto* v = in.if_contains(n)) return v;
  return nullptr;
}

// The keys of an event other than the identifiers.
bool IsEventFieldKey(std::string_view key) {
  static const std::string_view kKeys[] = {"event_name", "eventName",   "event",      "event_time",
                                           "eventTime",  "timestamp",   "date",       "ltv",
                                           "attributes", "user_params", "context",    "sdk_id",
                                           "sdkId",      "messageId",   "message_id", "messageID"};
  for (auto k : kKeys)
    if (k == key) return true;
  return false;
}

bool IsKnownKey(std::string_view key) {
  return profiles::IsIdentifierKey(key) || IsEventFieldKey(key);
}

Result<int64_t> ParseTime(const json::value& v, std::string_view field) {
  if (!v.is_string())
    return InvalidArgument(
        fmt::format("{}: must be a timestamp string like 2013-01-26T07:31:00+0000", field));
  auto t = ParseTimestamp(v.get_string());
  if (!t)
    return InvalidArgument(
        fmt::format("{}: '{}' is not a timestamp; use yyyy-MM-ddTHH:mm:ss with an optional offset "
                    "(+0000), ISO 8601 with Z, or yyyy-MM-dd HH:mm:ss",
                    field, std::string_view(v.get_string())));
  return t->micros;
}

}  // namespace

Result<Event> ParseEvent(const json::object& in, int64_t now) {
  Event ev;
  for (const auto& [key, value] : in) {
    if (!IsKnownKey(key))
      return InvalidArgument(fmt::format(
          "unknown field '{}'; event attributes go inside \"attributes\"", std::string_view(key)));
  }
  // Identity: reuse the profile parser for the identifiers and user_params fields.
  json::object who;
  for (const auto& [k, v] : in)
    if (profiles::IsIdentifierKey(k)) who[k] = v;
  if (const auto* params = in.if_contains("user_params")) {
    if (!params->is_object())
      return InvalidArgument(
          "user_params: must be an object like {\"name\":..,\"email\":..,\"mobile\":..}");
    for (const auto& [k, v] : params->get_object()) {
      if (!profiles::FieldByName(k))
        return InvalidArgument(
            fmt::format("user_params.{}: not a profile field", std::string_view(k)));
      who[k] = v;
    }
    ev.has_profile_fields = !params->get_object().empty();
  }
  auto patch = profiles::ParseProfileInput(who);
  if (!patch.ok()) return std::move(patch).take_status();
  ev.profile = std::move(patch).value();

  const json::value* name = Find(in, {"event_name", "eventName", "event"});
  if (!name || !name->is_string() || name->get_string().empty())
    return InvalidArgument("event_name: required, a non-empty string");
  if (Utf8Length(name->get_string()) > kMaxEventNameChars)
    return InvalidArgument(fmt::format("event_name: must be less than 50 characters, got {}",
                                       Utf8Length(name->get_string())));
  ev.name = std::string(name->get_string());

  ev.time = now;
  if (const json::value* t = Find(in, {"event_time", "eventTime", "timestamp", "date"});
      t && !t->is_null()) {
    auto micros = ParseTime(*t, "event_time");
    if (!micros.ok()) return std::move(micros).take_status();
    if (*micros > now + kMaxFutureMicros) {
      ev.clamped = true;
    } else {
      ev.time = *micros;
    }
  }
  if (const auto* ltv = in.if_contains("ltv"); ltv && !ltv->is_null()) {
    if (!ltv->is_number()) return InvalidArgument("ltv: must be a number");
    ev.ltv = ltv->to_number<double>();
  }
  if (const auto* attrs = in.if_contains("attributes"); attrs && !attrs->is_null()) {
    if (!attrs->is_object()) return InvalidArgument("attributes: must be an object");
    CDP_RETURN_IF_ERROR(profiles::ValidateAttributes(attrs->get_object(), "attributes"));
    ev.attributes_json = json::serialize(*attrs);
  }
  if (const auto* ctx = in.if_contains("context"); ctx && !ctx->is_null()) {
    if (!ctx->is_object()) return InvalidArgument("context: must be an object");
    for (auto part : {"page", "utm"}) {
      if (const auto* p = ctx->get_object().if_contains(part); p && !p->is_object())
        return InvalidArgument(fmt::format("context.{}: must be an object", part));
    }
    if (const auto* ip = ctx->get_object().if_contains("ip_address"); ip && !ip->is_string())
      return InvalidArgument("context.ip_address: must be a string");
    ev.context_json = json::serialize(*ctx);
    if (ev.context_json.size() > kMaxContextBytes)
      return InvalidArgument(fmt::format("context: at most {} bytes", kMaxContextBytes));
  }
  if (const json::value* sdk = Find(in, {"sdk_id", "sdkId"}); sdk && !sdk->is_null()) {
    int64_t id = sdk->is_int64() ? sdk->get_int64() : 0;
    if (id < 1 || id > 3) return InvalidArgument("sdk_id: must be 1 (web), 2 (android) or 3 (ios)");
    ev.sdk_id = static_cast<int>(id);
  }
  if (const json::value* mid = Find(in, {"messageId", "message_id", "messageID"});
      mid && !mid->is_null()) {
    if (!mid->is_string() || mid->get_string().empty())
      return InvalidArgument("messageId: must be a non-empty string");
    if (Utf8Length(mid->get_string()) > kMaxMessageIdChars)
      return InvalidArgument("messageId: must be at most 100 characters");
    ev.message_id = std::string(mid->get_string());
  }
  return ev;
}

Result<UserEventParts> SplitUserEvent(const json::object& body) {
  UserEventParts parts;
  const json::value* user = body.if_contains("user");
  const json::value* event = body.if_contains("event");
  if (user || (event && event->is_object())) {
    if (!user || !user->is_object() || !event || !event->is_object() || body.size() != 2)
      return InvalidArgument(
          "body must be {\"user\":{...profile as for /user/create...}, \"event\":{...}}, or "
          "one object with the user's and the event's fields");
    parts.user = user->get_object();
    parts.event = event->get_object();
    return parts;
  }
  parts.flat = true;
  for (const auto& [key_ref, value] : body) {
    std::string_view key = key_ref;
    if (profiles::IsIdentifierKey(key) || profiles::FieldByName(key) || key == "user_attributes") {
      parts.user[key] = value;
    } else if (IsEventFieldKey(key)) {
      parts.event[key] = value;
    } else {
      return InvalidArgument(
          fmt::format("unknown field '{}'; event attributes go inside \"attributes\", the "
                      "user's custom attributes inside \"user_attributes\"",
                      key));
    }
  }
  return parts;
}

Result<EventQuery> ParseEventQuery(const json::object& in, int64_t now) {
  EventQuery q;
  for (const auto& [key, value] : in) {
    static const std::string_view kKeys[] = {"event_name", "eventName", "start_date", "end_date",
                                             "batch_size", "cursor",    "attributes"};
    if (std::find(std::begin(kKeys), std::end(kKeys), std::string_view(key)) == std::end(kKeys))
      return InvalidArgument(fmt::format("unknown field '{}'", std::string_view(key)));
  }
  const json::value* name = Find(in, {"event_name", "eventName"});
  if (!name || !name->is_string() || name->get_string().empty())
    return InvalidArgument("event_name: required, a non-empty string");
  q.name = std::string(name->get_string());
  q.from = 0;
  q.to = now + kMaxFutureMicros + 1;
  if (const auto* v = in.if_contains("start_date"); v && !v->is_null()) {
    auto t = ParseTime(*v, "start_date");
    if (!t.ok()) return std::move(t).take_status();
    q.from = *t;
  }
  if (const auto* v = in.if_contains("end_date"); v && !v->is_null()) {
    auto t = ParseTime(*v, "end_date");
    if (!t.ok()) return std::move(t).take_status();
    // A bare date is inclusive of its whole day; a full timestamp is inclusive of itself.
    q.to = ParseTimestamp(v->get_string())->date_only ? *t + 86400LL * 1000000 : *t + 1;
  }
  if (q.to <= q.from) return InvalidArgument("end_date: must not be before start_date");
  if (const auto* v = in.if_contains("batch_size"); v && !v->is_null()) {
    if (!v->is_int64() || v->get_int64() < 1 ||
        v->get_int64() > static_cast<int64_t>(kMaxQueryBatch))
      return InvalidArgument("batch_size: must be an integer from 1 to 1000");
    q.limit = static_cast<size_t>(v->get_int64());
  }
  if (const auto* v = in.if_contains("cursor"); v && !v->is_null()) {
    if (!v->is_string())
      return InvalidArgument("cursor: must be the next_cursor string of the previous page");
    auto after = DecodeCursor(v->get_string());
    if (!after.ok()) return std::move(after).take_status();
    q.after_profile = *after;
  }
  if (const auto* v = in.if_contains("attributes"); v && !v->is_null()) {
    if (!v->is_object())
      return InvalidArgument("attributes: must be an object of name: value filters");
    for (const auto& [k, val] : v->get_object()) {
      if (val.is_object() || val.is_array() || val.is_null())
        return InvalidArgument(
            fmt::format("attributes.{}: filter values must be strings, numbers or booleans",
                        std::string_view(k)));
      q.where.push_back(AttributeFilter{std::string(k), val});
    }
  }
  return q;
}

std::string EncodeCursor(int64_t after_profile) { return fmt::format("c1.{:x}", after_profile); }

Result<int64_t> DecodeCursor(std::string_view cursor) {
  if (!cursor.starts_with("c1.") || cursor.size() < 4 ||
      cursor.size() > 3 + 15)  // 15 hex digits fit in int64_t
    return InvalidArgument("cursor: not a cursor returned by this API");
  int64_t v = 0;
  for (char c : cursor.substr(3)) {
    int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
    if (d < 0) return InvalidArgument("cursor: not a cursor returned by this API");
    v = v * 16 + d;
  }
  return v;
}

}  // namespace cdp::events
