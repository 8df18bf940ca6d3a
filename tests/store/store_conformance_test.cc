// The store conformance suite: the behaviour every Store backend must have, run against
// each backend (add one with a line in kBackends). Each test gets a fresh, empty store.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "auth/keys.h"
#include "store/pg_test_database.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"
#include "support/server_process.h"

namespace cdp::store {
namespace {

namespace json = boost::json;
using profiles::Field;
using profiles::ProfileKey;
using profiles::ProfilePatch;

// Where a backend keeps one test's data; Open may be called again to reopen the same data.
class StoreLocation {
 public:
  virtual ~StoreLocation() = default;
  virtual Result<std::unique_ptr<Store>> Open() = 0;
};

class SqliteLocation final : public StoreLocation {
 public:
  Result<std::unique_ptr<Store>> Open() override {
    SqliteOptions options;
    options.data_dir = dir_.path() + "/data";
    return OpenSqliteStore(options);
  }

 private:
  testing::TempDir dir_;
};

// A fresh database on the server CDP_TEST_PG_URL names, dropped after the test.
class PostgresLocation final : public StoreLocation {
 public:
  explicit PostgresLocation(std::unique_ptr<testing::PgTestDatabase> db) : db_(std::move(db)) {}
  Result<std::unique_ptr<Store>> Open() override {
    PostgresOptions options;
    options.url = db_->url();
    return OpenPostgresStore(options);
  }

  static std::unique_ptr<StoreLocation> Make(std::string* skip) {
    auto server = testing::PgServerUrl();
    if (!server) {
      *skip = testing::kNoPgServer;
      return nullptr;
    }
    auto db = testing::PgTestDatabase::Create(*server);
    // A server was named but is unusable: fail loudly rather than skip.
    if (!db.ok())
      throw std::runtime_error("cannot create a PostgreSQL test database: " +
                               db.status().message());
    return std::make_unique<PostgresLocation>(std::move(db).value());
  }

 private:
  std::unique_ptr<testing::PgTestDatabase> db_;
};

struct Backend {
  std::string name;
  // A fresh location, or nullptr with `skip` set when the backend cannot run here.
  std::function<std::unique_ptr<StoreLocation>(std::string* skip)> make;
};

void PrintTo(const Backend& backend, std::ostream* os) { *os << backend.name; }

const std::vector<Backend>& Backends() {
  static const std::vector<Backend> kBackends = {
      {"sqlite", [](std::string*) { return std::make_unique<SqliteLocation>(); }},
      {"postgres", PostgresLocation::Make},
  };
  return kBackends;
}

constexpr int64_t kNow = 1700000000LL * 1000000;

class StoreConformance : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    std::string skip;
    location_ = GetParam().make(&skip);
    if (!location_) GTEST_SKIP() << skip;
    Reopen();
    ASSERT_TRUE(
        store_->CreateBrand(Brand{"brand-a", "A", kNow}, auth::IssueKey("brand-a", kNow).record)
            .ok());
    ASSERT_TRUE(
        store_->CreateBrand(Brand{"brand-b", "B", kNow}, auth::IssueKey("brand-b", kNow).record)
            .ok());
  }

  void Reopen() {
    store_.reset();
    auto opened = location_->Open();
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    store_ = std::move(opened).value();
  }

  static ProfilePatch User(std::string user_id) {
    ProfilePatch p;
    p.user_id = std::move(user_id);
    return p;
  }
  static ProfilePatch Anonymous(std::string anonymous_id) {
    ProfilePatch p;
    p.anonymous_id = std::move(anonymous_id);
    return p;
  }
  static ProfileKey UserKey(std::string id) { return {ProfileKey::Kind::kUserId, std::move(id)}; }

  std::vector<Status> Upsert(std::string_view brand, std::vector<ProfilePatch> patches) {
    std::vector<ProfileWrite> writes;
    for (auto& p : patches) writes.push_back(ProfileWrite{std::move(p)});
    auto r = store_->UpsertProfiles(brand, std::move(writes), kNow);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : std::vector<Status>();
  }

