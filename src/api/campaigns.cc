#include "api/campaigns.h"

#include <fmt/format.h>

#include <boost/json.hpp>

#include "api/fields.h"
#include "campaigns/campaign.h"
#include "campaigns/compose.h"
#include "campaigns/engine.h"
#include "campaigns/lifecycle.h"
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
  auto counts = services.store.campaigns.CountMessages(c.brand_id, c.id);
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
  return services.store.campaigns.GetCampaign(call.brand_id, *id);
}

campaigns::Lifecycle LifecycleOf(Services& services) {
  return {services.store.campaigns, services.store.segments, services.clock.NowMicros()};
}

// Answers a state change `st` of `c`: 409 names its status when it was in none the change
// starts from. A campaign that may now be due wakes the engine.
http::Response Changed(const Status& st, const store::Campaign& c, Services& services,
                       std::string_view message) {
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
  store::Campaign c;
  c.brand_id = call.brand_id;
  if (Status st = ApplyFields(call.body, c); !st.ok()) return http::ErrorResponse(st);
  if (Status st = LifecycleOf(services).Create(c); !st.ok()) return http::ErrorResponse(st);
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
  return Changed(LifecycleOf(services).Update(*c), *c, services, "campaign updated");
}

http::Response GetCampaign(const Call& call, Services& services) {
  auto c = Load(call, services, {"campaign_id"});
  if (!c.ok()) return http::ErrorResponse(c.status());
  return Answer(*c, services, "");
}

http::Response ListCampaigns(const Call& call, Services& services) {
  if (Status st = OnlyKeys(call.body, {}); !st.ok()) return http::ErrorResponse(st);
  auto list = services.store.campaigns.ListCampaigns(call.brand_id);
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
  return Changed(LifecycleOf(services).Send(*c), *c, services, "campaign sending");
}

http::Response ScheduleCampaign(const Call& call, Services& services) {
  auto c = Load(call, services, {"campaign_id", "send_at"});
  if (!c.ok()) return http::ErrorResponse(c.status());
  auto lifecycle = LifecycleOf(services);
  auto at = campaigns::ParseSendAt(call.body.if_contains("send_at"), lifecycle.now,
                                   "use /campaign/send");
  if (!at.ok()) return http::ErrorResponse(at.status());
  return Changed(lifecycle.Schedule(*c, *at), *c, services, "campaign scheduled");
}

http::Response CancelCampaign(const Call& call, Services& services) {
  auto c = Load(call, services, {"campaign_id"});
  if (!c.ok()) return http::ErrorResponse(c.status());
  return Changed(LifecycleOf(services).Cancel(*c), *c, services, "campaign cancelled");
}

}  // namespace cdp::api

namespace cdp::api {
namespace {

// The rendered fields of a composed message, by channel.
json::object RenderedJson(std::string_view channel, const delivery::Outgoing& out) {
  if (campaigns::IsPushChannel(channel)) {
    const delivery::PushNotification& n = out.notification;
    auto data = ParseJson(n.data);
    return json::object{{"title", n.title},
                        {"message", n.body},
                        {"url", n.url},
                        {"image", n.image},
                        {"data", data.ok() ? std::move(data).value() : json::object()}};
  }
  if (channel == "sms") return json::object{{"to", out.to}, {"text", out.text}};
  return json::object{{"to", out.to},           {"from", out.from}, {"reply_to", out.reply_to},
                      {"subject", out.subject}, {"html", out.html}, {"text", out.text}};
}

}  // namespace

http::Response PreviewCampaign(const Call& call, Services& services) {
  if (Status st = OnlyKeys(call.body, {"userId", "userID", "user_id", "anonymousId",
                                       "anonymous_id", "campaign_id", "channel", "content"});
      !st.ok())
    return http::ErrorResponse(st);
  auto key = ProfileKeyOf(call.body);
  if (!key.ok()) return http::ErrorResponse(key.status());
  const bool saved = call.body.contains("campaign_id");
  if (saved == (call.body.contains("channel") || call.body.contains("content")))
    return http::ErrorResponse(
        InvalidArgument("campaign_id: give campaign_id, or channel and content, not both"));
  // A saved campaign as stored, or unsaved content with the default options. Either way
  // the message is composed under the id "preview", so that its links (an email client's
  // pixel fetch, a click, an unsubscribe) never count as the campaign's.
  store::Campaign c;
  campaigns::Options options;
  if (saved) {
    auto id = CampaignId(call.body);
    if (!id.ok()) return http::ErrorResponse(id.status());
    auto found = services.store.campaigns.GetCampaign(call.brand_id, *id);
    if (!found.ok()) return http::ErrorResponse(found.status());
    c = std::move(found).value();
    auto doc = ParseJson(c.options);
    auto parsed = doc.ok() ? campaigns::ParseOptions(*doc) : Result<campaigns::Options>(doc.status());
    if (!parsed.ok()) return http::ErrorResponse(parsed.status());
    options = *parsed;
  } else {
    for (auto k : {"channel", "content"})
      if (!call.body.contains(k))
        return http::ErrorResponse(InvalidArgument(fmt::format("{}: required", k)));
    store::Campaign fields;
    if (Status st = ApplyFields(call.body, fields); !st.ok()) return http::ErrorResponse(st);
    c = std::move(fields);
    c.brand_id = call.brand_id;
    if (!campaigns::IsChannel(c.channel))
      return http::ErrorResponse(
          InvalidArgument(fmt::format("channel: must be {}", campaigns::kChannelNames)));
  }
  auto content_doc = ParseJson(c.content);
  if (!content_doc.ok()) return http::ErrorResponse(content_doc.status());
  auto content = campaigns::ParseContent(c.channel, *content_doc);
  if (!content.ok()) return http::ErrorResponse(content.status());
  auto profile = services.store.profiles.GetProfile(call.brand_id, *key);
  if (!profile.ok()) return http::ErrorResponse(profile.status());
  if (!services.links)
    return http::ErrorResponse(Unavailable("this server makes no message links"));

  std::optional<std::string> why_not = campaigns::Unreachable(c.channel, *profile);
  if (!why_not && campaigns::IsPushChannel(c.channel)) {
    auto subs = services.store.push.ListSubscriptions(call.brand_id, profile->id, c.channel);
    if (!subs.ok()) return http::ErrorResponse(subs.status());
    if (subs->empty()) why_not = campaigns::NoSubscriptionReason(c.channel);
  }
  const delivery::Outgoing out = campaigns::ComposeMessage(
      {c.brand_id, "preview", c.channel}, *content, options, *services.links, *profile,
      profile->id);
  json::object data{{"channel", c.channel},
                    {"rendered", RenderedJson(c.channel, out)},
                    {"reachable", !why_not}};
  if (why_not) data["reason"] = *why_not;
  return http::SuccessResponse(std::move(data));
}

}  // namespace cdp::api
