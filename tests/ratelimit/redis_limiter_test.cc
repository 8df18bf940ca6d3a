// ratelimit/redis_limiter against a real redis-server (on a Unix socket): the budget shared by
// several limiters (as by several nodes), exact under concurrency, failing open while Redis
// is down and recovering after.
#include "ratelimit/redis_limiter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "support/redis_server.h"
#include "support/server_process.h"

namespace cdp::ratelimit {
namespace {

constexpr int64_t kMinute = kWindowMicros;
constexpr int64_t kT0 = 1'790'000'000LL * 1'000'000 / kMinute * kMinute;  // a window's start

class RedisLimiterTest : public ::testing::Test {
 protected:
  std::unique_ptr<RedisLimiter> Open() {
    auto limiter = OpenRedisLimiter({redis.url()});
    EXPECT_TRUE(limiter.ok()) << limiter.status().message();
    return limiter.ok() ? std::move(limiter).value() : nullptr;
  }

  testing::TempDir dir;
  testing::RedisServer redis{dir.path()};
};

TEST_F(RedisLimiterTest, AdmitsTheLimitPerWindowAndCountsDown) {
  auto limiter = Open();
  ASSERT_TRUE(limiter);
  for (int64_t i = 1; i <= 3; ++i) {
    Decision d = limiter->Admit("b/users", 3, kT0 + 1'000'000);
    EXPECT_TRUE(d.allowed);
    EXPECT_EQ(d.limit, 3);
    EXPECT_EQ(d.remaining, 3 - i);
    EXPECT_EQ(d.reset_seconds, 59);
  }
  Decision refused = limiter->Admit("b/users", 3, kT0 + 59'500'000);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.remaining, 0);
  EXPECT_EQ(refused.reset_seconds, 1);
  EXPECT_TRUE(limiter->Admit("b/events", 3, kT0 + 2).allowed) << "another key";
  EXPECT_TRUE(limiter->Admit("b/users", 3, kT0 + kMinute).allowed) << "the next window";
  EXPECT_EQ(limiter->Admit("b/users", 3, kT0 + kMinute).remaining, 1);
}

TEST_F(RedisLimiterTest, SharesOneBudgetBetweenNodes) {
  auto node_a = Open(), node_b = Open();
  ASSERT_TRUE(node_a && node_b);
  int admitted = 0;
  for (int i = 0; i < 30; ++i)
    admitted += (i % 2 ? node_a : node_b)->Admit("b/events", 10, kT0 + i).allowed;
  EXPECT_EQ(admitted, 10);
  auto node_c = Open();  // a node started later sees the same count
  EXPECT_FALSE(node_c->Admit("b/events", 10, kT0 + 100).allowed);
}

TEST_F(RedisLimiterTest, AdmitsExactlyTheLimitUnderConcurrencyAcrossNodes) {
  auto node_a = Open(), node_b = Open();
  ASSERT_TRUE(node_a && node_b);
  std::atomic<int> admitted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      RedisLimiter& node = t % 2 ? *node_a : *node_b;
      for (int i = 0; i < 250; ++i)
        if (node.Admit("brand/events", 1000, kT0 + i).allowed) ++admitted;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(admitted.load(), 1000);
}

TEST_F(RedisLimiterTest, AdmitsWhileRedisIsDownAndCountsAgainOnceItIsBack) {
  auto limiter = Open();
  ASSERT_TRUE(limiter);
  ASSERT_TRUE(limiter->Admit("k", 1, kT0).allowed);
  ASSERT_FALSE(limiter->Admit("k", 1, kT0).allowed);
  redis.Stop();
  Decision open = limiter->Admit("k", 1, kT0);
  EXPECT_TRUE(open.allowed) << "fail open";
  EXPECT_EQ(open.limit, 1);
  redis.Start();  // empty: the window starts over
  EXPECT_TRUE(limiter->Admit("k", 1, kT0).allowed);
  EXPECT_FALSE(limiter->Admit("k", 1, kT0).allowed);
}

TEST(OpenRedisLimiter, RefusesMalformedUrlsAndUnreachableServers) {
  for (const char* bad : {"localhost:6379", "http://localhost", "redis:///0", "redis://h/x",
                          "unix://", "unix:///tmp/s?db=-1"})
    EXPECT_EQ(OpenRedisLimiter({bad}).status().code(), Code::kInvalidArgument) << bad;
  EXPECT_EQ(OpenRedisLimiter({"unix:///nonexistent/redis.sock"}).status().code(),
            Code::kUnavailable);
}

TEST(RedactRedisUrl, HidesThePassword) {
  EXPECT_EQ(RedactRedisUrl("redis://:s3cret@cache:6380/2"), "redis://:***@cache:6380/2");
  EXPECT_EQ(RedactRedisUrl("unix:///run/redis.sock"), "unix:///run/redis.sock");
}

}  // namespace
}  // namespace cdp::ratelimit
