#include "http/server.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <algorithm>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <limits>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/ascii.h"
#include "core/thread_name.h"
#include "http/envelope.h"

namespace cdp::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::awaitable;
using asio::use_awaitable;
using asio::ip::tcp;
constexpr auto kTuple = asio::as_tuple(use_awaitable);

using Clock = std::chrono::steady_clock;

// Descriptors kept for everything but connections (storage files and sockets, logs, the
// listener, the event loops) when the descriptor limit bounds the connection cap.
constexpr size_t kReservedDescriptors = 128;
// The most one read takes, as in Beast's own reads of a request.
constexpr size_t kReadChunk = 64 * 1024;
// Connections evicted or refused at the cap are logged at most this often.
constexpr auto kCapLogInterval = std::chrono::seconds(10);

constexpr int64_t kInFlight = std::numeric_limits<int64_t>::max();

int64_t Now() { return Clock::now().time_since_epoch().count(); }

struct Connection {
  explicit Connection(tcp::socket socket) : stream(std::move(socket)) {}
  bool InFlight() const { return idle_since.load(std::memory_order_relaxed) == kInFlight; }

  beast::tcp_stream stream;
  // Since when the connection has had no request in flight (accepted, or its last response
  // written), in Clock ticks; kInFlight from the moment a whole request has been read until
  // its response is written. Written only on the connection's thread. The acceptor reads it
  // to choose whom to evict; a stale value there is harmless, because the eviction itself
  // runs on the connection's thread and checks again.
  std::atomic<int64_t> idle_since{Now()};
  bool evicting = false;  // guarded by Impl::mu_: chosen for eviction, not yet closed
  bool evicted = false;   // on the connection's thread: the session ends at its next step
};

// Counts the connections evicted or refused at the cap and logs them at warn level at most
// once per kCapLogInterval, so that a flood of connections does not become a flood of log
// lines. Used only on the acceptor's io_context.
class CapLog {
 public:
  explicit CapLog(asio::io_context& ioc) : timer_(ioc) {}

  void Evicted(size_t cap) { Count(cap, &evicted_); }
  void Refused(size_t cap) { Count(cap, &refused_); }
  // Logs what is pending and stops the timer (so that it does not hold up shutdown).
  void Stop() {
    stopped_ = true;
    timer_.cancel();
    Flush();
  }

 private:
  void Count(size_t cap, uint64_t* counter) {
    cap_ = cap;
    ++*counter;
    if (armed_) return;
    if (stopped_ || Clock::now() - last_ >= kCapLogInterval) {
      Flush();
      return;
    }
    armed_ = true;
    timer_.expires_at(last_ + kCapLogInterval);
    timer_.async_wait([this](boost::system::error_code ec) {
      armed_ = false;
      if (!ec) Flush();
    });
  }
  void Flush() {
    if (evicted_ == 0 && refused_ == 0) return;
    std::string what;
    if (evicted_ > 0)
      what = fmt::format("closed {} longest-idle connection(s) to admit new ones", evicted_);
    if (refused_ > 0)
      what += fmt::format(
          "{}refused {} new connection(s), every connection having a request "
          "in flight",
          what.empty() ? "" : "; ", refused_);
    spdlog::warn("connection limit ({}) reached: {}", cap_, what);
    evicted_ = refused_ = 0;
    last_ = Clock::now();
  }

  asio::steady_timer timer_;
  Clock::time_point last_{};
  bool armed_ = false;
  bool stopped_ = false;
  size_t cap_ = 0;
  uint64_t evicted_ = 0;
  uint64_t refused_ = 0;
};

// Raises the soft RLIMIT_NOFILE to the hard limit (bounded, so that an unlimited hard limit
// still gives a value the kernel accepts) and returns the resulting soft limit.
rlim_t RaiseDescriptorLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return RLIM_INFINITY;
  rlim_t target = std::max(limit.rlim_cur, std::min<rlim_t>(limit.rlim_max, rlim_t{1} << 20));
  if (target > limit.rlim_cur) {
    rlimit raised{target, limit.rlim_max};
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) return target;
    spdlog::warn("cannot raise the open-file limit from {} to {}: {}", limit.rlim_cur, target,
                 std::strerror(errno));
  }
  return limit.rlim_cur;
}

