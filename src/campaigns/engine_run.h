// Engine::Run and Engine::Pacer: the engine's work on one campaign, for the engine's files
// only (engine.cc runs the claim loop; engine_run.cc a campaign's rounds of sends;
// engine_recipients.cc writes its recipients; engine_compose.cc renders each message and
// reads back its outcome). A Run lives on the campaign's thread; its recipients are written
// on a second thread of its own while the first messages go out (see engine.h).
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "campaigns/campaign.h"
#include "campaigns/engine.h"
#include "delivery/sender.h"
#include "profiles/profile.h"
#include "store/store.h"

namespace cdp::campaigns {

// Spaces sends of one brand and channel `1 / rate` seconds apart, across its campaigns.
class Engine::Pacer {
 public:
  void Wait(double rate) {
    if (rate <= 0) return;
    const auto step = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(1.0 / rate));
    std::chrono::steady_clock::time_point slot;
    {
      std::lock_guard lock(mu_);
      slot = std::max(std::chrono::steady_clock::now(), next_);
      next_ = slot + step;
    }
    std::this_thread::sleep_until(slot);
  }

 private:
  std::mutex mu_;
  std::chrono::steady_clock::time_point next_{};
};

// One campaign being sent by this node.
class Engine::Run {
 public:
  Run(Engine& engine, store::Campaign campaign) : e_(engine), c_(std::move(campaign)) {}

  // Sends the campaign: parses what is stored of it, writes its recipients unless written
  // already, and sends until every message has its outcome, the campaign leaves "sending" or
  // the engine stops. An error when it could not (the engine runs it again later).
  Status Go();

 private:
  int64_t Now() const { return e_.clock_.NowMicros(); }

  store::Message Recipient(const profiles::Profile& p) const;

  // Not all recipients are written: the rest are when the campaign resumes.
  static Status Stopping() { return FailedPrecondition("the engine is stopping"); }

  // Writes one message row per recipient (idempotent: a resumed run adds only the missing
  // ones), then marks the campaign materialized. FailedPrecondition when the campaign was
  // cancelled meanwhile or the engine stops.
  Status Materialize(const Target& target);

  // Writes a recipient for every profile of the pages `fetch(after)` returns, from after 0
  // until a page has no next one.
  template <typename Fetch>
  Status AddPages(Fetch fetch);

  // Every profile with a subscription on the campaign's push platform.
  Status AddSubscribers();
  Status AddSegmentMembers(const std::string& segment_id);

  // Rounds of due messages until none is queued (and every recipient is written), the
  // campaign leaves "sending", or the engine stops. Each round is sent in parallel and fully
  // recorded before the next is read, so no message is handed to two connections.
  Status Send();
  Status Finish(store::Campaign current);

  // A due message: composed, ready to send, or (no `out`) skipped or deferred unsent.
  struct Prepared {
    store::Message message;
    std::optional<delivery::Outgoing> out;
  };

  Prepared Prepare(const store::PendingMessage& pm) const;

  // A sent message's new state, to be recorded.
  store::Message Outcome(Prepared p, const delivery::Delivery& d) const;

  // The recipient's subscriptions on the campaign's platform (only the one the target
  // names, if it names one).
  Result<std::vector<delivery::PushSubscription>> Subscriptions(int64_t profile_id) const;

  // The message for one recipient: rendered, with its links.
  delivery::Outgoing Compose(const profiles::Profile& p, int64_t profile_id) const;

  Engine& e_;
  store::Campaign c_;  // c_.materialized is set by the writer thread, read once it is done
  std::atomic<bool> materializing_{false};  // recipients are being written
  Content content_;
  Options options_;
  std::optional<std::string> subscription_id_;  // push: the one subscription targeted
};

}  // namespace cdp::campaigns
