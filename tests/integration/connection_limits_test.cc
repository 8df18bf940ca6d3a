// End-to-end: connection-level abuse. A flood of connections that never send a request
// must not starve health checks or API calls, and a client that dribbles a request slower
// than `--request-timeout` is cut off while others are served. Which connections the server
// evicts and why (requests in flight never are) is specified in tests/http/server_test.cc.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "support/raw_connection.h"
#include "support/server_process.h"

namespace cdp::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Well below the 30 s a starved request would wait for the flood's idle timeout.
constexpr seconds kClientTimeout{10};

class ConnectionLimits : public ::testing::Test {
 protected:
  TempDir dir;
  TestStorage fresh = FreshStorage(dir.path());
  Brand brand = CreateBrand(fresh.args, "limits");

  std::unique_ptr<ServerProcess> Start(const std::vector<std::string>& flags) {
    std::vector<std::string> args = fresh.args;
    args.insert(args.end(), flags.begin(), flags.end());
    return std::make_unique<ServerProcess>(args, dir.path() + "/server.log");
  }
};

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST_F(ConnectionLimits, AFloodOfIdleConnectionsStarvesNeitherHealthChecksNorTheApi) {
  auto server = Start({"--max-connections", "64"});
  // Three times the cap: half never send a byte, half stop inside the request line.
  std::vector<std::unique_ptr<RawConnection>> flood;
  for (int i = 0; i < 200; ++i) {
    flood.push_back(std::make_unique<RawConnection>(server->port()));
    if (i % 2 == 1) flood.back()->Send("GET /heal");
  }

  HttpClient health(server->port(), kClientTimeout);
  EXPECT_EQ(health.Get("/healthz").status, 200);
  HttpClient writer(server->port(), kClientTimeout);
  auto created = writer.Call(brand, "/api/v1/user/create",
                             R"({"nv":[{"userId":"u1","attributes":{"plan":"pro"}}]})");
  EXPECT_EQ(created.status, 200) << created.body;
  HttpClient reader(server->port(), kClientTimeout);
  auto read = reader.Call(brand, "/api/v1/user/userData", R"({"userId":"u1"})");
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(read.Data().at("attributes").at("plan"), "pro");

  // The longest idle made room, and a flood is reported in a line, not a line per connection.
  EXPECT_TRUE(flood.front()->ClosedWithin(kClientTimeout));
  const size_t lines = Count(server->Log(), "connection limit (64) reached");
  EXPECT_GE(lines, 1u);
  EXPECT_LE(lines, 3u);
}

TEST_F(ConnectionLimits, AClientDribblingARequestIsCutOffAtTheRequestTimeout) {
  auto server = Start({"--request-timeout", "2"});
  const std::string request = fmt::format(
      "POST /api/v1/user/create HTTP/1.1\r\nHost: 127.0.0.1\r\nx-brand-id: {}\r\n"
      "x-api-key: {}\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{{}}",
      brand.id, brand.key);
  RawConnection slow(server->port());
  HttpClient normal(server->port(), kClientTimeout);
  // One byte per 300 ms: the whole request would take over a minute.
  size_t sent = 0;
  bool closed = false;
  while (sent < request.size() && !closed) {
    if (!slow.Send(request.substr(sent++, 1))) break;
    closed = slow.ClosedWithin(milliseconds(300));
    if (sent == 3) {
      EXPECT_EQ(normal.Get("/healthz").status, 200);  // served meanwhile
    }
  }
  EXPECT_TRUE(closed || slow.ClosedWithin(milliseconds(300)))
      << "still open after " << sent << " of " << request.size() << " bytes";
  EXPECT_LT(sent, request.size());
  EXPECT_EQ(slow.received(), "");
  EXPECT_EQ(normal.Get("/healthz").status, 200);
}

TEST_F(ConnectionLimits, AConnectionThatNeverSendsARequestIsClosedAtTheIdleTimeout) {
  auto server = Start({"--idle-timeout", "1"});
  RawConnection silent(server->port());
  EXPECT_TRUE(silent.ClosedWithin(kClientTimeout));
  EXPECT_EQ(silent.received(), "");
}

}  // namespace
}  // namespace cdp::testing
