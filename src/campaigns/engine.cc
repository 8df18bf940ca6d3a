#include "campaigns/engine.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <deque>
#include <optional>
#include <vector>

#include "campaigns/campaign.h"
#include "campaigns/tracking.h"
#include "campaigns/vapid.h"
#include "core/json.h"
#include "core/thread_name.h"
#include "delivery/email/email.h"
#include "delivery/push/apns.h"
#include "delivery/push/fcm.h"
#include "delivery/push/push.h"
#include "delivery/push/webpush.h"
#include "delivery/settings.h"
#include "delivery/sms/sms.h"
#include "segments/rule.h"

namespace cdp::campaigns {
namespace {

namespace json = boost::json;
using delivery::Delivery;
using store::Message;

constexpr size_t kMaxResponseChars = 1000;
constexpr size_t kMembersPage = 1000;
// How often a campaign that sent every recipient written so far looks for more.
constexpr std::chrono::milliseconds kWaitForRecipients{10};

// A channel the brand has not configured: every message fails, saying so.
class Unconfigured final : public delivery::Sender {
 public:
  explicit Unconfigured(std::string why) : why_(std::move(why)) {}
  Delivery Send(const delivery::Outgoing&) override {
    return {Delivery::Outcome::kPermanent, why_};
  }

 private:
  std::string why_;
};

struct Channel {
  delivery::Pace pace;
  std::function<std::unique_ptr<delivery::Sender>()> make_sender;
};

Channel UnconfiguredChannel(std::string why) {
  Channel ch;
  ch.pace.connections = 1;
  ch.make_sender = [why = std::move(why)] { return std::make_unique<Unconfigured>(why); };
  return ch;
}

// A push platform's provider, from the brand's /channel/push settings.
Result<Channel> LoadPushChannel(store::Store& store, const store::Campaign& c,
                                const boost::json::object& doc) {
  auto s = delivery::ParsePushSettings(doc);
  if (!s.ok()) return std::move(s).take_status();
  const int timeout = s->pace.timeout_seconds;
  Channel ch;
  ch.pace = s->pace;
  if (c.channel == "web" && s->web.enabled) {
    auto keys = BrandVapidKeys(store, c.brand_id);
    if (!keys.ok()) return std::move(keys).take_status();
    ch.make_sender = [web = s->web, keys = *keys, timeout] {
      return delivery::MakePushSender(delivery::MakeWebPushProvider(web, keys, timeout));
    };
  } else if (c.channel == "android" && s->android.enabled) {
    ch.make_sender = [fcm = s->android, timeout] {
      return delivery::MakePushSender(delivery::MakeFcmProvider(fcm, timeout));
    };
  } else if (c.channel == "ios" && s->ios.enabled) {
    ch.make_sender = [apns = s->ios, timeout] {
      return delivery::MakePushSender(delivery::MakeApnsProvider(apns, timeout));
    };
  } else {
    return UnconfiguredChannel(
        fmt::format("push for {} is not configured (/channel/push)", c.channel));
  }
  return ch;
}

// The brand's settings for the campaign's channel, as stored now.
Result<Channel> LoadChannel(store::Store& store, const store::Campaign& c) {
  const bool push = IsPushChannel(c.channel);
  auto config = store.GetChannel(c.brand_id, push ? "push" : c.channel);
  if (!config.ok()) return std::move(config).take_status();
  if (!*config)
    return UnconfiguredChannel(
        push ? fmt::format("push for {} is not configured (/channel/push)", c.channel)
             : fmt::format("the {} channel is not configured (/channel/{})", c.channel, c.channel));
  auto doc = ParseJson(**config);
  if (!doc.ok() || !doc->is_object()) return Internal("stored channel settings are not JSON");
  if (push) return LoadPushChannel(store, c, doc->get_object());
  Channel ch;
  if (c.channel == "email") {
    auto s = delivery::ParseEmailSettings(doc->get_object());
    if (!s.ok()) return std::move(s).take_status();
    ch.pace = s->pace;
    ch.make_sender = [s = *s] { return delivery::MakeSmtpSender(s); };
  } else {
    auto s = delivery::ParseSmsSettings(doc->get_object());
    if (!s.ok()) return std::move(s).take_status();
    ch.pace = s->pace;
    ch.make_sender = [s = *s] { return delivery::MakeHttpSmsSender(s); };
  }
  return ch;
}

// Writes message outcomes for the connections of one campaign, many per transaction. Each
// connection hands over a message's outcome and sends its next messages meanwhile, but hands
// over no more outcomes while `unrecorded_per_connection` of its earlier ones are not yet
// durable: so at any instant a connection has at most one message in flight and that many
// sent but not yet recorded, the ones that a crash could send again.
class Recorder {
 public:
  Recorder(store::Store& store, std::string brand_id, std::string campaign_id)
      : store_(store),
        brand_id_(std::move(brand_id)),
        campaign_id_(std::move(campaign_id)),
        thread_([this] {
          NameThisThread("cdp-recorder");
          Loop();
        }) {}
  ~Recorder() {
    {
      std::lock_guard lock(mu_);
      closing_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  // Queues `m`; returns the ticket to Wait on.
  uint64_t Add(Message m) {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(m));
    cv_.notify_all();
    return ++added_;
  }

  // Blocks until the message with `ticket` (and every earlier one) is durable.
  Status Wait(uint64_t ticket) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return durable_ >= ticket || !error_.ok(); });
    return error_;
  }

