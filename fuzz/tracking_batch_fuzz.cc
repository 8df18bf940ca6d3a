// Fuzz target: a tracking SDK's call as the tracking API (api/tracking.cc) decodes it: the
// body inflated when the first byte says it is gzip (http::Gunzip, bounded as the server
// bounds it), the strict JSON parser, then tracking::ParseMessage for the call itself as
// each type and for each message of its "batch" by its own "type".
//
// The handler needs a store and a write key, so the few lines that pick the messages out
// of a batch are mirrored here; everything that reads a field is the product's code.
//
// Properties: an inflated body is never larger than the bound; an accepted message has a
// user (userId or anonymousId, within limits), a name exactly when it is an event (track,
// page, screen), a time no later than a day ahead (else the server's, flagged), a
// messageId within limits, attributes and context that are JSON objects, and profile
// fields that normalise to themselves.
#include <boost/json.hpp>
#include <string>

#include "check.h"
#include "core/json.h"
#include "http/gzip.h"
#include "profiles/profile_input.h"
#include "tracking/message.h"

namespace {

namespace json = boost::json;
using cdp::fuzz::Check;
using cdp::tracking::Type;

constexpr int64_t kNow = 1717243200LL * 1000000;  // 2024-06-01T12:00:00Z
constexpr Type kTypes[] = {Type::kIdentify, Type::kTrack, Type::kPage,
                           Type::kScreen,   Type::kGroup, Type::kAlias};

void CheckObjectText(const std::string& text, std::string_view what) {
  auto parsed = cdp::ParseJson(text);
  Check(parsed.ok() && parsed->is_object(), what, text);
}

void TryMessage(const json::object& msg, Type type) {
  auto m = cdp::tracking::ParseMessage(msg, type, kNow, std::nullopt, json::serialize(msg).size());
  if (!m.ok()) {
    Check(m.status().code() == cdp::Code::kInvalidArgument,
          "a rejected message must be InvalidArgument");
    return;
  }
  const auto& ev = m->event;
  const bool is_event = type == Type::kTrack || type == Type::kPage || type == Type::kScreen;
  Check(ev.name.empty() != is_event, "an event without a name, or a profile write with one");
  Check(ev.profile.user_id || ev.profile.anonymous_id, "a message without a user was accepted");
  for (const auto& id : {ev.profile.user_id, ev.profile.anonymous_id})
    Check(!id || (!id->empty() && id->size() <= cdp::profiles::kMaxIdChars),
          "an accepted id is empty or too long");
  Check(ev.time <= kNow + cdp::events::kMaxFutureMicros, "a message more than a day ahead");
  Check(!ev.clamped || ev.time == kNow, "a clamped message does not carry the server's time");
  Check(!ev.message_id || ev.message_id->size() <= cdp::events::kMaxMessageIdChars,
        "an accepted messageId is too long");
  if (is_event) CheckObjectText(ev.attributes_json, "an event's attributes are not an object");
  if (!ev.context_json.empty()) CheckObjectText(ev.context_json, "a context is not an object");
  Check(cdp::profiles::ValidateAttributes(ev.profile.attributes, "attributes").ok() ||
            type == Type::kGroup,
        "a profile write keeps an invalid custom attribute");
  for (size_t i = 0; i < cdp::profiles::kFieldCount; ++i) {
    const auto& v = ev.profile.fields[i];
    if (!v) continue;
    auto again = cdp::profiles::NormalizeField(cdp::profiles::Fields()[i].field, *v);
    Check(again.ok() && *again == *v, "a kept trait does not normalise to itself",
          json::serialize(*v));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = cdp::fuzz::AsText(data, size);
  std::string inflated;
  if (!text.empty() && text[0] == '\x1f') {  // gzip's first magic byte
    auto body = cdp::http::Gunzip(text, cdp::tracking::kMaxBatchBytes);
    if (!body.ok()) return 0;
    Check(body->size() <= cdp::tracking::kMaxBatchBytes, "inflated past the bound");
    inflated = std::move(body).value();
    text = inflated;
  }
  auto parsed = cdp::ParseJson(text);
  if (!parsed.ok() || !parsed->is_object()) return 0;
  cdp::fuzz::CheckJsonRoundTrip(*parsed);
  const json::object& body = parsed->get_object();
  for (Type t : kTypes) TryMessage(body, t);
  const json::value* batch = body.if_contains("batch");
  if (!batch || !batch->is_array() || batch->get_array().size() > cdp::tracking::kMaxBatchMessages)
    return 0;
  for (const json::value& m : batch->get_array()) {
    if (!m.is_object()) continue;
    const json::value* type = m.get_object().if_contains("type");
    auto named = type && type->is_string() ? cdp::tracking::TypeNamed(type->get_string())
                                           : std::nullopt;
    if (named) TryMessage(m.get_object(), *named);
  }
  return 0;
}
