// End-to-end tests of the API rate limits: the documented defaults, the headers, 429 with
// Retry-After, exactness with many clients at once, and `cdp brand limits` reaching a
// running server.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "support/server_process.h"

namespace cdp::testing {
namespace {

class RateLimits : public ::testing::Test {
 protected:
  TempDir dir;
  TestStorage fresh = FreshStorage(dir.path());
  Brand brand = CreateBrand(fresh.args, "limited", Limits::kDefault);
  ServerProcess server{fresh.args, dir.path() + "/server.log"};
  HttpClient client{server.port()};

  HttpResponse Call(const std::string& path, const std::string& body = "{}") {
    return client.Call(brand, "/api/v1/" + path, body);
  }
  void SetLimit(const std::string& group, int per_minute) {
    std::vector<std::string> args = {
        "brand",   "limits", "--brand",      brand.id,
        "--group", group,    "--per-minute", std::to_string(per_minute)};
    args.insert(args.end(), fresh.args.begin(), fresh.args.end());
    ASSERT_EQ(RunCdp(args).exit_code, 0);
  }
  // Windows are clock minutes: start a test's budget with at least `seconds` of it left, so
  // that a window boundary cannot reset the counts midway.
  void AwaitFreshWindow(int seconds = 10) {
    auto r = Call("segment/list");
    const int reset = std::stoi(r.headers["x-ratelimit-reset"]);
    if (reset < seconds) std::this_thread::sleep_for(std::chrono::seconds(reset + 1));
  }
};

TEST_F(RateLimits, EnforcesTheDocumentedDefaultPerGroupWithHeaders) {
  AwaitFreshWindow();
  // The Reporting API: 50 a minute. The budget is spent by calls of any outcome.
  for (int i = 1; i <= 50; ++i) {
    auto r = Call("report/timeline", i % 2 ? "{}" : R"({"interval":"week"})");
    ASSERT_EQ(r.status, i % 2 ? 200 : 400) << i << r.body;
    EXPECT_EQ(r.headers["x-ratelimit-limit"], "50");
    EXPECT_EQ(r.headers["x-ratelimit-remaining"], std::to_string(50 - i));
    const int reset = std::stoi(r.headers["x-ratelimit-reset"]);
    EXPECT_GE(reset, 1);
    EXPECT_LE(reset, 60);
  }
  auto refused = Call("report/timeline");
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(refused.EnvelopeStatus(), "error");
  EXPECT_NE(refused.Message().find("rate limit exceeded: 50 reports API calls per minute"),
            std::string::npos)
      << refused.Message();
  EXPECT_EQ(refused.headers["retry-after"], refused.headers["x-ratelimit-reset"]);
  EXPECT_EQ(refused.headers["x-ratelimit-remaining"], "0");

  // Other groups keep their own budgets and defaults.
  EXPECT_EQ(Call("user/userData", R"({"userId":"nobody"})").headers["x-ratelimit-limit"], "100");
  EXPECT_EQ(
      Call("event/count", R"({"event_name":"x","start_date":"2026-01-01","end_date":"2026-01-02"})")
          .headers["x-ratelimit-limit"],
      "500");
  // Calls without the brand's key spend nothing of its budget.
  const int before = std::stoi(Call("campaign/list").headers["x-ratelimit-remaining"]);
  Brand wrong{brand.id, "cdp_wrong"};
  EXPECT_EQ(client.Call(wrong, "/api/v1/campaign/list", "{}").status, 401);
  EXPECT_EQ(Call("campaign/list").headers["x-ratelimit-remaining"], std::to_string(before - 1));
  EXPECT_EQ(client.Get("/healthz").status, 200) << "health checks are never limited";
}

TEST_F(RateLimits, AdmitsExactlyTheLimitToManyParallelClients) {
  SetLimit("campaigns", 120);
  AwaitFreshWindow();
  const int spent = 120 - std::stoi(Call("segment/list").headers["x-ratelimit-remaining"]);
  std::atomic<int> ok{0}, limited{0}, other{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 8; ++t)
    clients.emplace_back([&] {
      HttpClient mine(server.port());
      for (int i = 0; i < 40; ++i) {
        auto r = mine.Call(brand, "/api/v1/segment/list", "{}");
        (r.status == 200 ? ok : r.status == 429 ? limited : other)++;
      }
    });
  for (auto& c : clients) c.join();
  EXPECT_EQ(ok.load(), 120 - spent);
  EXPECT_EQ(limited.load(), 320 - (120 - spent));
  EXPECT_EQ(other.load(), 0);
}

TEST_F(RateLimits, BrandLimitsCommandReachesARunningServerWithinSeconds) {
  SetLimit("reports", 3);
  auto limit_now = [&] { return Call("report/timeline").headers["x-ratelimit-limit"]; };
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (limit_now() != "3" && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(limit_now(), "3");

  SetLimit("reports", 0);  // unlimited: no headers, never 429
  deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!limit_now().empty() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  for (int i = 0; i < 10; ++i) {
    auto r = Call("report/timeline");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.headers.count("x-ratelimit-limit"), 0u);
  }

  std::vector<std::string> show = {"brand", "limits", "--brand", brand.id, "--json"};
  show.insert(show.end(), fresh.args.begin(), fresh.args.end());
  auto shown = RunCdp(show);
  EXPECT_EQ(shown.exit_code, 0);
  EXPECT_EQ(boost::json::parse(shown.out),
            boost::json::parse(R"({"users":100,"events":500,"campaigns":500,"reports":0,"tracking":300000})"));
  std::vector<std::string> bad = {"brand",   "limits", "--brand",      brand.id,
                                  "--group", "push",   "--per-minute", "5"};
  bad.insert(bad.end(), fresh.args.begin(), fresh.args.end());
  EXPECT_NE(RunCdp(bad).exit_code, 0);
}

}  // namespace
}  // namespace cdp::testing
