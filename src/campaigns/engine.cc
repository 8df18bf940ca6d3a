#include "campaigns/engine.h"

#include <spdlog/spdlog.h>

#include <vector>

#include "campaigns/engine_run.h"
#include "core/thread_name.h"

namespace cdp::campaigns {

Engine::Engine(EngineStores stores, const Clock& clock, const Links& links,
               const delivery::ChannelFactory& channels, EngineOptions options)
    : stores_(stores),
      clock_(clock),
      links_(links),
      channels_(channels),
      options_(std::move(options)) {}

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
    auto claimed = stores_.campaigns.ClaimCampaigns(options_.node, now, now + lease);
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
