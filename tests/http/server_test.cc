// http/server: the connection limits. At the cap a new connection takes the place of the
// longest-idle one, a request in flight is never cut off, and the idle and request timeouts
// close connections that send nothing or dribble. The server runs in-process on a free
// port with a route whose handler the test holds, so "in flight" is known, not guessed.
#include "http/server.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "http/router.h"
#include "support/raw_connection.h"

namespace cdp::http {
namespace {

using cdp::testing::RawConnection;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr std::string_view kGetOk = "GET /ok HTTP/1.1\r\nHost: t\r\n\r\n";
constexpr std::string_view kGetHeld = "GET /held HTTP/1.1\r\nHost: t\r\n\r\n";

// GET /held waits, on the handler pool, until Release(); Entered(n) waits until n requests
// are inside it, so that they are known to be in flight.
class HeldRoute {
 public:
  void Add(Router& router) {
    router.Add("GET", "/held", [this](const Request&) {
      std::unique_lock lock(mu_);
      ++entered_;
      cv_.notify_all();
      cv_.wait(lock, [this] { return released_; });
      return Response{};
    });
  }
  bool Entered(int n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, seconds(10), [&] { return entered_ >= n; });
  }
  void Release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int entered_ = 0;
  bool released_ = false;
};

class ServerLimits : public ::testing::Test {
 protected:
  void Start(ServerOptions options) {
    options.port = 0;
    options.io_threads = 2;
    options.handler_threads = 4;
    options.handle_signals = false;
    router_.Add(
        "GET", "/ok", [](const Request&) { return Response{}; }, Execution::kInline);
    held_.Add(router_);
    server_ = std::make_unique<Server>(options, router_);
    ASSERT_TRUE(server_->Listen().ok());
    thread_ = std::thread([this] { server_->Run(); });
  }
  void TearDown() override {
    held_.Release();
    if (server_) server_->Stop();
    if (thread_.joinable()) thread_.join();
  }
  uint16_t port() const { return server_->port(); }

  Router router_;
  HeldRoute held_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

TEST_F(ServerLimits, AtTheCapANewConnectionReplacesTheLongestIdleOne) {
  ServerOptions options;
  options.max_connections = 2;
  Start(options);
  RawConnection never_sends(port());
  RawConnection kept_alive(port());  // accepted after never_sends, and idle since later
  ASSERT_TRUE(kept_alive.Send(kGetOk));
  ASSERT_EQ(kept_alive.ReadResponse(), 200);

  RawConnection newcomer(port());
  ASSERT_TRUE(newcomer.Send(kGetOk));
  EXPECT_EQ(newcomer.ReadResponse(), 200);
  EXPECT_TRUE(never_sends.ClosedWithin(seconds(10)));
  EXPECT_TRUE(kept_alive.Send(kGetOk));
  EXPECT_EQ(kept_alive.ReadResponse(), 200);
}

TEST_F(ServerLimits, AConnectionStillSendingItsRequestCountsAsIdle) {
  ServerOptions options;
  options.max_connections = 1;
  Start(options);
  RawConnection dribbling(port());
  ASSERT_TRUE(dribbling.Send("GET /ok HTTP/1.1\r\nHo"));

  RawConnection newcomer(port());
  ASSERT_TRUE(newcomer.Send(kGetOk));
  EXPECT_EQ(newcomer.ReadResponse(), 200);
  EXPECT_TRUE(dribbling.ClosedWithin(seconds(10)));
  EXPECT_EQ(dribbling.received(), "");
}

TEST_F(ServerLimits, RequestsInFlightAreNeverEvictedAndNewcomersWaitForNone) {
  ServerOptions options;
  options.max_connections = 2;
  Start(options);
  RawConnection first(port());
  RawConnection second(port());
  ASSERT_TRUE(first.Send(kGetHeld));
  ASSERT_TRUE(second.Send(kGetHeld));
  ASSERT_TRUE(held_.Entered(2));

  // Every connection has a request in flight: the newcomer is refused, not queued.
  RawConnection refused(port());
  EXPECT_TRUE(refused.ClosedWithin(seconds(10)));
  EXPECT_EQ(refused.received(), "");

  held_.Release();
  EXPECT_EQ(first.ReadResponse(), 200);
  EXPECT_EQ(second.ReadResponse(), 200);
  // Both are idle again, so a newcomer takes the place of one of them.
  RawConnection later(port());
  ASSERT_TRUE(later.Send(kGetOk));
  EXPECT_EQ(later.ReadResponse(), 200);
}

TEST_F(ServerLimits, AConnectionThatSendsNothingIsClosedAfterTheIdleTimeout) {
  ServerOptions options;
  options.idle_timeout = milliseconds(200);
  Start(options);
  RawConnection silent(port());
  EXPECT_TRUE(silent.ClosedWithin(seconds(10)));
  EXPECT_EQ(silent.received(), "");
}

TEST_F(ServerLimits, ARequestMayTakeLongerThanTheIdleTimeoutOnceItHasStarted) {
  ServerOptions options;
  options.idle_timeout = milliseconds(200);
  options.request_timeout = seconds(20);
  Start(options);
  RawConnection slow(port());
  // Five times the idle timeout in all, well within the request timeout.
  for (char c : kGetOk) {
    ASSERT_TRUE(slow.Send(std::string(1, c)));
    std::this_thread::sleep_for(milliseconds(1000 / kGetOk.size()));
  }
  EXPECT_EQ(slow.ReadResponse(), 200);
}

TEST_F(ServerLimits, ARequestStillArrivingAtTheRequestTimeoutIsCutOff) {
  ServerOptions options;
  options.request_timeout = milliseconds(300);
  Start(options);
  RawConnection slow(port());
  // One byte per 100 ms: the whole request would take 3 s, ten times the timeout.
  bool closed = false;
  for (size_t sent = 0; sent < kGetOk.size() && !closed; ++sent)
    closed = !slow.Send(kGetOk.substr(sent, 1)) || slow.ClosedWithin(milliseconds(100));
  EXPECT_TRUE(closed) << "the whole request was sent and the connection is still open";
  EXPECT_EQ(slow.received(), "");
}

}  // namespace
}  // namespace cdp::http
