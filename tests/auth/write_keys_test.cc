// auth/write_keys: the write key check of every tracking call, with its cache by key hash
// (a rotation or revocation is seen once the cache entry is older than the TTL), and the
// issuing of write keys and source ids.
#include "auth/write_keys.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "auth/keys.h"
#include "support/fake_clock.h"
#include "support/server_process.h"
#include "support/sqlite_test_store.h"

namespace cdp::auth {
namespace {

constexpr int64_t kStart = 1700000000LL * 1000000;
constexpr std::chrono::milliseconds kTtl(1000);
constexpr int64_t kTtlMicros = 1000 * 1000;

store::AuditEntry TestAudit() { return store::AuditEntry{0, kStart, "test", "test", "", "", "{}"}; }

using testing::FakeClock;

// The real store, counting the lookups by hash and able to fail them.
class CountingSources final : public store::SourceStore {
 public:
  explicit CountingSources(store::SourceStore& inner) : inner_(inner) {}
  Status CreateSource(const store::Source& s, const store::WriteKey& k,
                      const store::AuditEntry& a) override {
    return inner_.CreateSource(s, k, a);
  }
  Result<store::Source> GetSource(std::string_view b, std::string_view s) override {
    return inner_.GetSource(b, s);
  }
  Result<std::vector<store::Source>> ListSources(std::string_view b) override {
    return inner_.ListSources(b);
  }
  Result<std::vector<store::WriteKey>> ListWriteKeys(std::string_view b,
                                                     std::string_view s) override {
    return inner_.ListWriteKeys(b, s);
  }
  Status AddWriteKey(const store::WriteKey& k, std::optional<int64_t> retire,
                     const store::AuditEntry& a) override {
    return inner_.AddWriteKey(k, retire, a);
  }
  Status RevokeSource(std::string_view b, std::string_view s, int64_t now,
                      const store::AuditEntry& a) override {
    return inner_.RevokeSource(b, s, now, a);
  }
  Status SetAllowedOrigins(std::string_view b, std::string_view s,
                           const std::vector<std::string>& o, const store::AuditEntry& a) override {
    return inner_.SetAllowedOrigins(b, s, o, a);
  }
  Result<KeyedSource> FindWriteKey(std::string_view hash) override {
    ++lookups;
    if (fail) return Unavailable("database is down");
    return inner_.FindWriteKey(hash);
  }
  Status RecordSourceCalls(const std::vector<store::SourceCall>& c) override {
    return inner_.RecordSourceCalls(c);
  }
  Result<std::vector<store::SourceCall>> ListSourceCalls(std::string_view b, std::string_view s,
                                                         size_t limit) override {
    return inner_.ListSourceCalls(b, s, limit);
  }

  int lookups = 0;
  bool fail = false;

 private:
  store::SourceStore& inner_;
};

// WriteKeys over a real (SQLite) store holding "brand" with source "src_web" and its key.
class WriteKeysTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = testing::OpenSqliteTestStore(dir_.path());
    ASSERT_TRUE(store_
                    ->CreateBrand(store::Brand{"brand", "B", kStart},
                                  IssueKey("brand", kStart).record, TestAudit())
                    .ok());
    key_ = IssueWriteKey("brand", "src_web", kStart);
    ASSERT_TRUE(store_
                    ->CreateSource(
                        store::Source{
                            "brand", "src_web", "Web", {"https://a.example"}, kStart, std::nullopt},
                        key_.record, TestAudit())
                    .ok());
    sources_ = std::make_unique<CountingSources>(*store_);
    keys_ = std::make_unique<WriteKeys>(*sources_, clock_, kTtl);
  }

  Status Check(std::string_view key) { return keys_->Authenticate(key).status(); }

  testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<CountingSources> sources_;
  FakeClock clock_;
  IssuedWriteKey key_;
  std::unique_ptr<WriteKeys> keys_;
};

MATCHER(IsInvalidWriteKey, "is Unauthenticated \"Invalid write key\"") {
  return arg.code() == Code::kUnauthenticated && arg.message() == "Invalid write key";
}

TEST(IssueWriteKey, MakesAPrefixedKeyOf48HexDigitsAndKeepsItsHashAndPrefix) {
  IssuedWriteKey key = IssueWriteKey("brand", "src_1", kStart);
  EXPECT_THAT(key.secret, ::testing::MatchesRegex("wk_[0-9a-f]{48}"));
  EXPECT_EQ(key.record.brand_id, "brand");
  EXPECT_EQ(key.record.source_id, "src_1");
  EXPECT_EQ(key.record.hash, HashKey(key.secret));
  EXPECT_EQ(key.record.prefix, key.secret.substr(0, kKeyPrefixChars));
  EXPECT_EQ(key.record.created_at, kStart);
  EXPECT_FALSE(key.record.revoked_at);
}

TEST(IssueWriteKey, MakesADifferentKeyEachTime) {
  EXPECT_NE(IssueWriteKey("b", "s", 0).secret, IssueWriteKey("b", "s", 0).secret);
}

