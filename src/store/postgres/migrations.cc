#include "store/postgres/migrations.h"

#include <fmt/format.h>

#include <string>
#include <vector>

#include "store/access_sql.h"
#include "store/campaign_sql.h"
#include "store/operator_sql.h"
#include "store/push_sql.h"
#include "store/source_sql.h"

namespace cdp::store::postgres {
namespace {

struct Migration {
  int version;
  const char* sql;
};

// The tables of access control and of sources, with the one column type that differs
// between the backends: the audit log's and the debugger's increasing ids.
const char* AccessSchema() {
  static const std::string sql = access_sql::Schema("id BIGSERIAL PRIMARY KEY");
  return sql.c_str();
}
const char* SourceSchema() {
  static const std::string sql = source_sql::Schema("id BIGSERIAL PRIMARY KEY");
  return sql.c_str();
}

const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> kMigrations = {
      {1, R"sql(
CREATE TABLE brands (
  id         TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE api_keys (
  brand_id   TEXT NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  hash       TEXT NOT NULL,
  prefix     TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT,
  PRIMARY KEY (brand_id, hash)
);

CREATE TABLE profiles (
  id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
  attributes      JSONB NOT NULL DEFAULT '{}',
  created_at      BIGINT NOT NULL,
  updated_at      BIGINT NOT NULL
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
);

-- Events: ids from one sequence, so in arrival (time) order across every node. ONE
-- secondary index serves the event queries (brand, name, then profiles in a stable order
-- with their times: a page of users is a range of the index) and per-profile work (delete,
-- merge) through the brand's event names; every further index costs on every insert.
--
-- Scaling out: declarative partitioning, PARTITION BY RANGE (ts) with a partition per
-- month (or week), lets old events be detached or dropped per partition and keeps each
-- index small. A unique index on a partitioned table must contain the partition key, so
-- messageId deduplication then holds within a partition (or moves to a small table of
-- (brand_id, message_id) keys). See docs/architecture.md.
CREATE TABLE events (
  id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  brand_id    TEXT NOT NULL,
  profile_id  BIGINT NOT NULL,
  name        TEXT NOT NULL,
  ts          BIGINT NOT NULL,
  received_at BIGINT NOT NULL,
  ltv         DOUBLE PRECISION,
  message_id  TEXT,
  sdk_id      INTEGER,
  attributes  JSONB NOT NULL DEFAULT '{}',
  context     JSONB
);
CREATE INDEX events_by_name_profile ON events (brand_id, name, profile_id, ts);
-- Idempotency: only events that carry a messageId pay for this index.
CREATE UNIQUE INDEX events_by_message_id ON events (brand_id, message_id)
  WHERE message_id IS NOT NULL;

-- Every event name a brand has used: lets per-profile work seek the index by name.
CREATE TABLE event_names (
  brand_id   TEXT NOT NULL,
  name       TEXT NOT NULL,
  first_seen BIGINT NOT NULL,
  PRIMARY KEY (brand_id, name)
);
)sql"},
      {2, R"sql(
-- Saved segments: a name unique per brand and the rule tree's JSON.
CREATE TABLE segments (
  brand_id   TEXT NOT NULL,
  id         TEXT NOT NULL,
  name       TEXT NOT NULL,
  rules      TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (brand_id, id)
);
CREATE UNIQUE INDEX segments_by_name ON segments (brand_id, name);
)sql"},
      {3, campaign_sql::kSchema},
      {4, campaign_sql::kFeedbackSchema},
      {5, campaign_sql::kRateLimitSchema},
      {6, AccessSchema()},
      {7, push_sql::kSchema},
      {8, SourceSchema()},
      {9, operator_sql::kSchema},
      {10, campaign_sql::kProfileReadsSchema},
      // The overview's events per day: a range of (brand, day), where the one event index
      // (brand, name, profile, ts) would read all of the brand's events. Keyed by the day
      // rather than by ts so that the planner can never walk it in time order for a
      // profile's newest events (scanning the brand's events until enough are the
      // profile's); those are read through event_names and events_by_name_profile. Inserts
      // land near the index's right edge per brand (events arrive roughly in time order),
      // so it costs little per insert. userId prefixes are read in bytewise order whatever
      // the database's collation.
      {11, R"sql(
CREATE INDEX events_by_day ON events (brand_id, (ts / 86400000000)) INCLUDE (ts);
CREATE INDEX profiles_by_user_id_bytes ON profiles (brand_id, user_id COLLATE "C");
)sql"},
      // The segment index's feed of changed rows (store/postgres/segment_rows.h): per
      // statement and brand, the ids of the profiles or events it changed, with the writing
      // transaction's id. One row per statement, not per row. Inserted rows are noted as the
      // range [min, max] of their ids (a statement's new ids are consecutive but for other
      // transactions' inserts between them, which only makes the range over-inclusive), so a
      // batch of 1,000 events adds two numbers; updated and deleted rows as their ids.
      // segment_feed holds the highest transaction id pruned away. Pruning (every few
      // minutes) scans the table, which holds about an hour of statements: no index on `at`
      // for every write to keep.
      {12, R"sql(
CREATE TABLE segment_changes (
  brand_id TEXT NOT NULL,
  txid     BIGINT NOT NULL DEFAULT pg_current_xact_id()::text::bigint,
  events   BOOLEAN NOT NULL,
  as_range BOOLEAN NOT NULL,
  ids      BIGINT[] NOT NULL,
  at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX segment_changes_by_brand ON segment_changes (brand_id, txid);
CREATE TABLE segment_feed (pruned_through BIGINT NOT NULL);
INSERT INTO segment_feed VALUES (0);
CREATE FUNCTION cdp_note_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO segment_changes (brand_id, events, as_range, ids)
      SELECT brand_id, TG_TABLE_NAME = 'events', true, ARRAY[min(id), max(id)]
      FROM changed GROUP BY brand_id;
  ELSE
    INSERT INTO segment_changes (brand_id, events, as_range, ids)
      SELECT brand_id, TG_TABLE_NAME = 'events', false, array_agg(id)
      FROM changed GROUP BY brand_id;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER profiles_noted_insert AFTER INSERT ON profiles REFERENCING NEW TABLE AS changed
  FOR EACH STATEMENT EXECUTE FUNCTION cdp_note_changes();
CREATE TRIGGER profiles_noted_update AFTER UPDATE ON profiles REFERENCING NEW TABLE AS changed
  FOR EACH STATEMENT EXECUTE FUNCTION cdp_note_changes();
CREATE TRIGGER profiles_noted_delete AFTER DELETE ON profiles REFERENCING OLD TABLE AS changed
  FOR EACH STATEMENT EXECUTE FUNCTION cdp_note_changes();
CREATE TRIGGER events_noted_insert AFTER INSERT ON events REFERENCING NEW TABLE AS changed
  FOR EACH STATEMENT EXECUTE FUNCTION cdp_note_changes();
CREATE TRIGGER events_noted_update AFTER UPDATE ON events REFERENCING NEW TABLE AS changed
  FOR EACH STATEMENT EXECUTE FUNCTION cdp_note_changes();
CREATE TRIGGER events_noted_delete AFTER DELETE ON events REFERENCING OLD TABLE AS changed
  FOR EACH STATEMENT EXECUTE FUNCTION cdp_note_changes();
)sql"},
  };
  return kMigrations;
}

// Serialises migrators across processes and nodes (an arbitrary constant: "cdp" + 1).
const Sql kLockMigrations{"cdp_migrations_lock", "SELECT pg_advisory_xact_lock(6546544001)"};
const Sql kCurrentVersion{"cdp_schema_version",
                          "SELECT COALESCE(MAX(version), 0) FROM schema_migrations"};
const Sql kRecordVersion{"cdp_schema_record",
                         "INSERT INTO schema_migrations (version) VALUES ($1)"};
const Sql kHasMigrationsTable{"cdp_schema_table",
                              "SELECT to_regclass('schema_migrations') IS NOT NULL"};

Status TooNew(int current) {
  return FailedPrecondition(
      fmt::format("database schema version {} is newer than this cdp knows ({}); upgrade cdp",
                  current, LatestSchemaVersion()));
}

}  // namespace

int LatestSchemaVersion() { return Migrations().back().version; }

Result<int> CheckSchemaVersion(Conn& conn) {
  auto has_table = conn.Exec(kHasMigrationsTable);
  if (!has_table.ok()) return std::move(has_table).take_status();
  if (has_table->Int(0, 0) == 0) return 0;
  auto current = conn.Exec(kCurrentVersion);
  if (!current.ok()) return std::move(current).take_status();
  int version = static_cast<int>(current->Int(0, 0));
  if (version > LatestSchemaVersion()) return TooNew(version);
  return version;
}

Result<MigrationResult> Migrate(Conn& conn) {
  CDP_RETURN_IF_ERROR(conn.Run("BEGIN"));
  auto fail = [&](Status st) {
    (void)conn.Run("ROLLBACK");
    return st;
  };
  if (auto locked = conn.Exec(kLockMigrations); !locked.ok())
    return fail(std::move(locked).take_status());
  Status st = conn.Run(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      "version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())");
  if (!st.ok()) return fail(st);
  auto current = conn.Exec(kCurrentVersion);
  if (!current.ok()) return fail(std::move(current).take_status());
  MigrationResult result;
  result.from_version = static_cast<int>(current->Int(0, 0));
  result.to_version = result.from_version;
  if (result.from_version > LatestSchemaVersion()) return fail(TooNew(result.from_version));
  for (const auto& m : Migrations()) {
    if (m.version <= result.from_version) continue;
    st = conn.Run(m.sql);
    if (st.ok()) {
      auto recorded = conn.Exec(kRecordVersion, Params().Add(static_cast<int64_t>(m.version)));
      st = std::move(recorded).take_status();
    }
    if (!st.ok())
      return fail(Internal(fmt::format("migration {} failed: {}", m.version, st.message())));
    result.to_version = m.version;
  }
  st = conn.Run("COMMIT");
  if (!st.ok()) return fail(st);
  return result;
}

}  // namespace cdp::store::postgres
