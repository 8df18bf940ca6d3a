// Server: the HTTP/1.1 keep-alive listener on Boost.Beast/Asio.
//
// One coroutine per connection reads a request (with header/body limits and a timeout),
// hands it to the Router, and writes the response. Network I/O runs on `io_threads`;
// handlers that may block on storage run on a separate pool of `handler_threads`, so a
// slow commit never stalls the network threads. One access-log line per request.
//
// Limits: a connection waits at most `idle_timeout` for the first byte of a request, and
// then at most `request_timeout` for the whole request, however slowly it dribbles in. At
// `max_connections` open connections, a new one takes the place of the connection that has
// been idle longest (no request in flight: none started yet, or one only partly received);
// a request in flight is never cut off, and a new connection is refused only when every
// connection has one. So a flood of idle or slow connections cannot starve health checks.
//
// Shutdown (Stop, SIGINT or SIGTERM): the listener closes, idle connections close, and
// requests in flight finish and get their response before Run returns.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/status.h"
#include "http/router.h"

namespace cdp::http {

inline constexpr size_t kMaxHeaderBytes = 16 * 1024;
inline constexpr size_t kMaxBodyBytes = 1024 * 1024;
inline constexpr int kWriteTimeoutSeconds = 30;
// Defaults of ServerOptions.
inline constexpr std::chrono::seconds kRequestTimeout{30};
inline constexpr std::chrono::seconds kIdleTimeout{30};
// With one request in flight per connection, the connection cap and kMaxBodyBytes bound the
// memory that requests can hold.
inline constexpr size_t kMaxConnections = 1024;

struct ServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 8080;  // 0 picks a free port; see Server::port()
  int io_threads = 2;
  int handler_threads = 32;
  bool handle_signals = true;  // stop gracefully on SIGINT/SIGTERM
  // From a request's first byte until the whole request (headers and body) has arrived.
  std::chrono::milliseconds request_timeout = kRequestTimeout;
  // Until the first byte of a request: on a new connection, and between keep-alive requests.
  std::chrono::milliseconds idle_timeout = kIdleTimeout;
  // Open connections at most; see the header comment. Lowered by Listen when the process
  // may not open that many descriptors.
  size_t max_connections = kMaxConnections;
};

class Server {
 public:
  Server(ServerOptions options, const Router& router);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens. Fails with Unavailable when the address cannot be bound. Also raises
  // the process's soft limit on open descriptors (RLIMIT_NOFILE) to its hard limit, and if
  // that still leaves too few for max_connections, lowers the cap with a warning: the cap,
  // and with it eviction, must be reached before accept fails for want of descriptors.
  Status Listen();
  // The bound port (after Listen).
  uint16_t port() const;
  // The connection cap in force (after Listen).
  size_t max_connections() const;
  // Serves until Stop (or a signal) and every in-flight request has been answered.
  void Run();
  // Begins a graceful stop. Thread-safe; may be called from any thread or handler.
  void Stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cdp::http
