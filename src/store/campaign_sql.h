// SQL of the campaign tables that both backends run as written: PostgreSQL takes it with
// its $N parameters, SQLite through ForSqlite (which numbers them ?N). Only store/ includes
// this header.
#pragma once

#include <string>
#include <string_view>

namespace cdp::store::campaign_sql {

// SQLite's numbered parameters are ?N; the text never holds a literal '$'.
inline std::string ForSqlite(std::string_view sql) {
  std::string out(sql);
  for (char& c : out)
    if (c == '$') c = '?';
  return out;
}

inline constexpr const char* kPutChannel =
    "INSERT INTO channels (brand_id, channel, config, updated_at) VALUES ($1, $2, $3, $4) "
    "ON CONFLICT (brand_id, channel) DO UPDATE SET config = excluded.config, "
    "updated_at = excluded.updated_at";
inline constexpr const char* kGetChannel =
    "SELECT config FROM channels WHERE brand_id = $1 AND channel = $2";

// The columns ReadCampaign reads, in order.
#define CDP_CAMPAIGN_COLUMNS                                                                \
  "brand_id, id, name, channel, target, content, status, send_at, created_at, updated_at, " \
  "started_at, finished_at, materialized"

inline constexpr const char* kInsertCampaign =
    "INSERT INTO campaigns (" CDP_CAMPAIGN_COLUMNS
    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";
inline constexpr const char* kGetCampaign =
    "SELECT " CDP_CAMPAIGN_COLUMNS " FROM campaigns WHERE brand_id = $1 AND id = $2";
inline constexpr const char* kListCampaigns = "SELECT " CDP_CAMPAIGN_COLUMNS
                                              " FROM campaigns WHERE brand_id = $1 "
                                              "ORDER BY created_at DESC, id";
// $14: the statuses the campaign may be in, comma-separated.
inline constexpr const char* kSaveCampaign =
    "UPDATE campaigns SET name = $3, channel = $4, target = $5, content = $6, status = $7, "
    "send_at = $8, created_at = $9, updated_at = $10, started_at = $11, finished_at = $12, "
    "materialized = $13 WHERE brand_id = $1 AND id = $2 "
    "AND (',' || $14 || ',') LIKE ('%,' || status || ',%')";
inline constexpr const char* kCampaignStatus =
    "SELECT status FROM campaigns WHERE brand_id = $1 AND id = $2";
inline constexpr const char* kSkipQueuedMessages =
    "UPDATE campaign_messages SET status = 'skipped', reason = 'campaign cancelled', "
    "updated_at = $3 WHERE brand_id = $1 AND campaign_id = $2 AND status = 'queued'";
// $1 now, $2 node, $3 lease end.
inline constexpr const char* kClaimCampaigns =
    "UPDATE campaigns SET status = 'sending', started_at = COALESCE(started_at, $1), "
    "owner = $2, lease_until = $3 "
    "WHERE (status = 'scheduled' AND send_at <= $1) "
    "OR (status = 'sending' AND (owner IS NULL OR owner = $2 OR lease_until < $1)) "
    "RETURNING " CDP_CAMPAIGN_COLUMNS;

#undef CDP_CAMPAIGN_COLUMNS

inline constexpr const char* kAddMessage =
    "INSERT INTO campaign_messages (brand_id, campaign_id, profile_id, user_id, status, reason, "
    "address, attempts, next_attempt_at, response, updated_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) "
    "ON CONFLICT (brand_id, campaign_id, profile_id) DO NOTHING";
inline constexpr const char* kRecordMessage =
    "UPDATE campaign_messages SET status = $4, reason = $5, address = $6, attempts = $7, "
    "next_attempt_at = $8, response = $9, updated_at = $10 "
    "WHERE brand_id = $1 AND campaign_id = $2 AND profile_id = $3";
inline constexpr const char* kCountMessages =
    "SELECT status, COUNT(*) FROM campaign_messages WHERE brand_id = $1 AND campaign_id = $2 "
    "GROUP BY status";
// The message columns of a pending-message row, before the profile's; `m` is the alias.
inline constexpr const char* kMessageColumns =
    "m.profile_id, m.user_id, m.status, m.reason, m.address, m.attempts, m.next_attempt_at, "
    "m.response, m.updated_at";
inline constexpr int kMessageColumnCount = 9;
// Completed with the profile columns (alias p) of the backend.
inline std::string PendingMessagesSql(const std::string& profile_columns) {
  return std::string("SELECT ") + kMessageColumns + ", " + profile_columns +
         " FROM campaign_messages m LEFT JOIN profiles p "
         "ON p.brand_id = m.brand_id AND p.id = m.profile_id "
         "WHERE m.brand_id = $1 AND m.campaign_id = $2 AND m.status = 'queued' "
         "AND m.next_attempt_at <= $3 ORDER BY m.next_attempt_at, m.profile_id LIMIT $4";
}

// The tables, for both migrations (the column types both backends accept alike).
inline constexpr const char* kSchema = R"sql(
-- Delivery settings per brand and channel: one JSON document each.
CREATE TABLE channels (
  brand_id   TEXT NOT NULL,
  channel    TEXT NOT NULL,
  config     TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (brand_id, channel)
);
-- Campaigns; owner/lease_until: the node sending it and until when its claim holds.
CREATE TABLE campaigns (
  brand_id     TEXT NOT NULL,
  id           TEXT NOT NULL,
  name         TEXT NOT NULL,
  channel      TEXT NOT NULL,
  target       TEXT NOT NULL,
  content      TEXT NOT NULL,
  status       TEXT NOT NULL,
  send_at      BIGINT,
  created_at   BIGINT NOT NULL,
  updated_at   BIGINT NOT NULL,
  started_at   BIGINT,
  finished_at  BIGINT,
  materialized INTEGER NOT NULL DEFAULT 0,
  owner        TEXT,
  lease_until  BIGINT,
  PRIMARY KEY (brand_id, id)
);
CREATE INDEX campaigns_by_status ON campaigns (status, send_at);
-- One row per recipient and campaign: the delivery state that makes sending resumable.
CREATE TABLE campaign_messages (
  brand_id        TEXT NOT NULL,
  campaign_id     TEXT NOT NULL,
  profile_id      BIGINT NOT NULL,
  user_id         TEXT NOT NULL,
  status          TEXT NOT NULL,
  reason          TEXT NOT NULL,
  address         TEXT NOT NULL,
  attempts        INTEGER NOT NULL,
  next_attempt_at BIGINT NOT NULL,
  response        TEXT NOT NULL,
  updated_at      BIGINT NOT NULL,
  PRIMARY KEY (brand_id, campaign_id, profile_id)
);
CREATE INDEX campaign_messages_due
  ON campaign_messages (brand_id, campaign_id, status, next_attempt_at);
)sql";

}  // namespace cdp::store::campaign_sql
