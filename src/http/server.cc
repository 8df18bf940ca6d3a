#include "http/server.h"

#include <spdlog/spdlog.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

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

struct Connection {
  explicit Connection(tcp::socket socket) : stream(std::move(socket)) {}
  beast::tcp_stream stream;
  bool busy = false;  // touched only on the connection's strand
};

Request ToRequest(bhttp::request<bhttp::string_body>&& in, const std::string& remote) {
  Request req;
  req.method = std::string(in.method_string());
  req.target = std::string(in.target());
  auto q = req.target.find('?');
  req.path = req.target.substr(0, q);
  if (q != std::string::npos) req.query = req.target.substr(q + 1);
  for (const auto& field : in) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    req.headers.emplace_back(std::move(name), std::string(field.value()));
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
        signals_(ioc_) {}

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
    return Status::Ok();
  }

  uint16_t port() const { return port_; }

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
      threads.emplace_back([ctx = contexts_[i].get()] { ctx->run(); });
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
      std::lock_guard lock(mu_);
      if (release_idle_) release_idle_();
      for (auto& [id, conn] : connections_) {
        asio::post(conn->stream.get_executor(), [conn = conn] {
          if (!conn->busy) conn->stream.cancel();
        });
      }
    });
  }

 private:
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
      {
        std::lock_guard lock(mu_);
        if (connections_.size() >= kMaxConnections) {
          spdlog::warn("connection limit ({}) reached; closing a new connection", kMaxConnections);
          conn->stream.close();
          continue;
        }
        connections_.emplace(id, conn);
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
    while (!stopping_) {
      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(kMaxHeaderBytes);
      parser.body_limit(kMaxBodyBytes);
      conn->stream.expires_after(std::chrono::seconds(kReadTimeoutSeconds));
      auto [ec, bytes_read] = co_await bhttp::async_read(conn->stream, buffer, parser, kTuple);
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
      conn->busy = true;
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
      conn->busy = false;
      if (wec || !out.keep_alive()) break;
    }
    boost::system::error_code ignored;
    conn->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    conn->stream.close();
    std::lock_guard lock(mu_);
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
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> next_id_{1};
  std::mutex mu_;
  std::unordered_map<uint64_t, std::shared_ptr<Connection>> connections_;
};

Server::Server(ServerOptions options, const Router& router)
    : impl_(std::make_unique<Impl>(std::move(options), router)) {}
Server::~Server() = default;
Status Server::Listen() { return impl_->Listen(); }
uint16_t Server::port() const { return impl_->port(); }
void Server::Run() { impl_->Run(); }
void Server::Stop() { impl_->Stop(); }

}  // namespace cdp::http
