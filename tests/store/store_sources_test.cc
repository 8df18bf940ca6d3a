// Store conformance: sources, their write keys, and the debugger's record of their calls.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "auth/write_keys.h"
#include "store/store_conformance.h"

namespace cdp::store::conformance {
namespace {

class StoreSources : public StoreTest {
 protected:
  // Creates `id` on `brand` with one key; returns that key.
  WriteKey Create(std::string brand, std::string id, std::vector<std::string> origins = {},
                  int64_t at = kNow) {
    auto key = auth::IssueWriteKey(brand, id, at);
    Status st = store_->CreateSource(
        Source{brand, id, fmt::format("Site {}", id), std::move(origins), at, std::nullopt},
        key.record, TestAudit("source.create", brand));
    EXPECT_TRUE(st.ok()) << st.message();
    return key.record;
  }

  static SourceCall Call(std::string brand, std::string source, int64_t at, std::string path,
                         std::string detail = "{}") {
    SourceCall c;
    c.brand_id = std::move(brand);
    c.source_id = std::move(source);
    c.at = at;
    c.path = std::move(path);
    c.status = 200;
    c.accepted = 1;
    c.rejected = 0;
    c.detail = std::move(detail);
    return c;
  }
};

TEST_P(StoreSources, ReadsBackACreatedSource) {
  Create("brand-a", "src_1", {"https://shop.example", "http://localhost:3000"});
  auto source = store_->GetSource("brand-a", "src_1");
  ASSERT_TRUE(source.ok()) << source.status().message();
  EXPECT_EQ(source->brand_id, "brand-a");
  EXPECT_EQ(source->id, "src_1");
  EXPECT_EQ(source->name, "Site src_1");
  EXPECT_EQ(source->allowed_origins,
            (std::vector<std::string>{"https://shop.example", "http://localhost:3000"}));
  EXPECT_EQ(source->created_at, kNow);
  EXPECT_FALSE(source->revoked_at);
}

TEST_P(StoreSources, KeepsTheFirstKeyOfANewSource) {
  WriteKey key = Create("brand-a", "src_1");
  auto keys = store_->ListWriteKeys("brand-a", "src_1");
  ASSERT_TRUE(keys.ok()) << keys.status().message();
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].hash, key.hash);
  EXPECT_EQ((*keys)[0].prefix, key.prefix);
  EXPECT_EQ((*keys)[0].source_id, "src_1");
  EXPECT_EQ((*keys)[0].created_at, kNow);
  EXPECT_FALSE((*keys)[0].revoked_at);
}

TEST_P(StoreSources, RecordsTheCreationInTheAuditLog) {
  Create("brand-a", "src_1");
  auto audit = store_->ListAudit("brand-a", 0, 10);
  ASSERT_TRUE(audit.ok()) << audit.status().message();
  ASSERT_FALSE(audit->empty());
  EXPECT_EQ((*audit)[0].action, "source.create");
}

TEST_P(StoreSources, AnswersNotFoundForAnUnknownSource) {
  auto source = store_->GetSource("brand-a", "src_none");
  EXPECT_EQ(source.status().code(), Code::kNotFound);
  EXPECT_EQ(source.status().message(), "brand brand-a has no source src_none");
}

TEST_P(StoreSources, RefusesASourceForAnUnknownBrand) {
  auto key = auth::IssueWriteKey("no-brand", "src_1", kNow);
  Status st = store_->CreateSource(Source{"no-brand", "src_1", "x", {}, kNow, std::nullopt},
                                   key.record, TestAudit());
  EXPECT_EQ(st.code(), Code::kNotFound);
  EXPECT_EQ(st.message(), "no brand no-brand");
}

TEST_P(StoreSources, RefusesADuplicateSourceIdWithAlreadyExists) {
  Create("brand-a", "src_1");
  auto key = auth::IssueWriteKey("brand-a", "src_1", kNow);
  Status st = store_->CreateSource(Source{"brand-a", "src_1", "again", {}, kNow, std::nullopt},
                                   key.record, TestAudit());
  EXPECT_EQ(st.code(), Code::kAlreadyExists);
  EXPECT_EQ(store_->GetSource("brand-a", "src_1")->name, "Site src_1");
  EXPECT_EQ(store_->ListWriteKeys("brand-a", "src_1")->size(), 1u);
}

