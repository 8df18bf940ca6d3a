#include "api/segments.h"

#include <fmt/format.h>

#include <boost/json.hpp>

#include "api/fields.h"
#include "api/profile_json.h"
#include "core/ids.h"
#include "core/json.h"
#include "core/time.h"
#include "events/event_input.h"
#include "http/envelope.h"
#include "segments/rule.h"

namespace cdp::api {
namespace {

namespace json = boost::json;

inline constexpr int64_t kDefaultBatch = 100;
inline constexpr int64_t kMaxBatch = 1000;

Result<std::string> SegmentId(const json::object& body) {
  const json::value* v = body.if_contains("segment_id");
  if (!v || !v->is_string() || v->get_string().empty())
    return InvalidArgument("segment_id: required, the id /segment/create returned");
  return std::string(v->get_string());
}

Result<std::string> SegmentName(const json::value& v) {
  if (!v.is_string() || v.get_string().empty() || v.get_string().size() > segments::kMaxNameChars)
    return InvalidArgument(
        fmt::format("name: must be a string of 1 to {} characters", segments::kMaxNameChars));
  return std::string(v.get_string());
}

// Validates `rules` against the brand's attribute types.
Result<segments::Node> Parse(const json::value& rules, std::string_view brand_id,
                             Services& services) {
  auto types = services.store.profiles.GetAttributeTypes(brand_id);
  if (!types.ok()) return std::move(types).take_status();
  return segments::ParseRule(rules, *types);
}

// The rule a count or listing asks about: a saved segment's, or an unsaved preview.
Result<segments::Node> RuleOf(const Call& call, Services& services) {
  const bool saved = call.body.contains("segment_id");
  const bool preview = call.body.contains("rules");
  if (saved == preview)
    return InvalidArgument("give segment_id (a saved segment) or rules (a preview), not both");
  if (preview) return Parse(call.body.at("rules"), call.brand_id, services);
  auto id = SegmentId(call.body);
  if (!id.ok()) return std::move(id).take_status();
  auto segment = services.store.segments.GetSegment(call.brand_id, *id);
  if (!segment.ok()) return std::move(segment).take_status();
  auto rules = ParseJson(segment->rules);
  if (!rules.ok()) return Internal("stored rules are not JSON: " + rules.status().message());
  return Parse(*rules, call.brand_id, services);
}

json::object SegmentToJson(const store::Segment& s) {
  auto rules = ParseJson(s.rules);
  return json::object{{"segment_id", s.id},
                      {"name", s.name},
                      {"rules", rules.ok() ? std::move(rules).value() : json::value(nullptr)},
                      {"created_at", FormatTimestamp(s.created_at)},
                      {"updated_at", FormatTimestamp(s.updated_at)}};
}

}  // namespace

http::Response CreateSegment(const Call& call, Services& services) {
  if (Status st = OnlyKeys(call.body, {"name", "rules"}); !st.ok()) return http::ErrorResponse(st);
  const json::value* name_v = call.body.if_contains("name");
  if (!name_v) return http::ErrorResponse(InvalidArgument("name: required"));
  auto name = SegmentName(*name_v);
  if (!name.ok()) return http::ErrorResponse(name.status());
  const json::value* rules = call.body.if_contains("rules");
  if (!rules) return http::ErrorResponse(InvalidArgument("rules: required, a rule tree"));
  auto rule = Parse(*rules, call.brand_id, services);
  if (!rule.ok()) return http::ErrorResponse(rule.status());
  const int64_t now = services.clock.NowMicros();
  store::Segment s{"seg_" + RandomHex(12), *name, json::serialize(*rules), now, now};
  Status st = services.store.segments.CreateSegment(call.brand_id, s);
  if (!st.ok()) return http::ErrorResponse(st);
  return http::SuccessResponse(json::object{{"segment_id", s.id}}, "segment created");
}

http::Response UpdateSegment(const Call& call, Services& services) {
  if (Status st = OnlyKeys(call.body, {"segment_id", "name", "rules"}); !st.ok())
    return http::ErrorResponse(st);
  auto id = SegmentId(call.body);
  if (!id.ok()) return http::ErrorResponse(id.status());
  const json::value* name_v = call.body.if_contains("name");
  const json::value* rules = call.body.if_contains("rules");
  if (!name_v && !rules)
    return http::ErrorResponse(InvalidArgument("nothing to update: give name and/or rules"));
  auto segment = services.store.segments.GetSegment(call.brand_id, *id);
  if (!segment.ok()) return http::ErrorResponse(segment.status());
  if (name_v) {
    auto name = SegmentName(*name_v);
    if (!name.ok()) return http::ErrorResponse(name.status());
    segment->name = *name;
  }
  if (rules) {
    auto rule = Parse(*rules, call.brand_id, services);
    if (!rule.ok()) return http::ErrorResponse(rule.status());
    segment->rules = json::serialize(*rules);
  }
  segment->updated_at = services.clock.NowMicros();
  Status st = services.store.segments.UpdateSegment(call.brand_id, *segment);
  if (!st.ok()) return http::ErrorResponse(st);
  return http::SuccessResponse(SegmentToJson(*segment), "segment updated");
}

http::Response DeleteSegment(const Call& call, Services& services) {
  if (Status st = OnlyKeys(call.body, {"segment_id"}); !st.ok()) return http::ErrorResponse(st);
  auto id = SegmentId(call.body);
  if (!id.ok()) return http::ErrorResponse(id.status());
  Status st = services.store.segments.DeleteSegment(call.brand_id, *id);
  if (!st.ok()) return http::ErrorResponse(st);
  return http::SuccessResponse(json::object{{"segment_id", *id}}, "segment deleted");
}

http::Response GetSegment(const Call& call, Services& services) {
  if (Status st = OnlyKeys(call.body, {"segment_id"}); !st.ok()) return http::ErrorResponse(st);
  auto id = SegmentId(call.body);
  if (!id.ok()) return http::ErrorResponse(id.status());
  auto segment = services.store.segments.GetSegment(call.brand_id, *id);
  if (!segment.ok()) return http::ErrorResponse(segment.status());
  return http::SuccessResponse(SegmentToJson(*segment));
}

http::Response ListSegments(const Call& call, Services& services) {
  if (Status st = OnlyKeys(call.body, {}); !st.ok()) return http::ErrorResponse(st);
  auto list = services.store.segments.ListSegments(call.brand_id);
  if (!list.ok()) return http::ErrorResponse(list.status());
  json::array out;
  for (const auto& s : *list) out.push_back(SegmentToJson(s));
  return http::SuccessResponse(json::object{{"segments", std::move(out)}});
}

http::Response CountSegment(const Call& call, Services& services) {
  if (Status st = OnlyKeys(call.body, {"segment_id", "rules"}); !st.ok())
    return http::ErrorResponse(st);
  auto rule = RuleOf(call, services);
  if (!rule.ok()) return http::ErrorResponse(rule.status());
  auto count = services.store.segments.CountSegment(call.brand_id, *rule, services.clock.NowMicros());
  if (!count.ok()) return http::ErrorResponse(count.status());
  return http::SuccessResponse(json::object{{"count", *count}});
}

http::Response SegmentUsers(const Call& call, Services& services) {
  if (Status st = OnlyKeys(call.body, {"segment_id", "rules", "batch_size", "cursor"}); !st.ok())
    return http::ErrorResponse(st);
  auto limit = BatchSize(call.body, kDefaultBatch, kMaxBatch);
  if (!limit.ok()) return http::ErrorResponse(limit.status());
  auto after = Cursor(call.body);
  if (!after.ok()) return http::ErrorResponse(after.status());
  auto rule = RuleOf(call, services);
  if (!rule.ok()) return http::ErrorResponse(rule.status());
  auto page = services.store.segments.SegmentMembers(call.brand_id, *rule, services.clock.NowMicros(),
                                            *after, static_cast<size_t>(*limit));
  if (!page.ok()) return http::ErrorResponse(page.status());
  json::array users;
  for (const auto& p : page->profiles) users.push_back(ProfileToJson(p));
  json::object data{{"users", std::move(users)}};
  if (page->next_after) data["next_cursor"] = events::EncodeCursor(*page->next_after);
  return http::SuccessResponse(std::move(data));
}

}  // namespace cdp::api
