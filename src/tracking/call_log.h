// CallLog: the debugger's record of each source's latest tracking calls (accepted or
// rejected, with the reason), so that a developer can see why an event never arrived.
//
// Calls are kept in memory, at most kSourceCallsKept per source, and written to the store
// every `interval` on a thread of its own and once more when stopped; readers (the Sources
// API, `cdp source debugger`) read the store, so a call shows there within `interval`. A
// failed write is logged and its calls are dropped: the debugger is an aid, not a record
// that must survive. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "store/source_store.h"

namespace cdp::tracking {

class CallLog {
 public:
  explicit CallLog(store::SourceStore& store,
                   std::chrono::milliseconds interval = std::chrono::milliseconds(1000));
  ~CallLog();  // Stop()
  CallLog(const CallLog&) = delete;
  CallLog& operator=(const CallLog&) = delete;

  void Add(store::SourceCall call);
  // Writes what is pending, then stops the thread. Idempotent.
  void Stop();

 private:
  void Loop(std::stop_token stop);
  void Flush();

  store::SourceStore& store_;
  const std::chrono::milliseconds interval_;
  std::mutex mu_;
  std::condition_variable_any cv_;
  // By (brand, source): the newest calls not yet written, oldest first.
  std::map<std::pair<std::string, std::string>, std::vector<store::SourceCall>> pending_;
  std::jthread thread_;  // last: starts once the members it uses exist
};

}  // namespace cdp::tracking
