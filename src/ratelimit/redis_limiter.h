// RedisLimiter: the limiter several server nodes share (`cdp serve --redis URL`): one Redis
// counter per key and clock-minute window, checked and incremented by one Lua script, so a
// window admits exactly `limit` requests across every node. Counters expire a minute after
// their window ends. Nodes must keep their clocks in step (NTP): each names the window by
// its own clock.
//
// When Redis cannot be reached (or answers an error) within `timeout`, requests are admitted
// (fail open) and a warning is logged at most every 10 s: a limiter outage must not stop
// ingestion. Connections are pooled, one per concurrent caller, and re-opened after a failure.
// Thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/status.h"
#include "ratelimit/limiter.h"

struct redisContext;

namespace cdp::ratelimit {

struct RedisOptions {
  // redis://[:PASSWORD@]HOST[:PORT][/DB] or unix:///PATH/TO/SOCKET[?db=DB]
  std::string url;
  std::chrono::milliseconds timeout{250};
};

class RedisLimiter final : public Limiter {
 public:
  ~RedisLimiter() override;
  Decision Admit(std::string_view key, int64_t limit, int64_t now) override;

 private:
  friend Result<std::unique_ptr<RedisLimiter>> OpenRedisLimiter(const RedisOptions& options);
  struct Target {
    bool unix_socket = false;
    std::string host_or_path;
    int port = 6379;
    std::string password;
    int db = 0;
  };
  RedisLimiter(Target target, std::chrono::milliseconds timeout)
      : target_(std::move(target)), timeout_(timeout) {}
  // A connected, authenticated context, or the reason there is none.
  Result<redisContext*> Connect();
  redisContext* Take();
  void Give(redisContext* ctx);
  void Warn(const std::string& what);

  Target target_;
  std::chrono::milliseconds timeout_;
  std::mutex mu_;
  std::vector<redisContext*> idle_;
  int64_t last_warning_ = 0;  // steady-clock seconds
};

// Parses the URL and checks that Redis answers; InvalidArgument for a malformed URL,
// Unavailable when Redis cannot be reached. Sets SIGPIPE to be ignored, process-wide.
Result<std::unique_ptr<RedisLimiter>> OpenRedisLimiter(const RedisOptions& options);

// `url` with its password, if any, replaced by "***" (for logs).
std::string RedactRedisUrl(const std::string& url);

}  // namespace cdp::ratelimit
