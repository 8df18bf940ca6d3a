#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "campaigns/compose.h"
#include "campaigns/engine_run.h"
#include "campaigns/tracking.h"

namespace cdp::campaigns {
namespace {

using delivery::Delivery;
using store::Message;

constexpr size_t kMaxResponseChars = 1000;

}  // namespace

Engine::Run::Prepared Engine::Run::Prepare(const store::PendingMessage& pm) const {
  Prepared p{pm.message, std::nullopt};
  const std::optional<std::string> unreachable = pm.profile
                                                     ? Unreachable(c_.channel, *pm.profile)
                                                     : std::optional<std::string>("user deleted");
  std::vector<delivery::PushSubscription> subscriptions;
  std::optional<std::string> why_not = unreachable;
  if (!why_not && IsPushChannel(c_.channel)) {
    auto subs = Subscriptions(p.message.profile_id);
    if (!subs.ok()) {
      p.message.status = store::kMessageQueued;
      p.message.reason = "retrying";
      p.message.next_attempt_at = Now() + e_.options_.retry_base.count() * 1000;
      p.message.updated_at = Now();
      spdlog::warn("campaign {}/{}: cannot read subscriptions: {}", c_.brand_id, c_.id,
                   subs.status().message());
      return p;
    }
    subscriptions = std::move(subs).value();
    if (subscriptions.empty()) why_not = NoSubscriptionReason(c_.channel);
  }
  if (why_not) {
    p.message.status = store::kMessageSkipped;
    p.message.reason = *why_not;
    p.message.updated_at = Now();
  } else {
    p.out = Compose(*pm.profile, p.message.profile_id);
    p.out->subscriptions = std::move(subscriptions);
    for (const auto& sub : p.out->subscriptions)
      p.out->to += (p.out->to.empty() ? "" : ",") + sub.id;
  }
  return p;
}

// A sent message's new state, to be recorded.
Message Engine::Run::Outcome(Prepared p, const Delivery& d) const {
  for (const std::string& id : d.gone) {
    Status st = e_.stores_.push.DeleteSubscription(c_.brand_id, id, "", "");
    if (!st.ok() && st.code() != Code::kNotFound)
      spdlog::warn("campaign {}/{}: cannot remove gone subscription {}: {}", c_.brand_id, c_.id, id,
                   st.message());
  }
  Message m = std::move(p.message);
  m.attempts += 1;
  m.address = p.out->to;
  m.response = d.response.substr(0, kMaxResponseChars);
  m.reason.clear();
  if (d.outcome == Delivery::Outcome::kSent) {
    m.status = store::kMessageSent;
  } else if (d.outcome == Delivery::Outcome::kPermanent) {
    m.status = store::kMessageFailed;
    m.reason = "refused by the provider";
  } else if (m.attempts >= e_.options_.max_attempts) {
    m.status = store::kMessageFailed;
    m.reason = fmt::format("gave up after {} attempts", m.attempts);
  } else {
    m.status = store::kMessageQueued;
    m.reason = "retrying";
    auto delay = e_.options_.retry_base * (int64_t{1} << std::min(m.attempts - 1, 20));
    delay = std::min<std::chrono::milliseconds>(delay, e_.options_.retry_cap);
    m.next_attempt_at = Now() + delay.count() * 1000;
  }
  m.updated_at = Now();
  return m;
}

// The recipient's subscriptions on the campaign's platform (only the one the target
// names, if it names one).
Result<std::vector<delivery::PushSubscription>> Engine::Run::Subscriptions(
    int64_t profile_id) const {
  auto stored = e_.stores_.push.ListSubscriptions(c_.brand_id, profile_id, c_.channel);
  if (!stored.ok()) return stored.status();
  std::vector<delivery::PushSubscription> out;
  for (const store::Subscription& s : *stored) {
    if (subscription_id_ && s.id != *subscription_id_) continue;
    delivery::PushSubscription sub{s.id, s.platform, "", s.p256dh, s.auth, ""};
    (s.platform == "web" ? sub.endpoint : sub.token) = s.address;
    out.push_back(std::move(sub));
  }
  return out;
}

// The message for one recipient: rendered, with its links (compose.h).
delivery::Outgoing Engine::Run::Compose(const profiles::Profile& p, int64_t profile_id) const {
  return ComposeMessage({c_.brand_id, c_.id, c_.channel}, content_, options_, e_.links_, p,
                        profile_id);
}

}  // namespace cdp::campaigns
