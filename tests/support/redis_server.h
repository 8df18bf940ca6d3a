// A throwaway Redis for tests: `redis-server` on a Unix socket in a fresh folder, with no
// persistence, stopped (SIGKILL) on destruction. Not thread-safe.
#pragma once

#include <sys/types.h>

#include <string>

namespace cdp::testing {

class RedisServer {
 public:
  // Starts it and waits (up to 10 s) until the socket accepts; throws otherwise.
  explicit RedisServer(const std::string& dir);
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  // unix:///DIR/redis.sock, as `cdp serve --redis` takes it.
  std::string url() const { return "unix://" + socket_; }
  // Kills the server (its counters are lost); Start brings up a new one on the same socket.
  void Stop();
  void Start();

 private:
  std::string dir_, socket_;
  pid_t pid_ = -1;
};

}  // namespace cdp::testing
