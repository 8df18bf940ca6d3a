// SQL for push subscriptions that both backends run as written (PostgreSQL with its $N
// parameters, SQLite through campaign_sql::ForSqlite). Only store/ includes this header.
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

// Registering an address again moves it to the new profile with the new keys, keeping
// its id.
inline constexpr const char* kSaveSubscription =
    "INSERT INTO push_subscriptions (brand_id, id, profile_id, platform, address, p256dh, auth, "
    "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) "
    "ON CONFLICT (brand_id, platform, address) DO UPDATE SET profile_id = excluded.profile_id, "
    "p256dh = excluded.p256dh, auth = excluded.auth, updated_at = excluded.updated_at "
    "RETURNING id";
inline constexpr const char* kDeleteSubscription =
    "DELETE FROM push_subscriptions WHERE brand_id = $1 AND (id = $2 OR (platform = $3 AND "
    "address = $4))";
inline constexpr const char* kListSubscriptions =
    "SELECT id, profile_id, platform, address, p256dh, auth, created_at, updated_at "
    "FROM push_subscriptions WHERE brand_id = $1 AND profile_id = $2 AND platform = $3 "
    "ORDER BY created_at, id";
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
