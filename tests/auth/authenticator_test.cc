// auth/authenticator: the x-brand-id / x-api-key check of every API call, with its per-brand
// cache of active key hashes (a revocation is seen once the cache entry is older than the TTL).
#include "auth/authenticator.h"

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

using ::testing::Return;

constexpr int64_t kStart = 1700000000LL * 1000000;
constexpr std::chrono::milliseconds kTtl(1000);
constexpr int64_t kTtlMicros = 1000 * 1000;

store::AuditEntry TestAudit() { return store::AuditEntry{0, kStart, "test", "test", "", "", "{}"}; }

using testing::FakeClock;

// Authenticator over a real (SQLite) store holding "brand" with one issued key.
class AuthenticatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = testing::OpenSqliteTestStore(dir_.path());
    key_ = IssueKey("brand", clock_.now);
    ASSERT_TRUE(
        store_->CreateBrand(store::Brand{"brand", "B", clock_.now}, key_.record, TestAudit()).ok());
    auth_ = std::make_unique<Authenticator>(*store_, clock_, kTtl);
  }

  Status Check(std::string_view brand, std::string_view key) {
    return auth_->Authenticate(brand, key).status();
  }

  testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  FakeClock clock_;
  IssuedKey key_;
  std::unique_ptr<Authenticator> auth_;
};

const Status& StatusOf(const Status& st) { return st; }
template <typename T>
const Status& StatusOf(const Result<T>& r) {
  return r.status();
}

MATCHER(IsInvalidAuth, "is Unauthenticated \"Invalid auth\"") {
  const Status& st = StatusOf(arg);
  return st.code() == Code::kUnauthenticated && st.message() == "Invalid auth";
}

TEST_F(AuthenticatorTest, AcceptsAnIssuedKey) { EXPECT_TRUE(Check("brand", key_.secret).ok()); }

TEST_F(AuthenticatorTest, RejectsAWrongKeyAsInvalidAuth) {
  EXPECT_THAT(Check("brand", "cdp_wrong"), IsInvalidAuth());
}

TEST_F(AuthenticatorTest, RejectsAKeyThatDiffersInItsLastCharacter) {
  std::string almost = key_.secret;
  almost.back() = almost.back() == '0' ? '1' : '0';
  EXPECT_THAT(Check("brand", almost), IsInvalidAuth());
}

TEST_F(AuthenticatorTest, RejectsAnUnknownBrandAsInvalidAuth) {
  EXPECT_THAT(Check("other", key_.secret), IsInvalidAuth());
}

TEST_F(AuthenticatorTest, RejectsAnEmptyBrandIdAsInvalidAuth) {
  EXPECT_THAT(Check("", key_.secret), IsInvalidAuth());
}

TEST_F(AuthenticatorTest, RejectsAnEmptyKeyAsInvalidAuth) {
  EXPECT_THAT(Check("brand", ""), IsInvalidAuth());
}

TEST_F(AuthenticatorTest, RejectsAnotherBrandsKey) {
  auto other = IssueKey("other", clock_.now);
  ASSERT_TRUE(
      store_->CreateBrand(store::Brand{"other", "O", clock_.now}, other.record, TestAudit()).ok());
  EXPECT_THAT(Check("brand", other.secret), IsInvalidAuth());
}

TEST_F(AuthenticatorTest, RejectsTheStoredHashPresentedAsAKey) {
  EXPECT_THAT(Check("brand", key_.record.hash), IsInvalidAuth());
}

TEST_F(AuthenticatorTest, RejectsAKeyRevokedBeforeItsFirstUse) {
  ASSERT_TRUE(store_->RevokeApiKey("brand", key_.record.prefix, clock_.now, TestAudit()).ok());
  EXPECT_THAT(Check("brand", key_.secret), IsInvalidAuth());
}

TEST_F(AuthenticatorTest, KeepsAcceptingARevokedKeyWithinTheCacheTtl) {
  ASSERT_TRUE(Check("brand", key_.secret).ok());
  ASSERT_TRUE(store_->RevokeApiKey("brand", key_.record.prefix, clock_.now, TestAudit()).ok());
  clock_.Advance(kTtlMicros - 1);
  EXPECT_TRUE(Check("brand", key_.secret).ok());
}

TEST_F(AuthenticatorTest, SeesARevocationOnceTheCacheTtlHasPassed) {
  ASSERT_TRUE(Check("brand", key_.secret).ok());
  ASSERT_TRUE(store_->RevokeApiKey("brand", key_.record.prefix, clock_.now, TestAudit()).ok());
  clock_.Advance(kTtlMicros + 1);
  EXPECT_THAT(Check("brand", key_.secret), IsInvalidAuth());
}

