#include "delivery/provider_channel_factory.h"

#include <fmt/format.h>

#include "delivery/email/email.h"
#include "delivery/push/apns.h"
#include "delivery/push/fcm.h"
#include "delivery/push/push.h"
#include "delivery/push/webpush.h"
#include "delivery/sms/sms.h"

namespace cdp::delivery {
namespace {

// A push platform's provider, from the brand's /channel/push settings.
Result<Channel> MakePushChannel(std::string_view platform, const boost::json::object& settings,
                                const VapidKeysSource& vapid_keys) {
  auto s = ParsePushSettings(settings);
  if (!s.ok()) return std::move(s).take_status();
  const int timeout = s->pace.timeout_seconds;
  Channel ch;
  ch.pace = s->pace;
  if (platform == "web" && s->web.enabled) {
    auto keys = vapid_keys();
    if (!keys.ok()) return std::move(keys).take_status();
    ch.make_sender = [web = s->web, keys = *keys, timeout] {
      return MakePushSender(MakeWebPushProvider(web, keys, timeout));
    };
  } else if (platform == "android" && s->android.enabled) {
    ch.make_sender = [fcm = s->android, timeout] {
      return MakePushSender(MakeFcmProvider(fcm, timeout));
    };
  } else if (platform == "ios" && s->ios.enabled) {
    ch.make_sender = [apns = s->ios, timeout] {
      return MakePushSender(MakeApnsProvider(apns, timeout));
    };
  } else {
    return UnconfiguredChannel(
        fmt::format("push for {} is not configured (/channel/push)", platform));
  }
  return ch;
}

}  // namespace

Result<Channel> ProviderChannelFactory::Make(std::string_view name,
                                             const boost::json::object& settings,
                                             const VapidKeysSource& vapid_keys) const {
  if (IsPushPlatform(name)) return MakePushChannel(name, settings, vapid_keys);
  Channel ch;
  if (name == "email") {
    auto s = ParseEmailSettings(settings);
    if (!s.ok()) return std::move(s).take_status();
    ch.pace = s->pace;
    ch.make_sender = [s = *s] { return MakeSmtpSender(s); };
  } else if (name == "sms") {
    auto s = ParseSmsSettings(settings);
    if (!s.ok()) return std::move(s).take_status();
    ch.pace = s->pace;
    ch.make_sender = [s = *s] { return MakeHttpSmsSender(s); };
  } else {
    return InvalidArgument(fmt::format("no provider sends the channel '{}'", name));
  }
  return ch;
}

}  // namespace cdp::delivery
