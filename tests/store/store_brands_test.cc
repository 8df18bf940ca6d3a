// Store conformance: brands and their API keys.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "store/store_conformance.h"

namespace cdp::store::conformance {
namespace {

class StoreBrandsAndKeys : public StoreTest {
 protected:
  // The keys of `brand` that are not revoked.
  std::vector<ApiKey> ActiveKeys(std::string_view brand) {
    auto keys = store_->ListApiKeys(brand);
    EXPECT_TRUE(keys.ok()) << keys.status().message();
    std::vector<ApiKey> active;
    if (keys.ok())
      for (const auto& k : *keys)
        if (!k.revoked_at) active.push_back(k);
    return active;
  }
};

TEST_P(StoreBrandsAndKeys, ReadsBackACreatedBrand) {
  auto brand = store_->GetBrand("brand-a");
  ASSERT_TRUE(brand.ok()) << brand.status().message();
  EXPECT_EQ(brand->id, "brand-a");
  EXPECT_EQ(brand->name, "A");
  EXPECT_EQ(brand->created_at, kNow);
}

TEST_P(StoreBrandsAndKeys, AnswersNotFoundForAnUnknownBrand) {
  auto brand = store_->GetBrand("nope");
  EXPECT_EQ(brand.status().code(), Code::kNotFound);
  EXPECT_EQ(brand.status().message(), "no brand nope");
}

TEST_P(StoreBrandsAndKeys, RefusesADuplicateBrandIdWithAlreadyExists) {
  Status st = store_->CreateBrand(Brand{"brand-a", "again", kNow},
                                  auth::IssueKey("brand-a", kNow).record, TestAudit());
  EXPECT_EQ(st.code(), Code::kAlreadyExists);
  EXPECT_EQ(st.message(), "brand brand-a exists");
}

TEST_P(StoreBrandsAndKeys, KeepsTheFirstBrandWhenADuplicateIsRefused) {
  (void)store_->CreateBrand(Brand{"brand-a", "again", kNow}, auth::IssueKey("brand-a", kNow).record,
                            TestAudit());
  EXPECT_EQ(store_->GetBrand("brand-a")->name, "A");
  EXPECT_EQ(store_->ListApiKeys("brand-a")->size(), 1u);
}

TEST_P(StoreBrandsAndKeys, ListsEveryBrand) {
  auto brands = store_->ListBrands();
  ASSERT_TRUE(brands.ok()) << brands.status().message();
  std::vector<std::string> ids;
  for (const auto& b : *brands) ids.push_back(b.id);
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<std::string>{"brand-a", "brand-b"}));
}

TEST_P(StoreBrandsAndKeys, ListsTheFirstKeyOfANewBrand) {
  auto keys = store_->ListApiKeys("brand-a");
  ASSERT_TRUE(keys.ok()) << keys.status().message();
  ASSERT_EQ(keys->size(), 1u);
  const ApiKey& k = (*keys)[0];
  EXPECT_EQ(k.brand_id, "brand-a");
  EXPECT_EQ(k.hash, key_a_.record.hash);
  EXPECT_EQ(k.prefix, key_a_.record.prefix);
  EXPECT_EQ(k.created_at, kNow);
  EXPECT_FALSE(k.revoked_at);
}

TEST_P(StoreBrandsAndKeys, ListsOnlyTheBrandsOwnKeys) {
  auto keys = store_->ListApiKeys("brand-b");
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].hash, key_b_.record.hash);
}

TEST_P(StoreBrandsAndKeys, ListsNoKeysForAnUnknownBrand) {
  auto keys = store_->ListApiKeys("nope");
  ASSERT_TRUE(keys.ok()) << keys.status().message();
  EXPECT_TRUE(keys->empty());
}

TEST_P(StoreBrandsAndKeys, ListsKeysOldestFirst) {
  auto second = auth::IssueKey("brand-a", kNow + 10);
  auto third = auth::IssueKey("brand-a", kNow + 20);
  ASSERT_TRUE(store_->AddApiKey(third.record, std::nullopt, TestAudit()).ok());
  ASSERT_TRUE(store_->AddApiKey(second.record, std::nullopt, TestAudit()).ok());
  auto keys = store_->ListApiKeys("brand-a");
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 3u);
  EXPECT_EQ((*keys)[0].hash, key_a_.record.hash);
  EXPECT_EQ((*keys)[1].hash, second.record.hash);
  EXPECT_EQ((*keys)[2].hash, third.record.hash);
}

TEST_P(StoreBrandsAndKeys, AddsAKeyBesideTheActiveOnes) {
  auto second = auth::IssueKey("brand-a", kNow + 1);
  ASSERT_TRUE(store_->AddApiKey(second.record, std::nullopt, TestAudit()).ok());
  EXPECT_EQ(ActiveKeys("brand-a").size(), 2u);
}

TEST_P(StoreBrandsAndKeys, AddsAKeyThatRevokesEveryOtherKey) {
  auto second = auth::IssueKey("brand-a", kNow + 1);
  ASSERT_TRUE(store_->AddApiKey(second.record, std::nullopt, TestAudit()).ok());
  auto fresh = auth::IssueKey("brand-a", kNow + 2);
  ASSERT_TRUE(store_->AddApiKey(fresh.record, fresh.record.created_at, TestAudit()).ok());
  auto active = ActiveKeys("brand-a");
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].hash, fresh.record.hash);
}

TEST_P(StoreBrandsAndKeys, DatesTheRevocationByRotationWithTheNewKeysCreation) {
  auto fresh = auth::IssueKey("brand-a", kNow + 2);
  ASSERT_TRUE(store_->AddApiKey(fresh.record, fresh.record.created_at, TestAudit()).ok());
  auto keys = store_->ListApiKeys("brand-a");
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].revoked_at, std::optional<int64_t>(kNow + 2));
}