TEST_F(AuthenticatorTest, AcceptsARotatedKeyAndRejectsTheOldOneOnceTheCacheTtlHasPassed) {
  ASSERT_TRUE(Check("brand", key_.secret).ok());
  auto rotated = IssueKey("brand", clock_.now);
  ASSERT_TRUE(store_->AddApiKey(rotated.record, /*retire_others_at=*/clock_.now, TestAudit()).ok());
  clock_.Advance(kTtlMicros + 1);
  EXPECT_TRUE(Check("brand", rotated.secret).ok());
  EXPECT_THAT(Check("brand", key_.secret), IsInvalidAuth());
}

TEST_F(AuthenticatorTest, AcceptsEveryActiveKeyOfABrand) {
  auto second = IssueKey("brand", clock_.now);
  ASSERT_TRUE(
      store_->AddApiKey(second.record, /*retire_others_at=*/std::nullopt, TestAudit()).ok());
  EXPECT_TRUE(Check("brand", key_.secret).ok());
  EXPECT_TRUE(Check("brand", second.secret).ok());
}

TEST_F(AuthenticatorTest, SeesABrandCreatedAfterAFailedAttemptOnceTheCacheTtlHasPassed) {
  auto late = IssueKey("late", clock_.now);
  ASSERT_THAT(Check("late", late.secret), IsInvalidAuth());
  ASSERT_TRUE(
      store_->CreateBrand(store::Brand{"late", "L", clock_.now}, late.record, TestAudit()).ok());
  clock_.Advance(kTtlMicros + 1);
  EXPECT_TRUE(Check("late", late.secret).ok());
}

TEST_F(AuthenticatorTest, NamesTheKeyItAcceptedAsTheActor) {
  auto principal = auth_->Authenticate("brand", key_.secret);
  ASSERT_TRUE(principal.ok());
  EXPECT_EQ(principal->brand_id, "brand");
  EXPECT_EQ(principal->scopes, kAllScopes);
  EXPECT_EQ(principal->actor, "key:" + key_.record.prefix);
}

TEST_F(AuthenticatorTest, KeepsAcceptingARotatedOutKeyUntilItsGracePeriodEnds) {
  auto rotated = IssueKey("brand", clock_.now);
  const int64_t grace_end = clock_.now + 3600LL * 1000000;
  ASSERT_TRUE(store_->AddApiKey(rotated.record, grace_end, TestAudit()).ok());
  EXPECT_TRUE(Check("brand", key_.secret).ok());
  EXPECT_TRUE(Check("brand", rotated.secret).ok());
  clock_.now = grace_end - 1;
  EXPECT_TRUE(Check("brand", key_.secret).ok());
  clock_.now = grace_end;  // even while the cache still holds the brand's keys
  EXPECT_THAT(Check("brand", key_.secret), IsInvalidAuth());
  EXPECT_TRUE(Check("brand", rotated.secret).ok());
}

TEST_F(AuthenticatorTest, RecordsWhenAKeyWasLastUsedOnFlush) {
  ASSERT_TRUE(Check("brand", key_.secret).ok());
  auto keys = store_->ListApiKeys("brand");
  ASSERT_TRUE(keys.ok());
  EXPECT_FALSE(keys->front().last_used_at) << "written only by FlushUsage";
  ASSERT_TRUE(auth_->FlushUsage().ok());
  keys = store_->ListApiKeys("brand");
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->front().last_used_at, clock_.now);

  const int64_t first_use = clock_.now;
  clock_.Advance(kUsageResolutionMicros - 1);  // within the resolution: nothing new to write
  ASSERT_TRUE(Check("brand", key_.secret).ok());
  ASSERT_TRUE(auth_->FlushUsage().ok());
  EXPECT_EQ(store_->ListApiKeys("brand")->front().last_used_at, first_use);
  clock_.Advance(1);
  ASSERT_TRUE(Check("brand", key_.secret).ok());
  ASSERT_TRUE(auth_->FlushUsage().ok());
  EXPECT_EQ(store_->ListApiKeys("brand")->front().last_used_at, clock_.now);
}

TEST_F(AuthenticatorTest, DoesNotRecordAFailedAttemptAsAUse) {
  ASSERT_THAT(Check("brand", "cdp_wrong"), IsInvalidAuth());
  ASSERT_TRUE(auth_->FlushUsage().ok());
  EXPECT_FALSE(store_->ListApiKeys("brand")->front().last_used_at);
}

// --- Against a scripted store: how often storage is read, and its failures ---------------