Request ToRequest(bhttp::request<bhttp::string_body>&& in, const std::string& remote) {
  Request req;
  req.method = std::string(in.method_string());
  req.target = std::string(in.target());
  auto q = req.target.find('?');
  req.path = req.target.substr(0, q);
  if (q != std::string::npos) req.query = req.target.substr(q + 1);
  for (const auto& field : in) {
    req.headers.emplace_back(AsciiLower(field.name_string()), std::string(field.value()));
  }
  req.body = std::move(in.body());
  req.remote = remote;
  return req;
}

}  // namespace

class Server::Impl {
 public:
  Impl(ServerOptions options, const Router& router)
      : options_(std::move(options)),
        router_(router),
        contexts_(MakeContexts(options_.io_threads)),
        ioc_(*contexts_[0]),
        handlers_(static_cast<size_t>(options_.handler_threads)),
        acceptor_(ioc_),
        signals_(ioc_),
        cap_log_(ioc_) {}

  Status Listen() {
    boost::system::error_code ec;
    auto address = asio::ip::make_address(options_.address, ec);
    if (ec) return InvalidArgument("invalid listen address '" + options_.address + "'");
    tcp::endpoint endpoint(address, options_.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
      return Unavailable("cannot listen on " + options_.address + ":" +
                         std::to_string(options_.port) + ": " + ec.message());
    port_ = acceptor_.local_endpoint().port();
    FitCapToDescriptors();
    return Status::Ok();
  }

  uint16_t port() const { return port_; }
  size_t max_connections() const { return options_.max_connections; }

  void Run() {
    if (options_.handle_signals) {
      signals_.add(SIGINT);
      signals_.add(SIGTERM);
      signals_.async_wait([this](boost::system::error_code ec, int sig) {
        if (ec) return;
        spdlog::info("signal {} received; shutting down", sig);
        Stop();
      });
    }
    asio::co_spawn(ioc_, Accept(), asio::detached);
    // Keep the other contexts alive until Stop, even while they have no connection.
    std::vector<asio::executor_work_guard<asio::io_context::executor_type>> idle_guards;
    for (size_t i = 1; i < contexts_.size(); ++i)
      idle_guards.push_back(asio::make_work_guard(*contexts_[i]));
    {
      std::lock_guard lock(mu_);
      release_idle_ = [&idle_guards] {
        for (auto& g : idle_guards) g.reset();
      };
      if (stopping_) release_idle_();
    }
    std::vector<std::thread> threads;
    for (size_t i = 1; i < contexts_.size(); ++i)
      threads.emplace_back([ctx = contexts_[i].get(), i] {
        NameThisThread(fmt::format("cdp-http-{}", i));
        ctx->run();
      });
    NameThisThread("cdp-http-0");
    ioc_.run();
    for (auto& t : threads) t.join();
    handlers_.join();
  }

  void Stop() {
    asio::post(ioc_, [this] {
      if (stopping_.exchange(true)) return;
      boost::system::error_code ignored;
      acceptor_.close(ignored);
      signals_.cancel(ignored);
      cap_log_.Stop();
      std::lock_guard lock(mu_);
      if (release_idle_) release_idle_();
      for (auto& [id, conn] : connections_) {
        asio::post(conn->stream.get_executor(), [conn = conn] {
          if (!conn->InFlight()) conn->stream.cancel();
        });
      }
    });
  }

 private:
  void FitCapToDescriptors() {
    const rlim_t limit = RaiseDescriptorLimit();
    if (limit == RLIM_INFINITY) return;
    const size_t descriptors = static_cast<size_t>(limit);
    const size_t usable = descriptors - std::min(kReservedDescriptors, descriptors / 2);
    if (options_.max_connections <= usable) return;
    spdlog::warn(
        "the open-file limit ({}) leaves room for {} connections, fewer than the connection "
        "limit of {}; using {} (raise the hard limit, e.g. LimitNOFILE= or ulimit -Hn)",
        descriptors, usable, options_.max_connections, usable);
    options_.max_connections = usable;
  }

  // The connection idle longest (earliest idle_since, then earliest accepted) among those
  // with no request in flight and not already being evicted; null when every connection has
  // a request in flight. Linear in the number of connections, and only run at the cap.
  std::shared_ptr<Connection> LongestIdle() {
    std::shared_ptr<Connection> victim;
    int64_t victim_since = kInFlight;
    uint64_t victim_id = 0;
    for (const auto& [id, conn] : connections_) {
      if (conn->evicting) continue;
      const int64_t since = conn->idle_since.load(std::memory_order_relaxed);
      if (since == kInFlight) continue;
      if (!victim || since < victim_since || (since == victim_since && id < victim_id)) {
        victim = conn;
        victim_since = since;
        victim_id = id;
      }
    }
    return victim;
  }

  // Closes `conn` on its own thread, unless a request has arrived on it since it was chosen.
  // Called with mu_ held.
  void Evict(const std::shared_ptr<Connection>& conn) {
    conn->evicting = true;
    ++evicting_;
    asio::post(conn->stream.get_executor(), [this, conn] {
      if (conn->InFlight()) {
        // Spared: the cap is exceeded by one until some connection closes.
        std::lock_guard lock(mu_);
        conn->evicting = false;
        --evicting_;
        return;
      }
      conn->evicted = true;
      conn->stream.cancel();
    });
  }

  awaitable<void> Accept() {
    while (!stopping_) {
      // Connections are spread round-robin over the contexts, one thread each: a
      // connection's work never hops threads, so it needs no strand and no locking.
      asio::io_context& ctx = *contexts_[next_context_++ % contexts_.size()];
      auto [ec, socket] = co_await acceptor_.async_accept(ctx, kTuple);
      if (ec) {
        if (stopping_ || ec == asio::error::operation_aborted) break;
        spdlog::warn("accept failed: {}", ec.message());
        // Out of descriptors and the like: back off instead of spinning.
        asio::steady_timer timer(ioc_, std::chrono::milliseconds(50));
        co_await timer.async_wait(kTuple);
        continue;
      }
      socket.set_option(tcp::no_delay(true), ec);
      auto conn = std::make_shared<Connection>(std::move(socket));
      uint64_t id = next_id_++;
      bool evicted = false;
      bool refused = false;
      {
        std::lock_guard lock(mu_);
        // Connections being evicted no longer count: their close is already on its way.
        if (connections_.size() - evicting_ >= options_.max_connections) {
          if (auto victim = LongestIdle()) {
            Evict(victim);
            evicted = true;
          } else {
            refused = true;
          }
        }
        if (!refused) connections_.emplace(id, conn);
      }
      if (evicted) cap_log_.Evicted(options_.max_connections);
      if (refused) {
        cap_log_.Refused(options_.max_connections);
        conn->stream.close();
        continue;
      }
      asio::co_spawn(conn->stream.get_executor(), Session(id, conn), asio::detached);
    }
  }

  awaitable<void> Session(uint64_t id, std::shared_ptr<Connection> conn) {
    std::string remote;
    {
      boost::system::error_code ec;
      auto ep = conn->stream.socket().remote_endpoint(ec);
      if (!ec) remote = ep.address().to_string() + ":" + std::to_string(ep.port());
    }
    beast::flat_buffer buffer;
    while (!stopping_ && !conn->evicted) {
      if (buffer.size() == 0) {
        // Idle until the first byte of a request; the request timeout starts there.
        conn->stream.expires_after(options_.idle_timeout);
        auto [ec, n] = co_await conn->stream.async_read_some(
            buffer.prepare(beast::read_size(buffer, kReadChunk)), kTuple);
        buffer.commit(n);
        if (ec || conn->evicted) break;
      }
      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(kMaxHeaderBytes);
      parser.body_limit(kMaxBodyBytes);
      conn->stream.expires_after(options_.request_timeout);
      auto [ec, bytes_read] = co_await bhttp::async_read(conn->stream, buffer, parser, kTuple);
      // Evicted after the request arrived but before it started: it is dropped unanswered,
      // as if the connection had been closed a moment earlier.
      if (conn->evicted) break;
      if (ec) {
        // Answer what the client can act on; just close on timeouts and disconnects.
        if (ec == bhttp::error::body_limit) {
          co_await WriteError(
              conn,
              Status(Code::kPayloadTooLarge,
                     "request body exceeds " + std::to_string(kMaxBodyBytes) + " bytes"),
              413);
        } else if (ec == bhttp::error::header_limit) {
          co_await WriteError(conn,
                              InvalidArgument("request headers exceed " +
                                              std::to_string(kMaxHeaderBytes) + " bytes"),
                              431);
        } else if (ec.category() == make_error_code(bhttp::error::bad_method).category() &&
                   ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
          co_await WriteError(conn, InvalidArgument("malformed HTTP request: " + ec.message()),
                              400);
        }
        break;
      }
      conn->idle_since.store(kInFlight, std::memory_order_relaxed);
      auto started = std::chrono::steady_clock::now();
      bool keep_alive = parser.get().keep_alive() && !stopping_;
      unsigned version = parser.get().version();
      Request req = ToRequest(parser.release(), remote);

      Response res;
      switch (router_.ExecutionFor(req)) {
        case Execution::kInline:
          res = router_.Dispatch(req);
          break;
        case Execution::kBlocking:
          res = co_await asio::co_spawn(
              handlers_, [&]() -> awaitable<Response> { co_return router_.Dispatch(req); },
              use_awaitable);
          break;
        case Execution::kAsync:
          res = co_await asio::async_initiate<decltype(use_awaitable), void(Response)>(
              [&](auto handler) {
                // The reply may come from any thread: resume on the connection's strand, and
                // keep the io_context running until it does.
                auto shared = std::make_shared<decltype(handler)>(std::move(handler));
                auto work = asio::make_work_guard(conn->stream.get_executor());
                router_.DispatchAsync(req, [shared, work](Response r) mutable {
                  asio::post(work.get_executor(),
                             [shared, r = std::move(r)]() mutable { (*shared)(std::move(r)); });
                  work.reset();
                });
              },
              use_awaitable);
          break;
      }

      bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(res.status), version};
      out.set(bhttp::field::server, "cdp");
      out.set(bhttp::field::content_type, res.content_type);
      for (const auto& [k, v] : res.headers) out.set(k, v);
      out.body() = std::move(res.body);
      out.keep_alive(keep_alive && !stopping_);
      out.prepare_payload();
      conn->stream.expires_after(std::chrono::seconds(kWriteTimeoutSeconds));
      auto [wec, bytes_written] = co_await bhttp::async_write(conn->stream, out, kTuple);
      auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::steady_clock::now() - started)
                        .count();
      spdlog::info(
          "request method={} path={} status={} bytes_in={} bytes_out={} duration_us={} "
          "brand={} remote={}",
          req.method, req.path, res.status, req.body.size(), bytes_written, micros,
          res.brand_id.empty() ? "-" : res.brand_id, remote);
      conn->idle_since.store(Now(), std::memory_order_relaxed);
      if (wec || !out.keep_alive()) break;
    }
    boost::system::error_code ignored;
    conn->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    conn->stream.close();
    std::lock_guard lock(mu_);
    if (conn->evicting) --evicting_;
    connections_.erase(id);
  }

  awaitable<void> WriteError(const std::shared_ptr<Connection>& conn, const Status& status,
                             int http_status) {
    Response res = ErrorResponse(status);
    bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(http_status), 11};
    out.set(bhttp::field::server, "cdp");
    out.set(bhttp::field::content_type, res.content_type);
    out.body() = std::move(res.body);
    out.keep_alive(false);
    out.prepare_payload();
    conn->stream.expires_after(std::chrono::seconds(kWriteTimeoutSeconds));
    co_await bhttp::async_write(conn->stream, out, kTuple);
    spdlog::info("request rejected status={} reason=\"{}\"", http_status, status.message());
  }

  ServerOptions options_;
  const Router& router_;
  static std::vector<std::unique_ptr<asio::io_context>> MakeContexts(int n) {
    std::vector<std::unique_ptr<asio::io_context>> out;
    for (int i = 0; i < std::max(1, n); ++i) out.push_back(std::make_unique<asio::io_context>(1));
    return out;
  }

  std::vector<std::unique_ptr<asio::io_context>> contexts_;
  asio::io_context& ioc_;  // runs the acceptor and signals
  size_t next_context_ = 0;
  std::function<void()> release_idle_;
  asio::thread_pool handlers_;
  tcp::acceptor acceptor_;
  asio::signal_set signals_;
  CapLog cap_log_;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> next_id_{1};
  std::mutex mu_;
  std::unordered_map<uint64_t, std::shared_ptr<Connection>> connections_;  // guarded by mu_
  size_t evicting_ = 0;  // guarded by mu_: connections with `evicting` set
};

Server::Server(ServerOptions options, const Router& router)
    : impl_(std::make_unique<Impl>(std::move(options), router)) {}
Server::~Server() = default;
Status Server::Listen() { return impl_->Listen(); }
uint16_t Server::port() const { return impl_->port(); }
size_t Server::max_connections() const { return impl_->max_connections(); }
void Server::Run() { impl_->Run(); }
void Server::Stop() { impl_->Stop(); }

}  // namespace cdp::http
