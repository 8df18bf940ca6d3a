#include "auth/sessions.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "auth/keys.h"
#include "auth/operators.h"
#include "ratelimit/limiter.h"
#include "support/fake_clock.h"
#include "support/server_process.h"
#include "support/sqlite_test_store.h"

namespace cdp::auth {
namespace {

constexpr int64_t kSecond = 1'000'000;
constexpr const char* kPassword = "a long passphrase";

class OperatorSessions : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = testing::OpenSqliteTestStore(dir_.path() + "/data");
    ASSERT_TRUE(store_
                    ->CreateBrand(store::Brand{"b1", "B", clock_.now},
                                  IssueKey("b1", clock_.now).record, {})
                    .ok());
    // Hashed cheaply: verification uses the cost the hash names.
    auto op = NewOperator("b1", "ada@example.com", kPassword, "viewer", clock_.now,
                          ScryptCost{1 << 10, 8, 1});
    ASSERT_TRUE(op.ok());
    ASSERT_TRUE(store_->CreateOperator(*op, {}).ok());
    options_.idle_micros = 100 * kSecond;
    options_.max_age_micros = 1000 * kSecond;
    sessions_ = std::make_unique<Sessions>(*store_, &limiter_, clock_, options_);
  }

  testing::TempDir dir_;
  testing::FakeClock clock_;
  ratelimit::LocalLimiter limiter_;
  SessionOptions options_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Sessions> sessions_;
};

TEST_F(OperatorSessions, ASignInsCookieAuthenticatesAsTheOperator) {
  auto in = sessions_->SignIn("ADA@example.com", kPassword, "10.0.0.1");
  ASSERT_TRUE(in.ok()) << in.status().message();
  EXPECT_EQ(in->cookie.size(), 64u);
  auto s = sessions_->Authenticate(in->cookie);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->brand_id, "b1");
  EXPECT_EQ(s->email, "ada@example.com");
  EXPECT_EQ(s->role, Role::kViewer);
  EXPECT_EQ(s->csrf_token, in->session.csrf_token);
  EXPECT_EQ(s->expires_at, clock_.now + 1000 * kSecond);
}

TEST_F(OperatorSessions, EverySignInMakesANewSession) {
  auto a = sessions_->SignIn("ada@example.com", kPassword, "10.0.0.1");
  auto b = sessions_->SignIn("ada@example.com", kPassword, "10.0.0.1");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->cookie, b->cookie);
  EXPECT_NE(a->session.csrf_token, b->session.csrf_token);
}

TEST_F(OperatorSessions, AWrongPasswordAndAnUnknownEmailGetTheSameAnswer) {
  auto wrong = sessions_->SignIn("ada@example.com", "not the passphrase", "10.0.0.1");
  auto unknown = sessions_->SignIn("bob@example.com", kPassword, "10.0.0.1");
  EXPECT_EQ(wrong.status().code(), Code::kUnauthenticated);
  EXPECT_EQ(wrong.status().message(), "wrong email or password");
  EXPECT_EQ(unknown.status().code(), wrong.status().code());
  EXPECT_EQ(unknown.status().message(), wrong.status().message());
}

TEST_F(OperatorSessions, AnUnknownOrMalformedCookieIsNoSession) {
  EXPECT_EQ(sessions_->Authenticate("").status().code(), Code::kUnauthenticated);
  EXPECT_EQ(sessions_->Authenticate(std::string(64, 'a')).status().code(), Code::kUnauthenticated);
  EXPECT_EQ(sessions_->Authenticate("x'; DROP TABLE").status().code(), Code::kUnauthenticated);
}

TEST_F(OperatorSessions, ASessionEndsAfterItsIdleTime) {
  auto in = sessions_->SignIn("ada@example.com", kPassword, "10.0.0.1");
  ASSERT_TRUE(in.ok());
  clock_.Advance(101 * kSecond);
  EXPECT_EQ(sessions_->Authenticate(in->cookie).status().code(), Code::kUnauthenticated);
}

TEST_F(OperatorSessions, UseKeepsASessionAliveUntilItsMaxAge) {
  auto in = sessions_->SignIn("ada@example.com", kPassword, "10.0.0.1");
  ASSERT_TRUE(in.ok());
  for (int i = 0; i < 13; ++i) {
    clock_.Advance(75 * kSecond);
    ASSERT_TRUE(sessions_->Authenticate(in->cookie).ok()) << "after " << (i + 1) * 75 << " s";
  }
  clock_.Advance(25 * kSecond);  // 1000 s after sign-in
  EXPECT_EQ(sessions_->Authenticate(in->cookie).status().code(), Code::kUnauthenticated);
}

TEST_F(OperatorSessions, SignOutEndsTheSession) {
  auto in = sessions_->SignIn("ada@example.com", kPassword, "10.0.0.1");
  ASSERT_TRUE(in.ok());
  ASSERT_TRUE(sessions_->SignOut(in->cookie).ok());
  EXPECT_EQ(sessions_->Authenticate(in->cookie).status().code(), Code::kUnauthenticated);
}

TEST_F(OperatorSessions, SignInsPastTheEmailsLimitAreRefusedEvenWithTheRightPassword) {
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(sessions_->SignIn("ada@example.com", "wrong password", "10.0.0.1").status().code(),
              Code::kUnauthenticated);
  auto refused = sessions_->SignIn("ada@example.com", kPassword, "10.0.0.2");
  EXPECT_EQ(refused.status().code(), Code::kResourceExhausted);
  EXPECT_TRUE(refused.status().details().as_object().at("retry_after").is_int64());
  clock_.Advance(60 * kSecond);
  EXPECT_TRUE(sessions_->SignIn("ada@example.com", kPassword, "10.0.0.2").ok());
}

TEST_F(OperatorSessions, SignInsPastTheAddresssLimitAreRefused) {
  auto bob = NewOperator("b1", "bob@example.com", kPassword, "editor", clock_.now,
                         ScryptCost{1 << 10, 8, 1});
  ASSERT_TRUE(bob.ok() && store_->CreateOperator(*bob, {}).ok());
  for (int i = 0; i < 30; ++i)
    (void)sessions_->SignIn("ada@example.com", "wrong password", "10.0.0.9");
  EXPECT_EQ(sessions_->SignIn("bob@example.com", kPassword, "10.0.0.9").status().code(),
            Code::kResourceExhausted);
  EXPECT_TRUE(sessions_->SignIn("bob@example.com", kPassword, "10.0.0.8").ok());
}

}  // namespace
}  // namespace cdp::auth
