// Store conformance: what survives closing and reopening, schema versions, and concurrent
// writers.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "store/store_conformance.h"

namespace cdp::store::conformance {
namespace {

namespace json = boost::json;
using profiles::Field;
using profiles::ProfilePatch;

class StoreLifecycle : public StoreTest {};

// Runs body(t) for t = 0..n-1, each on its own thread, all at once, and waits for them.
void OnThreads(int n, const std::function<void(int)>& body) {
  std::vector<std::thread> threads;
  for (int t = 0; t < n; ++t) threads.emplace_back(body, t);
  for (auto& t : threads) t.join();
}

TEST_P(StoreLifecycle, KeepsProfilesAcrossReopening) {
  ProfilePatch kept = User("kept");
  kept[Field::kEmail] = json::value("k@example.com");
  kept.attributes["plan"] = "gold";
  Put("brand-a", std::move(kept));
  Reopen();
  profiles::Profile p = Get("brand-a", UserKey("kept"));
  EXPECT_EQ(p[Field::kEmail], json::value("k@example.com"));
  EXPECT_EQ(p.attributes, (json::object{{"plan", "gold"}}));
}

TEST_P(StoreLifecycle, KeepsBrandsAndKeysAcrossReopening) {
  ASSERT_TRUE(store_->RevokeApiKey("brand-a", key_a_.record.prefix, kNow + 1, TestAudit()).ok());
  Reopen();
  EXPECT_EQ(store_->GetBrand("brand-a")->name, "A");
  auto keys = store_->ListApiKeys("brand-a");
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].hash, key_a_.record.hash);
  EXPECT_EQ((*keys)[0].revoked_at, std::optional<int64_t>(kNow + 1));
}

TEST_P(StoreLifecycle, KeepsEventsAcrossReopening) {
  Append("brand-a", {MakeEvent(User("kept"), "e", kNow)});
  Reopen();
  EXPECT_EQ(Count("brand-a", "e").events, 1);
}

TEST_P(StoreLifecycle, KeepsAttributeTypesAcrossReopening) {
  ProfilePatch number = User("u1");
  number.attributes["points"] = 10;
  Put("brand-a", std::move(number));
  Reopen();
  ProfilePatch text = User("u2");
  text.attributes["points"] = "ten";
  EXPECT_EQ(Upsert("brand-a", {text})[0].code(), Code::kInvalidArgument);
}

TEST_P(StoreLifecycle, ReopensAnExistingDatabaseMoreThanOnce) {
  Put("brand-a", User("u1"));
  Reopen();
  Reopen();
  EXPECT_TRUE(store_->GetProfile("brand-a", UserKey("u1")).ok());
}

TEST_P(StoreLifecycle, RefusesADatabaseWithANewerSchema) {
  store_.reset();
  ASSERT_TRUE(location_->RecordSchemaVersion(999).ok());
  auto opened = location_->Open();
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(opened.status().message().rfind(
                "database schema version 999 is newer than this cdp knows (", 0),
            0u)
      << opened.status().message();
}

TEST_P(StoreLifecycle, StoresEveryUpsertFromEightConcurrentThreads) {
  constexpr int kThreads = 8, kPerThread = 25;
  std::atomic<int> failures{0};
  OnThreads(kThreads, [&](int t) {
    for (int i = 0; i < kPerThread; ++i) {
      ProfilePatch p = User(fmt::format("t{}-{}", t, i));
      p.attributes["thread"] = t;
      std::vector<ProfileWrite> w;
      w.push_back(ProfileWrite{std::move(p)});
      auto r = store_->UpsertProfiles("brand-a", std::move(w), kNow);
      if (!r.ok() || !(*r)[0].ok()) ++failures;
    }
  });
  EXPECT_EQ(failures.load(), 0);
  for (int t = 0; t < kThreads; ++t)
    for (int i = 0; i < kPerThread; ++i) {
      auto p = store_->GetProfile("brand-a", UserKey(fmt::format("t{}-{}", t, i)));
      ASSERT_TRUE(p.ok()) << p.status().message();
      EXPECT_EQ(p->attributes.at("thread"), json::value(t));
    }
}

TEST_P(StoreLifecycle, StoresEveryEventFromEightConcurrentThreads) {
  std::atomic<int> failures{0};
  OnThreads(8, [&](int t) {
    for (int i = 0; i < 25; ++i) {
      std::vector<events::Event> e;
      e.push_back(MakeEvent(User(fmt::format("t{}", t)), "c", kNow));
      if (!store_->AppendEvents("brand-a", std::move(e), kNow).ok()) ++failures;
    }
  });
  EXPECT_EQ(failures.load(), 0);
  auto counts = Count("brand-a", "c");
  EXPECT_EQ(counts.events, 200);
  EXPECT_EQ(counts.profiles, 8);
}

// Writes that fail (here: brands that exist) share transactions with writes that succeed:
// each caller hears its own outcome, and every success is kept.
TEST_P(StoreLifecycle, KeepsConcurrentWritesWhenOthersInTheirTransactionFail) {
  constexpr int kThreads = 8, kPerThread = 20;
  std::atomic<int> unexpected{0};
  OnThreads(kThreads, [&](int t) {
    for (int i = 0; i < kPerThread; ++i) {
      const bool taken = i % 2 == 1;
      std::string id = taken ? "brand-a" : fmt::format("new-{}-{}", t, i);
      Status st =
          store_->CreateBrand(Brand{id, "N", kNow}, auth::IssueKey(id, kNow).record, TestAudit());
      if (taken ? st.code() != Code::kAlreadyExists : !st.ok()) ++unexpected;
    }
  });
  EXPECT_EQ(unexpected.load(), 0);
  auto brands = store_->ListBrands();
  ASSERT_TRUE(brands.ok()) << brands.status().message();
  EXPECT_EQ(brands->size(), 2u + kThreads * kPerThread / 2);
}

TEST_P(StoreLifecycle, MergesOneUsersConcurrentUpdatesWithoutLosingAny) {
  OnThreads(8, [&](int t) {
    ProfilePatch p = User("shared");
    p.attributes[fmt::format("from-{}", t)] = t;
    std::vector<ProfileWrite> w;
    w.push_back(ProfileWrite{std::move(p)});
    EXPECT_TRUE(store_->UpsertProfiles("brand-a", std::move(w), kNow).ok());
  });
  EXPECT_EQ(Get("brand-a", UserKey("shared")).attributes.size(), 8u);
}

INSTANTIATE_CONFORMANCE(StoreLifecycle);

}  // namespace
}  // namespace cdp::store::conformance
