// auth/key_usage_flusher: the background writer of API keys' last-use times, periodic and
// once more on stop, against a stub of the only role it reaches (the BrandStore).
#include "auth/key_usage_flusher.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "auth/keys.h"

namespace cdp::auth {
namespace {

constexpr int64_t kNow = 1700000000LL * 1000000;
constexpr std::chrono::hours kNever{24};

class FixedClock final : public Clock {
 public:
  int64_t NowMicros() const override { return kNow; }
};

using Uses = std::vector<std::pair<std::string, int64_t>>;

// Serves one brand's keys and records every MarkKeysUsed; the Authenticator needs nothing else.
class StubBrandStore final : public store::BrandStore {
 public:
  explicit StubBrandStore(store::ApiKey key) : key_(std::move(key)) {}

  Result<std::vector<store::ApiKey>> ListApiKeys(std::string_view) override {
    return std::vector<store::ApiKey>{key_};
  }
  Status MarkKeysUsed(const Uses& uses) override {
    std::lock_guard lock(mu_);
    marked_.push_back(uses);
    cv_.notify_all();
    return mark_status_;
  }

  // The MarkKeysUsed calls so far, once there are at least `n` (or after `timeout`).
  std::vector<Uses> WaitForMarks(size_t n, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return marked_.size() >= n; });
    return marked_;
  }
  std::vector<Uses> Marks() {
    std::lock_guard lock(mu_);
    return marked_;
  }
  void FailMarks(Status st) {
    std::lock_guard lock(mu_);
    mark_status_ = std::move(st);
  }

  Status CreateBrand(const store::Brand&, const store::ApiKey&, const store::AuditEntry&) override {
    return Unused();
  }
  Result<store::Brand> GetBrand(std::string_view) override { return Unused(); }
  Result<std::vector<store::Brand>> ListBrands() override { return Unused(); }
  Status AddApiKey(const store::ApiKey&, std::optional<int64_t>,
                   const store::AuditEntry&) override {
    return Unused();
  }
  Status RevokeApiKey(std::string_view, std::string_view, int64_t, store::AuditEntry) override {
    return Unused();
  }
  Status SetRateLimit(std::string_view, std::string_view, int64_t,
                      const store::AuditEntry&) override {
    return Unused();
  }
  Result<std::vector<std::pair<std::string, int64_t>>> GetRateLimits(std::string_view) override {
    return Unused();
  }
  Result<std::vector<store::AuditEntry>> ListAudit(std::string_view, int64_t, size_t) override {
    return Unused();
  }
  Result<std::string> GetOrCreateSecret(std::string_view, std::string_view) override {
    return Unused();
  }

 private:
  static Status Unused() { return Internal("not used by the flusher"); }

  store::ApiKey key_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Uses> marked_;
  Status mark_status_ = Status::Ok();
};

class KeyUsageFlusherTest : public ::testing::Test {
 protected:
  void UseKey() { ASSERT_TRUE(auth_.Authenticate("brand", key_.secret).ok()); }
  Uses KeyUsedNow() const { return Uses{{key_.record.hash, kNow}}; }

  IssuedKey key_ = IssueKey("brand", kNow);
  StubBrandStore store_{key_.record};
  FixedClock clock_;
  Authenticator auth_{store_, clock_};
};

TEST_F(KeyUsageFlusherTest, WritesAUseRecordedWhileRunningAtTheNextInterval) {
  KeyUsageFlusher flusher(auth_, std::chrono::milliseconds(10));
  UseKey();
  auto marks = store_.WaitForMarks(1, std::chrono::seconds(10));
  ASSERT_EQ(marks.size(), 1u);
  EXPECT_EQ(marks.front(), KeyUsedNow());
}

TEST_F(KeyUsageFlusherTest, WritesTheUsesNotYetFlushedWhenStopped) {
  KeyUsageFlusher flusher(auth_, kNever);
  UseKey();
  EXPECT_TRUE(store_.Marks().empty()) << "the interval has not passed";
  flusher.Stop();
  EXPECT_EQ(store_.Marks(), std::vector<Uses>{KeyUsedNow()});
}

TEST_F(KeyUsageFlusherTest, WritesNothingWhenNoKeyWasUsed) {
  KeyUsageFlusher flusher(auth_, kNever);
  flusher.Stop();
  EXPECT_TRUE(store_.Marks().empty());
}

TEST_F(KeyUsageFlusherTest, StopsOnDestructionWithTheSameFinalFlush) {
  {
    KeyUsageFlusher flusher(auth_, kNever);
    UseKey();
  }
  EXPECT_EQ(store_.Marks(), std::vector<Uses>{KeyUsedNow()});
}

TEST_F(KeyUsageFlusherTest, RetriesAFailedWriteAtTheNextFlush) {
  KeyUsageFlusher flusher(auth_, std::chrono::milliseconds(10));
  store_.FailMarks(Unavailable("disk on fire"));
  UseKey();
  ASSERT_EQ(store_.WaitForMarks(1, std::chrono::seconds(10)).size(), 1u);
  store_.FailMarks(Status::Ok());
  auto marks = store_.WaitForMarks(2, std::chrono::seconds(10));
  ASSERT_GE(marks.size(), 2u);
  EXPECT_EQ(marks[1], KeyUsedNow());
}

}  // namespace
}  // namespace cdp::auth
