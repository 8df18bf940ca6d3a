// Engine: the background worker that sends campaigns.
//
// A loop claims work from the store every `poll` (scheduled campaigns that are due, and
// sending ones whose lease is free) and runs each claimed campaign on its own thread:
// recipients are written once as message rows (the target's membership when sending
// starts) and, as they are written, sent through `connections` provider connections in
// parallel. A message's
// outcome is recorded (many per transaction) while its connection sends the next ones, and
// is durable before that connection sends more than `unrecorded_per_connection` (16) further
// messages. A restart resumes from those rows, so a crash can send again at most
// unrecorded_per_connection + 1 (17) messages per connection: the one in flight and the ones
// sent before it whose outcomes were not yet on disk. An outcome, once recorded, stays
// recorded. Transient failures are retried with exponential backoff;
// each campaign has its own connections, so a broken channel or brand stalls only itself.
// Every email carries its recipient's unsubscribe link (body and RFC 8058 headers) and,
// unless the campaign turns tracking off, an open pixel and tracked links; every SMS asks
// the provider for delivery receipts.
// Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "campaigns/tracking.h"
#include "core/clock.h"
#include "core/status.h"
#include "delivery/channel.h"
#include "store/brand_store.h"
#include "store/campaign_store.h"
#include "store/channel_store.h"
#include "store/profile_store.h"
#include "store/push_store.h"
#include "store/segment_store.h"
#include "store/store.h"

namespace cdp::campaigns {

struct EngineOptions {
  // Who holds a campaign's lease. Nodes sharing a database need distinct names; a node
  // restarted under its old name takes its campaigns back at once, others wait for the lease.
  std::string node = "local";
  std::chrono::milliseconds poll{250};
  std::chrono::milliseconds lease{30000};
  // Backoff after the k-th transient failure: retry_base * 2^(k-1), at most retry_cap.
  std::chrono::milliseconds retry_base{2000};
  std::chrono::milliseconds retry_cap{600000};
  int max_attempts = 6;
  size_t batch = 1000;  // messages fetched per round
  // Outcomes a connection may have sent but not yet durably recorded while it sends on: the
  // bound on what a crash sends twice (plus the message in flight), traded against how
  // many outcomes each transaction and disk sync carries.
  size_t unrecorded_per_connection = 16;
  size_t max_running = 16;  // campaigns sent at once by this node
};

// The store's roles the engine uses: campaigns and their messages, the targets (segments,
// profiles, push subscribers), the channels' settings and the brands' secrets (VAPID keys).
struct EngineStores {
  EngineStores(store::Store& s)  // NOLINT(google-explicit-constructor): main hands its Store
      : campaigns(s), segments(s), profiles(s), push(s), channels(s), brands(s) {}
  EngineStores(store::CampaignStore& campaigns, store::SegmentStore& segments,
               store::ProfileStore& profiles, store::PushStore& push,
               store::ChannelStore& channels, store::BrandStore& brands)
      : campaigns(campaigns),
        segments(segments),
        profiles(profiles),
        push(push),
        channels(channels),
        brands(brands) {}
  store::CampaignStore& campaigns;
  store::SegmentStore& segments;
  store::ProfileStore& profiles;
  store::PushStore& push;
  store::ChannelStore& channels;
  store::BrandStore& brands;
};

class Engine {
 public:
  // `links` makes each message's tracking, unsubscribe and receipt URLs; `channels` makes
  // the senders of a campaign's channel from the brand's stored settings. The stores, the
  // clock, `links` and `channels` outlive the engine.
  Engine(EngineStores stores, const Clock& clock, const Links& links,
         const delivery::ChannelFactory& channels, EngineOptions options);
  ~Engine();  // Stop()
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  void Start();
  // Finishes the message each connection is on, then returns; the rest resumes on restart.
  void Stop();
  // Looks for work now rather than at the next poll (after a send or a schedule).
  void Wake();

 private:
  class Pacer;
  class Run;

  void Loop();
  void Reap();
  std::shared_ptr<Pacer> PacerFor(const std::string& key);

  const EngineStores stores_;
  const Clock& clock_;
  const Links& links_;
  const delivery::ChannelFactory& channels_;
  const EngineOptions options_;
  std::atomic<bool> stopping_{false};
  std::thread loop_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool woken_ = false;
  std::map<std::string, std::thread> running_;                             // by brand/id
  std::set<std::string> finished_;                                         // runs to join
  std::map<std::string, std::chrono::steady_clock::time_point> cooldown_;  // after a failed run
  std::map<std::string, std::shared_ptr<Pacer>> pacers_;                   // by brand/channel
};

}  // namespace cdp::campaigns