 private:
  void Loop() {
    std::unique_lock lock(mu_);
    for (;;) {
      cv_.wait(lock, [&] { return closing_ || !queue_.empty(); });
      if (queue_.empty()) return;
      std::vector<Message> batch;
      batch.swap(queue_);
      const uint64_t upto = added_;
      lock.unlock();
      Status st = store_.RecordMessages(brand_id_, campaign_id_, batch);
      lock.lock();
      if (st.ok()) {
        durable_ = upto;
      } else if (error_.ok()) {
        error_ = st;
      }
      cv_.notify_all();
    }
  }

  store::Store& store_;
  const std::string brand_id_, campaign_id_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Message> queue_;
  uint64_t added_ = 0, durable_ = 0;
  Status error_;
  bool closing_ = false;
  std::thread thread_;  // last: starts once the rest is ready
};

}  // namespace

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

  Status Go() {
    auto content_doc = ParseJson(c_.content);
    if (!content_doc.ok()) return Internal("stored content is not JSON");
    auto content = ParseContent(c_.channel, *content_doc);
    if (!content.ok()) return std::move(content).take_status();
    content_ = std::move(content).value();
    auto options_doc = ParseJson(c_.options);
    if (!options_doc.ok()) return Internal("stored options are not JSON");
    auto options = ParseOptions(*options_doc);
    if (!options.ok()) return std::move(options).take_status();
    options_ = std::move(options).value();
    auto target_doc = ParseJson(c_.target);
    if (!target_doc.ok()) return Internal("stored target is not JSON");
    auto target = ParseTarget(*target_doc);
    if (!target.ok()) return std::move(target).take_status();
    subscription_id_ = target->subscription_id;
    if (c_.materialized) return Send();
    // The recipients are written on a thread of their own while the first ones are sent.
    materializing_ = true;
    Status written;
    std::thread writer([&] {
      NameThisThread("cdp-recipients");
      const auto start = std::chrono::steady_clock::now();
      written = Materialize(*target);
      if (written.ok() && c_.materialized)
        spdlog::info("campaign {}/{}: recipients written in {} ms", c_.brand_id, c_.id,
                     std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::steady_clock::now() - start)
                         .count());
      materializing_ = false;
    });
    Status sent = Send();
    writer.join();
    // Cancelled meanwhile, or stopping.
    if (written.code() == Code::kFailedPrecondition) return Status::Ok();
    CDP_RETURN_IF_ERROR(written);
    return sent;
  }

 private:
  int64_t Now() const { return e_.clock_.NowMicros(); }

  Message Recipient(const profiles::Profile& p) const {
    Message m;
    m.profile_id = p.id;
    m.user_id = p.user_id.value_or("");
    m.updated_at = m.next_attempt_at = Now();
    if (auto why = Unreachable(c_.channel, p)) {
      m.status = store::kMessageSkipped;
      m.reason = *why;
    } else {
      m.status = store::kMessageQueued;
      m.address = AddressOf(c_.channel, p);
    }
    return m;
  }

  // Not all recipients are written: the rest are when the campaign resumes.
  static Status Stopping() { return FailedPrecondition("the engine is stopping"); }

  // Writes one message row per recipient (idempotent: a resumed run adds only the missing
  // ones), then marks the campaign materialized. FailedPrecondition when the campaign was
  // cancelled meanwhile or the engine stops.
  Status Materialize(const Target& target) {
    if (target.segment_id) {
      CDP_RETURN_IF_ERROR(AddSegmentMembers(*target.segment_id));
    } else if (target.subscribers) {
      CDP_RETURN_IF_ERROR(AddSubscribers());
    } else {
      std::vector<Message> rows;
      for (size_t i = 0; i < target.user_ids.size(); ++i) {
        const std::string& uid = target.user_ids[i];
        auto p = e_.store_.GetProfile(c_.brand_id, {profiles::ProfileKey::Kind::kUserId, uid});
        if (p.ok()) {
          rows.push_back(Recipient(*p));
        } else if (p.status().code() == Code::kNotFound) {
          Message m;
          m.profile_id = -static_cast<int64_t>(i + 1);
          m.user_id = uid;
          m.status = store::kMessageSkipped;
          m.reason = "no such user";
          m.updated_at = Now();
          rows.push_back(std::move(m));
        } else {
          return p.status();
        }
        if (rows.size() == kMembersPage || i + 1 == target.user_ids.size()) {
          CDP_RETURN_IF_ERROR(e_.store_.AddMessages(c_.brand_id, c_.id, rows));
          rows.clear();
          if (e_.stopping_) return Stopping();
        }
      }
    }
    c_.materialized = true;
    c_.updated_at = Now();
    return e_.store_.SaveCampaign(c_, {store::kCampaignSending});
  }

  // Writes a recipient for every profile of the pages `fetch(after)` returns, from after 0
  // until a page has no next one.
  template <typename Fetch>
  Status AddPages(Fetch fetch) {
    int64_t after = 0;
    for (;;) {
      Result<store::ProfilePage> page = fetch(after);
      if (!page.ok()) return page.status();
      std::vector<Message> rows;
      for (const auto& p : page->profiles) rows.push_back(Recipient(p));
      if (!rows.empty()) CDP_RETURN_IF_ERROR(e_.store_.AddMessages(c_.brand_id, c_.id, rows));
      if (!page->next_after) return Status::Ok();
      if (e_.stopping_) return Stopping();
      after = *page->next_after;
    }
  }

  // Every profile with a subscription on the campaign's push platform.
  Status AddSubscribers() {
    return AddPages([&](int64_t after) {
      return e_.store_.Subscribers(c_.brand_id, c_.channel, after, kMembersPage);
    });
  }

  Status AddSegmentMembers(const std::string& segment_id) {
    auto segment = e_.store_.GetSegment(c_.brand_id, segment_id);
    if (segment.status().code() == Code::kNotFound) {
      spdlog::warn("campaign {}/{}: segment {} was deleted; nobody to send to", c_.brand_id, c_.id,
                   segment_id);
      return Status::Ok();
    }
    if (!segment.ok()) return segment.status();
    auto rules = ParseJson(segment->rules);
    if (!rules.ok()) return Internal("stored rules are not JSON");
    auto types = e_.store_.GetAttributeTypes(c_.brand_id);
    if (!types.ok()) return types.status();
    auto rule = segments::ParseRule(*rules, *types);
    if (!rule.ok()) return rule.status();
    const int64_t now = Now();
    return AddPages([&](int64_t after) {
      return e_.store_.SegmentMembers(c_.brand_id, *rule, now, after, kMembersPage);
    });
  }

  // Rounds of due messages until none is queued (and every recipient is written), the
  // campaign leaves "sending", or the engine stops. Each round is sent in parallel and fully
  // recorded before the next is read, so no message is handed to two connections.
  Status Send() {
    auto channel = LoadChannel(e_.store_, c_);
    if (!channel.ok()) return std::move(channel).take_status();
    std::vector<std::unique_ptr<delivery::Sender>> senders;
    for (int i = 0; i < channel->pace.connections; ++i) senders.push_back(channel->make_sender());
    auto pacer = e_.PacerFor(c_.brand_id + "/" + c_.channel);
    while (!e_.stopping_) {
      auto current = e_.store_.GetCampaign(c_.brand_id, c_.id);
      if (!current.ok()) return current.status();
      if (current->status != store::kCampaignSending) return Status::Ok();
      auto pending = e_.store_.PendingMessages(c_.brand_id, c_.id, Now(), e_.options_.batch);
      if (!pending.ok()) return pending.status();
      if (pending->empty()) {
        if (materializing_) {  // more recipients are on their way
          std::this_thread::sleep_for(kWaitForRecipients);
          continue;
        }
        if (!c_.materialized) return Status::Ok();  // not all written: Go says why
        auto counts = e_.store_.CountMessages(c_.brand_id, c_.id);
        if (!counts.ok()) return counts.status();
        if (counts->queued == 0) return Finish(*current);
        std::this_thread::sleep_for(std::min(e_.options_.poll, e_.options_.retry_base));
        continue;
      }
      std::atomic<size_t> next{0};
      std::atomic<bool> failed{false};
      Status failure;
      std::mutex failure_mu;
      Recorder recorder(e_.store_, c_.brand_id, c_.id);
      auto fail = [&](const Status& st) {
        std::lock_guard lock(failure_mu);
        failure = st;
        failed = true;
      };
      // Each connection knows its next message before sending the current one, so that a
      // sender may start on it early (SMTP pipelining); only one is sent at a time. Before
      // recording an outcome, a connection waits until all but the last
      // `unrecorded_per_connection` of its earlier ones are durable.
      auto work = [&](delivery::Sender& sender) {
        std::deque<uint64_t> unrecorded;  // tickets of sent messages, oldest first
        uint64_t last = 0;
        auto take = [&]() -> std::optional<Prepared> {
          for (size_t i; !e_.stopping_ && !failed && (i = next++) < pending->size();) {
            Prepared p = Prepare((*pending)[i]);
            if (p.out) return p;
            last = recorder.Add(std::move(p.message));  // skipped or deferred: not sent
          }
          return std::nullopt;
        };
        for (auto current = take(); current && !e_.stopping_ && !failed;) {
          auto after = take();
          pacer->Wait(channel->pace.rate_per_second);
          const Delivery d =
              after ? sender.SendWithNext(*current->out, *after->out) : sender.Send(*current->out);
          Message m = Outcome(std::move(*current), d);
          if (unrecorded.size() >= e_.options_.unrecorded_per_connection) {
            if (Status st = recorder.Wait(unrecorded.front()); !st.ok()) fail(st);
            unrecorded.pop_front();
          }
          last = recorder.Add(std::move(m));
          unrecorded.push_back(last);
          current = std::move(after);
        }
        if (Status st = last ? recorder.Wait(last) : Status::Ok(); !st.ok()) fail(st);
      };
      std::vector<std::thread> workers;
      const size_t n = std::min(senders.size(), pending->size());
      for (size_t k = 1; k < n; ++k)
        workers.emplace_back([&work, &sender = *senders[k]] {
          NameThisThread("cdp-sender");
          work(sender);
        });
      work(*senders[0]);
      for (auto& w : workers) w.join();
      if (failed) return failure;
    }
    return Status::Ok();
  }

  Status Finish(store::Campaign current) {
    current.status = store::kCampaignSent;
    current.finished_at = current.updated_at = Now();
    Status st = e_.store_.SaveCampaign(current, {store::kCampaignSending});
    if (st.ok())
      spdlog::info(
          "campaign {}/{}: sent in {:.1f} s", c_.brand_id, c_.id,
          (*current.finished_at - current.started_at.value_or(*current.finished_at)) / 1e6);
    return st.code() == Code::kFailedPrecondition ? Status::Ok() : st;
  }

  // A due message: composed, ready to send, or (no `out`) skipped or deferred unsent.
  struct Prepared {
    Message message;
    std::optional<delivery::Outgoing> out;
  };

  Prepared Prepare(const store::PendingMessage& pm) const {
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
      if (subscriptions.empty()) why_not = fmt::format("no {} push subscription", c_.channel);
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
  Message Outcome(Prepared p, const Delivery& d) const {
    for (const std::string& id : d.gone) {
      Status st = e_.store_.DeleteSubscription(c_.brand_id, id, "", "");
      if (!st.ok() && st.code() != Code::kNotFound)
        spdlog::warn("campaign {}/{}: cannot remove gone subscription {}: {}", c_.brand_id, c_.id,
                     id, st.message());
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
  Result<std::vector<delivery::PushSubscription>> Subscriptions(int64_t profile_id) const {
    auto stored = e_.store_.ListSubscriptions(c_.brand_id, profile_id, c_.channel);
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

  // The message for one recipient: rendered, with its links.
  delivery::Outgoing Compose(const profiles::Profile& p, int64_t profile_id) const {
    const MessageRef ref{c_.brand_id, c_.id, profile_id};
    delivery::Outgoing out;
    if (IsPushChannel(c_.channel)) {
      delivery::PushNotification& n = out.notification;
      n.title = content_.title.Render(p, false);
      n.body = content_.text.Render(p, false);
      n.url = content_.url.Render(p, false);
      n.image = content_.image.Render(p, false);
      n.data = content_.data;
      n.message_id = MessageId(c_.id, profile_id);
      if (options_.tracking && !n.url.empty()) n.url = e_.links_.ClickUrl(ref, n.url);
      out.message_id = n.message_id;
      return out;
    }
    out.to = AddressOf(c_.channel, p);
    out.from = content_.from;
    out.reply_to = content_.reply_to;
    out.message_id = MessageId(c_.id, profile_id);
    if (c_.channel == "sms") {
      out.text = content_.text.Render(p, false);
      out.status_callback = e_.links_.Url(LinkKind::kSmsStatus, ref);
      return out;
    }
    const std::string unsubscribe = e_.links_.Url(LinkKind::kUnsubscribe, ref);
    out.subject = content_.subject.Render(p, false);
    out.html = WithUnsubscribeFooter(content_.html.Render(p, true, unsubscribe), unsubscribe);
    if (options_.tracking && !out.html.empty()) out.html = e_.links_.Track(out.html, ref);
    out.text = WithUnsubscribeLine(content_.text.Render(p, false, unsubscribe), unsubscribe);
    out.headers = {{"List-Unsubscribe", fmt::format("<{}>", unsubscribe)},
                   {"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"}};
    return out;
  }

  Engine& e_;
  store::Campaign c_;  // c_.materialized is set by the writer thread, read once it is done
  std::atomic<bool> materializing_{false};  // recipients are being written
  Content content_;
  Options options_;
  std::optional<std::string> subscription_id_;  // push: the one subscription targeted
};

Engine::Engine(store::Store& store, const Clock& clock, const Links& links, EngineOptions options)
    : store_(store), clock_(clock), links_(links), options_(std::move(options)) {}

Engine::~Engine() { Stop(); }

void Engine::Start() {
  if (!loop_.joinable())
    loop_ = std::thread([this] {
      NameThisThread("cdp-campaigns");
      Loop();
    });
}

void Engine::Stop() {
  stopping_ = true;
  cv_.notify_all();
  if (loop_.joinable()) loop_.join();
  std::map<std::string, std::thread> running;
  {
    std::lock_guard lock(mu_);
    running.swap(running_);
  }
  for (auto& [_, t] : running) t.join();
}

void Engine::Wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

std::shared_ptr<Engine::Pacer> Engine::PacerFor(const std::string& key) {
  std::lock_guard lock(mu_);
  auto& p = pacers_[key];
  if (!p) p = std::make_shared<Pacer>();
  return p;
}

void Engine::Reap() {
  std::vector<std::thread> done;
  {
    std::lock_guard lock(mu_);
    for (const auto& key : finished_) {
      auto it = running_.find(key);
      if (it == running_.end()) continue;
      done.push_back(std::move(it->second));
      running_.erase(it);
    }
    finished_.clear();
  }
  for (auto& t : done) t.join();
}

void Engine::Loop() {
  while (!stopping_) {
    Reap();
    const int64_t now = clock_.NowMicros();
    const int64_t lease =
        std::chrono::duration_cast<std::chrono::microseconds>(options_.lease).count();
    auto claimed = store_.ClaimCampaigns(options_.node, now, now + lease);
    if (!claimed.ok()) spdlog::warn("campaigns: cannot claim work: {}", claimed.status().message());
    std::unique_lock lock(mu_);
    for (auto& c : claimed.ok() ? *claimed : std::vector<store::Campaign>()) {
      const std::string key = c.brand_id + "/" + c.id;
      if (running_.contains(key) || running_.size() >= options_.max_running) continue;
      if (auto it = cooldown_.find(key); it != cooldown_.end()) {
        if (std::chrono::steady_clock::now() < it->second) continue;
        cooldown_.erase(it);
      }
      running_[key] = std::thread([this, key, c = std::move(c)] {
        NameThisThread("cdp-campaign");
        Status st = Run(*this, c).Go();
        std::lock_guard done_lock(mu_);
        if (!st.ok()) {
          spdlog::error("campaign {}: {} (retrying in 5 s)", key, st.message());
          cooldown_[key] = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        }
        finished_.insert(key);
        cv_.notify_all();
      });
    }
    cv_.wait_for(lock, options_.poll, [&] { return stopping_ || woken_; });
    woken_ = false;
  }
}

}  // namespace cdp::campaigns
