#include "ratelimit/limiter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace cdp::ratelimit {
namespace {

constexpr int64_t kMinute = kWindowMicros;
constexpr int64_t kT0 = 1'790'000'000LL * 1'000'000 / kMinute * kMinute;  // a window's start

TEST(LocalLimiter, AdmitsTheLimitPerWindowAndCountsDown) {
  LocalLimiter limiter;
  for (int64_t i = 1; i <= 3; ++i) {
    Decision d = limiter.Admit("b/users", 3, kT0 + 1'000'000);
    EXPECT_TRUE(d.allowed);
    EXPECT_EQ(d.limit, 3);
    EXPECT_EQ(d.remaining, 3 - i);
    EXPECT_EQ(d.reset_seconds, 59);
  }
  Decision refused = limiter.Admit("b/users", 3, kT0 + 59'500'000);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.remaining, 0);
  EXPECT_EQ(refused.reset_seconds, 1);  // rounded up
  EXPECT_TRUE(limiter.Admit("b/events", 3, kT0 + 2).allowed) << "another key";
  EXPECT_TRUE(limiter.Admit("b/users", 3, kT0 + kMinute).allowed) << "the next window";
  EXPECT_EQ(limiter.Admit("b/users", 3, kT0 + kMinute).remaining, 1);
}

TEST(LocalLimiter, ALowerLimitTakesEffectWithinTheWindow) {
  LocalLimiter limiter;
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(limiter.Admit("k", 10, kT0).allowed);
  EXPECT_FALSE(limiter.Admit("k", 5, kT0).allowed);
  EXPECT_TRUE(limiter.Admit("k", 6, kT0).allowed);
}

TEST(LocalLimiter, AdmitsExactlyTheLimitUnderConcurrency) {
  LocalLimiter limiter;
  std::atomic<int> admitted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i)
        if (limiter.Admit("brand/events", 5000, kT0 + i).allowed) ++admitted;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(admitted.load(), 5000);
}

TEST(Groups, NamesAndDefaultsAreTheDocumentedOnes) {
  EXPECT_EQ(DefaultPerMinute(Group::kUsers), 100);
  EXPECT_EQ(DefaultPerMinute(Group::kEvents), 500);
  EXPECT_EQ(DefaultPerMinute(Group::kCampaigns), 500);
  EXPECT_EQ(DefaultPerMinute(Group::kReports), 50);
  for (Group g : kGroups) EXPECT_EQ(GroupNamed(NameOf(g)), g);
  EXPECT_FALSE(GroupNamed("push").has_value());
}

}  // namespace
}  // namespace cdp::ratelimit
