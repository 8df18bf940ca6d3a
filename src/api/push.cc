#include "api/push.h"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <algorithm>
#include <tuple>

#include "api/fields.h"
#include "campaigns/campaign.h"
#include "campaigns/engine.h"
#include "campaigns/lifecycle.h"
#include "campaigns/vapid.h"
#include "core/base64.h"
#include "core/ids.h"
#include "core/json.h"
#include "core/time.h"
#include "delivery/push/push.h"
#include "delivery/settings.h"
#include "http/envelope.h"
#include "profiles/profile_input.h"

namespace cdp::api {
namespace {

namespace json = boost::json;

constexpr size_t kMaxAddressChars = 2000;

// Starts the push campaign `c` now, or schedules it at `send_at` (a JSON string as
// /campaign/schedule takes it) when given -> {"campaign_id","status","send_at"}.
http::Response Launch(store::Campaign c, const json::value* send_at, Services& services) {
  campaigns::Lifecycle lifecycle{services.store.campaigns, services.store.segments,
                                 services.clock.NowMicros()};
  std::optional<int64_t> at;
  if (send_at) {
    auto parsed = campaigns::ParseSendAt(send_at, lifecycle.now, "leave it out");
    if (!parsed.ok()) return http::ErrorResponse(parsed.status());
    at = *parsed;
  }
  if (Status st = lifecycle.Launch(c, at); !st.ok()) return http::ErrorResponse(st);
  if (services.campaigns) services.campaigns->Wake();
  return http::SuccessResponse(
      json::object{
          {"campaign_id", c.id}, {"status", c.status}, {"send_at", FormatTimestamp(*c.send_at)}},
      at ? "campaign scheduled" : "campaign sending");
}

Result<std::string> Text(const json::object& body, std::string_view key, size_t max) {
  const json::value* v = body.if_contains(key);
  if (!v) return InvalidArgument(fmt::format("{}: required", key));
  if (!v->is_string() || v->get_string().empty() || v->get_string().size() > max)
    return InvalidArgument(fmt::format("{}: must be a string of 1 to {} characters", key, max));
  return std::string(v->get_string());
}

Result<std::string> Platform(const json::object& body) {
  const json::value* v = body.if_contains("platform");
  if (!v || !v->is_string() || !delivery::IsPushPlatform(v->get_string()))
    return InvalidArgument("platform: must be web, android or ios");
  return std::string(v->get_string());
}

// A Web Push endpoint: an https URL (http only on loopback, for local push services).
Status CheckEndpoint(std::string_view endpoint) {
  auto url = boost::urls::parse_absolute_uri(endpoint);
  const bool https = url && url->scheme() == "https" && !url->host().empty();
  const bool loopback =
      url && url->scheme() == "http" &&
      (url->host() == "127.0.0.1" || url->host() == "localhost" || url->host() == "[::1]");
  if ((!https && !loopback) || url->has_fragment())
    return InvalidArgument("subscription.endpoint: must be an https URL without a fragment");
  return Status::Ok();
}

// The browser's keys: p256dh a 65-byte uncompressed point, auth 16 bytes, both base64url.
Status CheckWebKeys(const json::object& keys, std::string& p256dh, std::string& auth) {
  CDP_RETURN_IF_ERROR(OnlyKeys(keys, {"p256dh", "auth"}));
  auto p = Text(keys, "p256dh", 200);
  auto a = Text(keys, "auth", 100);
  auto strip = [](std::string s) {  // browsers' toJSON() never pads, but some clients do
    while (s.ends_with('=')) s.pop_back();
    return s;
  };
  if (p.ok()) p256dh = strip(*p);
  if (a.ok()) auth = strip(*a);
  auto point = p.ok() ? FromBase64Url(p256dh) : std::nullopt;
  if (!point || point->size() != 65 || (*point)[0] != 4)
    return InvalidArgument(
        "subscription.keys.p256dh: must be the browser's P-256 public key (base64url, 65 bytes)");
  auto secret = a.ok() ? FromBase64Url(auth) : std::nullopt;
  if (!secret || secret->size() != 16)
    return InvalidArgument("subscription.keys.auth: must be the 16-byte secret, base64url");
  return Status::Ok();
}

Status CheckToken(std::string_view platform, std::string_view token) {
  if (platform == "ios") {
    if (token.size() < 32 || token.size() > 200 || token.size() % 2 != 0 ||
        token.find_first_not_of("0123456789abcdefABCDEF") != std::string_view::npos)
      return InvalidArgument("token: must be the APNs device token in hex");
    return Status::Ok();
  }
  if (token.size() > 4096 || token.find_first_of(" \t\r\n") != std::string_view::npos)
    return InvalidArgument("token: must be the FCM registration token");
  return Status::Ok();
}

// The profile the identity keys of `body` name, created when missing.
Result<int64_t> ProfileOf(const Call& call, Services& services) {
  json::object who;
  for (auto key : {"userId", "userID", "user_id", "anonymousId", "anonymous_id"})
    if (const json::value* v = call.body.if_contains(key)) who[key] = *v;
  if (who.empty()) return InvalidArgument("userId or anonymousId is required");
  auto patch = profiles::ParseProfileInput(who);
  if (!patch.ok()) return patch.status();
  const profiles::ProfileKey key =
      patch->user_id
          ? profiles::ProfileKey{profiles::ProfileKey::Kind::kUserId, *patch->user_id}
          : profiles::ProfileKey{profiles::ProfileKey::Kind::kAnonymousId, *patch->anonymous_id};
  auto existing = services.store.profiles.GetProfile(call.brand_id, key);
  if (existing.ok() && (!patch->user_id || !patch->anonymous_id)) return existing->id;
  if (!existing.ok() && existing.status().code() != Code::kNotFound) return existing.status();
  std::vector<store::ProfileWrite> writes;
  writes.push_back({std::move(patch).value()});
  auto results =
      services.store.profiles.UpsertProfiles(call.brand_id, std::move(writes), services.clock.NowMicros());
  if (!results.ok()) return results.status();
  if (!(*results)[0].ok()) return (*results)[0];
  auto created = services.store.profiles.GetProfile(call.brand_id, key);
  if (!created.ok()) return created.status();
  return created->id;
}

// The campaign fields of a send or broadcast body: content, name and options.
Status FillCampaign(std::string_view platform, const json::object& body, std::string_view kind,
                    store::Campaign& c) {
  json::object content;
  for (auto key : {"title", "message", "url", "image", "data"})
    if (const json::value* v = body.if_contains(key)) content[key] = *v;
  c.content = json::serialize(content);
  c.channel = std::string(platform);
  if (const json::value* v = body.if_contains("name")) {
    if (!v->is_string() || v->get_string().empty() ||
        v->get_string().size() > campaigns::kMaxNameChars)
      return InvalidArgument(
          fmt::format("name: must be a string of 1 to {} characters", campaigns::kMaxNameChars));
    c.name = std::string(v->get_string());
  } else {
    c.name = fmt::format("{} push {}", platform, kind);
  }
  json::object options;
  for (auto key : {"tracking", "conversion"})
    if (const json::value* v = body.if_contains(key)) options[key] = *v;
  c.options = json::serialize(options);
  return Status::Ok();
}

// What a listing shows of a subscription's address: a web endpoint's origin (the push
// service, never the browser's own path), a device token's first 8 characters.
void AddAddress(const store::Subscription& s, json::object& out) {
  if (s.platform != "web") {
    out["token"] = s.address.substr(0, 8).append("\u2026");
    return;
  }
  auto url = boost::urls::parse_absolute_uri(s.address);
  std::string origin;
  if (url) {
    origin.append(url->scheme()).append("://").append(url->encoded_host());
    if (url->has_port()) origin.append(":").append(url->port());
  }
  out["endpoint"] = origin;
}

}  // namespace

http::Response PushSubscribe(const Call& call, Services& services) {
  if (Status st = OnlyKeys(call.body, {"userId", "userID", "user_id", "anonymousId", "anonymous_id",
                                       "platform", "subscription", "token"});
      !st.ok())
    return http::ErrorResponse(st);
  auto platform = Platform(call.body);
  if (!platform.ok()) return http::ErrorResponse(platform.status());
  store::Subscription sub;
  sub.platform = *platform;
  if (sub.platform == "web") {
    if (call.body.contains("token"))
      return http::ErrorResponse(InvalidArgument("token: web subscriptions send subscription"));
    const json::value* v = call.body.if_contains("subscription");
    if (!v || !v->is_object())
      return http::ErrorResponse(InvalidArgument(
          R"(subscription: required for web, as {"endpoint":"...","keys":{"p256dh":"...","auth":"..."}})"));
    const json::object& o = v->get_object();
    if (Status st = OnlyKeys(o, {"endpoint", "keys", "expirationTime"}); !st.ok())
      return http::ErrorResponse(InvalidArgument("subscription." + st.message()));
    auto endpoint = Text(o, "endpoint", kMaxAddressChars);
    if (!endpoint.ok())
      return http::ErrorResponse(InvalidArgument("subscription." + endpoint.status().message()));
    if (Status st = CheckEndpoint(*endpoint); !st.ok()) return http::ErrorResponse(st);
    const json::value* keys = o.if_contains("keys");
    if (!keys || !keys->is_object())
      return http::ErrorResponse(InvalidArgument("subscription.keys: required, {p256dh, auth}"));
    if (Status st = CheckWebKeys(keys->get_object(), sub.p256dh, sub.auth); !st.ok())
      return http::ErrorResponse(st);
    sub.address = *endpoint;
  } else {
    if (call.body.contains("subscription"))
      return http::ErrorResponse(
          InvalidArgument(fmt::format("subscription: {} subscriptions send token", sub.platform)));
    auto token = Text(call.body, "token", kMaxAddressChars);
    if (!token.ok()) return http::ErrorResponse(token.status());
    if (Status st = CheckToken(sub.platform, *token); !st.ok()) return http::ErrorResponse(st);
    sub.address = *token;
  }
  auto profile = ProfileOf(call, services);
  if (!profile.ok()) return http::ErrorResponse(profile.status());
  sub.id = "sub_" + RandomHex(12);
  sub.profile_id = *profile;
  sub.created_at = sub.updated_at = services.clock.NowMicros();
  auto id = services.store.push.SaveSubscription(call.brand_id, sub);
  if (!id.ok()) return http::ErrorResponse(id.status());
  return http::SuccessResponse(json::object{{"subscription_id", *id}, {"platform", sub.platform}},
                               "subscribed");
}

http::Response PushUnsubscribe(const Call& call, Services& services) {
  if (Status st = OnlyKeys(call.body, {"subscription_id", "platform", "endpoint", "token"});
      !st.ok())
    return http::ErrorResponse(st);
  Status st;
  if (call.body.contains("subscription_id")) {
    auto id = Text(call.body, "subscription_id", 100);
    if (!id.ok()) return http::ErrorResponse(id.status());
    st = services.store.push.DeleteSubscription(call.brand_id, *id, "", "");
  } else {
    auto platform = Platform(call.body);
    if (!platform.ok())
      return http::ErrorResponse(
          InvalidArgument("give subscription_id, or platform with endpoint (web) or token"));
    auto address = Text(call.body, *platform == "web" ? "endpoint" : "token", kMaxAddressChars);
    if (!address.ok()) return http::ErrorResponse(address.status());
    st = services.store.push.DeleteSubscription(call.brand_id, "", *platform, *address);
  }
  if (!st.ok()) return http::ErrorResponse(st);
  return http::SuccessResponse(json::object{{"deleted", true}}, "unsubscribed");
}

http::Response ListPushSubscriptions(const Call& call, Services& services) {
  if (Status st = OnlyKeys(call.body, {"userId", "userID", "user_id", "anonymousId",
                                       "anonymous_id", "platform"});
      !st.ok())
    return http::ErrorResponse(st);
  auto key = ProfileKeyOf(call.body);
  if (!key.ok()) return http::ErrorResponse(key.status());
  std::vector<std::string> platforms(std::begin(delivery::kPushPlatforms),
                                     std::end(delivery::kPushPlatforms));
  if (call.body.contains("platform")) {
    auto platform = Platform(call.body);
    if (!platform.ok()) return http::ErrorResponse(platform.status());
    platforms = {*platform};
  }
  auto profile = services.store.profiles.GetProfile(call.brand_id, *key);
  if (!profile.ok()) return http::ErrorResponse(profile.status());
  std::vector<store::Subscription> subs;
  for (const std::string& platform : platforms) {
    auto some = services.store.push.ListSubscriptions(call.brand_id, profile->id, platform);
    if (!some.ok()) return http::ErrorResponse(some.status());
    subs.insert(subs.end(), some->begin(), some->end());
  }
  std::stable_sort(subs.begin(), subs.end(), [](const auto& a, const auto& b) {
    return std::tie(a.created_at, a.id) < std::tie(b.created_at, b.id);
  });
  json::array out;
  for (const store::Subscription& s : subs) {
    json::object one{{"subscription_id", s.id},
                     {"platform", s.platform},
                     {"created_at", FormatTimestamp(s.created_at)}};
    AddAddress(s, one);
    out.push_back(std::move(one));
  }
  return http::SuccessResponse(json::object{{"subscriptions", std::move(out)}});
}

http::Response PutPushChannel(const Call& call, Services& services) {
  auto settings = delivery::ParsePushSettings(call.body);
  if (!settings.ok()) return http::ErrorResponse(settings.status());
  Status st = services.store.channels.PutChannel(call.brand_id, "push",
                                        json::serialize(delivery::ToJson(*settings, false)),
                                        services.clock.NowMicros());
  if (!st.ok()) return http::ErrorResponse(st);
  json::object out = delivery::ToJson(*settings, true);
  if (settings->web.enabled) {
    auto keys = campaigns::BrandVapidKeys(services.store.brands, call.brand_id);
    if (!keys.ok()) return http::ErrorResponse(keys.status());
    out["web"].as_object()["vapid_public_key"] = keys->public_key;
  }
  return http::SuccessResponse(std::move(out), "push channel saved");
}

http::Response GetVapidKey(const Call& call, Services& services) {
  if (Status st = OnlyKeys(call.body, {}); !st.ok()) return http::ErrorResponse(st);
  auto keys = campaigns::BrandVapidKeys(services.store.brands, call.brand_id);
  if (!keys.ok()) return http::ErrorResponse(keys.status());
  return http::SuccessResponse(json::object{{"public_key", keys->public_key}});
}

http::Response SendPush(std::string_view platform, const Call& call, Services& services) {
  if (Status st =
          OnlyKeys(call.body, {"userId", "userID", "user_id", "title", "message", "url", "image",
                               "data", "subscription_id", "name", "tracking", "conversion"});
      !st.ok())
    return http::ErrorResponse(st);
  std::optional<std::string> user_id;
  for (auto key : {"userId", "userID", "user_id"})
    if (const json::value* v = call.body.if_contains(key)) {
      if (v->is_string() && !v->get_string().empty() &&
          v->get_string().size() <= profiles::kMaxIdChars)
        user_id = std::string(v->get_string());
      else
        return http::ErrorResponse(InvalidArgument(
            fmt::format("{}: must be a string of 1 to {} characters", key, profiles::kMaxIdChars)));
    }
  if (!user_id) return http::ErrorResponse(InvalidArgument("userId: required"));
  store::Campaign c;
  c.brand_id = call.brand_id;
  if (Status st = FillCampaign(platform, call.body, "send", c); !st.ok())
    return http::ErrorResponse(st);
  json::object target{{"user_ids", json::array{json::value(*user_id)}}};
  if (const json::value* v = call.body.if_contains("subscription_id"))
    target["subscription_id"] = *v;
  c.target = json::serialize(target);
  return Launch(std::move(c), nullptr, services);
}

http::Response BroadcastPush(std::string_view platform, bool to_segment, const Call& call,
                             Services& services) {
  Status keys = to_segment
                    ? OnlyKeys(call.body, {"segment_id", "title", "message", "url", "image", "data",
                                           "name", "tracking", "conversion", "send_at"})
                    : OnlyKeys(call.body, {"title", "message", "url", "image", "data", "name",
                                           "tracking", "conversion", "send_at"});
  if (!keys.ok()) return http::ErrorResponse(keys);
  store::Campaign c;
  c.brand_id = call.brand_id;
  if (Status st = FillCampaign(platform, call.body, "broadcast", c); !st.ok())
    return http::ErrorResponse(st);
  if (to_segment) {
    auto segment = Text(call.body, "segment_id", 100);
    if (!segment.ok()) return http::ErrorResponse(segment.status());
    c.target = json::serialize(json::object{{"segment_id", *segment}});
  } else {
    c.target = R"({"subscribers":true})";
  }
  return Launch(std::move(c), call.body.if_contains("send_at"), services);
}

}  // namespace cdp::api
