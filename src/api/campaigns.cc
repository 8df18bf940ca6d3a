#include "api/campaigns.h"

#include <fmt/format.h>

#include <boost/json.hpp>

#include "api/fields.h"
#include "campaigns/campaign.h"
#include "campaigns/engine.h"
#include "core/ids.h"
#include "core/json.h"
#include "core/time.h"
#include "http/envelope.h"

namespace cdp::api {
namespace {

namespace json = boost::json;

Status CheckName(const json::value& v) {
  if (!v.is_string() || v.get_string().empty() || v.get_string().size() > campaigns::kMaxNameChars)
    return InvalidArgument(
        fmt::format("name: must be a string of 1 to {} characters", campaigns::kMaxNameChars));
  return Status::Ok();
}

// Validates the campaign as a whole: the channel, its content for that channel, and a
// target naming a segment the brand has.
Status Validate(const store::Campaign& c, Services& services) {
  if (!campaigns::IsChannel(c.channel))
    return InvalidArgument(fmt::format("channel: must be {}", campaigns::kChannelNames));
  auto content = ParseJson(c.content);
  if (!content.ok()) return content.status();
  if (auto parsed = campaigns::ParseContent(c.channel, *content); !parsed.ok())
    return parsed.status();
  auto target_doc = ParseJson(c.target);
  if (!target_doc.ok()) return target_doc.status();
  auto target = campaigns::ParseTarget(*target_doc);
  if (!target.ok()) return target.status();
  auto options = ParseJson(c.options);
  if (!options.ok()) return options.status();
  if (auto parsed = campaigns::ParseOptions(*options); !parsed.ok()) return parsed.status();
  if ((target->subscribers || target->subscription_id) && !campaigns::IsPushChannel(c.channel))
    return InvalidArgument(fmt::format(
        "target: subscribers and subscription_id are for push channels, not {}", c.channel));
  if (target->segment_id) {
    auto segment = services.store.GetSegment(c.brand_id, *target->segment_id);
    if (segment.status().code() == Code::kNotFound)
      return InvalidArgument(
          fmt::format("target.segment_id: the brand has no segment '{}'", *target->segment_id));
    if (!segment.ok()) return segment.status();
  }
  return Status::Ok();
}

// Applies the fields present in `body` to `c`.
Status ApplyFields(const json::object& body, store::Campaign& c) {
  if (const json::value* v = body.if_contains("name")) {
    CDP_RETURN_IF_ERROR(CheckName(*v));
    c.name = std::string(v->get_string());
  }
  if (const json::value* v = body.if_contains("channel")) {
    if (!v->is_string())
      return InvalidArgument(fmt::format("channel: must be {}", campaigns::kChannelNames));
    c.channel = std::string(v->get_string());
  }
  if (const json::value* v = body.if_contains("target")) c.target = json::serialize(*v);
  if (const json::value* v = body.if_contains("content")) c.content = json::serialize(*v);
  if (body.contains("tracking") || body.contains("conversion")) {
    auto stored = ParseJson(c.options);
    json::object options =
        stored.ok() && stored->is_object() ? stored->get_object() : json::object();
    for (auto key : {"tracking", "conversion"})
      if (const json::value* v = body.if_contains(key)) options[key] = *v;
    c.options = json::serialize(options);
  }
  return Status::Ok();
}

Result<json::object> CampaignToJson(const store::Campaign& c, Services& services) {
  auto counts = services.store.CountMessages(c.brand_id, c.id);
  if (!counts.ok()) return counts.status();
  auto target = ParseJson(c.target);
  auto content = ParseJson(c.content);
  auto options_doc = ParseJson(c.options);
  auto options = options_doc.ok() ? campaigns::ParseOptions(*options_doc)
                                  : Result<campaigns::Options>(options_doc.status());
  json::object out{{"campaign_id", c.id},
                   {"name", c.name},
                   {"channel", c.channel},
                   {"status", c.status},
                   {"target", target.ok() ? *target : json::value(nullptr)},
                   {"content", content.ok() ? *content : json::value(nullptr)},
                   {"send_at", OptionalTimestamp(c.send_at)},
                   {"created_at", FormatTimestamp(c.created_at)},
                   {"updated_at", FormatTimestamp(c.updated_at)},
                   {"started_at", OptionalTimestamp(c.started_at)},
                   {"finished_at", OptionalTimestamp(c.finished_at)},
                   {"counts", json::object{{"targeted", counts->targeted()},
                                           {"queued", counts->queued},
                                           {"sent", counts->sent},
                                           {"failed", counts->failed},
                                           {"skipped", counts->skipped}}}};
  if (options.ok())
    for (auto& [k, v] : campaigns::OptionsToJson(*options)) out[k] = v;
  return out;
}

http::Response Answer(const store::Campaign& c, Services& services, std::string_view message) {
  auto out = CampaignToJson(c, services);
  if (!out.ok()) return http::ErrorResponse(out.status());
  return http::SuccessResponse(std::move(out).value(), message);
}

// Loads the campaign named by the body, which may hold only `allowed` keys.
Result<store::Campaign> Load(const Call& call, Services& services,
                             std::initializer_list<std::string_view> allowed) {
  CDP_RETURN_IF_ERROR(OnlyKeys(call.body, allowed));
  auto id = CampaignId(call.body);
  if (!id.ok()) return id.status();
  return services.store.GetCampaign(call.brand_id, *id);
}

// Saves `c` if it is still in one of `from`; 409 names its status otherwise.
http::Response Transition(store::Campaign& c, Services& services,
                          std::vector<std::string_view> from, std::string_view message) {
  c.updated_at = services.clock.NowMicros();
  Status st = services.store.SaveCampaign(c, std::move(from));
  if (!st.ok()) return http::ErrorResponse(st);
  if (services.campaigns) services.campaigns->Wake();
  return Answer(c, services, message);
}

}  // namespace

http::Response CreateCampaign(const Call& call, Services& services) {
  if (Status st =
          OnlyKeys(call.body, {"name", "channel", "target", "content", "tracking", "conversion"});
      !st.ok())
    return http::ErrorResponse(st);
  for (auto key : {"name", "channel", "target", "content"})
    if (!call.body.contains(key))
      return http::ErrorResponse(InvalidArgument(fmt::format("{}: required", key)));
  const int64_t now = services.clock.NowMicros();
  store::Campaign c;
  c.brand_id = call.brand_id;
  c.id = "cmp_" + RandomHex(12);
  c.status = store::kCampaignDraft;
  c.created_at = c.updated_at = now;
  if (Status st = ApplyFields(call.body, c); !st.ok()) return http::ErrorResponse(st);
  if (Status st = Validate(c, services); !st.ok()) return http::ErrorResponse(st);
  if (Status st = services.store.CreateCampaign(c); !st.ok()) return http::ErrorResponse(st);
  return http::SuccessResponse(json::object{{"campaign_id", c.id}, {"status", c.status}},
                               "campaign created");
}

http::Response UpdateCampaign(const Call& call, Services& services) {
  auto c = Load(call, services,
                {"campaign_id", "name", "channel", "target", "content", "tracking", "conversion"});
  if (!c.ok()) return http::ErrorResponse(c.status());
  if (call.body.size() == 1)
    return http::ErrorResponse(
        InvalidArgument("nothing to update: give name, channel, target, content, tracking "
                        "and/or conversion"));
  if (Status st = ApplyFields(call.body, *c); !st.ok()) return http::ErrorResponse(st);
  if (Status st = Validate(*c, services); !st.ok()) return http::ErrorResponse(st);
  return Transition(*c, services, {store::kCampaignDraft, store::kCampaignScheduled},
                    "campaign updated");
}

http::Response GetCampaign(const Call& call, Services& services) {
  auto c = Load(call, services, {"campaign_id"});
  if (!c.ok()) return http::ErrorResponse(c.status());
  return Answer(*c, services, "");
}

http::Response ListCampaigns(const Call& call, Services& services) {
  if (Status st = OnlyKeys(call.body, {}); !st.ok()) return http::ErrorResponse(st);
  auto list = services.store.ListCampaigns(call.brand_id);
  if (!list.ok()) return http::ErrorResponse(list.status());
  json::array out;
  for (const auto& c : *list) {
    auto one = CampaignToJson(c, services);
    if (!one.ok()) return http::ErrorResponse(one.status());
    out.push_back(std::move(one).value());
  }
  return http::SuccessResponse(json::object{{"campaigns", std::move(out)}});
}

http::Response SendCampaign(const Call& call, Services& services) {
  auto c = Load(call, services, {"campaign_id"});
  if (!c.ok()) return http::ErrorResponse(c.status());
  c->status = store::kCampaignSending;
  c->send_at = services.clock.NowMicros();
  return Transition(*c, services, {store::kCampaignDraft, store::kCampaignScheduled},
                    "campaign sending");
}

// `now_instead`: how the caller sends now instead, for the error about a past instant.
Result<int64_t> ParseSendAt(const json::value* v, int64_t now, std::string_view now_instead) {
  static constexpr std::string_view kForm =
      "send_at: must be an ISO 8601 instant with an offset, like 2026-12-01T09:00:00+0530 or "
      "2026-12-01T03:30:00Z";
  if (!v || !v->is_string()) return InvalidArgument(std::string(kForm));
  std::string_view text = v->get_string();
  auto t = ParseTimestamp(text);
  const bool has_offset =
      text.size() > 16 && (text.ends_with('Z') || text.ends_with('z') ||
                           text.substr(16).find_first_of("+-") != std::string_view::npos);
  if (!t || t->date_only || !has_offset) return InvalidArgument(std::string(kForm));
  if (t->micros <= now)
    return InvalidArgument(fmt::format("send_at: {} is in the past; {} to send now",
                                       FormatTimestamp(t->micros), now_instead));
  return t->micros;
}

http::Response LaunchCampaign(store::Campaign c, const json::value* send_at, Services& services) {
  const int64_t now = services.clock.NowMicros();
  std::optional<int64_t> at;
  if (send_at) {
    auto parsed = ParseSendAt(send_at, now, "leave it out");
    if (!parsed.ok()) return http::ErrorResponse(parsed.status());
    at = *parsed;
  }
  c.id = "cmp_" + RandomHex(12);
  c.created_at = c.updated_at = now;
  c.status = at ? store::kCampaignScheduled : store::kCampaignSending;
  c.send_at = at.value_or(now);
  if (Status st = Validate(c, services); !st.ok()) return http::ErrorResponse(st);
  if (Status st = services.store.CreateCampaign(c); !st.ok()) return http::ErrorResponse(st);
  if (services.campaigns) services.campaigns->Wake();
  return http::SuccessResponse(
      json::object{
          {"campaign_id", c.id}, {"status", c.status}, {"send_at", FormatTimestamp(*c.send_at)}},
      at ? "campaign scheduled" : "campaign sending");
}

http::Response ScheduleCampaign(const Call& call, Services& services) {
  auto c = Load(call, services, {"campaign_id", "send_at"});
  if (!c.ok()) return http::ErrorResponse(c.status());
  auto at = ParseSendAt(call.body.if_contains("send_at"), services.clock.NowMicros(),
                        "use /campaign/send");
  if (!at.ok()) return http::ErrorResponse(at.status());
  c->status = store::kCampaignScheduled;
  c->send_at = *at;
  return Transition(*c, services, {store::kCampaignDraft, store::kCampaignScheduled},
                    "campaign scheduled");
}

http::Response CancelCampaign(const Call& call, Services& services) {
  auto c = Load(call, services, {"campaign_id"});
  if (!c.ok()) return http::ErrorResponse(c.status());
  c->status = store::kCampaignCancelled;
  c->finished_at = services.clock.NowMicros();
  return Transition(*c, services, {store::kCampaignScheduled, store::kCampaignSending},
                    "campaign cancelled");
}

}  // namespace cdp::api
