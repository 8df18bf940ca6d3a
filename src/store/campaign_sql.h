// The schema of campaigns, their messages and feedback, channels, rate limits and secrets,
// for both backends' migrations, and the pending messages' statement that both backends
// run in their own way (sql::MessageRows); the other statements are in store/sql/. Written in
// PostgreSQL's $N form, which sql::Query numbers ?N for SQLite. Only store/ includes this
// header.
#pragma once

#include <string>

namespace cdp::store::campaign_sql {

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

// Per-profile reads (a profile's messages and feedback, for /user/messages), the
// overview's messages by time, and profile lookups by email and mobile (/user/search): the
// indexes both backends add for them. Each costs one more index entry per message,
// feedback or profile written.
inline constexpr const char* kProfileReadsSchema = R"sql(
CREATE INDEX campaign_messages_by_profile ON campaign_messages (brand_id, profile_id);
CREATE INDEX campaign_messages_by_time ON campaign_messages (brand_id, updated_at, status);
CREATE INDEX message_events_by_profile ON message_events (brand_id, profile_id, campaign_id, at);
CREATE INDEX profiles_by_email ON profiles (brand_id, lower(email));
CREATE INDEX profiles_by_mobile ON profiles (brand_id, mobile);
)sql";

}  // namespace cdp::store::campaign_sql