// The Authenticator uses only the BrandStore role, so that is all this stub scripts.
class MockStore : public store::BrandStore {
 public:
  MOCK_METHOD(Status, CreateBrand,
              (const store::Brand&, const store::ApiKey&, const store::AuditEntry&), (override));
  MOCK_METHOD(Result<store::Brand>, GetBrand, (std::string_view), (override));
  MOCK_METHOD(Result<std::vector<store::Brand>>, ListBrands, (), (override));
  MOCK_METHOD(Result<std::vector<store::ApiKey>>, ListApiKeys, (std::string_view), (override));
  MOCK_METHOD(Status, AddApiKey,
              (const store::ApiKey&, std::optional<int64_t>, const store::AuditEntry&), (override));
  MOCK_METHOD(Status, RevokeApiKey,
              (std::string_view, std::string_view, int64_t, store::AuditEntry), (override));
  MOCK_METHOD(Status, MarkKeysUsed, ((const std::vector<std::pair<std::string, int64_t>>&)),
              (override));
  MOCK_METHOD(Status, SetRateLimit,
              (std::string_view, std::string_view, int64_t, const store::AuditEntry&), (override));
  MOCK_METHOD((Result<std::vector<std::pair<std::string, int64_t>>>), GetRateLimits,
              (std::string_view), (override));
  MOCK_METHOD(Result<std::vector<store::AuditEntry>>, ListAudit,
              (std::string_view, int64_t, size_t), (override));
  MOCK_METHOD(Result<std::string>, GetOrCreateSecret, (std::string_view, std::string_view),
              (override));
};

class AuthenticatorCacheTest : public ::testing::Test {
 protected:
  Result<std::vector<store::ApiKey>> Keys() { return std::vector<store::ApiKey>{key_.record}; }

  ::testing::StrictMock<MockStore> store_;
  FakeClock clock_;
  IssuedKey key_ = IssueKey("brand", kStart);
  Authenticator auth_{store_, clock_, kTtl};
};

TEST_F(AuthenticatorCacheTest, ReadsABrandsKeysOnceWithinTheTtl) {
  EXPECT_CALL(store_, ListApiKeys(std::string_view("brand"))).Times(1).WillOnce(Return(Keys()));
  EXPECT_TRUE(auth_.Authenticate("brand", key_.secret).ok());
  clock_.Advance(kTtlMicros - 1);
  EXPECT_TRUE(auth_.Authenticate("brand", key_.secret).ok());
  EXPECT_THAT(auth_.Authenticate("brand", "cdp_wrong"), IsInvalidAuth());
}

TEST_F(AuthenticatorCacheTest, ReadsABrandsKeysAgainAfterTheTtl) {
  EXPECT_CALL(store_, ListApiKeys(std::string_view("brand"))).Times(2).WillRepeatedly([this] {
    return Keys();
  });
  EXPECT_TRUE(auth_.Authenticate("brand", key_.secret).ok());
  clock_.Advance(kTtlMicros);
  EXPECT_TRUE(auth_.Authenticate("brand", key_.secret).ok());
}

TEST_F(AuthenticatorCacheTest, CachesAnUnknownBrandToo) {
  EXPECT_CALL(store_, ListApiKeys(std::string_view("ghost")))
      .Times(1)
      .WillOnce(Return(std::vector<store::ApiKey>{}));
  EXPECT_THAT(auth_.Authenticate("ghost", key_.secret), IsInvalidAuth());
  EXPECT_THAT(auth_.Authenticate("ghost", key_.secret), IsInvalidAuth());
}

TEST_F(AuthenticatorCacheTest, IgnoresRevokedKeysItReads) {
  store::ApiKey revoked = key_.record;
  revoked.revoked_at = kStart;
  EXPECT_CALL(store_, ListApiKeys(std::string_view("brand")))
      .WillOnce(Return(std::vector<store::ApiKey>{revoked}));
  EXPECT_THAT(auth_.Authenticate("brand", key_.secret), IsInvalidAuth());
}

TEST_F(AuthenticatorCacheTest, AnswersUnavailableWhenStorageCannotBeRead) {
  EXPECT_CALL(store_, ListApiKeys(std::string_view("brand")))
      .WillOnce(Return(Unavailable("disk on fire")));
  Status st = auth_.Authenticate("brand", key_.secret).status();
  EXPECT_EQ(st.code(), Code::kUnavailable);
  EXPECT_EQ(st.message(), "cannot check credentials: disk on fire");
}

TEST_F(AuthenticatorCacheTest, DoesNotCacheAStorageFailure) {
  EXPECT_CALL(store_, ListApiKeys(std::string_view("brand")))
      .WillOnce(Return(Unavailable("disk on fire")))
      .WillOnce(Return(Keys()));
  EXPECT_EQ(auth_.Authenticate("brand", key_.secret).status().code(), Code::kUnavailable);
  EXPECT_TRUE(auth_.Authenticate("brand", key_.secret).ok());
}

TEST_F(AuthenticatorCacheTest, RejectsAnOverlongBrandIdWithoutReadingStorage) {
  EXPECT_THAT(auth_.Authenticate(std::string(65, 'b'), key_.secret), IsInvalidAuth());
}

TEST_F(AuthenticatorCacheTest, RejectsAnOverlongKeyWithoutReadingStorage) {
  EXPECT_THAT(auth_.Authenticate("brand", std::string(257, 'k')), IsInvalidAuth());
}

TEST_F(AuthenticatorCacheTest, RejectsAnEmptyKeyWithoutReadingStorage) {
  EXPECT_THAT(auth_.Authenticate("brand", ""), IsInvalidAuth());
}

}  // namespace
}  // namespace cdp::auth