  static events::Event MakeEvent(ProfilePatch who, std::string name, int64_t time,
                                 std::optional<std::string> message_id = std::nullopt) {
    events::Event e;
    e.profile = std::move(who);
    e.name = std::move(name);
    e.time = time;
    e.message_id = std::move(message_id);
    return e;
  }

  std::vector<Store::EventResult> Append(std::string_view brand, std::vector<events::Event> evs) {
    auto r = store_->AppendEvents(brand, std::move(evs), kNow);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : std::vector<Store::EventResult>();
  }

  events::EventCounts Count(std::string_view brand, std::string name) {
    events::EventQuery q;
    q.name = std::move(name);
    q.from = 0;
    q.to = kNow * 2;
    auto r = store_->CountEvents(brand, q);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : events::EventCounts{};
  }

  std::unique_ptr<StoreLocation> location_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreConformance, ReadsBackACreatedBrand) {
  auto brand = store_->GetBrand("brand-a");
  ASSERT_TRUE(brand.ok());
  EXPECT_EQ(brand->name, "A");
  EXPECT_EQ(store_->GetBrand("nope").status().code(), Code::kNotFound);
}

TEST_P(StoreConformance, RefusesADuplicateBrandId) {
  Status st =
      store_->CreateBrand(Brand{"brand-a", "again", kNow}, auth::IssueKey("brand-a", kNow).record);
  EXPECT_EQ(st.code(), Code::kAlreadyExists);
}

TEST_P(StoreConformance, RevokesAKeyByPrefixAndRefusesAnAmbiguousOne) {
  auto second = auth::IssueKey("brand-a", kNow + 1);
  ASSERT_TRUE(store_->AddApiKey(second.record, false).ok());
  EXPECT_EQ(store_->RevokeApiKey("brand-a", "cdp_", kNow).code(), Code::kInvalidArgument);
  EXPECT_EQ(store_->RevokeApiKey("brand-a", "cdp_zzzzzzzz", kNow).code(), Code::kNotFound);
  ASSERT_TRUE(store_->RevokeApiKey("brand-a", second.record.prefix, kNow).ok());
  auto keys = store_->ListApiKeys("brand-a");
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 2u);
  int active = 0;
  for (const auto& k : *keys) active += k.revoked_at ? 0 : 1;
  EXPECT_EQ(active, 1);
}

TEST_P(StoreConformance, AddingAKeyWithRevokeOthersLeavesOnlyIt) {
  auto fresh = auth::IssueKey("brand-a", kNow + 1);
  ASSERT_TRUE(store_->AddApiKey(fresh.record, true).ok());
  auto keys = store_->ListApiKeys("brand-a");
  ASSERT_TRUE(keys.ok());
  for (const auto& k : *keys) EXPECT_EQ(k.revoked_at.has_value(), k.hash != fresh.record.hash);
  EXPECT_EQ(store_->AddApiKey(auth::IssueKey("no-brand", kNow).record, false).code(),
            Code::kNotFound);
}

TEST_P(StoreConformance, AnUpdateMergesFieldsAndAttributes) {
  ProfilePatch first = User("u1");
  first[Field::kEmail] = json::value("a@example.com");
  first[Field::kCompany] = json::value("Acme");
  first.attributes["plan"] = "gold";
  first.attributes["points"] = 10;
  ASSERT_TRUE(Upsert("brand-a", {first})[0].ok());
  ProfilePatch second = User("u1");
  second[Field::kCompany] = json::value(nullptr);  // null clears
  second.attributes["points"] = 11;
  second.attributes["plan"] = nullptr;  // null removes
  ASSERT_TRUE(Upsert("brand-a", {second})[0].ok());
  auto p = store_->GetProfile("brand-a", UserKey("u1"));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ((*p)[Field::kEmail], json::value("a@example.com"));
  EXPECT_TRUE((*p)[Field::kCompany].is_null());
  EXPECT_FALSE(p->attributes.contains("plan"));
  EXPECT_EQ(p->attributes.at("points"), json::value(11));
}

