// The store conformance suite's harness: the behaviour every Store backend must have is
// written once, as value-parameterised tests over the backends listed in Backends(). Adding
// a backend is one line there (a name and how to make a fresh, empty location for it).
//
// Each test gets a fresh location (a temp folder, a new database) holding two brands,
// "brand-a" and "brand-b", and can reopen the store on the same data. The suites are in
// tests/store/store_*_test.cc, each instantiated over Backends() with INSTANTIATE_CONFORMANCE.
#pragma once

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "auth/keys.h"
#include "store/pg_test_database.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"
#include "support/server_process.h"

namespace cdp::store::conformance {

// Where a backend keeps one test's data.
class StoreLocation {
 public:
  virtual ~StoreLocation() = default;
  // Opens the store on this location's data; may be called again to reopen it.
  virtual Result<std::unique_ptr<Store>> Open() = 0;
  // Records `version` in schema_migrations directly, as a newer cdp would have. Call with
  // no store open on the location.
  virtual Status RecordSchemaVersion(int version) = 0;

  // The segment index's budget of the stores Open() opens from now on.
  size_t segment_memory = SIZE_MAX;
};

class SqliteLocation final : public StoreLocation {
 public:
  Result<std::unique_ptr<Store>> Open() override {
    SqliteOptions options;
    options.data_dir = data_dir();
    options.segment_memory = segment_memory;
    return OpenSqliteStore(options);
  }

  Status RecordSchemaVersion(int version) override {
    auto db = sqlite::Db::Open(data_dir() + "/cdp.db");
    if (!db.ok()) return std::move(db).take_status();
    return (*db)->Exec(fmt::format("INSERT INTO schema_migrations (version) VALUES ({})", version));
  }

  std::string data_dir() const { return dir_.path() + "/data"; }

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
    options.segment_memory = segment_memory;
    return OpenPostgresStore(options);
  }

  const std::string& url() const { return db_->url(); }

  Status RecordSchemaVersion(int version) override {
    return db_->Exec(fmt::format("INSERT INTO schema_migrations (version) VALUES ({})", version));
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

inline void PrintTo(const Backend& backend, std::ostream* os) { *os << backend.name; }

inline const std::vector<Backend>& Backends() {
  static const std::vector<Backend> kBackends = {
      {"sqlite", [](std::string*) { return std::make_unique<SqliteLocation>(); }},
      {"postgres", PostgresLocation::Make},
  };
  return kBackends;
}

inline std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param.name;
}

// Runs every TEST_P of `suite` against every backend.
#define INSTANTIATE_CONFORMANCE(suite)                                                 \
  INSTANTIATE_TEST_SUITE_P(Backends, suite,                                            \
                           ::testing::ValuesIn(::cdp::store::conformance::Backends()), \
                           ::cdp::store::conformance::BackendName)

inline constexpr int64_t kNow = 1700000000LL * 1000000;

// The audit entry tests pass with a change whose entry they do not look at.
inline AuditEntry TestAudit(std::string action = "test.change", std::string brand_id = "") {
  return AuditEntry{0, kNow, "cli:test", std::move(action), std::move(brand_id), "", "{}"};
}

// The fixture of every conformance suite: a fresh store with brand-a and brand-b.
class StoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    std::string skip;
    location_ = GetParam().make(&skip);
    if (!location_) GTEST_SKIP() << skip;
    Reopen();
    if (HasFatalFailure()) return;
    key_a_ = auth::IssueKey("brand-a", kNow);
    key_b_ = auth::IssueKey("brand-b", kNow);
    ASSERT_TRUE(store_->CreateBrand(Brand{"brand-a", "A", kNow}, key_a_.record, TestAudit()).ok());
    ASSERT_TRUE(store_->CreateBrand(Brand{"brand-b", "B", kNow}, key_b_.record, TestAudit()).ok());
  }

  // Closes the store (if open) and opens it again on the same data.
  void Reopen() {
    store_.reset();
    auto opened = location_->Open();
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    store_ = std::move(opened).value();
  }

  static profiles::ProfilePatch User(std::string user_id) {
    profiles::ProfilePatch p;
    p.user_id = std::move(user_id);
    return p;
  }
  static profiles::ProfilePatch Anonymous(std::string anonymous_id) {
    profiles::ProfilePatch p;
    p.anonymous_id = std::move(anonymous_id);
    return p;
  }
  static profiles::ProfilePatch Both(std::string user_id, std::string anonymous_id) {
    profiles::ProfilePatch p = User(std::move(user_id));
    p.anonymous_id = std::move(anonymous_id);
    return p;
  }
  static profiles::ProfileKey UserKey(std::string id) {
    return {profiles::ProfileKey::Kind::kUserId, std::move(id)};
  }
  static profiles::ProfileKey AnonymousKey(std::string id) {
    return {profiles::ProfileKey::Kind::kAnonymousId, std::move(id)};
  }

  // Upserts `patches` as one batch; the per-item statuses (the call itself must succeed).
  std::vector<Status> Upsert(std::string_view brand, std::vector<profiles::ProfilePatch> patches,
                             int64_t now = kNow) {
    std::vector<ProfileWrite> writes;
    for (auto& p : patches) writes.push_back(ProfileWrite{std::move(p)});
    const size_t n = writes.size();
    auto r = store_->UpsertProfiles(brand, std::move(writes), now);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : std::vector<Status>(n, r.status());
  }

  // Upserts one patch, which must be stored.
  void Put(std::string_view brand, profiles::ProfilePatch patch, int64_t now = kNow) {
    auto results = Upsert(brand, {std::move(patch)}, now);
    ASSERT_EQ(results.size(), 1u);
    ASSERT_TRUE(results[0].ok()) << results[0].message();
  }

  // The stored profile, which must exist.
  profiles::Profile Get(std::string_view brand, const profiles::ProfileKey& key) {
    auto p = store_->GetProfile(brand, key);
    EXPECT_TRUE(p.ok()) << key.id << ": " << p.status().message();
    return p.ok() ? *p : profiles::Profile{};
  }

  static events::Event MakeEvent(profiles::ProfilePatch who, std::string name, int64_t time,
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
  auth::IssuedKey key_a_;  // the first key of brand-a
  auth::IssuedKey key_b_;  // the first key of brand-b
};

}  // namespace cdp::store::conformance
