// SQL of the campaign tables that both backends run as written: PostgreSQL takes it with its
// $N parameters, SQLite through ForSqlite (which numbers them ?N); and the schema of
// channels, rate limits and secrets, whose statements are in store/sql/. Only store/
// includes this header.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "store/store.h"

namespace cdp::store::campaign_sql {

// SQLite's numbered parameters are ?N; the text never holds a literal '$'.
inline std::string ForSqlite(std::string_view sql) {
  std::string out(sql);
  for (char& c : out)
    if (c == '$') c = '?';
  return out;
}

// The columns ReadCampaign reads, in order.
#define CDP_CAMPAIGN_COLUMNS                                                                \
  "brand_id, id, name, channel, target, content, status, send_at, created_at, updated_at, " \
  "started_at, finished_at, materialized, options"

inline constexpr const char* kInsertCampaign =
    "INSERT INTO campaigns (" CDP_CAMPAIGN_COLUMNS
    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)";
inline constexpr const char* kGetCampaign =
    "SELECT " CDP_CAMPAIGN_COLUMNS " FROM campaigns WHERE brand_id = $1 AND id = $2";
inline constexpr const char* kListCampaigns = "SELECT " CDP_CAMPAIGN_COLUMNS
                                              " FROM campaigns WHERE brand_id = $1 "
                                              "ORDER BY created_at DESC, id";
// $15: the statuses the campaign may be in, comma-separated.
inline constexpr const char* kSaveCampaign =
    "UPDATE campaigns SET name = $3, channel = $4, target = $5, content = $6, status = $7, "
    "send_at = $8, created_at = $9, updated_at = $10, started_at = $11, finished_at = $12, "
    "materialized = $13, options = $14 WHERE brand_id = $1 AND id = $2 "
    "AND (',' || $15 || ',') LIKE ('%,' || status || ',%')";
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

// What a feedback kind changes besides being recorded (see Store::RecordFeedback).
struct FeedbackEffect {
  std::optional<std::string_view> delivery;  // the message's new delivery state
  std::optional<int64_t> email_opt_in;       // the recipient's new email_opt_in
};
inline FeedbackEffect EffectOf(std::string_view kind) {
  if (kind == kFeedbackBounce) return {"bounced", 2};
  if (kind == kFeedbackComplaint || kind == kFeedbackUnsubscribe) return {std::nullopt, 0};
  if (kind == kFeedbackDelivered || kind == kFeedbackUndelivered) return {kind, std::nullopt};
  return {};
}

// Feedback: $1 brand, $2 campaign, $3 profile, $4 kind, $5 detail, $6 at.
inline constexpr const char* kMessageExists =
    "SELECT 1 FROM campaign_messages WHERE brand_id = $1 AND campaign_id = $2 AND profile_id = $3";
inline constexpr const char* kInsertFeedback =
    "INSERT INTO message_events (brand_id, campaign_id, profile_id, kind, detail, at) "
    "VALUES ($1, $2, $3, $4, $5, $6)";
// $4: the new delivery state.
inline constexpr const char* kSetDelivery =
    "UPDATE campaign_messages SET delivery = $4 "
    "WHERE brand_id = $1 AND campaign_id = $2 AND profile_id = $3";
// $2: the recipient's profile, $3 the new value, $4 now.
inline constexpr const char* kSetEmailOptIn =
    "UPDATE profiles SET email_opt_in = $3, updated_at = $4 WHERE brand_id = $1 AND id = $2";

// Reports.
inline constexpr const char* kMessageGroups =
    "SELECT status, delivery, CASE WHEN status = 'skipped' THEN reason ELSE '' END AS why, "
    "COUNT(*) FROM campaign_messages WHERE brand_id = $1 AND campaign_id = $2 "
    "GROUP BY status, delivery, why";
inline constexpr const char* kFeedbackGroups =
    "SELECT kind, COUNT(*), COUNT(DISTINCT profile_id) FROM message_events "
    "WHERE brand_id = $1 AND campaign_id = $2 GROUP BY kind";
// $3: how many.
inline constexpr const char* kTopLinks =
    "SELECT detail, COUNT(*) AS total, COUNT(DISTINCT profile_id) FROM message_events "
    "WHERE brand_id = $1 AND campaign_id = $2 AND kind = 'click' "
    "GROUP BY detail ORDER BY total DESC, detail LIMIT $3";
// $3: the conversion event's name, $4 the window in micros after the send.
inline constexpr const char* kConversions =
    "SELECT COUNT(*) FROM campaign_messages m WHERE m.brand_id = $1 AND m.campaign_id = $2 "
    "AND m.status = 'sent' AND EXISTS (SELECT 1 FROM events e WHERE e.brand_id = $1 "
    "AND e.name = $3 AND e.profile_id = m.profile_id AND e.ts >= m.updated_at "
    "AND e.ts < m.updated_at + $4)";
// $2: a campaign, or '' for all; $3 bucket micros; [$4, $5) the range.
inline constexpr const char* kTimeline =
    "SELECT bucket, kind, COUNT(*) FROM ("
    "SELECT (updated_at / $3) * $3 AS bucket, status AS kind FROM campaign_messages "
    "WHERE brand_id = $1 AND ($2 = '' OR campaign_id = $2) "
    "AND status IN ('sent', 'failed', 'skipped') AND updated_at >= $4 AND updated_at < $5 "
    "UNION ALL SELECT (at / $3) * $3 AS bucket, kind FROM message_events "
    "WHERE brand_id = $1 AND ($2 = '' OR campaign_id = $2) AND at >= $4 AND at < $5"
    ") t GROUP BY bucket, kind ORDER BY bucket, kind";


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

// Rate limits per brand and API group.
inline constexpr const char* kRateLimitSchema = R"sql(
-- Per-minute request limits a brand has instead of the defaults (0: unlimited).
CREATE TABLE rate_limits (
  brand_id   TEXT NOT NULL,
  api_group  TEXT NOT NULL,
  per_minute BIGINT NOT NULL,
  PRIMARY KEY (brand_id, api_group)
);
)sql";

// Tracking, feedback and reports: the second campaign migration.
inline constexpr const char* kFeedbackSchema = R"sql(
-- {"tracking": bool, "conversion": {"event_name", "within_days"}}
ALTER TABLE campaigns ADD COLUMN options TEXT NOT NULL DEFAULT '{}';
-- After sending: '' (no news), delivered, undelivered (SMS receipts) or bounced.
ALTER TABLE campaign_messages ADD COLUMN delivery TEXT NOT NULL DEFAULT '';
-- Opens, clicks, unsubscribes, bounces, complaints and delivery receipts, as they come.
CREATE TABLE message_events (
  brand_id    TEXT NOT NULL,
  campaign_id TEXT NOT NULL,
  profile_id  BIGINT NOT NULL,
  kind        TEXT NOT NULL,
  detail      TEXT NOT NULL,
  at          BIGINT NOT NULL
);
CREATE INDEX message_events_by_campaign ON message_events (brand_id, campaign_id, kind);
CREATE INDEX message_events_by_time ON message_events (brand_id, at);
-- Installation-wide secrets (the tracking-link key), created once, shared by all nodes.
CREATE TABLE secrets (
  name  TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
)sql";

}  // namespace cdp::store::campaign_sql
