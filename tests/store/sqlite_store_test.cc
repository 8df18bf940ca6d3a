// The SQLite backend beyond the conformance suite: its data folder, its migrations, and
// several stores (the server and an admin command) on one folder.
#include "store/sqlite/sqlite_store.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "auth/keys.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/sqlite_db.h"
#include "support/server_process.h"

namespace cdp::store {
namespace {

constexpr int64_t kNow = 1700000000LL * 1000000;

class SqliteStoreTest : public ::testing::Test {
 protected:
  std::string data_dir() const { return dir_.path() + "/nested/data"; }

  std::unique_ptr<Store> Open() {
    SqliteOptions options;
    options.data_dir = data_dir();
    auto opened = OpenSqliteStore(options);
    EXPECT_TRUE(opened.ok()) << opened.status().message();
    return opened.ok() ? std::move(opened).value() : nullptr;
  }

  // The versions recorded in schema_migrations, in order.
  std::vector<int64_t> RecordedVersions() {
    std::vector<int64_t> versions;
    auto db = sqlite::Db::Open(data_dir() + "/cdp.db");
    EXPECT_TRUE(db.ok()) << db.status().message();
    if (!db.ok()) return versions;
    auto stmt = (*db)->Prepare("SELECT version FROM schema_migrations ORDER BY version");
    EXPECT_TRUE(stmt.ok()) << stmt.status().message();
    if (!stmt.ok()) return versions;
    for (;;) {
      auto row = stmt->Step();
      if (!row.ok() || !*row) break;
      versions.push_back(stmt->Int(0));
    }
    stmt->Reset();
    return versions;
  }

  static std::vector<int64_t> AllVersions() {
    std::vector<int64_t> all;
    for (int v = 1; v <= sqlite::LatestSchemaVersion(); ++v) all.push_back(v);
    return all;
  }

  testing::TempDir dir_;
};

TEST_F(SqliteStoreTest, CreatesTheDataFolderWithOneDatabaseFile) {
  auto store = Open();
  ASSERT_TRUE(store);
  EXPECT_TRUE(std::filesystem::is_regular_file(data_dir() + "/cdp.db"));
}

TEST_F(SqliteStoreTest, RecordsEveryMigrationOfANewDatabase) {
  Open().reset();
  EXPECT_EQ(RecordedVersions(), AllVersions());
}

TEST_F(SqliteStoreTest, RunsNoMigrationTwiceWhenReopened) {
  Open().reset();
  Open().reset();
  EXPECT_EQ(RecordedVersions(), AllVersions());
}

TEST_F(SqliteStoreTest, CountsTheMessagesADatabaseHeldBeforeItKeptCounts) {
  Open().reset();
  {
    auto db = sqlite::Db::Open(data_dir() + "/cdp.db");
    ASSERT_TRUE(db.ok()) << db.status().message();
    // As the database was before migration 9, with a campaign's messages in it (and so
    // without the tables of later migrations either).
    ASSERT_TRUE((*db)
                    ->Exec("DROP TABLE operators; DROP TABLE operator_sessions;"
                           "DROP TABLE sources; DROP TABLE write_keys; DROP TABLE source_calls;"
                           "DROP TRIGGER campaign_messages_count_insert;"
                           "DROP TRIGGER campaign_messages_count_update;"
                           "DROP TRIGGER campaign_messages_count_delete;"
                           "DROP TABLE campaign_message_counts;"
                           "DROP INDEX campaign_messages_by_profile;"
                           "DROP INDEX campaign_messages_by_time;"
                           "DROP INDEX message_events_by_profile;"
                           "DROP INDEX profiles_by_email; DROP INDEX profiles_by_mobile;"
                           "DROP INDEX events_by_name_week;"
                           "CREATE INDEX events_by_name_time ON events (brand_id, name, ts, "
                           "profile_id);"
                           "DELETE FROM schema_migrations WHERE version >= 9;"
                           "INSERT INTO campaign_messages (brand_id, campaign_id, profile_id, "
                           "user_id, status, reason, address, attempts, next_attempt_at, "
                           "response, updated_at) VALUES "
                           "('b', 'c', 1, 'u1', 'sent', '', '', 1, 0, '', 0),"
                           "('b', 'c', 2, 'u2', 'queued', '', '', 0, 0, '', 0),"
                           "('b', 'c', 3, 'u3', 'queued', '', '', 0, 0, '', 0)")
                    .ok());
  }
  auto store = Open();
  ASSERT_TRUE(store);
  EXPECT_EQ(RecordedVersions(), AllVersions());
  auto counts = store->CountMessages("b", "c");
  ASSERT_TRUE(counts.ok()) << counts.status().message();
  EXPECT_EQ(counts->sent, 1);
  EXPECT_EQ(counts->queued, 2);
  Message failed;
  failed.profile_id = 2;
  failed.status = std::string(kMessageFailed);
  ASSERT_TRUE(store->RecordMessages("b", "c", {failed}).ok());
  counts = store->CountMessages("b", "c");
  EXPECT_EQ(counts->queued, 1);
  EXPECT_EQ(counts->failed, 1);
  EXPECT_EQ(counts->targeted(), 3);
}

// Migration 13 rebuilds the events index by week: the events a database held before it are
// counted by time windows afterwards, as before.
TEST_F(SqliteStoreTest, CountsTheEventsADatabaseHeldBeforeItsIndexWentByWeek) {
  Open().reset();
  {
    auto db = sqlite::Db::Open(data_dir() + "/cdp.db");
    ASSERT_TRUE(db.ok()) << db.status().message();
    ASSERT_TRUE(
        (*db)
            ->Exec("DROP INDEX events_by_name_week;"
                   "CREATE INDEX events_by_name_time ON events (brand_id, name, ts, "
                   "profile_id);"
                   "DELETE FROM schema_migrations WHERE version >= 13;"
                   "INSERT INTO brands (id, name, created_at) VALUES ('b', 'B', 0);"
                   "INSERT INTO events (brand_id, profile_id, name, ts, received_at) "
                   "VALUES ('b', 1, 'e', 1209599999999, 0), ('b', 2, 'e', 1209600000000, 0),"
                   "('b', 1, 'e', 604800000000, 0), ('b', 1, 'f', 1209600000000, 0)")
            .ok());
  }
  auto store = Open();
  ASSERT_TRUE(store);
  EXPECT_EQ(RecordedVersions(), AllVersions());
  events::EventQuery q;
  q.name = "e";
  q.from = 604800000000;  // a week's edge; so is 1209600000000
  q.to = 1209600000000;
  auto counts = store->CountEvents("b", q);
  ASSERT_TRUE(counts.ok()) << counts.status().message();
  EXPECT_EQ(counts->events, 2);
  EXPECT_EQ(counts->profiles, 1);
  q.to = 1209600000001;
  counts = store->CountEvents("b", q);
  ASSERT_TRUE(counts.ok()) << counts.status().message();
  EXPECT_EQ(counts->events, 3);
  EXPECT_EQ(counts->profiles, 2);
}

TEST_F(SqliteStoreTest, AnswersUnavailableWhenTheDataFolderCannotBeCreated) {
  std::string file = dir_.path() + "/a-file";
  std::ofstream(file) << "not a folder";
  SqliteOptions options;
  options.data_dir = file + "/data";
  auto opened = OpenSqliteStore(options);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), Code::kUnavailable);
  EXPECT_EQ(opened.status().message().rfind("cannot create data folder " + file + "/data: ", 0), 0u)
      << opened.status().message();
}

