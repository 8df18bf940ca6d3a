#include "auth/authenticator.h"

#include <gtest/gtest.h>

#include "auth/keys.h"
#include "core/ids.h"
#include "store/sqlite/sqlite_store.h"
#include "support/server_process.h"

namespace cdp::auth {
namespace {

class FakeClock final : public Clock {
 public:
  int64_t NowMicros() const override { return now; }
  int64_t now = 1700000000LL * 1000000;
};

class AuthenticatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::SqliteOptions options;
    options.data_dir = dir_.path();
    auto opened = store::OpenSqliteStore(options);
    ASSERT_TRUE(opened.ok());
    store_ = std::move(opened).value();
    key_ = IssueKey("brand", clock_.now);
    ASSERT_TRUE(store_->CreateBrand(store::Brand{"brand", "B", clock_.now}, key_.record).ok());
  }

  testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  FakeClock clock_;
  IssuedKey key_;
};

TEST_F(AuthenticatorTest, AcceptsAnIssuedKeyAndRejectsEverythingElseAsInvalidAuth) {
  Authenticator auth(*store_, clock_);
  EXPECT_TRUE(auth.Authenticate("brand", key_.secret).ok());
  for (auto [brand, key] :
       {std::pair{"brand", "cdp_wrong"}, std::pair{"other", key_.secret.c_str()},
        std::pair{"", key_.secret.c_str()}, std::pair{"brand", ""}}) {
    Status st = auth.Authenticate(brand, key);
    EXPECT_EQ(st.code(), Code::kUnauthenticated);
    EXPECT_EQ(st.message(), "Invalid auth");
  }
}

TEST_F(AuthenticatorTest, SeesARevocationOnceItsCacheExpires) {
  Authenticator auth(*store_, clock_, std::chrono::milliseconds(1000));
  ASSERT_TRUE(auth.Authenticate("brand", key_.secret).ok());
  ASSERT_TRUE(store_->RevokeApiKey("brand", key_.record.prefix, clock_.now).ok());
  clock_.now += 500 * 1000;
  EXPECT_TRUE(auth.Authenticate("brand", key_.secret).ok());  // still cached
  clock_.now += 600 * 1000;
  EXPECT_EQ(auth.Authenticate("brand", key_.secret).code(), Code::kUnauthenticated);
}

TEST(Keys, AreLongRandomAndStoredOnlyAsAHash) {
  IssuedKey k = IssueKey("b", 1);
  EXPECT_EQ(k.secret.size(), 4u + 48u);
  EXPECT_EQ(k.secret.rfind("cdp_", 0), 0u);
  EXPECT_EQ(k.record.prefix, k.secret.substr(0, 12));
  EXPECT_EQ(k.record.hash, Sha256Hex(k.secret));
  EXPECT_EQ(k.record.hash.find(k.secret), std::string::npos);
}

}  // namespace
}  // namespace cdp::auth
