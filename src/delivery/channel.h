// Channel and ChannelFactory: the seam between the campaign engine and the providers.
//
// A Channel is what one campaign is sent through: its pace and a maker of Senders (one per
// provider connection). A ChannelFactory makes a brand's Channel from the settings it stored
// for it; the engine is handed one by its owner and names no provider itself. In production
// that is ProviderChannelFactory (delivery/provider_channel_factory.h); a test can hand the
// engine its own, to capture what would be sent. The engine calls Make from several
// campaign threads at once, so a factory must be thread-safe; each Sender it makes is used
// by one thread at a time (delivery/sender.h).
#pragma once

#include <boost/json/object.hpp>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "delivery/push/push.h"
#include "delivery/sender.h"
#include "delivery/settings.h"

namespace cdp::delivery {

struct Channel {
  Pace pace;
  // Makes the Sender of one provider connection; called once per connection of a campaign.
  std::function<std::unique_ptr<Sender>()> make_sender;
};

// A channel a brand has not configured: one connection, and every message fails permanently,
// answered `why`.
Channel UnconfiguredChannel(std::string why);

// The brand's VAPID key pair, read (or created) only when web push is enabled; called at
// most once, while Make runs.
using VapidKeysSource = std::function<Result<VapidKeys>()>;

class ChannelFactory {
 public:
  virtual ~ChannelFactory() = default;

  // The channel `name` ("email", "sms", or the push platform "web", "android" or "ios") of a
  // brand whose stored settings document for it is `settings` (/channel/email, /channel/sms,
  // or /channel/push for every push platform). InvalidArgument when the settings do not
  // parse; a push platform they do not enable is an UnconfiguredChannel; an error of
  // `vapid_keys` is returned as it is.
  virtual Result<Channel> Make(std::string_view name, const boost::json::object& settings,
                               const VapidKeysSource& vapid_keys) const = 0;
};

}  // namespace cdp::delivery