// The server and an admin command (`cdp key revoke`) each open the same folder.
TEST_F(SqliteStoreTest, SeesWritesOfAnotherStoreOnTheSameFolder) {
  auto server = Open();
  auto admin = Open();
  ASSERT_TRUE(server && admin);
  auto key = auth::IssueKey("b", kNow);
  ASSERT_TRUE(admin->CreateBrand(Brand{"b", "B", kNow}, key.record, AuditEntry{}).ok());
  ASSERT_TRUE(server->GetBrand("b").ok());
  ASSERT_TRUE(admin->RevokeApiKey("b", key.record.prefix, kNow + 1, AuditEntry{}).ok());
  auto keys = server->ListApiKeys("b");
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].revoked_at, std::optional<int64_t>(kNow + 1));
}

// One event named `name` for user u1 at kNow.
std::vector<events::Event> OneEvent(const std::string& name) {
  events::Event e;
  e.profile.user_id = "u1";
  e.name = name;
  e.time = kNow;
  std::vector<events::Event> evs;
  evs.push_back(std::move(e));
  return evs;
}

// A failed fdatasync is final: the write it was to make durable fails, and so does every
// later write, even once the disk syncs again (the kernel may have dropped the pages it
// could not write, and says so only once). Reads go on, and earlier writes are kept.
TEST_F(SqliteStoreTest, RefusesWritesOnceTheLogFailedToSync) {
  std::atomic<bool> failing{false};
  std::atomic<int> syncs{0};
  SqliteOptions options;
  options.data_dir = data_dir();
  options.sync_log = [&](int fd) {
    ++syncs;
    if (failing) {
      errno = EIO;
      return -1;
    }
    return ::fdatasync(fd);
  };
  auto opened = OpenSqliteStore(options);
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  auto store = std::move(opened).value();
  ASSERT_TRUE(
      store->CreateBrand(Brand{"b", "B", kNow}, auth::IssueKey("b", kNow).record, AuditEntry{})
          .ok());
  ASSERT_TRUE(store->AppendEvents("b", OneEvent("before"), kNow).ok());
  EXPECT_TRUE(store->WriteHealth().ok());

  failing = true;
  auto failed = store->AppendEvents("b", OneEvent("during"), kNow);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), Code::kUnavailable);
  EXPECT_NE(failed.status().message().find("fdatasync"), std::string::npos)
      << failed.status().message();

  failing = false;
  const int synced = syncs;
  auto after = store->AppendEvents("b", OneEvent("after"), kNow);
  EXPECT_EQ(after.status().code(), Code::kUnavailable) << after.status().message();
  EXPECT_EQ(
      store->CreateBrand(Brand{"c", "C", kNow}, auth::IssueKey("c", kNow).record, AuditEntry{})
          .code(),
      Code::kUnavailable);
  EXPECT_EQ(syncs, synced);  // refused before anything reached the log
  EXPECT_EQ(store->WriteHealth().code(), Code::kUnavailable);

  events::EventQuery q;
  q.from = kNow;
  q.to = kNow + 1;
  for (const char* name : {"before", "after"}) {
    q.name = name;
    auto counts = store->CountEvents("b", q);
    ASSERT_TRUE(counts.ok()) << counts.status().message();
    EXPECT_EQ(counts->events, std::string(name) == "before" ? 1 : 0) << name;
  }
}

