// Store conformance: access control — keys' grace periods and last use, partner apps, OAuth
// codes and tokens (single use, rotation, revocation by grant, brand and app), and the audit
// log written with each change.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/store_conformance.h"

namespace cdp::store::conformance {
namespace {

constexpr int64_t kHour = 3600LL * 1000000;

class StoreAccess : public StoreTest {
 protected:
  PartnerApp App(std::string id = "cdp_app_1") {
    return PartnerApp{std::move(id), "Acme", "secret-hash", {"https://a.example/cb"}, kNow};
  }
  static OAuthToken Token(std::string hash, std::string_view kind, std::string grant,
                          std::string brand = "brand-a", std::string client = "cdp_app_1") {
    return OAuthToken{std::move(hash),
                      std::string(kind),
                      std::move(grant),
                      std::move(client),
                      std::move(brand),
                      "users:read",
                      kNow,
                      kNow + kHour,
                      std::nullopt};
  }
  static AuthCode Code(std::string hash, std::string grant) {
    return AuthCode{
        std::move(hash),        std::move(grant), "cdp_app_1", "brand-a",    "users:read",
        "https://a.example/cb", "challenge",      kNow,        kNow + kHour, std::nullopt};
  }
  bool Revoked(std::string_view hash) {
    auto t = store_->GetOAuthToken(hash);
    EXPECT_TRUE(t.ok()) << t.status().message();
    return t.ok() && t->revoked_at.has_value();
  }
  std::vector<std::string> Actions(std::string_view brand = "") {
    auto entries = store_->ListAudit(brand, 0, 100);
    EXPECT_TRUE(entries.ok()) << entries.status().message();
    std::vector<std::string> out;
    if (entries.ok())
      for (const auto& e : *entries) out.push_back(e.action);
    return out;
  }
};

TEST_P(StoreAccess, RetiresOtherKeysAtTheGivenTimeAndKeepsEarlierRevocations) {
  auto second = auth::IssueKey("brand-a", kNow + 1);
  ASSERT_TRUE(store_->AddApiKey(second.record, std::nullopt, TestAudit()).ok());
  ASSERT_TRUE(store_->RevokeApiKey("brand-a", second.record.prefix, kNow + 2, TestAudit()).ok());
  auto third = auth::IssueKey("brand-a", kNow + 3);
  ASSERT_TRUE(store_->AddApiKey(third.record, kNow + kHour, TestAudit()).ok());
  auto keys = store_->ListApiKeys("brand-a");
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 3u);
  EXPECT_EQ((*keys)[0].revoked_at, kNow + kHour) << "the first key: in its grace period";
  EXPECT_TRUE((*keys)[0].ActiveAt(kNow + kHour - 1));
  EXPECT_FALSE((*keys)[0].ActiveAt(kNow + kHour));
  EXPECT_EQ((*keys)[1].revoked_at, kNow + 2) << "an earlier revocation stands";
  EXPECT_FALSE((*keys)[2].revoked_at) << "the new key";
  EXPECT_EQ(store_->ListApiKeys("brand-b")->front().revoked_at, std::nullopt);
}

TEST_P(StoreAccess, RevokesAKeyInItsGracePeriodAndAuditsItsPrefix) {
  auto second = auth::IssueKey("brand-a", kNow + 1);
  ASSERT_TRUE(store_->AddApiKey(second.record, kNow + kHour, TestAudit()).ok());
  ASSERT_TRUE(store_
                  ->RevokeApiKey("brand-a", key_a_.record.prefix.substr(0, 8), kNow + 5,
                                 TestAudit("key.revoke", "brand-a"))
                  .ok());
  EXPECT_EQ(store_->ListApiKeys("brand-a")->front().revoked_at, kNow + 5);
  auto entries = store_->ListAudit("brand-a", 0, 1);
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ(entries->front().action, "key.revoke");
  EXPECT_EQ(entries->front().target, key_a_.record.prefix) << "the whole stored prefix";
}

TEST_P(StoreAccess, KeepsTheLatestLastUseOfEachKey) {
  ASSERT_TRUE(store_->MarkKeysUsed({{key_a_.record.hash, kNow + 10}}).ok());
  ASSERT_TRUE(store_->MarkKeysUsed({{key_a_.record.hash, kNow + 5}, {"unknown", kNow}}).ok());
  EXPECT_EQ(store_->ListApiKeys("brand-a")->front().last_used_at, kNow + 10);
  EXPECT_EQ(store_->ListApiKeys("brand-b")->front().last_used_at, std::nullopt);
}

TEST_P(StoreAccess, StoresPartnerAppsAndHidesDeletedOnes) {
  ASSERT_TRUE(store_->CreatePartnerApp(App(), TestAudit()).ok());
  EXPECT_EQ(store_->CreatePartnerApp(App(), TestAudit()).code(), Code::kAlreadyExists);
  auto app = store_->GetPartnerApp("cdp_app_1");
  ASSERT_TRUE(app.ok()) << app.status().message();
  EXPECT_EQ(app->name, "Acme");
  EXPECT_EQ(app->redirect_uris, std::vector<std::string>{"https://a.example/cb"});
  ASSERT_TRUE(store_->SaveAuthCode(Code("c1", "g1"), TestAudit()).ok());
  ASSERT_TRUE(store_
                  ->RedeemAuthCode("c1", kNow,
                                   {Token("t1", kTokenAccess, "g1"),
                                    Token("t2", kTokenRefresh, "g1", "brand-b")})
                  .ok());
  ASSERT_TRUE(store_->DeletePartnerApp("cdp_app_1", kNow, TestAudit()).ok());
  EXPECT_EQ(store_->GetPartnerApp("cdp_app_1").status().code(), Code::kNotFound);
  EXPECT_TRUE(store_->ListPartnerApps()->empty());
  EXPECT_TRUE(Revoked("t1"));
  EXPECT_TRUE(Revoked("t2")) << "every brand's tokens of the app";
  EXPECT_EQ(store_->DeletePartnerApp("cdp_app_1", kNow, TestAudit()).code(), Code::kNotFound);
}

TEST_P(StoreAccess, RedeemsACodeOnceAndRevokesItsGrantWhenReplayed) {
  ASSERT_TRUE(store_->CreatePartnerApp(App(), TestAudit()).ok());
  ASSERT_TRUE(store_->SaveAuthCode(Code("c1", "g1"), TestAudit()).ok());
  EXPECT_FALSE(store_->GetAuthCode("c1")->used_at);
  ASSERT_TRUE(store_->RedeemAuthCode("c1", kNow + 1, {Token("t1", kTokenAccess, "g1")}).ok());
  EXPECT_EQ(store_->GetAuthCode("c1")->used_at, kNow + 1);
  EXPECT_FALSE(Revoked("t1"));
  Status replay = store_->RedeemAuthCode("c1", kNow + 2, {Token("t9", kTokenAccess, "g1")});
  EXPECT_EQ(replay.code(), Code::kFailedPrecondition);
  EXPECT_TRUE(Revoked("t1"));
  EXPECT_EQ(store_->GetOAuthToken("t9").status().code(), Code::kNotFound) << "nothing issued";
  EXPECT_EQ(store_->GetAuthCode("nope").status().code(), Code::kNotFound);
}

TEST_P(StoreAccess, RotatesARefreshTokenOnceAndRevokesTheGrantOnReuse) {
  ASSERT_TRUE(store_->SaveAuthCode(Code("c1", "g1"), TestAudit()).ok());
  ASSERT_TRUE(
      store_
          ->RedeemAuthCode("c1", kNow,
                           {Token("a1", kTokenAccess, "g1"), Token("r1", kTokenRefresh, "g1")})
          .ok());
  ASSERT_TRUE(
      store_
          ->RotateRefreshToken("r1", kNow + 1,
                               {Token("a2", kTokenAccess, "g1"), Token("r2", kTokenRefresh, "g1")})
          .ok());
  EXPECT_TRUE(Revoked("r1"));
  EXPECT_FALSE(Revoked("a1")) << "access tokens live out their hour";
  EXPECT_FALSE(Revoked("r2"));
  EXPECT_EQ(store_->RotateRefreshToken("r1", kNow + 2, {Token("a3", kTokenAccess, "g1")}).code(),
            Code::kFailedPrecondition);
  for (const char* t : {"a1", "a2", "r2"}) EXPECT_TRUE(Revoked(t)) << t;
  EXPECT_EQ(store_->GetOAuthToken("a3").status().code(), Code::kNotFound);
  EXPECT_EQ(store_->RotateRefreshToken("a2", kNow + 3, {}).code(), Code::kFailedPrecondition)
      << "an access token is no refresh token";
}

TEST_P(StoreAccess, RevokesWhatOneBrandGrantedOneAppAndListsLiveGrants) {
  ASSERT_TRUE(store_->SaveAuthCode(Code("c1", "g1"), TestAudit()).ok());
  ASSERT_TRUE(
      store_
          ->RedeemAuthCode("c1", kNow,
                           {Token("a1", kTokenAccess, "g1"), Token("r1", kTokenRefresh, "g1")})
          .ok());
  ASSERT_TRUE(store_->SaveAuthCode(Code("c2", "g2"), TestAudit()).ok());
  ASSERT_TRUE(store_->RedeemAuthCode("c2", kNow, {Token("r2", kTokenRefresh, "g2")}).ok());
  ASSERT_TRUE(store_->SaveAuthCode(Code("c3", "g3"), TestAudit()).ok());
  ASSERT_TRUE(
      store_->RedeemAuthCode("c3", kNow, {Token("r3", kTokenRefresh, "g3", "brand-b")}).ok());
  ASSERT_TRUE(store_->SaveAuthCode(Code("c4", "g4"), TestAudit()).ok());
  ASSERT_TRUE(
      store_->RedeemAuthCode("c4", kNow, {Token("r4", kTokenRefresh, "g4", "brand-a", "other")})
          .ok());

  auto grants = store_->ListGrants("brand-a", kNow);
  ASSERT_TRUE(grants.ok()) << grants.status().message();
  ASSERT_EQ(grants->size(), 3u);
  EXPECT_TRUE(store_->ListGrants("brand-a", kNow + kHour)->empty()) << "expired ones are gone";

  auto revoked = store_->RevokePartnerAccess("brand-a", "cdp_app_1", kNow, TestAudit());
  ASSERT_TRUE(revoked.ok()) << revoked.status().message();
  EXPECT_EQ(*revoked, 2);
  for (const char* t : {"a1", "r1", "r2"}) EXPECT_TRUE(Revoked(t)) << t;
  EXPECT_FALSE(Revoked("r3")) << "another brand's grant";
  EXPECT_FALSE(Revoked("r4")) << "another app's grant";
  ASSERT_EQ(store_->ListGrants("brand-a", kNow)->size(), 1u);
  EXPECT_EQ(store_->ListGrants("brand-a", kNow)->front().client_id, "other");

  ASSERT_TRUE(store_->RevokeGrant("g3", kNow, TestAudit()).ok());
  EXPECT_TRUE(Revoked("r3"));
  EXPECT_EQ(*store_->RevokePartnerAccess("brand-a", "cdp_app_1", kNow, TestAudit()), 0);
}

TEST_P(StoreAccess, WritesTheAuditEntryOfEachChangeAndPagesNewestFirst) {
  ASSERT_TRUE(
      store_->SetRateLimit("brand-a", "users", 5, TestAudit("brand.limits", "brand-a")).ok());
  ASSERT_TRUE(store_->CreatePartnerApp(App(), TestAudit("partner.create")).ok());
  ASSERT_TRUE(
      store_->SetRateLimit("brand-b", "users", 5, TestAudit("brand.limits", "brand-b")).ok());
  // A refused change records nothing.
  EXPECT_FALSE(store_->CreatePartnerApp(App(), TestAudit("partner.create")).ok());
  EXPECT_FALSE(store_
                   ->AddApiKey(auth::IssueKey("ghost", kNow).record, std::nullopt,
                               TestAudit("key.rotate", "ghost"))
                   .ok());
  Reopen();
  EXPECT_EQ(Actions(), (std::vector<std::string>{"brand.limits", "partner.create", "brand.limits",
                                                 "test.change", "test.change"}));
  EXPECT_EQ(Actions("brand-a"), std::vector<std::string>{"brand.limits"});
  auto newest = store_->ListAudit("", 0, 2);
  ASSERT_TRUE(newest.ok());
  ASSERT_EQ(newest->size(), 2u);
  EXPECT_GT((*newest)[0].id, (*newest)[1].id);
  auto older = store_->ListAudit("", (*newest)[1].id, 100);
  ASSERT_TRUE(older.ok());
  ASSERT_EQ(older->size(), 3u);
  EXPECT_EQ(older->front().action, "brand.limits");
  EXPECT_EQ(older->front().brand_id, "brand-a");
  EXPECT_EQ(older->front().actor, "cli:test");
  EXPECT_EQ(older->front().at, kNow);
}

INSTANTIATE_CONFORMANCE(StoreAccess);

}  // namespace
}  // namespace cdp::store::conformance