TEST_P(StoreConformance, AnAttributeOfAnotherTypeFailsAloneInItsBatch) {
  ProfilePatch number = User("u1");
  number.attributes["Dollars spent"] = 461.93;
  ASSERT_TRUE(Upsert("brand-a", {number})[0].ok());
  ProfilePatch text = User("u2");
  text.attributes["Dollars spent"] = "lots";
  auto results = Upsert("brand-a", {User("u3"), text, User("u4")});
  ASSERT_EQ(results.size(), 3u);
  EXPECT_TRUE(results[0].ok());
  EXPECT_EQ(results[1].code(), Code::kInvalidArgument);
  EXPECT_NE(results[1].message().find("Dollars spent"), std::string::npos) << results[1].message();
  EXPECT_TRUE(results[2].ok());
  EXPECT_EQ(store_->GetProfile("brand-a", UserKey("u2")).status().code(), Code::kNotFound);
  EXPECT_TRUE(store_->GetProfile("brand-a", UserKey("u4")).ok());
  // Another brand has its own types.
  EXPECT_TRUE(Upsert("brand-b", {text})[0].ok());
}

TEST_P(StoreConformance, NamingBothIdsIdentifiesAnAnonymousProfile) {
  ASSERT_TRUE(Upsert("brand-a", {Anonymous("anon-1")})[0].ok());
  ProfilePatch both = User("alice");
  both.anonymous_id = "anon-1";
  ASSERT_TRUE(Upsert("brand-a", {both})[0].ok());
  auto by_anon = store_->GetProfile("brand-a", {ProfileKey::Kind::kAnonymousId, "anon-1"});
  ASSERT_TRUE(by_anon.ok());
  EXPECT_EQ(by_anon->user_id, std::optional<std::string>("alice"));
}

TEST_P(StoreConformance, MergesAnAnonymousProfileAndItsEventsIntoAKnownOne) {
  ProfilePatch known = User("bob");
  known[Field::kEmail] = json::value("bob@example.com");
  ASSERT_TRUE(Upsert("brand-a", {known})[0].ok());
  ProfilePatch anon = Anonymous("anon-2");
  anon[Field::kEmail] = json::value("other@example.com");
  anon[Field::kCompany] = json::value("Initech");
  ASSERT_TRUE(Upsert("brand-a", {anon})[0].ok());
  Append("brand-a", {MakeEvent(User("bob"), "view", kNow - 3),
                     MakeEvent(Anonymous("anon-2"), "view", kNow - 2),
                     MakeEvent(Anonymous("anon-2"), "view", kNow - 1)});
  EXPECT_EQ(Count("brand-a", "view").profiles, 2);
  ProfilePatch both = User("bob");
  both.anonymous_id = "anon-2";
  ASSERT_TRUE(Upsert("brand-a", {both})[0].ok());
  auto counts = Count("brand-a", "view");
  EXPECT_EQ(counts.profiles, 1);
  EXPECT_EQ(counts.events, 3);
  auto bob = store_->GetProfile("brand-a", UserKey("bob"));
  ASSERT_TRUE(bob.ok());
  EXPECT_EQ((*bob)[Field::kEmail], json::value("bob@example.com"));  // the known profile wins
  EXPECT_EQ((*bob)[Field::kCompany], json::value("Initech"));        // gaps filled
}

TEST_P(StoreConformance, KeepsBrandsApart) {
  ASSERT_TRUE(Upsert("brand-a", {User("same")})[0].ok());
  EXPECT_EQ(store_->GetProfile("brand-b", UserKey("same")).status().code(), Code::kNotFound);
  EXPECT_EQ(store_->DeleteProfile("brand-b", UserKey("same")).code(), Code::kNotFound);
  Append("brand-a", {MakeEvent(User("same"), "e", kNow)});
  EXPECT_EQ(Count("brand-b", "e").events, 0);
  EXPECT_TRUE(store_->GetProfile("brand-a", UserKey("same")).ok());
}

TEST_P(StoreConformance, DeletingAProfileDeletesItsEvents) {
  Append("brand-a", {MakeEvent(User("u1"), "e", kNow), MakeEvent(User("u1"), "e", kNow + 1),
                     MakeEvent(User("u2"), "e", kNow)});
  ASSERT_TRUE(store_->DeleteProfile("brand-a", UserKey("u1")).ok());
  EXPECT_EQ(store_->GetProfile("brand-a", UserKey("u1")).status().code(), Code::kNotFound);
  auto counts = Count("brand-a", "e");
  EXPECT_EQ(counts.events, 1);
  EXPECT_EQ(counts.profiles, 1);
}

