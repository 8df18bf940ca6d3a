// auth/oauth and auth/scopes: what the end-to-end flow cannot reach quickly — expiry of
// codes, access and refresh tokens on a controlled clock, redirect URI rules, the
// authorization request's checks, and the scope list format.
#include "auth/oauth.h"

#include <gtest/gtest.h>

#include "core/base64.h"
#include "core/ids.h"
#include "support/fake_clock.h"
#include "support/server_process.h"
#include "support/sqlite_test_store.h"

namespace cdp::auth {
namespace {

constexpr int64_t kStart = 1700000000LL * 1000000;

using testing::FakeClock;

TEST(Scopes, ParsesAndFormatsSpaceSeparatedLists) {
  EXPECT_EQ(ParseScopes("users:read  reports:read users:read"), kUsersRead | kReportsRead);
  EXPECT_EQ(ParseScopes(""), Scopes{0});
  EXPECT_EQ(ParseScopes("users:read admin"), std::nullopt);
  EXPECT_EQ(ParseScopes("Users:Read"), std::nullopt);
  EXPECT_EQ(FormatScopes(kReportsRead | kUsersRead), "users:read reports:read");
  EXPECT_EQ(ParseScopes(FormatScopes(kAllScopes)), kAllScopes);
}

TEST(NewPartnerApp, AcceptsHttpsAndLoopbackHttpRedirectUrisOnly) {
  EXPECT_TRUE(NewPartnerApp("A", {"https://a.example/cb?x=1"}, kStart).ok());
  EXPECT_TRUE(NewPartnerApp("A", {"http://127.0.0.1:8000/cb", "http://localhost/cb"}, kStart).ok());
  for (const char* bad : {"http://a.example/cb", "https://a.example/cb#frag", "/relative",
                          "javascript:alert(1)", "https:///nohost"})
    EXPECT_EQ(NewPartnerApp("A", {bad}, kStart).status().code(), Code::kInvalidArgument) << bad;
  EXPECT_FALSE(NewPartnerApp("A", {}, kStart).ok());
  EXPECT_FALSE(NewPartnerApp("", {"https://a.example/cb"}, kStart).ok());
}

TEST(NewPartnerApp, KeepsOnlyTheSecretsHash) {
  auto issued = NewPartnerApp("A", {"https://a.example/cb"}, kStart);
  ASSERT_TRUE(issued.ok());
  EXPECT_TRUE(issued->app.client_id.starts_with("cdp_app_"));
  EXPECT_TRUE(issued->secret.starts_with("cdp_cs_"));
  EXPECT_EQ(issued->app.secret_hash.find(issued->secret), std::string::npos);
}

class OAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = testing::OpenSqliteTestStore(dir_.path());
    auto issued = NewPartnerApp("Acme", {"https://a.example/cb", "https://b.example/cb"}, kStart);
    ASSERT_TRUE(issued.ok());
    app_ = issued->app;
    secret_ = issued->secret;
    ASSERT_TRUE(store_->CreatePartnerApp(app_, store::AuditEntry{}).ok());
    oauth_ = std::make_unique<OAuth>(*store_, clock_);
  }

  AuthorizeRequest Request() {
    return AuthorizeRequest{"code",       app_.client_id, "https://a.example/cb",
                            "users:read", "st",           Base64Url(Sha256(verifier_)),
                            "S256"};
  }
  Tokens Granted() {
    auto checked = oauth_->CheckAuthorize(Request());
    auto code = oauth_->Approve(std::get<Authorization>(checked), brand_);
    EXPECT_TRUE(code.ok());
    auto tokens = oauth_->ExchangeCode(app_, *code, "", verifier_);
    EXPECT_TRUE(std::holds_alternative<Tokens>(tokens));
    return std::get<Tokens>(tokens);
  }
  static std::string ErrorOf(const auto& result) {
    auto* e = std::get_if<OAuthError>(&result);
    return e ? e->error : "";
  }

  cdp::testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  FakeClock clock_;
  store::PartnerApp app_;
  std::string secret_;
  std::unique_ptr<OAuth> oauth_;
  Principal brand_{"brand", kAllScopes, "key:cdp_test"};
  std::string verifier_ = RandomHex(32);
};

TEST_F(OAuthTest, ShowsUnknownClientsAndRedirectUrisInsteadOfRedirecting) {
  auto r = Request();
  r.client_id = "cdp_app_nope";
  auto e = std::get<AuthorizeError>(oauth_->CheckAuthorize(r));
  EXPECT_FALSE(e.redirect);
  EXPECT_EQ(e.error.error, "invalid_client");
  r = Request();
  r.redirect_uri = "https://a.example/cb/";  // exact match only
  EXPECT_FALSE(std::get<AuthorizeError>(oauth_->CheckAuthorize(r)).redirect);
  r.redirect_uri = "";  // required: the app registered two
  EXPECT_FALSE(std::get<AuthorizeError>(oauth_->CheckAuthorize(r)).redirect);
}

