// Server: the HTTP/1.1 keep-alive listener on Boost.Beast/Asio.
//
// One coroutine per connection reads a request (with header/body limits and a timeout),
// hands it to the Router, and writes the response. Network I/O runs on `io_threads`;
// handlers that may block on storage run on a separate pool of `handler_threads`, so a
// slow commit never stalls the network threads. One access-log line per request.
//
// Shutdown (Stop, SIGINT or SIGTERM): the listener closes, idle connections close, and
// requests in flight finish and get their response before Run returns.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "core/status.h"
#include "http/router.h"

namespace cdp::http {

inline constexpr size_t kMaxHeaderBytes = 16 * 1024;
inline constexpr size_t kMaxBodyBytes = 1024 * 1024;
inline constexpr int kReadTimeoutSeconds = 30;  // a whole request, or idle keep-alive
inline constexpr int kWriteTimeoutSeconds = 30;
// Open connections beyond this are closed at accept. With one request in flight per
// connection, this and kMaxBodyBytes bound the memory that requests can hold.
inline constexpr size_t kMaxConnections = 1024;

struct ServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 8080;  // 0 picks a free port; see Server::port()
  int io_threads = 2;
  int handler_threads = 32;
  bool handle_signals = true;  // stop gracefully on SIGINT/SIGTERM
};

class Server {
 public:
  Server(ServerOptions options, const Router& router);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens. Fails with Unavailable when the address cannot be bound.
  Status Listen();
  // The bound port (after Listen).
  uint16_t port() const;
  // Serves until Stop (or a signal) and every in-flight request has been answered.
  void Run();
  // Begins a graceful stop. Thread-safe; may be called from any thread or handler.
  void Stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cdp::http
