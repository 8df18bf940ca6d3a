// ProviderChannelFactory: the production ChannelFactory (delivery/channel.h). Email goes
// over SMTP (delivery/email/), SMS to a Twilio-format HTTP provider (delivery/sms/), and
// the push platforms to Web Push, FCM or APNs (delivery/push/), each from the brand's
// stored settings. Built by `cdp serve` and handed to the campaign engine. Stateless and
// thread-safe.
#pragma once

#include "delivery/channel.h"

namespace cdp::delivery {

class ProviderChannelFactory final : public ChannelFactory {
 public:
  Result<Channel> Make(std::string_view name, const boost::json::object& settings,
                       const VapidKeysSource& vapid_keys) const override;
};

}  // namespace cdp::delivery
