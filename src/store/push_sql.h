// The schema of push subscriptions, and the statements on them that both backends run in
// their own transactions (profile merges and deletes, subscriber pages); the rest are in
// store/sql/push_store.cc. Written in PostgreSQL's $N form (sql::Query numbers them ?N for
// SQLite). Only store/ includes this header.
#pragma once

namespace cdp::store::push_sql {

inline constexpr const char* kSchema = R"sql(
-- Browsers and devices registered for push. address: the Web Push endpoint URL, or the
-- FCM / APNs device token; one registration per brand, platform and address.
CREATE TABLE push_subscriptions (
  brand_id   TEXT NOT NULL,
  id         TEXT NOT NULL,
  profile_id BIGINT NOT NULL,
  platform   TEXT NOT NULL,
  address    TEXT NOT NULL,
  p256dh     TEXT NOT NULL,
  auth       TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (brand_id, id)
);
CREATE UNIQUE INDEX push_subscriptions_by_address
  ON push_subscriptions (brand_id, platform, address);
CREATE INDEX push_subscriptions_by_profile
  ON push_subscriptions (brand_id, profile_id, platform);
)sql";

inline constexpr const char* kMoveSubscriptions =
    "UPDATE push_subscriptions SET profile_id = $3 WHERE brand_id = $1 AND profile_id = $2";
inline constexpr const char* kDeleteProfileSubscriptions =
    "DELETE FROM push_subscriptions WHERE brand_id = $1 AND profile_id = $2";
// The WHERE of a subscribers page over profiles aliased p: $1 brand, $2 after, $3 platform.
inline constexpr const char* kSubscribersWhere =
    " FROM profiles p WHERE p.brand_id = $1 AND p.id > $2 AND EXISTS (SELECT 1 FROM "
    "push_subscriptions s WHERE s.brand_id = p.brand_id AND s.profile_id = p.id AND "
    "s.platform = $3) ORDER BY p.id LIMIT $4";

}  // namespace cdp::store::push_sql