TEST_P(StoreSources, ListsTheBrandsSourcesOldestFirst) {
  Create("brand-a", "src_b", {}, kNow + 2);
  Create("brand-a", "src_a", {}, kNow + 1);
  Create("brand-b", "src_c", {}, kNow);
  auto sources = store_->ListSources("brand-a");
  ASSERT_TRUE(sources.ok()) << sources.status().message();
  ASSERT_EQ(sources->size(), 2u);
  EXPECT_EQ((*sources)[0].id, "src_a");
  EXPECT_EQ((*sources)[1].id, "src_b");
}

TEST_P(StoreSources, ListsRevokedSourcesToo) {
  Create("brand-a", "src_1");
  ASSERT_TRUE(store_->RevokeSource("brand-a", "src_1", kNow + 5, TestAudit()).ok());
  auto sources = store_->ListSources("brand-a");
  ASSERT_EQ(sources->size(), 1u);
  EXPECT_EQ((*sources)[0].revoked_at, kNow + 5);
}

TEST_P(StoreSources, KeepsEachBrandsSourcesApart) {
  Create("brand-a", "src_1");
  EXPECT_EQ(store_->GetSource("brand-b", "src_1").status().code(), Code::kNotFound);
  EXPECT_TRUE(store_->ListSources("brand-b")->empty());
  EXPECT_TRUE(store_->ListWriteKeys("brand-b", "src_1")->empty());
  EXPECT_EQ(store_->RevokeSource("brand-b", "src_1", kNow, TestAudit()).code(), Code::kNotFound);
  EXPECT_FALSE(store_->GetSource("brand-a", "src_1")->revoked_at);
}

TEST_P(StoreSources, AllowsTheSameSourceIdInTwoBrands) {
  Create("brand-a", "src_1");
  Create("brand-b", "src_1");
  EXPECT_EQ(store_->ListSources("brand-a")->size(), 1u);
  EXPECT_EQ(store_->ListSources("brand-b")->size(), 1u);
}

TEST_P(StoreSources, AddsAKeyBesideTheActiveOnes) {
  WriteKey first = Create("brand-a", "src_1");
  auto second = auth::IssueWriteKey("brand-a", "src_1", kNow + 1);
  ASSERT_TRUE(store_->AddWriteKey(second.record, std::nullopt, TestAudit()).ok());
  auto keys = store_->ListWriteKeys("brand-a", "src_1");
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].hash, first.hash);
  EXPECT_EQ((*keys)[1].hash, second.record.hash);
  EXPECT_FALSE((*keys)[0].revoked_at);
  EXPECT_FALSE((*keys)[1].revoked_at);
}

TEST_P(StoreSources, AddsAKeyThatRetiresTheOthersAtTheGivenTime) {
  Create("brand-a", "src_1");
  Create("brand-a", "src_2");
  auto fresh = auth::IssueWriteKey("brand-a", "src_1", kNow + 1);
  const int64_t grace_end = kNow + 1000;
  ASSERT_TRUE(store_->AddWriteKey(fresh.record, grace_end, TestAudit()).ok());
  auto keys = store_->ListWriteKeys("brand-a", "src_1");
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].revoked_at, grace_end);
  EXPECT_FALSE((*keys)[1].revoked_at);
  EXPECT_TRUE((*keys)[0].ActiveAt(grace_end - 1));
  EXPECT_FALSE((*keys)[0].ActiveAt(grace_end));
  // Another source's key is untouched.
  EXPECT_FALSE((*store_->ListWriteKeys("brand-a", "src_2"))[0].revoked_at);
}

TEST_P(StoreSources, KeepsAnEarlierRetirementWhenRotatingAgain) {
  WriteKey first = Create("brand-a", "src_1");
  ASSERT_TRUE(store_
                  ->AddWriteKey(auth::IssueWriteKey("brand-a", "src_1", kNow + 1).record, kNow + 10,
                                TestAudit())
                  .ok());
  ASSERT_TRUE(store_
                  ->AddWriteKey(auth::IssueWriteKey("brand-a", "src_1", kNow + 2).record,
                                kNow + 100, TestAudit())
                  .ok());
  auto keys = store_->ListWriteKeys("brand-a", "src_1");
  ASSERT_EQ(keys->size(), 3u);
  EXPECT_EQ((*keys)[0].hash, first.hash);
  EXPECT_EQ((*keys)[0].revoked_at, kNow + 10);
  EXPECT_EQ((*keys)[1].revoked_at, kNow + 100);
  EXPECT_FALSE((*keys)[2].revoked_at);
}