TEST_P(StoreBrandsAndKeys, RotationLeavesOtherBrandsKeysActive) {
  ASSERT_TRUE(
      store_->AddApiKey(auth::IssueKey("brand-a", kNow + 1).record, kNow + 1, TestAudit()).ok());
  EXPECT_EQ(ActiveKeys("brand-b").size(), 1u);
}

TEST_P(StoreBrandsAndKeys, RefusesAKeyForAnUnknownBrand) {
  Status st = store_->AddApiKey(auth::IssueKey("no-brand", kNow).record, std::nullopt, TestAudit());
  EXPECT_EQ(st.code(), Code::kNotFound);
  EXPECT_EQ(st.message(), "no brand no-brand");
}

TEST_P(StoreBrandsAndKeys, RevokesTheOneKeyAPrefixNames) {
  auto second = auth::IssueKey("brand-a", kNow + 1);
  ASSERT_TRUE(store_->AddApiKey(second.record, std::nullopt, TestAudit()).ok());
  ASSERT_TRUE(store_->RevokeApiKey("brand-a", second.record.prefix, kNow + 5, TestAudit()).ok());
  auto active = ActiveKeys("brand-a");
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].hash, key_a_.record.hash);
}

TEST_P(StoreBrandsAndKeys, DatesARevocation) {
  ASSERT_TRUE(store_->RevokeApiKey("brand-a", key_a_.record.prefix, kNow + 5, TestAudit()).ok());
  auto keys = store_->ListApiKeys("brand-a");
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].revoked_at, std::optional<int64_t>(kNow + 5));
}

TEST_P(StoreBrandsAndKeys, RevokesAKeyByAShorterPrefix) {
  ASSERT_TRUE(
      store_->RevokeApiKey("brand-a", key_a_.record.prefix.substr(0, 8), kNow, TestAudit()).ok());
  EXPECT_TRUE(ActiveKeys("brand-a").empty());
}

TEST_P(StoreBrandsAndKeys, RevokesAKeyNamedByTheWholeSecret) {
  ASSERT_TRUE(store_->RevokeApiKey("brand-a", key_a_.secret, kNow, TestAudit()).ok());
  EXPECT_TRUE(ActiveKeys("brand-a").empty());
}

TEST_P(StoreBrandsAndKeys, AnswersNotFoundWhenNoActiveKeyMatches) {
  Status st = store_->RevokeApiKey("brand-a", "cdp_zzzzzzzz", kNow, TestAudit());
  EXPECT_EQ(st.code(), Code::kNotFound);
  EXPECT_EQ(st.message(), "brand brand-a has no active key starting with 'cdp_zzzzzzzz'");
}

TEST_P(StoreBrandsAndKeys, AnswersNotFoundForAKeyAlreadyRevoked) {
  ASSERT_TRUE(store_->RevokeApiKey("brand-a", key_a_.record.prefix, kNow, TestAudit()).ok());
  EXPECT_EQ(store_->RevokeApiKey("brand-a", key_a_.record.prefix, kNow, TestAudit()).code(),
            Code::kNotFound);
}

TEST_P(StoreBrandsAndKeys, RefusesAPrefixThatMatchesSeveralKeys) {
  ASSERT_TRUE(
      store_->AddApiKey(auth::IssueKey("brand-a", kNow + 1).record, std::nullopt, TestAudit())
          .ok());
  Status st = store_->RevokeApiKey("brand-a", "cdp_", kNow, TestAudit());
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_EQ(st.message(), "'cdp_' matches 2 active keys; give a longer prefix");
}

TEST_P(StoreBrandsAndKeys, RevokesNothingWhenAPrefixIsAmbiguous) {
  ASSERT_TRUE(
      store_->AddApiKey(auth::IssueKey("brand-a", kNow + 1).record, std::nullopt, TestAudit())
          .ok());
  (void)store_->RevokeApiKey("brand-a", "cdp_", kNow, TestAudit());
  EXPECT_EQ(ActiveKeys("brand-a").size(), 2u);
}

TEST_P(StoreBrandsAndKeys, DoesNotRevokeAnotherBrandsKey) {
  Status st = store_->RevokeApiKey("brand-a", key_b_.record.prefix, kNow, TestAudit());
  EXPECT_EQ(st.code(), Code::kNotFound);
  EXPECT_EQ(ActiveKeys("brand-b").size(), 1u);
}

TEST_P(StoreBrandsAndKeys, KeepsRateLimitsPerBrandAndGroup) {
  EXPECT_TRUE(store_->GetRateLimits("brand-a")->empty());
  ASSERT_TRUE(store_->SetRateLimit("brand-a", "users", 1000, TestAudit()).ok());
  ASSERT_TRUE(store_->SetRateLimit("brand-a", "users", 2000, TestAudit()).ok());
  ASSERT_TRUE(store_->SetRateLimit("brand-a", "reports", 0, TestAudit()).ok());
  ASSERT_TRUE(store_->SetRateLimit("brand-b", "users", 7, TestAudit()).ok());
  Reopen();
  auto limits = store_->GetRateLimits("brand-a");
  ASSERT_TRUE(limits.ok()) << limits.status().message();
  std::sort(limits->begin(), limits->end());
  EXPECT_EQ(*limits,
            (std::vector<std::pair<std::string, int64_t>>{{"reports", 0}, {"users", 2000}}));
}

INSTANTIATE_CONFORMANCE(StoreBrandsAndKeys);

}  // namespace
}  // namespace cdp::store::conformance