TEST_P(StoreConformance, DeduplicatesEventsByMessageIdPerBrand) {
  auto first = Append(
      "brand-a", {MakeEvent(User("u"), "e", kNow, "m1"), MakeEvent(User("u"), "e", kNow, "m1")});
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].outcome, events::EventOutcome::kStored);
  EXPECT_EQ(first[1].outcome, events::EventOutcome::kDuplicate);
  auto retry = Append("brand-a", {MakeEvent(User("u"), "e", kNow, "m1")});
  EXPECT_EQ(retry[0].outcome, events::EventOutcome::kDuplicate);
  auto other = Append("brand-b", {MakeEvent(User("u"), "e", kNow, "m1")});
  EXPECT_EQ(other[0].outcome, events::EventOutcome::kStored);
  EXPECT_EQ(Count("brand-a", "e").events, 1);
}

TEST_P(StoreConformance, PagesEventUsersInAStableOrderWithTheirCounts) {
  std::vector<events::Event> evs;
  for (int u = 0; u < 25; ++u)
    for (int k = 0; k <= u % 3; ++k)
      evs.push_back(MakeEvent(User(fmt::format("u{}", u)), "buy", kNow + k));
  Append("brand-a", std::move(evs));
  events::EventQuery q;
  q.name = "buy";
  q.from = kNow;
  q.to = kNow + 10;
  q.limit = 10;
  std::set<std::string> seen;
  int64_t total = 0;
  for (int page = 0; page < 5; ++page) {
    auto r = store_->QueryEventUsers("brand-a", q);
    ASSERT_TRUE(r.ok()) << r.status().message();
    for (const auto& u : r->users) {
      EXPECT_TRUE(seen.insert(*u.profile.user_id).second);
      total += u.count;
      EXPECT_EQ(u.first, kNow);
    }
    if (!r->next_after) break;
    q.after_profile = *r->next_after;
  }
  EXPECT_EQ(seen.size(), 25u);
  EXPECT_EQ(total, Count("brand-a", "buy").events);
}

// A read must not pin its connection to an old snapshot: every read after a write sees it.
TEST_P(StoreConformance, ReadsAfterAWriteSeeItWhateverWasReadBefore) {
  ASSERT_TRUE(Upsert("brand-a", {User("reader")})[0].ok());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(store_->GetProfile("brand-a", UserKey("reader")).ok());
    Append("brand-a", {MakeEvent(User("reader"), "seen", kNow + i)});
    events::EventQuery q;
    q.name = "seen";
    q.from = kNow;
    q.to = kNow + 10;
    auto page = store_->QueryEventUsers("brand-a", q);
    ASSERT_TRUE(page.ok());
    ASSERT_EQ(page->users.size(), 1u);
    EXPECT_EQ(page->users[0].count, i + 1);
  }
}

TEST_P(StoreConformance, DataSurvivesReopening) {
  ASSERT_TRUE(Upsert("brand-a", {User("kept")})[0].ok());
  Append("brand-a", {MakeEvent(User("kept"), "e", kNow)});
  Reopen();
  EXPECT_TRUE(store_->GetProfile("brand-a", UserKey("kept")).ok());
  EXPECT_EQ(Count("brand-a", "e").events, 1);
}

TEST_P(StoreConformance, ConcurrentWritersAllLand) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        std::vector<ProfileWrite> w;
        w.push_back(ProfileWrite{User(fmt::format("t{}-{}", t, i))});
        auto r = store_->UpsertProfiles("brand-a", std::move(w), kNow);
        EXPECT_TRUE(r.ok() && (*r)[0].ok());
        std::vector<events::Event> e;
        e.push_back(MakeEvent(User(fmt::format("t{}", t)), "c", kNow));
        EXPECT_TRUE(store_->AppendEvents("brand-a", std::move(e), kNow).ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(Count("brand-a", "c").events, 200);
  EXPECT_EQ(Count("brand-a", "c").profiles, 8);
  EXPECT_TRUE(store_->GetProfile("brand-a", UserKey("t7-24")).ok());
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformance, ::testing::ValuesIn(Backends()),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace cdp::store