TEST_P(StoreSources, RefusesAKeyForAnUnknownOrRevokedSource) {
  Status st = store_->AddWriteKey(auth::IssueWriteKey("brand-a", "src_x", kNow).record,
                                  std::nullopt, TestAudit());
  EXPECT_EQ(st.code(), Code::kNotFound);
  Create("brand-a", "src_1");
  ASSERT_TRUE(store_->RevokeSource("brand-a", "src_1", kNow, TestAudit()).ok());
  st = store_->AddWriteKey(auth::IssueWriteKey("brand-a", "src_1", kNow).record, std::nullopt,
                           TestAudit());
  EXPECT_EQ(st.code(), Code::kNotFound);
  EXPECT_EQ(store_->ListWriteKeys("brand-a", "src_1")->size(), 1u);
}

TEST_P(StoreSources, RevokesTheSourceAndEveryKey) {
  Create("brand-a", "src_1");
  ASSERT_TRUE(store_
                  ->AddWriteKey(auth::IssueWriteKey("brand-a", "src_1", kNow).record, std::nullopt,
                                TestAudit())
                  .ok());
  ASSERT_TRUE(store_->RevokeSource("brand-a", "src_1", kNow + 7, TestAudit("source.revoke")).ok());
  EXPECT_EQ(store_->GetSource("brand-a", "src_1")->revoked_at, kNow + 7);
  auto keys = store_->ListWriteKeys("brand-a", "src_1");
  ASSERT_TRUE(keys.ok()) << keys.status().message();
  ASSERT_EQ(keys->size(), 2u);
  for (const auto& k : *keys) EXPECT_EQ(k.revoked_at, kNow + 7);
}

TEST_P(StoreSources, RevokingAnUnknownSourceIsNotFound) {
  Status st = store_->RevokeSource("brand-a", "src_none", kNow, TestAudit());
  EXPECT_EQ(st.code(), Code::kNotFound);
  EXPECT_EQ(st.message(), "brand brand-a has no source src_none");
}

TEST_P(StoreSources, ReplacesTheAllowedOrigins) {
  Create("brand-a", "src_1", {"https://a.example"});
  ASSERT_TRUE(store_
                  ->SetAllowedOrigins("brand-a", "src_1",
                                      {"https://b.example", "https://c.example:8443"}, TestAudit())
                  .ok());
  EXPECT_EQ(store_->GetSource("brand-a", "src_1")->allowed_origins,
            (std::vector<std::string>{"https://b.example", "https://c.example:8443"}));
  ASSERT_TRUE(store_->SetAllowedOrigins("brand-a", "src_1", {}, TestAudit()).ok());
  EXPECT_TRUE(store_->GetSource("brand-a", "src_1")->allowed_origins.empty());
}

TEST_P(StoreSources, SettingOriginsOfAnUnknownSourceIsNotFound) {
  Create("brand-a", "src_1");
  EXPECT_EQ(store_->SetAllowedOrigins("brand-b", "src_1", {"https://x"}, TestAudit()).code(),
            Code::kNotFound);
}

TEST_P(StoreSources, FindsAKeyAndItsSourceByHash) {
  WriteKey key = Create("brand-b", "src_1", {"https://b.example"});
  auto found = store_->FindWriteKey(key.hash);
  ASSERT_TRUE(found.ok()) << found.status().message();
  EXPECT_EQ(found->key.brand_id, "brand-b");
  EXPECT_EQ(found->key.source_id, "src_1");
  EXPECT_EQ(found->key.prefix, key.prefix);
  EXPECT_EQ(found->source.id, "src_1");
  EXPECT_EQ(found->source.brand_id, "brand-b");
  EXPECT_EQ(found->source.allowed_origins, (std::vector<std::string>{"https://b.example"}));
}

TEST_P(StoreSources, FindsRevokedKeysWithTheirRevocation) {
  WriteKey key = Create("brand-a", "src_1");
  ASSERT_TRUE(store_->RevokeSource("brand-a", "src_1", kNow + 3, TestAudit()).ok());
  auto found = store_->FindWriteKey(key.hash);
  ASSERT_TRUE(found.ok()) << found.status().message();
  EXPECT_EQ(found->key.revoked_at, kNow + 3);
  EXPECT_EQ(found->source.revoked_at, kNow + 3);
}

TEST_P(StoreSources, FindingAnUnknownHashIsNotFound) {
  EXPECT_EQ(store_->FindWriteKey("0000").status().code(), Code::kNotFound);
}

