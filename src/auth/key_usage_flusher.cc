#include "auth/key_usage_flusher.h"

#include <spdlog/spdlog.h>

namespace cdp::auth {

KeyUsageFlusher::KeyUsageFlusher(Authenticator& authenticator, std::chrono::milliseconds interval)
    : authenticator_(authenticator),
      interval_(interval),
      thread_([this](std::stop_token stop) { Loop(stop); }) {}

KeyUsageFlusher::~KeyUsageFlusher() { Stop(); }

void KeyUsageFlusher::Stop() {
  if (!thread_.joinable()) return;
  thread_.request_stop();
  thread_.join();
}

void KeyUsageFlusher::Loop(std::stop_token stop) {
  for (;;) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, stop, interval_, [] { return false; });
    lock.unlock();
    Flush();
    if (stop.stop_requested()) return;  // the flush above was the final one
  }
}

void KeyUsageFlusher::Flush() {
  if (auto st = authenticator_.FlushUsage(); !st.ok())
    spdlog::warn("cannot record API key use: {}", st.message());
}

}  // namespace cdp::auth
