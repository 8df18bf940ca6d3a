// Recorder: writes the outcomes of one campaign's messages for the engine's connections
// (campaigns/engine_run.cc), many per transaction, on a thread of its own.
//
// Each connection hands over a message's outcome and sends its next messages meanwhile, but
// hands over no more outcomes while `unrecorded_per_connection` of its earlier ones are not
// yet durable: so at any instant a connection has at most one message in flight and that
// many sent but not yet recorded, the ones that a crash could send again.
//
// Thread-safe: every connection of the campaign adds to one Recorder.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/status.h"
#include "store/campaign_store.h"

namespace cdp::campaigns {

class Recorder {
 public:
  Recorder(store::CampaignStore& store, std::string brand_id, std::string campaign_id);
  // Writes what is queued, then returns.
  ~Recorder();
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  // Queues `m`; returns the ticket to Wait on.
  uint64_t Add(store::Message m);

  // Blocks until the message with `ticket` (and every earlier one) is durable. The first
  // failure to write, once there is one, for every later call.
  Status Wait(uint64_t ticket);

 private:
  void Loop();

  store::CampaignStore& store_;
  const std::string brand_id_, campaign_id_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<store::Message> queue_;
  uint64_t added_ = 0, durable_ = 0;
  Status error_;
  bool closing_ = false;
  std::thread thread_;  // last: starts once the rest is ready
};

}  // namespace cdp::campaigns