TEST_P(StoreSources, ListsCallsNewestFirst) {
  Create("brand-a", "src_1");
  ASSERT_TRUE(store_
                  ->RecordSourceCalls({Call("brand-a", "src_1", kNow + 1, "/v1/track"),
                                       Call("brand-a", "src_1", kNow + 3, "/v1/batch"),
                                       Call("brand-a", "src_1", kNow + 2, "/v1/identify")})
                  .ok());
  auto calls = store_->ListSourceCalls("brand-a", "src_1", 100);
  ASSERT_TRUE(calls.ok()) << calls.status().message();
  ASSERT_EQ(calls->size(), 3u);
  EXPECT_EQ((*calls)[0].path, "/v1/batch");
  EXPECT_EQ((*calls)[1].path, "/v1/identify");
  EXPECT_EQ((*calls)[2].path, "/v1/track");
}

TEST_P(StoreSources, ReadsBackEveryFieldOfACall) {
  Create("brand-a", "src_1");
  SourceCall c = Call("brand-a", "src_1", kNow, "/v1/batch", R"({"reason":"bad batch"})");
  c.status = 400;
  c.accepted = 3;
  c.rejected = 2;
  ASSERT_TRUE(store_->RecordSourceCalls({c}).ok());
  auto calls = store_->ListSourceCalls("brand-a", "src_1", 10);
  ASSERT_EQ(calls->size(), 1u);
  const SourceCall& got = (*calls)[0];
  EXPECT_EQ(got.brand_id, "brand-a");
  EXPECT_EQ(got.source_id, "src_1");
  EXPECT_EQ(got.at, kNow);
  EXPECT_EQ(got.path, "/v1/batch");
  EXPECT_EQ(got.status, 400);
  EXPECT_EQ(got.accepted, 3);
  EXPECT_EQ(got.rejected, 2);
  EXPECT_EQ(got.detail, R"({"reason":"bad batch"})");
}

TEST_P(StoreSources, ListsAtMostTheLimit) {
  Create("brand-a", "src_1");
  std::vector<SourceCall> calls;
  for (int i = 0; i < 5; ++i) calls.push_back(Call("brand-a", "src_1", kNow + i, "/v1/t"));
  ASSERT_TRUE(store_->RecordSourceCalls(calls).ok());
  auto listed = store_->ListSourceCalls("brand-a", "src_1", 2);
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].at, kNow + 4);
  EXPECT_EQ((*listed)[1].at, kNow + 3);
}

TEST_P(StoreSources, KeepsOnlyTheNewestCallsOfEachSource) {
  Create("brand-a", "src_1");
  Create("brand-a", "src_2");
  std::vector<SourceCall> first;
  for (int i = 0; i < 90; ++i) first.push_back(Call("brand-a", "src_1", kNow + i, "/v1/t"));
  first.push_back(Call("brand-a", "src_2", kNow, "/v1/other"));
  ASSERT_TRUE(store_->RecordSourceCalls(first).ok());
  std::vector<SourceCall> second;
  for (int i = 90; i < 130; ++i) second.push_back(Call("brand-a", "src_1", kNow + i, "/v1/t"));
  ASSERT_TRUE(store_->RecordSourceCalls(second).ok());

  auto kept = store_->ListSourceCalls("brand-a", "src_1", 1000);
  ASSERT_TRUE(kept.ok()) << kept.status().message();
  ASSERT_EQ(kept->size(), kSourceCallsKept);
  EXPECT_EQ(kept->front().at, kNow + 129);
  EXPECT_EQ(kept->back().at, kNow + 30);
  EXPECT_EQ(store_->ListSourceCalls("brand-a", "src_2", 1000)->size(), 1u);
}

TEST_P(StoreSources, KeepsEachBrandsCallsApart) {
  Create("brand-a", "src_1");
  Create("brand-b", "src_1");
  ASSERT_TRUE(store_->RecordSourceCalls({Call("brand-a", "src_1", kNow, "/v1/a")}).ok());
  EXPECT_TRUE(store_->ListSourceCalls("brand-b", "src_1", 100)->empty());
  EXPECT_EQ(store_->ListSourceCalls("brand-a", "src_1", 100)->size(), 1u);
}

TEST_P(StoreSources, KeepsSourcesAcrossAReopen) {
  WriteKey key = Create("brand-a", "src_1", {"https://a.example"});
  ASSERT_TRUE(store_->RecordSourceCalls({Call("brand-a", "src_1", kNow, "/v1/a")}).ok());
  Reopen();
  EXPECT_EQ(store_->GetSource("brand-a", "src_1")->allowed_origins,
            (std::vector<std::string>{"https://a.example"}));
  EXPECT_TRUE(store_->FindWriteKey(key.hash).ok());
  EXPECT_EQ(store_->ListSourceCalls("brand-a", "src_1", 100)->size(), 1u);
}

INSTANTIATE_CONFORMANCE(StoreSources);

}  // namespace
}  // namespace cdp::store::conformance
