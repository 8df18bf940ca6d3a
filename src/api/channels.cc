#include "api/channels.h"

#include <fmt/format.h>

#include <boost/json.hpp>

#include "campaigns/campaign.h"
#include "core/json.h"
#include "delivery/settings.h"
#include "http/envelope.h"

namespace cdp::api {
namespace {

namespace json = boost::json;

// Validates with `parse`, stores the full settings, answers with the redacted ones.
template <typename Parse>
http::Response Put(const Call& call, Services& services, std::string_view channel, Parse parse) {
  auto settings = parse(call.body);
  if (!settings.ok()) return http::ErrorResponse(settings.status());
  Status st = services.store.channels.PutChannel(call.brand_id, channel,
                                        json::serialize(delivery::ToJson(*settings, false)),
                                        services.clock.NowMicros());
  if (!st.ok()) return http::ErrorResponse(st);
  return http::SuccessResponse(delivery::ToJson(*settings, true),
                               fmt::format("{} channel saved", channel));
}

}  // namespace

http::Response PutEmailChannel(const Call& call, Services& services) {
  return Put(call, services, "email", delivery::ParseEmailSettings);
}

http::Response PutSmsChannel(const Call& call, Services& services) {
  return Put(call, services, "sms", delivery::ParseSmsSettings);
}

http::Response GetChannel(const Call& call, Services& services) {
  if (Status st = OnlyKeys(call.body, {"channel"}); !st.ok()) return http::ErrorResponse(st);
  const json::value* v = call.body.if_contains("channel");
  if (!v || !v->is_string() ||
      (v->get_string() != "email" && v->get_string() != "sms" && v->get_string() != "push"))
    return http::ErrorResponse(InvalidArgument("channel: must be email, sms or push"));
  const std::string channel(v->get_string());
  auto config = services.store.channels.GetChannel(call.brand_id, channel);
  if (!config.ok()) return http::ErrorResponse(config.status());
  if (!*config)
    return http::ErrorResponse(NotFound(fmt::format("the {} channel is not configured", channel)));
  auto doc = ParseJson(**config);
  if (!doc.ok() || !doc->is_object())
    return http::ErrorResponse(Internal("stored channel settings are not JSON"));
  json::object out;
  if (channel == "email") {
    auto s = delivery::ParseEmailSettings(doc->get_object());
    if (!s.ok()) return http::ErrorResponse(s.status());
    out = delivery::ToJson(*s, true);
  } else if (channel == "push") {
    auto s = delivery::ParsePushSettings(doc->get_object());
    if (!s.ok()) return http::ErrorResponse(s.status());
    out = delivery::ToJson(*s, true);
  } else {
    auto s = delivery::ParseSmsSettings(doc->get_object());
    if (!s.ok()) return http::ErrorResponse(s.status());
    out = delivery::ToJson(*s, true);
  }
  out["channel"] = channel;
  return http::SuccessResponse(std::move(out));
}

}  // namespace cdp::api