// A store whose write-ahead log starts over at 256 KiB.
class SqliteLogTest : public SqliteStoreTest {
 protected:
  static constexpr uintmax_t kRestartBytes = 256 << 10;

  void SetUp() override {
    SqliteOptions options;
    options.data_dir = data_dir();
    options.wal_checkpoint_bytes = 64 << 10;
    options.wal_restart_bytes = kRestartBytes;
    auto opened = OpenSqliteStore(options);
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    store_ = std::move(opened).value();
    ASSERT_TRUE(
        store_->CreateBrand(Brand{"b", "B", kNow}, auth::IssueKey("b", kNow).record, AuditEntry{})
            .ok());
  }

  // Write number `i`: 10 events, one of each name e0..e9, for users spread over 997. Each
  // commits at least two pages (a table page and an index page) of 4 KiB to the log.
  void Write(int i) {
    std::vector<events::Event> evs;
    for (int k = 0; k < 10; ++k) {
      events::Event e;
      e.profile.user_id = fmt::format("u{}", (i * 37 + k * 101) % 997);
      e.name = fmt::format("e{}", k);
      e.time = kNow + i;
      evs.push_back(std::move(e));
    }
    auto appended = store_->AppendEvents("b", std::move(evs), kNow);
    ASSERT_TRUE(appended.ok()) << appended.status().message();
  }

  uintmax_t LogBytes() const { return std::filesystem::file_size(data_dir() + "/cdp.db-wal"); }

  int64_t Stored(int writes) {
    events::EventQuery q;
    q.name = "e3";
    q.from = kNow;
    q.to = kNow + writes;
    auto counts = store_->CountEvents("b", q);
    EXPECT_TRUE(counts.ok()) << counts.status().message();
    return counts.ok() ? counts->events : -1;
  }

  std::unique_ptr<Store> store_;
};

// The log is written again from its start once it is long, instead of growing for as long
// as writes keep coming: its file stays near its restart size and every write is kept.
TEST_F(SqliteLogTest, StaysNearItsRestartSizeUnderSustainedWrites) {
  constexpr int kWrites = 600;  // over 4.9 MB of log, 19 times its restart size
  uintmax_t largest = 0;
  for (int i = 0; i < kWrites; ++i) {
    ASSERT_NO_FATAL_FAILURE(Write(i));
    largest = std::max(largest, LogBytes());
  }
  EXPECT_LT(largest, 2 * kRestartBytes);
  EXPECT_EQ(Stored(kWrites), kWrites);
}

// A reader on an old snapshot still needs the log's frames: the log grows past its limit
// meanwhile and writes go on. Once the reader is done, the log starts over and its file is
// cut back to twice the restart size.
TEST_F(SqliteLogTest, StartsOverOnceAReaderThatNeededItsFramesIsDone) {
  auto reader = sqlite::Db::Open(data_dir() + "/cdp.db");
  ASSERT_TRUE(reader.ok()) << reader.status().message();
  ASSERT_TRUE((*reader)->Exec("BEGIN").ok());
  {
    auto stmt = (*reader)->Prepare("SELECT COUNT(*) FROM events");
    ASSERT_TRUE(stmt.ok());
    ASSERT_TRUE(stmt->Step().ok());  // the snapshot is taken here, and kept until COMMIT
    stmt->Reset();
  }
  for (int i = 0; i < 300; ++i) ASSERT_NO_FATAL_FAILURE(Write(i));
  EXPECT_GT(LogBytes(), 2 * kRestartBytes);
  ASSERT_TRUE((*reader)->Exec("COMMIT").ok());
  for (int i = 300; i < 600; ++i) ASSERT_NO_FATAL_FAILURE(Write(i));
  EXPECT_LE(LogBytes(), 2 * kRestartBytes);
  EXPECT_EQ(Stored(600), 600);
}

}  // namespace
}  // namespace cdp::store