TEST_F(OAuthTest, SendsOtherRequestErrorsBackToTheApp) {
  auto check = [&](auto mutate) {
    auto r = Request();
    mutate(r);
    auto result = oauth_->CheckAuthorize(r);
    auto* e = std::get_if<AuthorizeError>(&result);
    if (!e) return std::string("accepted");
    EXPECT_TRUE(e->redirect);
    EXPECT_EQ(e->redirect_uri, "https://a.example/cb");
    EXPECT_EQ(e->state, "st");
    return e->error.error;
  };
  EXPECT_EQ(check([](auto& r) { r.response_type = "token"; }), "unsupported_response_type");
  EXPECT_EQ(check([](auto& r) { r.scope = ""; }), "invalid_scope");
  EXPECT_EQ(check([](auto& r) { r.scope = "users:read root"; }), "invalid_scope");
  EXPECT_EQ(check([](auto& r) { r.code_challenge = ""; }), "invalid_request");
  EXPECT_EQ(check([](auto& r) { r.code_challenge_method = "plain"; }), "invalid_request");
  EXPECT_EQ(check([](auto& r) { r.code_challenge = "short"; }), "invalid_request");
  EXPECT_EQ(check([](auto&) {}), "accepted");
}

TEST_F(OAuthTest, RefusesACodeAfterTenMinutes) {
  auto code = oauth_->Approve(std::get<Authorization>(oauth_->CheckAuthorize(Request())), brand_);
  ASSERT_TRUE(code.ok());
  clock_.now += 600'000'000;
  EXPECT_EQ(ErrorOf(oauth_->ExchangeCode(app_, *code, "", verifier_)), "invalid_grant");
}

TEST_F(OAuthTest, RefusesACodeToAnotherClientOrWithAnotherRedirectUri) {
  auto code = oauth_->Approve(std::get<Authorization>(oauth_->CheckAuthorize(Request())), brand_);
  store::PartnerApp other = app_;
  other.client_id = "cdp_app_other";
  EXPECT_EQ(ErrorOf(oauth_->ExchangeCode(other, *code, "", verifier_)), "invalid_grant");
  EXPECT_EQ(ErrorOf(oauth_->ExchangeCode(app_, *code, "https://b.example/cb", verifier_)),
            "invalid_grant");
  EXPECT_EQ(ErrorOf(oauth_->ExchangeCode(app_, *code, "https://a.example/cb", verifier_)), "");
}

TEST_F(OAuthTest, AcceptsAnAccessTokenForOneHour) {
  Tokens t = Granted();
  auto principal = oauth_->AuthenticateBearer(t.access_token);
  ASSERT_TRUE(principal.ok());
  EXPECT_EQ(principal->brand_id, "brand");
  EXPECT_EQ(principal->scopes, kUsersRead);
  EXPECT_EQ(principal->actor, "partner:" + app_.client_id);
  clock_.now += 3'600'000'000 - 1;
  EXPECT_TRUE(oauth_->AuthenticateBearer(t.access_token).ok());
  clock_.now += 1;
  EXPECT_EQ(oauth_->AuthenticateBearer(t.access_token).status().code(), Code::kUnauthenticated);
  EXPECT_FALSE(oauth_->AuthenticateBearer(t.refresh_token).ok()) << "not an access token";
}

TEST_F(OAuthTest, RefreshesUntilTheRefreshTokenExpires) {
  Tokens t = Granted();
  clock_.now += 89LL * 86'400'000'000LL;
  auto again = oauth_->Refresh(app_, t.refresh_token, "");
  ASSERT_TRUE(std::holds_alternative<Tokens>(again));
  clock_.now += 89LL * 86'400'000'000LL;  // renewed at each refresh
  auto third = oauth_->Refresh(app_, std::get<Tokens>(again).refresh_token, "");
  ASSERT_TRUE(std::holds_alternative<Tokens>(third));
  clock_.now += 90LL * 86'400'000'000LL;
  EXPECT_EQ(ErrorOf(oauth_->Refresh(app_, std::get<Tokens>(third).refresh_token, "")),
            "invalid_grant");
}

TEST_F(OAuthTest, AuthenticatesClientsBySecret) {
  EXPECT_TRUE(std::holds_alternative<store::PartnerApp>(
      oauth_->AuthenticateClient(app_.client_id, secret_)));
  EXPECT_EQ(ErrorOf(oauth_->AuthenticateClient(app_.client_id, secret_ + "x")), "invalid_client");
  EXPECT_EQ(ErrorOf(oauth_->AuthenticateClient("cdp_app_nope", secret_)), "invalid_client");
  EXPECT_EQ(std::get<OAuthError>(oauth_->AuthenticateClient(app_.client_id, "")).http_status, 401);
}

}  // namespace
}  // namespace cdp::auth
