#include "campaigns/recorder.h"

#include <utility>

#include "core/thread_name.h"

namespace cdp::campaigns {

Recorder::Recorder(store::CampaignStore& store, std::string brand_id, std::string campaign_id)
    : store_(store),
      brand_id_(std::move(brand_id)),
      campaign_id_(std::move(campaign_id)),
      thread_([this] {
        NameThisThread("cdp-recorder");
        Loop();
      }) {}

Recorder::~Recorder() {
  {
    std::lock_guard lock(mu_);
    closing_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

uint64_t Recorder::Add(store::Message m) {
  std::lock_guard lock(mu_);
  queue_.push_back(std::move(m));
  cv_.notify_all();
  return ++added_;
}

Status Recorder::Wait(uint64_t ticket) {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return durable_ >= ticket || !error_.ok(); });
  return error_;
}

void Recorder::Loop() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return closing_ || !queue_.empty(); });
    if (queue_.empty()) return;
    std::vector<store::Message> batch;
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

}  // namespace cdp::campaigns
