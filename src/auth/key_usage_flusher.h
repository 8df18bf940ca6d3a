// KeyUsageFlusher: writes API keys' last-use times in the background.
//
// The Authenticator gathers each key's last use in memory; this flusher calls its
// FlushUsage every `interval` on a thread of its own, and once more when stopped, so that a
// clean shutdown loses no use. A failed flush is logged as a warning and its uses are kept
// by the Authenticator for the next one. Built by `cdp serve` when the server starts serving
// and stopped after the server has answered its last request. Start and Stop are for one
// owning thread; the Authenticator itself is thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "auth/authenticator.h"

namespace cdp::auth {

inline constexpr std::chrono::milliseconds kKeyUsageFlushInterval{5000};

class KeyUsageFlusher {
 public:
  // Starts flushing `authenticator`'s key uses every `interval`.
  explicit KeyUsageFlusher(Authenticator& authenticator,
                           std::chrono::milliseconds interval = kKeyUsageFlushInterval);
  ~KeyUsageFlusher();  // Stop()
  KeyUsageFlusher(const KeyUsageFlusher&) = delete;
  KeyUsageFlusher& operator=(const KeyUsageFlusher&) = delete;

  // Flushes once more, then stops the thread and returns. Idempotent.
  void Stop();

 private:
  void Loop(std::stop_token stop);
  void Flush();

  Authenticator& authenticator_;
  const std::chrono::milliseconds interval_;
  std::mutex mu_;
  std::condition_variable_any cv_;
  std::jthread thread_;  // last: starts once the members it uses exist
};

}  // namespace cdp::auth
