#include "tracking/call_log.h"

#include <spdlog/spdlog.h>

#include "core/thread_name.h"

namespace cdp::tracking {

CallLog::CallLog(store::SourceStore& store, std::chrono::milliseconds interval)
    : store_(store), interval_(interval), thread_([this](std::stop_token stop) { Loop(stop); }) {}

CallLog::~CallLog() { Stop(); }

void CallLog::Add(store::SourceCall call) {
  std::lock_guard lock(mu_);
  auto& calls = pending_[{call.brand_id, call.source_id}];
  if (calls.size() == store::kSourceCallsKept) calls.erase(calls.begin());
  calls.push_back(std::move(call));
}

void CallLog::Stop() {
  if (!thread_.joinable()) return;
  thread_.request_stop();
  cv_.notify_all();
  thread_.join();
  Flush();
}

void CallLog::Loop(std::stop_token stop) {
  NameThisThread("cdp-call-log");
  while (!stop.stop_requested()) {
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, stop, interval_, [] { return false; });
    }
    Flush();
  }
}

void CallLog::Flush() {
  std::vector<store::SourceCall> calls;
  {
    std::lock_guard lock(mu_);
    for (auto& [source, pending] : pending_)
      for (auto& c : pending) calls.push_back(std::move(c));
    pending_.clear();
  }
  if (calls.empty()) return;
  if (Status st = store_.RecordSourceCalls(calls); !st.ok())
    spdlog::warn("could not write {} tracking calls for the debugger: {}", calls.size(),
                 st.message());
}

}  // namespace cdp::tracking
