#include "store/sqlite/migrations.h"

#include <fmt/format.h>

#include <string>
#include <vector>

#include "store/access_sql.h"
#include "store/campaign_sql.h"
#include "store/operator_sql.h"
#include "store/push_sql.h"
#include "store/source_sql.h"
#include "store/sqlite/event_index.h"

namespace cdp::store::sqlite {
namespace {

struct Migration {
  int version;
  const char* sql;
};

// The tables of access control and of sources, with the one column type that differs
// between the backends: the audit log's and the debugger's increasing ids.
const char* AccessSchema() {
  static const std::string sql = access_sql::Schema("id INTEGER PRIMARY KEY");
  return sql.c_str();
}
const char* SourceSchema() {
  static const std::string sql = source_sql::Schema("id INTEGER PRIMARY KEY");
  return sql.c_str();
}

// Events by (brand, name, week, id) instead of (brand, name, ts): a (ts) order put each
// event whose time is not the latest (an import, SDKs flushing offline events) on a random
// leaf page of a large index, and every commit wrote each page it dirtied to the log (8-10 KB
// written per backfilled event against 0.4 KB in time order, bench/ingest; 0.5-1 KB by week).
// Within a week the id keeps arrival order, so inserts append at one of a few right edges;
// ts and profile_id after it keep the index covering. Queries add the weeks of their time
// range (event_index.h). Rebuilding the index reads the table once, in the migration.
const char* EventsByWeek() {
  static const std::string sql = fmt::format(
      "DROP INDEX events_by_name_time;\n"
      "CREATE INDEX events_by_name_week ON events (brand_id, name, {}, id, ts, profile_id);\n",
      kEventWeek);
  return sql.c_str();
}

const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> kMigrations = {
      {1, R"sql(
CREATE TABLE brands (
  id         TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE api_keys (
  brand_id   TEXT NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  hash       TEXT NOT NULL,
  prefix     TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER,
  PRIMARY KEY (brand_id, hash)
) WITHOUT ROWID;

CREATE TABLE profiles (
  id              INTEGER PRIMARY KEY,
  brand_id        TEXT NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  user_id         TEXT,
  anonymous_id    TEXT,
  name            TEXT,
  first_name      TEXT,
  last_name       TEXT,
  birth_date      TEXT,
  gender          TEXT,
  email           TEXT,
  mobile          TEXT,
  company         TEXT,
  hashed_email    TEXT,
  hashed_mobile   TEXT,
  email_opt_in    INTEGER,
  sms_opt_in      INTEGER,
  whatsapp_opt_in INTEGER,
  attributes      TEXT NOT NULL DEFAULT '{}',
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL
);
CREATE UNIQUE INDEX profiles_by_user_id ON profiles (brand_id, user_id);
CREATE UNIQUE INDEX profiles_by_anonymous_id ON profiles (brand_id, anonymous_id);

-- The JSON type each custom attribute was first stored with, per brand and scope
-- ('profile' or 'event'), so later writes of another type are rejected.
CREATE TABLE attribute_types (
  brand_id TEXT NOT NULL,
  scope    TEXT NOT NULL,
  name     TEXT NOT NULL,
  type     TEXT NOT NULL,
  PRIMARY KEY (brand_id, scope, name)
) WITHOUT ROWID;
)sql"},
      {2, R"sql(
-- Events: a rowid table in arrival order with ONE secondary index, in time order per
-- (brand, name), so inserts append instead of dirtying a random page each. It covers the
-- event queries (users of E in a window: profile_id and ts are in the index).
CREATE TABLE events (
  id          INTEGER PRIMARY KEY,
  brand_id    TEXT NOT NULL,
  profile_id  INTEGER NOT NULL,
  name        TEXT NOT NULL,
  ts          INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  ltv         REAL,
  message_id  TEXT,
  sdk_id      INTEGER,
  attributes  TEXT NOT NULL DEFAULT '{}',
  context     TEXT
);
CREATE INDEX events_by_name_time ON events (brand_id, name, ts, profile_id);
-- Idempotency: only events that carry a messageId pay for this index.
CREATE UNIQUE INDEX events_by_message_id ON events (brand_id, message_id)
  WHERE message_id IS NOT NULL;

-- The events of profiles that are still anonymous, so that merging one into a known user
-- moves exactly its events. Known users' events are never listed here.
CREATE TABLE anonymous_events (
  brand_id   TEXT NOT NULL,
  profile_id INTEGER NOT NULL,
  event_id   INTEGER NOT NULL,
  PRIMARY KEY (brand_id, profile_id, event_id)
) WITHOUT ROWID;
)sql"},
      {3, R"sql(
-- Saved segments: a name unique per brand and the rule tree's JSON.
CREATE TABLE segments (
  brand_id   TEXT NOT NULL,
  id         TEXT NOT NULL,
  name       TEXT NOT NULL,
  rules      TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (brand_id, id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX segments_by_name ON segments (brand_id, name);
)sql"},
      {4, campaign_sql::kSchema},
      {5, campaign_sql::kFeedbackSchema},
      {6, campaign_sql::kRateLimitSchema},
      {7, AccessSchema()},
      {8, push_sql::kSchema},
      // Message counts per campaign and status, kept by triggers in the transaction that
      // changes a message, so that /campaign/get reads a few rows instead of counting every
      // message of a large campaign on each call.
      {9, R"sql(
CREATE TABLE campaign_message_counts (
  brand_id    TEXT NOT NULL,
  campaign_id TEXT NOT NULL,
  status      TEXT NOT NULL,
  n           INTEGER NOT NULL,
  PRIMARY KEY (brand_id, campaign_id, status)
) WITHOUT ROWID;
INSERT INTO campaign_message_counts (brand_id, campaign_id, status, n)
  SELECT brand_id, campaign_id, status, COUNT(*) FROM campaign_messages
  GROUP BY brand_id, campaign_id, status;
CREATE TRIGGER campaign_messages_count_insert AFTER INSERT ON campaign_messages BEGIN
  INSERT INTO campaign_message_counts (brand_id, campaign_id, status, n)
    VALUES (NEW.brand_id, NEW.campaign_id, NEW.status, 1)
    ON CONFLICT (brand_id, campaign_id, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER campaign_messages_count_update AFTER UPDATE OF status ON campaign_messages
  WHEN OLD.status IS NOT NEW.status BEGIN
  UPDATE campaign_message_counts SET n = n - 1
    WHERE brand_id = OLD.brand_id AND campaign_id = OLD.campaign_id AND status = OLD.status;
  INSERT INTO campaign_message_counts (brand_id, campaign_id, status, n)
    VALUES (NEW.brand_id, NEW.campaign_id, NEW.status, 1)
    ON CONFLICT (brand_id, campaign_id, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER campaign_messages_count_delete AFTER DELETE ON campaign_messages BEGIN
  UPDATE campaign_message_counts SET n = n - 1
    WHERE brand_id = OLD.brand_id AND campaign_id = OLD.campaign_id AND status = OLD.status;
END;
)sql"},
      {10, SourceSchema()},
      {11, operator_sql::kSchema},
      {12, campaign_sql::kProfileReadsSchema},
      {13, EventsByWeek()},
  };
  return kMigrations;
}

}  // namespace

int LatestSchemaVersion() { return Migrations().back().version; }

Status Migrate(Db& db) {
  CDP_RETURN_IF_ERROR(
      db.Exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
              "version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"));
  // BEGIN IMMEDIATE serialises concurrent migrators (a server and an admin command).
  CDP_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  auto fail = [&](Status st) {
    (void)db.Exec("ROLLBACK");
    return st;
  };
  auto stmt = db.Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  if (!stmt.ok()) return fail(std::move(stmt).take_status());
  auto row = stmt->Step();
  if (!row.ok()) return fail(std::move(row).take_status());
  int current = static_cast<int>(stmt->Int(0));
  stmt->Reset();
  if (current > LatestSchemaVersion())
    return fail(FailedPrecondition(
        fmt::format("database schema version {} is newer than this cdp knows ({}); upgrade cdp",
                    current, LatestSchemaVersion())));
  for (const auto& m : Migrations()) {
    if (m.version <= current) continue;
    Status st = db.Exec(m.sql);
    if (st.ok())
      st = db.Exec(fmt::format("INSERT INTO schema_migrations(version) VALUES ({})", m.version));
    if (!st.ok())
      return fail(Internal(fmt::format("migration {} failed: {}", m.version, st.message())));
  }
  return db.Exec("COMMIT");
}

}  // namespace cdp::store::sqlite
