#include "delivery/push/push.h"

#include <fmt/format.h>

#include <string_view>

namespace cdp::delivery {
namespace {

class PushSender final : public Sender {
 public:
  explicit PushSender(std::unique_ptr<PushProvider> provider) : provider_(std::move(provider)) {}

  Delivery Send(const Outgoing& m) override {
    Delivery d(Delivery::Outcome::kPermanent, "");
    bool sent = false, transient = false;
    for (const PushSubscription& sub : m.subscriptions) {
      PushOutcome o = provider_->Send(sub, m.notification);
      sent = sent || o.outcome == Delivery::Outcome::kSent;
      transient = transient || o.outcome == Delivery::Outcome::kTransient;
      if (o.gone) d.gone.push_back(sub.id);
      if (!d.response.empty()) d.response += "; ";
      d.response += fmt::format("{}: {}{}", sub.id, o.response, o.gone ? " (gone)" : "");
    }
    if (m.subscriptions.empty()) d.response = "no subscription";
    d.outcome = sent        ? Delivery::Outcome::kSent
                : transient ? Delivery::Outcome::kTransient
                            : Delivery::Outcome::kPermanent;
    return d;
  }

 private:
  std::unique_ptr<PushProvider> provider_;
};

}  // namespace

bool IsPushPlatform(std::string_view platform) {
  for (std::string_view p : kPushPlatforms)
    if (p == platform) return true;
  return false;
}

std::unique_ptr<Sender> MakePushSender(std::unique_ptr<PushProvider> provider) {
  return std::make_unique<PushSender>(std::move(provider));
}

}  // namespace cdp::delivery
