#include "delivery/channel.h"

#include <utility>

namespace cdp::delivery {
namespace {

class UnconfiguredSender final : public Sender {
 public:
  explicit UnconfiguredSender(std::string why) : why_(std::move(why)) {}
  Delivery Send(const Outgoing&) override { return {Delivery::Outcome::kPermanent, why_}; }

 private:
  std::string why_;
};

}  // namespace

Channel UnconfiguredChannel(std::string why) {
  Channel ch;
  ch.pace.connections = 1;
  ch.make_sender = [why = std::move(why)] { return std::make_unique<UnconfiguredSender>(why); };
  return ch;
}

}  // namespace cdp::delivery