TEST(NewSourceId, MakesARandomPrefixedId) {
  EXPECT_THAT(NewSourceId(), ::testing::MatchesRegex("src_[0-9a-f]{16}"));
  EXPECT_NE(NewSourceId(), NewSourceId());
}

TEST_F(WriteKeysTest, AcceptsAnIssuedKeyAsItsSource) {
  auto principal = keys_->Authenticate(key_.secret);
  ASSERT_TRUE(principal.ok()) << principal.status().message();
  EXPECT_EQ(principal->brand_id, "brand");
  EXPECT_EQ(principal->source_id, "src_web");
  EXPECT_EQ(principal->allowed_origins, (std::vector<std::string>{"https://a.example"}));
}

TEST_F(WriteKeysTest, RejectsAnUnknownKey) {
  EXPECT_THAT(Check(IssueWriteKey("brand", "src_web", kStart).secret), IsInvalidWriteKey());
}

TEST_F(WriteKeysTest, RejectsAnApiKeyOrAnEmptyKeyWithoutALookup) {
  EXPECT_THAT(Check(IssueKey("brand", kStart).secret), IsInvalidWriteKey());
  EXPECT_THAT(Check(""), IsInvalidWriteKey());
  EXPECT_EQ(sources_->lookups, 0);
}

TEST_F(WriteKeysTest, RejectsTheStoredHashPresentedAsAKey) {
  EXPECT_THAT(Check(key_.record.hash), IsInvalidWriteKey());
}

TEST_F(WriteKeysTest, RejectsTheKeyOfARevokedSource) {
  ASSERT_TRUE(store_->RevokeSource("brand", "src_web", clock_.now, TestAudit()).ok());
  EXPECT_THAT(Check(key_.secret), IsInvalidWriteKey());
}

TEST_F(WriteKeysTest, KeepsAcceptingARotatedOutKeyUntilItsGracePeriodEnds) {
  auto rotated = IssueWriteKey("brand", "src_web", clock_.now);
  const int64_t grace_end = clock_.now + 3600LL * 1000000;
  ASSERT_TRUE(store_->AddWriteKey(rotated.record, grace_end, TestAudit()).ok());
  EXPECT_TRUE(Check(key_.secret).ok());
  EXPECT_TRUE(Check(rotated.secret).ok());
  clock_.now = grace_end - 1;
  EXPECT_TRUE(Check(key_.secret).ok());
  clock_.now = grace_end;  // even while the cache still holds the key
  EXPECT_THAT(Check(key_.secret), IsInvalidWriteKey());
  EXPECT_TRUE(Check(rotated.secret).ok());
}

TEST_F(WriteKeysTest, RejectsAKeyRotatedOutWithoutGraceOnceTheCacheTtlHasPassed) {
  ASSERT_TRUE(Check(key_.secret).ok());
  auto rotated = IssueWriteKey("brand", "src_web", clock_.now);
  ASSERT_TRUE(store_->AddWriteKey(rotated.record, clock_.now, TestAudit()).ok());
  clock_.Advance(kTtlMicros + 1);
  EXPECT_THAT(Check(key_.secret), IsInvalidWriteKey());
  EXPECT_TRUE(Check(rotated.secret).ok());
}

TEST_F(WriteKeysTest, KeepsAcceptingAKeyOfARevokedSourceWithinTheCacheTtl) {
  ASSERT_TRUE(Check(key_.secret).ok());
  ASSERT_TRUE(store_->RevokeSource("brand", "src_web", clock_.now, TestAudit()).ok());
  clock_.Advance(kTtlMicros - 1);
  EXPECT_TRUE(Check(key_.secret).ok());
  clock_.Advance(2);
  EXPECT_THAT(Check(key_.secret), IsInvalidWriteKey());
}

TEST_F(WriteKeysTest, ReadsStorageOncePerKeyWithinTheCacheTtl) {
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(Check(key_.secret).ok());
  EXPECT_EQ(sources_->lookups, 1);
  clock_.Advance(kTtlMicros);
  ASSERT_TRUE(Check(key_.secret).ok());
  EXPECT_EQ(sources_->lookups, 2);
}

TEST_F(WriteKeysTest, CachesAnUnknownKeyForTheCacheTtl) {
  auto late = IssueWriteKey("brand", "src_web", clock_.now);
  for (int i = 0; i < 5; ++i) ASSERT_THAT(Check(late.secret), IsInvalidWriteKey());
  EXPECT_EQ(sources_->lookups, 1);
  ASSERT_TRUE(store_->AddWriteKey(late.record, std::nullopt, TestAudit()).ok());
  EXPECT_THAT(Check(late.secret), IsInvalidWriteKey());
  clock_.Advance(kTtlMicros);
  EXPECT_TRUE(Check(late.secret).ok());
}

TEST_F(WriteKeysTest, AnswersUnavailableWhenStorageCannotBeReadAndDoesNotCacheIt) {
  sources_->fail = true;
  Status st = Check(key_.secret);
  EXPECT_EQ(st.code(), Code::kUnavailable);
  EXPECT_EQ(st.message(), "cannot check credentials: database is down");
  sources_->fail = false;
  EXPECT_TRUE(Check(key_.secret).ok());
}

}  // namespace
}  // namespace cdp::auth
