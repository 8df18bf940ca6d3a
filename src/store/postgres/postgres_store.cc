#include "store/postgres/postgres_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "profiles/identity.h"
#include "segments/sql.h"
#include "store/access_sql.h"
#include "store/campaign_sql.h"
#include "store/postgres/backend.h"
#include "store/postgres/migrations.h"
#include "store/postgres/pg_conn.h"
#include "store/postgres/rows.h"
#include "store/push_sql.h"

namespace cdp::store {
namespace {

namespace json = boost::json;
using postgres::AllOf;
using postgres::Backend;
using postgres::Conn;
using postgres::kFieldColumns;
using postgres::OptInt;
using postgres::Params;
using postgres::ProfileColumns;
using postgres::ProfilePageOf;
using postgres::ReadProfile;
using postgres::Rows;
using postgres::Sql;
using postgres::Str;
using profiles::Profile;
using profiles::ProfileKey;

// --- Statements. Names are per connection; the text never contains a value. ---

const Sql kInsertBrand{"cdp_insert_brand",
                       "INSERT INTO brands (id, name, created_at) VALUES ($1, $2, $3)"};
const Sql kGetBrand{"cdp_get_brand", "SELECT id, name, created_at FROM brands WHERE id = $1"};
const Sql kListBrands{"cdp_list_brands",
                      "SELECT id, name, created_at FROM brands ORDER BY created_at, id"};
const Sql kInsertKey{"cdp_insert_key",
                     "INSERT INTO api_keys (brand_id, hash, prefix, created_at) "
                     "VALUES ($1, $2, $3, $4)"};
const Sql kListKeys{"cdp_list_keys",
                    "SELECT brand_id, hash, prefix, created_at, revoked_at, last_used_at "
                    "FROM api_keys WHERE brand_id = $1 ORDER BY created_at, prefix"};
const Sql kActiveKeys{"cdp_active_keys",
                      "SELECT hash, prefix FROM api_keys WHERE brand_id = $1 "
                      "AND (revoked_at IS NULL OR revoked_at > $2) FOR UPDATE"};
const Sql kRetireKeys{"cdp_retire_keys", access_sql::kRetireKeys};
const Sql kMarkKeyUsed{"cdp_mark_key_used", access_sql::kMarkKeyUsed};
const Sql kInsertAudit{"cdp_insert_audit", access_sql::kInsertAudit};
const Sql kListAudit{"cdp_list_audit", access_sql::kListAudit};
const Sql kInsertPartner{"cdp_insert_partner", access_sql::kInsertPartner};
const Sql kGetPartner{"cdp_get_partner", access_sql::kGetPartner};
const Sql kListPartners{"cdp_list_partners", access_sql::kListPartners};
const Sql kDeletePartner{"cdp_delete_partner", access_sql::kDeletePartner};
const Sql kRevokePartnerTokens{"cdp_revoke_partner_tokens", access_sql::kRevokePartnerTokens};
const Sql kInsertCode{"cdp_insert_code", access_sql::kInsertCode};
const Sql kGetCode{"cdp_get_code", access_sql::kGetCode};
const Sql kUseCode{"cdp_use_code", access_sql::kUseCode};
const Sql kCodeGrant{"cdp_code_grant", access_sql::kCodeGrant};
const Sql kInsertToken{"cdp_insert_token", access_sql::kInsertToken};
const Sql kGetToken{"cdp_get_token", access_sql::kGetToken};
const Sql kUseRefreshToken{"cdp_use_refresh_token", access_sql::kUseRefreshToken};
const Sql kTokenGrant{"cdp_token_grant", access_sql::kTokenGrant};
const Sql kRevokeGrant{"cdp_revoke_grant", access_sql::kRevokeGrant};
const Sql kRevokeBrandPartner{"cdp_revoke_brand_partner", access_sql::kRevokeBrandPartner};
const Sql kListGrants{"cdp_list_grants", access_sql::kListGrants};
const Sql kRevokeKey{"cdp_revoke_key",
                     "UPDATE api_keys SET revoked_at = $3 WHERE brand_id = $1 AND hash = $2"};

// Profile reads by the writer lock the row (FOR UPDATE) until the group commits, so that a
// writer on another node cannot change, merge or delete it in between.
const Sql& SelectProfileSql(ProfileKey::Kind kind, bool for_update) {
  auto make = [](std::string name, std::string_view key, bool lock) {
    return Sql{std::move(name), fmt::format("SELECT {} FROM profiles WHERE brand_id = $1 AND "
                                            "{} = $2{}",
                                            ProfileColumns(), key, lock ? " FOR UPDATE" : "")};
  };
  static const Sql by_user = make("cdp_profile_by_user", "user_id", false);
  static const Sql by_anon = make("cdp_profile_by_anon", "anonymous_id", false);
  static const Sql by_user_locked = make("cdp_profile_by_user_locked", "user_id", true);
  static const Sql by_anon_locked = make("cdp_profile_by_anon_locked", "anonymous_id", true);
  if (kind == ProfileKey::Kind::kUserId) return for_update ? by_user_locked : by_user;
  return for_update ? by_anon_locked : by_anon;
}

const Sql& InsertProfileSql() {
  static const Sql sql = [] {
    std::string cols = "brand_id, user_id, anonymous_id", vals = "$1, $2, $3";
    int i = 4;
    for (auto c : kFieldColumns) {
      cols += fmt::format(", {}", c);
      vals += fmt::format(", ${}", i++);
    }
    // DO NOTHING: another node created a profile with one of these ids first; the caller
    // loads that one instead.
    return Sql{"cdp_insert_profile",
               fmt::format("INSERT INTO profiles ({}, attributes, created_at, updated_at) "
                           "VALUES ({}, ${}::jsonb, ${}, ${}) ON CONFLICT DO NOTHING RETURNING id",
                           cols, vals, i, i + 1, i + 2)};
  }();
  return sql;
}

const Sql& UpdateProfileSql() {
  static const Sql sql = [] {
    std::string sets = "user_id = $2, anonymous_id = $3";
    int i = 4;
    for (auto c : kFieldColumns) sets += fmt::format(", {} = ${}", c, i++);
    return Sql{"cdp_update_profile",
               fmt::format("UPDATE profiles SET {}, attributes = ${}::jsonb, created_at = ${}, "
                           "updated_at = ${} WHERE brand_id = $1 AND id = ${}",
                           sets, i, i + 1, i + 2, i + 3)};
  }();
  return sql;
}

// A profile's events, found through the index by each of the brand's event names.
constexpr const char* kProfileEventsWhere =
    "brand_id = $1 AND name = ANY (ARRAY(SELECT name FROM event_names WHERE brand_id = $1)) "
    "AND profile_id = $2";
const Sql kDeleteProfileEvents{"cdp_delete_profile_events",
                               std::string("DELETE FROM events WHERE ") + kProfileEventsWhere};
const Sql kMoveEvents{"cdp_move_events", std::string("UPDATE events SET profile_id = $3 WHERE ") +
                                             kProfileEventsWhere};
const Sql kDeleteProfile{"cdp_delete_profile",
                         "DELETE FROM profiles WHERE brand_id = $1 AND id = $2"};
const Sql kMoveSubscriptions{"cdp_move_subscriptions", push_sql::kMoveSubscriptions};
const Sql kDeleteProfileSubscriptions{"cdp_delete_profile_subscriptions",
                                      push_sql::kDeleteProfileSubscriptions};
const Sql kSaveSubscription{"cdp_save_subscription", push_sql::kSaveSubscription};
const Sql kDeleteSubscription{"cdp_delete_subscription", push_sql::kDeleteSubscription};
const Sql kListSubscriptions{"cdp_list_subscriptions", push_sql::kListSubscriptions};

const Sql kGetAttributeType{
    "cdp_get_attribute_type",
    "SELECT type FROM attribute_types WHERE brand_id = $1 AND scope = $2 AND name = $3"};
const Sql kPutAttributeType{"cdp_put_attribute_type",
                            "INSERT INTO attribute_types (brand_id, scope, name, type) "
                            "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING type"};

// FOR KEY SHARE: the profile cannot be deleted or merged away until the event is committed.
const Sql kEventProfileByUser{
    "cdp_event_profile_by_user",
    "SELECT id FROM profiles WHERE brand_id = $1 AND user_id = $2 FOR KEY SHARE"};
const Sql kEventProfileByAnon{
    "cdp_event_profile_by_anon",
    "SELECT id FROM profiles WHERE brand_id = $1 AND anonymous_id = $2 FOR KEY SHARE"};
const Sql kNoteEventNames{"cdp_note_event_names",
                          "INSERT INTO event_names (brand_id, name, first_seen) "
                          "SELECT $1, name, $3 FROM unnest($2::text[]) AS name "
                          "ON CONFLICT DO NOTHING"};
const Sql kStoredMessageIds{"cdp_stored_message_ids",
                            "SELECT message_id FROM events "
                            "WHERE brand_id = $1 AND message_id = ANY ($2::text[])"};
const Sql kProfilesByUser{"cdp_profiles_by_user",
                          "SELECT user_id, id FROM profiles "
                          "WHERE brand_id = $1 AND user_id = ANY ($2::text[]) FOR KEY SHARE"};
const Sql kProfilesByAnon{"cdp_profiles_by_anon",
                          "SELECT anonymous_id, id FROM profiles "
                          "WHERE brand_id = $1 AND anonymous_id = ANY ($2::text[]) FOR KEY SHARE"};
// All the events of a batch in one statement, in order (ids follow the array order). DO
// NOTHING: an event with this message_id is stored (perhaps by another node just now); the
// ids RETURNING omits are duplicates.
const Sql kInsertEvents{
    "cdp_insert_events",
    "INSERT INTO events (brand_id, profile_id, name, ts, received_at, ltv, message_id, sdk_id, "
    "attributes, context) "
    "SELECT $1, e.profile_id, e.name, e.ts, $2, e.ltv, e.message_id, e.sdk_id, "
    "e.attributes::jsonb, e.context::jsonb "
    "FROM unnest($3::bigint[], $4::text[], $5::bigint[], $6::float8[], $7::text[], $8::int[], "
    "$9::text[], $10::text[]) "
    "AS e(profile_id, name, ts, ltv, message_id, sdk_id, attributes, context) "
    "ON CONFLICT DO NOTHING RETURNING message_id"};

// " AND attributes -> $N::text = $N+1::jsonb" for each of `filters` filters, from $first.
std::string FilterSql(size_t filters, int first) {
  std::string sql;
  for (size_t i = 0; i < filters; ++i)
    sql +=
        fmt::format(" AND attributes -> ${}::text = ${}::jsonb", first + 2 * i, first + 2 * i + 1);
  return sql;
}

void AddFilters(Params& params, const events::EventQuery& q) {
  for (const auto& f : q.where) {
    params.Add(f.name);
    // JSON null never matches, as in the SQLite backend: compare with SQL NULL.
    if (f.value.is_null())
      params.AddNull();
    else
      params.Add(json::serialize(f.value));
  }
}

// The statements of queries with `filters` attribute filters (prepared per count).
const Sql& QueryUsersSql(size_t filters) {
  static std::mutex mu;
  static std::vector<std::unique_ptr<Sql>> by_count;
  std::lock_guard lock(mu);
  while (by_count.size() <= filters) {
    size_t n = by_count.size();
    by_count.push_back(std::make_unique<Sql>(Sql{
        fmt::format("cdp_query_users_{}", n),
        fmt::format("SELECT e.profile_id, e.n, e.first_ts, e.last_ts, {} FROM ("
                    "SELECT profile_id, COUNT(*) AS n, MIN(ts) AS first_ts, MAX(ts) AS last_ts "
                    "FROM events WHERE brand_id = $1 AND name = $2 AND profile_id > $3 "
                    "AND ts >= $4 AND ts < $5{} GROUP BY profile_id ORDER BY profile_id "
                    "LIMIT $6) e LEFT JOIN profiles p ON p.brand_id = $1 AND p.id = e.profile_id "
                    "ORDER BY e.profile_id",
                    ProfileColumns("p."), FilterSql(n, 7))}));
  }
  return *by_count[filters];
}

const Sql& CountEventsSql(size_t filters) {
  static std::mutex mu;
  static std::vector<std::unique_ptr<Sql>> by_count;
  std::lock_guard lock(mu);
  while (by_count.size() <= filters) {
    size_t n = by_count.size();
    by_count.push_back(std::make_unique<Sql>(
        Sql{fmt::format("cdp_count_events_{}", n),
            fmt::format("SELECT COUNT(DISTINCT profile_id), COUNT(*) FROM events "
                        "WHERE brand_id = $1 AND name = $2 AND ts >= $3 AND ts < $4{}",
                        FilterSql(n, 5))}));
  }
  return *by_count[filters];
}

// --- Rows <-> domain ---

ApiKey ReadApiKey(const Rows& r, int row) {
  ApiKey k;
  k.brand_id = r.Text(row, 0);
  k.hash = r.Text(row, 1);
  k.prefix = r.Text(row, 2);
  k.created_at = r.Int(row, 3);
  if (!r.IsNull(row, 4)) k.revoked_at = r.Int(row, 4);
  if (!r.IsNull(row, 5)) k.last_used_at = r.Int(row, 5);
  return k;
}

PartnerApp ReadPartner(const Rows& r, int i) {
  return PartnerApp{Str(r, i, 0), Str(r, i, 1), Str(r, i, 2), access_sql::DecodeUris(r.Text(i, 3)),
                    r.Int(i, 4)};
}

AuthCode ReadCode(const Rows& r, int i) {
  return AuthCode{Str(r, i, 0), Str(r, i, 1), Str(r, i, 2), Str(r, i, 3), Str(r, i, 4),
                  Str(r, i, 5), Str(r, i, 6), r.Int(i, 7),  r.Int(i, 8),  OptInt(r, i, 9)};
}

OAuthToken ReadToken(const Rows& r, int i) {
  return OAuthToken{Str(r, i, 0), Str(r, i, 1), Str(r, i, 2), Str(r, i, 3),   Str(r, i, 4),
                    Str(r, i, 5), r.Int(i, 6),  r.Int(i, 7),  OptInt(r, i, 8)};
}

Brand ReadBrand(const Rows& r, int row) {
  return Brand{std::string(r.Text(row, 0)), std::string(r.Text(row, 1)), r.Int(row, 2)};
}

Status NoProfile(const ProfileKey& key) {
  return NotFound(fmt::format("no user with {} '{}'",
                              key.kind == ProfileKey::Kind::kUserId ? "userId" : "anonymousId",
                              key.id));
}

const Sql kAttributeTypes{"cdp_attribute_types",
                          "SELECT scope, name, type FROM attribute_types WHERE brand_id = $1"};
constexpr const char* kSegmentColumns = "id, name, rules, created_at, updated_at";
const Sql kInsertSegment{"cdp_insert_segment",
                         "INSERT INTO segments (brand_id, id, name, rules, created_at, updated_at) "
                         "VALUES ($1, $2, $3, $4, $5, $6)"};
const Sql kGetSegment{"cdp_get_segment", fmt::format("SELECT {} FROM segments WHERE brand_id = $1 "
                                                     "AND id = $2",
                                                     kSegmentColumns)};
const Sql kListSegments{
    "cdp_list_segments",
    fmt::format("SELECT {} FROM segments WHERE brand_id = $1 ORDER BY name", kSegmentColumns)};
const Sql kUpdateSegment{"cdp_update_segment",
                         "UPDATE segments SET name = $3, rules = $4, updated_at = $5 "
                         "WHERE brand_id = $1 AND id = $2"};
const Sql kDeleteSegment{"cdp_delete_segment",
                         "DELETE FROM segments WHERE brand_id = $1 AND id = $2"};

Segment ReadSegment(const Rows& r, int row) {
  return Segment{std::string(r.Text(row, 0)), std::string(r.Text(row, 1)),
                 std::string(r.Text(row, 2)), r.Int(row, 3), r.Int(row, 4)};
}

Status NoSegment(std::string_view id) { return NotFound(fmt::format("no segment '{}'", id)); }

Status SegmentNameTaken(std::string_view name) {
  return AlreadyExists(fmt::format("a segment named '{}' exists", name));
}

Status NoCampaign(std::string_view id) { return NotFound(fmt::format("no campaign '{}'", id)); }

const Sql kPutChannel{"cdp_put_channel", campaign_sql::kPutChannel};
const Sql kGetChannel{"cdp_get_channel", campaign_sql::kGetChannel};
const Sql kInsertCampaign{"cdp_insert_campaign", campaign_sql::kInsertCampaign};
const Sql kGetCampaign{"cdp_get_campaign", campaign_sql::kGetCampaign};
const Sql kListCampaigns{"cdp_list_campaigns", campaign_sql::kListCampaigns};
const Sql kSaveCampaign{"cdp_save_campaign", campaign_sql::kSaveCampaign};
const Sql kCampaignStatus{"cdp_campaign_status", campaign_sql::kCampaignStatus};
const Sql kSkipQueuedMessages{"cdp_skip_queued_messages", campaign_sql::kSkipQueuedMessages};
const Sql kClaimCampaigns{"cdp_claim_campaigns", campaign_sql::kClaimCampaigns};
const Sql kRecordMessage{"cdp_record_message", campaign_sql::kRecordMessage};
const Sql kCountMessages{"cdp_count_messages", campaign_sql::kCountMessages};
const Sql kMessageExists{"cdp_message_exists", campaign_sql::kMessageExists};
const Sql kInsertFeedback{"cdp_insert_feedback", campaign_sql::kInsertFeedback};
const Sql kSetDelivery{"cdp_set_delivery", campaign_sql::kSetDelivery};
const Sql kSetEmailOptIn{"cdp_set_email_opt_in", campaign_sql::kSetEmailOptIn};
const Sql kMessageGroups{"cdp_message_groups", campaign_sql::kMessageGroups};
const Sql kFeedbackGroups{"cdp_feedback_groups", campaign_sql::kFeedbackGroups};
const Sql kTopLinks{"cdp_top_links", campaign_sql::kTopLinks};
const Sql kConversions{"cdp_conversions", campaign_sql::kConversions};
const Sql kTimeline{"cdp_timeline", campaign_sql::kTimeline};
const Sql kSetRateLimit{"cdp_set_rate_limit", campaign_sql::kSetRateLimit};
const Sql kGetRateLimits{"cdp_get_rate_limits", campaign_sql::kGetRateLimits};
const Sql kPutSecret{"cdp_put_secret", campaign_sql::kPutSecret};
const Sql kGetSecret{"cdp_get_secret", campaign_sql::kGetSecret};
// Many recipients in one statement: one array per column.
const Sql kAddMessages{
    "cdp_add_messages",
    "INSERT INTO campaign_messages (brand_id, campaign_id, profile_id, user_id, status, reason, "
    "address, attempts, next_attempt_at, response, updated_at) "
    "SELECT $1, $2, u.* FROM unnest($3::bigint[], $4::text[], $5::text[], $6::text[], "
    "$7::text[], $8::integer[], $9::bigint[], $10::text[], $11::bigint[]) AS u "
    "ON CONFLICT (brand_id, campaign_id, profile_id) DO NOTHING"};

Params& AddOpt(Params& p, const std::optional<int64_t>& v) { return v ? p.Add(*v) : p.AddNull(); }

Campaign ReadCampaign(const Rows& r, int row) {
  Campaign c;
  c.brand_id = r.Text(row, 0);
  c.id = r.Text(row, 1);
  c.name = r.Text(row, 2);
  c.channel = r.Text(row, 3);
  c.target = r.Text(row, 4);
  c.content = r.Text(row, 5);
  c.status = r.Text(row, 6);
  c.send_at = OptInt(r, row, 7);
  c.created_at = r.Int(row, 8);
  c.updated_at = r.Int(row, 9);
  c.started_at = OptInt(r, row, 10);
  c.finished_at = OptInt(r, row, 11);
  c.materialized = r.Int(row, 12) != 0;
  c.options = r.Text(row, 13);
  return c;
}

// Every column of kInsertCampaign / kSaveCampaign ($1..$14).
Params CampaignParams(const Campaign& c) {
  Params p;
  p.Add(c.brand_id).Add(c.id).Add(c.name).Add(c.channel).Add(c.target).Add(c.content);
  p.Add(c.status);
  AddOpt(p, c.send_at).Add(c.created_at).Add(c.updated_at);
  AddOpt(p, c.started_at);
  AddOpt(p, c.finished_at).Add(static_cast<int64_t>(c.materialized ? 1 : 0)).Add(c.options);
  return p;
}

Message ReadMessage(const Rows& r, int row) {
  Message m;
  m.profile_id = r.Int(row, 0);
  m.user_id = r.Text(row, 1);
  m.status = r.Text(row, 2);
  m.reason = r.Text(row, 3);
  m.address = r.Text(row, 4);
  m.attempts = static_cast<int>(r.Int(row, 5));
  m.next_attempt_at = r.Int(row, 6);
  m.response = r.Text(row, 7);
  m.updated_at = r.Int(row, 8);
  return m;
}

void AddSegmentParams(Params& params, const std::vector<segments::SqlParam>& values) {
  for (const auto& v : values) {
    std::visit(
        [&](const auto& x) {
          if constexpr (std::is_same_v<std::decay_t<decltype(x)>, bool>)
            params.Add(x ? "true" : "false");
          else
            params.Add(x);
        },
        v);
  }
}

// --- Writes (run by the writer, inside its transaction) ---

Result<std::optional<Profile>> LoadProfile(Conn& c, std::string_view brand_id,
                                           ProfileKey::Kind kind, std::string_view id,
                                           bool for_update) {
  auto rows = c.Exec(SelectProfileSql(kind, for_update), Params().Add(brand_id).Add(id));
  if (!rows.ok()) return std::move(rows).take_status();
  if (rows->empty()) return std::optional<Profile>();
  return std::optional<Profile>(ReadProfile(*rows, 0, 0));
}

void AddField(Params& params, const json::value& v) {
  if (v.is_string()) {
    params.Add(std::string_view(v.get_string()));
  } else if (v.is_int64()) {
    params.Add(v.get_int64());
  } else {
    params.AddNull();
  }
}

// Inserts (id == 0) or updates the whole row of `p`; sets p.id on insert. Inserting returns
// false when another transaction holds one of the profile's ids (nothing was written).
Result<bool> SaveProfile(Conn& c, std::string_view brand_id, Profile& p) {
  Params params;
  params.Add(brand_id).Add(p.user_id).Add(p.anonymous_id);
  for (const auto& v : p.fields) AddField(params, v);
  params.Add(json::serialize(p.attributes)).Add(p.created_at).Add(p.updated_at);
  if (p.id != 0) {
    params.Add(p.id);
    auto updated = c.Exec(UpdateProfileSql(), params);
    if (!updated.ok()) return std::move(updated).take_status();
    return true;
  }
  auto inserted = c.Exec(InsertProfileSql(), params);
  if (!inserted.ok()) return std::move(inserted).take_status();
  if (inserted->empty()) return false;
  p.id = inserted->Int(0, 0);
  return true;
}

Status RunForProfile(Conn& c, const Sql& sql, std::string_view brand_id, int64_t id) {
  return c.Exec(sql, Params().Add(brand_id).Add(id)).status();
}

Status DeleteProfileRow(Conn& c, std::string_view brand_id, int64_t id) {
  CDP_RETURN_IF_ERROR(RunForProfile(c, kDeleteProfileEvents, brand_id, id));
  CDP_RETURN_IF_ERROR(RunForProfile(c, kDeleteProfileSubscriptions, brand_id, id));
  return RunForProfile(c, kDeleteProfile, brand_id, id);
}

// Records the type of each attribute the brand has not seen before and applies the
// first-write-wins rule (profiles::CheckAttributeType) to the others.
Status CheckAttributeTypes(Conn& c, std::string_view brand_id, std::string_view scope,
                           const json::object& attributes) {
  for (const auto& [name, value] : attributes) {
    std::string_view type = profiles::AttributeType(value);
    if (type.empty()) continue;
    Params key;
    key.Add(brand_id).Add(scope).Add(std::string_view(name));
    auto known = c.Exec(kGetAttributeType, key);
    if (!known.ok()) return std::move(known).take_status();
    if (known->empty()) {
      auto put = c.Exec(kPutAttributeType, Params(key).Add(type));
      if (!put.ok()) return std::move(put).take_status();
      if (!put->empty()) continue;  // recorded now
      // Another node recorded it first (and has committed: the insert waited for it).
      known = c.Exec(kGetAttributeType, key);
      if (!known.ok()) return std::move(known).take_status();
      if (known->empty()) return Unavailable("attribute type changed concurrently; retry");
    }
    CDP_RETURN_IF_ERROR(profiles::CheckAttributeType(name, known->Text(0, 0), type));
  }
  return Status::Ok();
}

// One attempt of UpsertOne; nullopt when a profile this patch would create was created by
// another transaction meanwhile (load it and try again).
Result<std::optional<int64_t>> TryUpsertOne(Conn& c, std::string_view brand_id,
                                            const profiles::ProfilePatch& patch, int64_t now) {
  std::optional<Profile> by_user;
  std::optional<Profile> by_anonymous;
  if (patch.user_id) {
    auto found = LoadProfile(c, brand_id, ProfileKey::Kind::kUserId, *patch.user_id, true);
    if (!found.ok()) return std::move(found).take_status();
    by_user = std::move(*found);
  }
  if (patch.anonymous_id) {
    auto found =
        LoadProfile(c, brand_id, ProfileKey::Kind::kAnonymousId, *patch.anonymous_id, true);
    if (!found.ok()) return std::move(found).take_status();
    by_anonymous = std::move(*found);
  }
  auto plan = profiles::ResolveIdentity(patch, std::move(by_user), std::move(by_anonymous), now);
  Profile& profile = plan.profile;
  if (plan.merged) {
    CDP_RETURN_IF_ERROR(
        c.Exec(kMoveEvents, Params().Add(brand_id).Add(*plan.merged).Add(profile.id)).status());
    CDP_RETURN_IF_ERROR(
        c.Exec(kMoveSubscriptions, Params().Add(brand_id).Add(*plan.merged).Add(profile.id))
            .status());
    CDP_RETURN_IF_ERROR(DeleteProfileRow(c, brand_id, *plan.merged));
  }
  auto saved = SaveProfile(c, brand_id, profile);
  if (!saved.ok()) return std::move(saved).take_status();
  if (!*saved) return std::optional<int64_t>();
  return std::optional<int64_t>(profile.id);
}

// Creates or updates the profile `patch` names; returns its id.
Result<int64_t> UpsertOne(Conn& c, std::string_view brand_id, const profiles::ProfilePatch& patch,
                          int64_t now) {
  CDP_RETURN_IF_ERROR(CheckAttributeTypes(c, brand_id, "profile", patch.attributes));
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto id = TryUpsertOne(c, brand_id, patch, now);
    if (!id.ok()) return std::move(id).take_status();
    if (*id) return **id;
  }
  return Unavailable("the profile is being changed concurrently; retry");
}

// Whether the event only names one existing profile: one identifier, nothing to merge or
// update.
bool IsLookupOnly(const events::Event& ev) {
  const auto& who = ev.profile;
  return !ev.has_profile_fields && who.attributes.empty() && (!who.user_id || !who.anonymous_id);
}

// The id of the profile an event belongs to, creating or updating it as the event says.
Result<int64_t> ResolveEventProfile(Conn& c, std::string_view brand_id, const events::Event& ev,
                                    int64_t now) {
  const auto& who = ev.profile;
  if (IsLookupOnly(ev)) {
    auto rows = c.Exec(who.user_id ? kEventProfileByUser : kEventProfileByAnon,
                       Params().Add(brand_id).Add(who.user_id ? *who.user_id : *who.anonymous_id));
    if (!rows.ok()) return std::move(rows).take_status();
    if (!rows->empty()) return rows->Int(0, 0);
  }
  return UpsertOne(c, brand_id, who, now);
}

std::optional<std::string> OptNumber(bool has, auto value) {
  if (!has) return std::nullopt;
  return fmt::format("{}", value);
}

// Stores one batch of events in the writer's transaction with a few statements whatever its
// size: the batch's stored messageIds, its known profiles and its event names are each read
// or written once, and the events are inserted together. Events that create, identify or
// merge a profile are resolved one at a time, in order, as on SQLite.
class EventBatchWriter {
 public:
  EventBatchWriter(Conn& c, std::string_view brand_id, const std::vector<events::Event>& evs,
                   int64_t now, std::vector<Store::EventResult>& results)
      : c_(c), brand_id_(brand_id), evs_(evs), now_(now), results_(results) {}

  Status Run() {
    results_.assign(evs_.size(), Store::EventResult{});
    CDP_RETURN_IF_ERROR(LoadStoredMessageIds());
    CDP_RETURN_IF_ERROR(LoadKnownProfiles());
    CDP_RETURN_IF_ERROR(NoteEventNames());
    for (size_t i = 0; i < evs_.size(); ++i) {
      const events::Event& ev = evs_[i];
      if (ev.message_id && message_ids_.contains(*ev.message_id)) {
        results_[i].outcome = events::EventOutcome::kDuplicate;
        continue;
      }
      std::optional<int64_t> profile_id = IsLookupOnly(ev) ? Known(ev.profile) : std::nullopt;
      if (!profile_id) {
        auto resolved = Resolve(ev, results_[i]);
        if (!resolved.ok()) return std::move(resolved).take_status();
        if (!*resolved) continue;  // this event failed alone
        profile_id = *resolved;
      }
      if (ev.message_id) message_ids_.insert(*ev.message_id);
      pending_.emplace_back(i, *profile_id);
    }
    return Flush();
  }

 private:
  // The profile of an event that may create, identify or merge one; nullopt (with `result`
  // set) when the event fails alone, e.g. an attribute type conflict in its profile fields.
  Result<std::optional<int64_t>> Resolve(const events::Event& ev, Store::EventResult& result) {
    const auto& who = ev.profile;
    const bool merges = who.user_id && who.anonymous_id;
    // A merge moves the anonymous profile's stored events: store the batch's so far first.
    if (merges) CDP_RETURN_IF_ERROR(Flush());
    // Profile attributes may conflict in type: isolate such events in a savepoint.
    const bool may_fail = !who.attributes.empty();
    if (may_fail) CDP_RETURN_IF_ERROR(c_.Run("SAVEPOINT event"));
    auto profile_id = ResolveEventProfile(c_, brand_id_, ev, now_);
    if (!profile_id.ok()) {
      if (!may_fail || profile_id.status().code() != Code::kInvalidArgument)
        return profile_id.status();
      result.status = profile_id.status();
      CDP_RETURN_IF_ERROR(c_.Run("ROLLBACK TO SAVEPOINT event"));
      CDP_RETURN_IF_ERROR(c_.Run("RELEASE SAVEPOINT event"));
      return std::optional<int64_t>();
    }
    if (may_fail) CDP_RETURN_IF_ERROR(c_.Run("RELEASE SAVEPOINT event"));
    if (merges) {
      by_user_.clear();  // the merge may have removed a profile we knew
      by_anon_.clear();
    } else if (who.user_id) {
      by_user_[*who.user_id] = *profile_id;
    } else if (who.anonymous_id) {
      by_anon_[*who.anonymous_id] = *profile_id;
    }
    return std::optional<int64_t>(*profile_id);
  }

  Status LoadStoredMessageIds() {
    std::vector<std::optional<std::string>> ids;
    for (const auto& ev : evs_)
      if (ev.message_id) ids.push_back(ev.message_id);
    if (ids.empty()) return Status::Ok();
    auto rows = c_.Exec(kStoredMessageIds, Params().Add(brand_id_).AddArray(ids));
    if (!rows.ok()) return std::move(rows).take_status();
    for (int r = 0; r < rows->size(); ++r) message_ids_.emplace(rows->Text(r, 0));
    return Status::Ok();
  }

  // The ids of the profiles that lookup-only events name, locked against deletion (FOR KEY
  // SHARE) until the events are committed.
  Status LoadKnownProfiles() {
    std::vector<std::optional<std::string>> users, anons;
    for (const auto& ev : evs_) {
      if (!IsLookupOnly(ev)) continue;
      if (ev.profile.user_id)
        users.push_back(ev.profile.user_id);
      else if (ev.profile.anonymous_id)
        anons.push_back(ev.profile.anonymous_id);
    }
    CDP_RETURN_IF_ERROR(LoadProfileIds(kProfilesByUser, users, by_user_));
    return LoadProfileIds(kProfilesByAnon, anons, by_anon_);
  }

  Status LoadProfileIds(const Sql& sql, const std::vector<std::optional<std::string>>& keys,
                        std::unordered_map<std::string, int64_t>& out) {
    if (keys.empty()) return Status::Ok();
    auto rows = c_.Exec(sql, Params().Add(brand_id_).AddArray(keys));
    if (!rows.ok()) return std::move(rows).take_status();
    for (int r = 0; r < rows->size(); ++r) out.emplace(rows->Text(r, 0), rows->Int(r, 1));
    return Status::Ok();
  }

  std::optional<int64_t> Known(const profiles::ProfilePatch& who) const {
    const auto& map = who.user_id ? by_user_ : by_anon_;
    const auto& key = who.user_id ? who.user_id : who.anonymous_id;
    if (!key) return std::nullopt;
    auto it = map.find(*key);
    if (it == map.end()) return std::nullopt;
    return it->second;
  }

  // Every event name of the batch, so that per-profile work can seek the index by name.
  Status NoteEventNames() {
    std::vector<std::optional<std::string>> names;
    for (const auto& ev : evs_) {
      bool seen = false;
      for (const auto& n : names) seen |= (*n == ev.name);
      if (!seen) names.emplace_back(ev.name);
    }
    if (names.empty()) return Status::Ok();
    return c_.Exec(kNoteEventNames, Params().Add(brand_id_).AddArray(names).Add(now_)).status();
  }

  // Inserts the pending events; those whose messageId turns out to be stored meanwhile (by
  // another node) are duplicates.
  Status Flush() {
    if (pending_.empty()) return Status::Ok();
    std::vector<std::optional<std::string>> profile_ids, names, times, ltvs, message_ids, sdk_ids,
        attributes, contexts;
    for (const auto& [i, profile_id] : pending_) {
      const events::Event& ev = evs_[i];
      profile_ids.push_back(std::to_string(profile_id));
      names.push_back(ev.name);
      times.push_back(std::to_string(ev.time));
      ltvs.push_back(OptNumber(ev.ltv.has_value(), ev.ltv.value_or(0)));
      message_ids.push_back(ev.message_id);
      sdk_ids.push_back(OptNumber(ev.sdk_id.has_value(), ev.sdk_id.value_or(0)));
      attributes.push_back(ev.attributes_json);
      contexts.push_back(ev.context_json.empty() ? std::nullopt
                                                 : std::optional<std::string>(ev.context_json));
    }
    Params params;
    params.Add(brand_id_).Add(now_);
    params.AddArray(profile_ids).AddArray(names).AddArray(times).AddArray(ltvs);
    params.AddArray(message_ids).AddArray(sdk_ids).AddArray(attributes).AddArray(contexts);
    auto rows = c_.Exec(kInsertEvents, params);
    if (!rows.ok()) return std::move(rows).take_status();
    std::unordered_set<std::string_view> inserted;
    for (int r = 0; r < rows->size(); ++r)
      if (!rows->IsNull(r, 0)) inserted.insert(rows->Text(r, 0));
    for (const auto& [i, profile_id] : pending_) {
      const auto& id = evs_[i].message_id;
      if (id && !inserted.contains(*id)) results_[i].outcome = events::EventOutcome::kDuplicate;
    }
    pending_.clear();
    return Status::Ok();
  }

  Conn& c_;
  std::string_view brand_id_;
  const std::vector<events::Event>& evs_;
  int64_t now_;
  std::vector<Store::EventResult>& results_;
  std::unordered_set<std::string> message_ids_;  // stored, or taken earlier in this batch
  std::unordered_map<std::string, int64_t> by_user_;
  std::unordered_map<std::string, int64_t> by_anon_;
  std::vector<std::pair<size_t, int64_t>> pending_;  // (event index, profile id) to insert
};

Status InsertApiKey(Conn& c, const ApiKey& key) {
  return c
      .Exec(kInsertKey,
            Params().Add(key.brand_id).Add(key.hash).Add(key.prefix).Add(key.created_at))
      .status();
}

Status InsertAudit(Conn& c, const AuditEntry& e) {
  return c
      .Exec(
          kInsertAudit,
          Params().Add(e.at).Add(e.actor).Add(e.action).Add(e.brand_id).Add(e.target).Add(e.detail))
      .status();
}

Status InsertTokens(Conn& c, const std::vector<OAuthToken>& tokens) {
  for (const auto& t : tokens)
    CDP_RETURN_IF_ERROR(c.Exec(kInsertToken, Params()
                                                 .Add(t.hash)
                                                 .Add(t.kind)
                                                 .Add(t.grant_id)
                                                 .Add(t.client_id)
                                                 .Add(t.brand_id)
                                                 .Add(t.scopes)
                                                 .Add(t.created_at)
                                                 .Add(t.expires_at))
                            .status());
  return Status::Ok();
}

// The grant of the code or token `hash` (found by `sql`), every token of which is revoked.
Status RevokeGrantOf(Conn& c, const Sql& sql, std::string_view hash, int64_t now) {
  auto grant = c.Exec(sql, Params().Add(hash));
  if (!grant.ok()) return std::move(grant).take_status();
  if (grant->empty()) return Status::Ok();
  return c.Exec(kRevokeGrant, Params().Add(grant->Text(0, 0)).Add(now)).status();
}

class PostgresStore final : public Store {
 public:
  PostgresStore(std::unique_ptr<Conn> writer_conn, const PostgresOptions& options)
      : backend_(std::move(writer_conn), options.group_commit) {}

  void AddReader(std::unique_ptr<Conn> conn) { backend_.AddReader(std::move(conn)); }

  Status CreateBrand(const Brand& brand, const ApiKey& first_key,
                     const AuditEntry& audit) override {
    return backend_.Submit([&](Conn& c) -> Status {
      Status st = c.Exec(kInsertBrand, Params().Add(brand.id).Add(brand.name).Add(brand.created_at))
                      .status();
      if (st.code() == Code::kAlreadyExists) return AlreadyExists("brand " + brand.id + " exists");
      CDP_RETURN_IF_ERROR(st);
      CDP_RETURN_IF_ERROR(InsertApiKey(c, first_key));
      return InsertAudit(c, audit);
    });
  }

  Result<Brand> GetBrand(std::string_view brand_id) override {
    return backend_.WithReader([&](Conn& c) -> Result<Brand> {
      auto rows = c.Exec(kGetBrand, Params().Add(brand_id));
      if (!rows.ok()) return std::move(rows).take_status();
      if (rows->empty()) return NotFound(fmt::format("no brand {}", brand_id));
      return ReadBrand(*rows, 0);
    });
  }

  Result<std::vector<Brand>> ListBrands() override {
    return backend_.WithReader([&](Conn& c) -> Result<std::vector<Brand>> {
      auto rows = c.Exec(kListBrands);
      if (!rows.ok()) return std::move(rows).take_status();
      std::vector<Brand> out;
      for (int i = 0; i < rows->size(); ++i) out.push_back(ReadBrand(*rows, i));
      return out;
    });
  }

  Result<std::vector<ApiKey>> ListApiKeys(std::string_view brand_id) override {
    return backend_.WithReader([&](Conn& c) -> Result<std::vector<ApiKey>> {
      auto rows = c.Exec(kListKeys, Params().Add(brand_id));
      if (!rows.ok()) return std::move(rows).take_status();
      std::vector<ApiKey> out;
      for (int i = 0; i < rows->size(); ++i) out.push_back(ReadApiKey(*rows, i));
      return out;
    });
  }

  Status AddApiKey(const ApiKey& key, std::optional<int64_t> retire_others_at,
                   const AuditEntry& audit) override {
    return backend_.Submit([&](Conn& c) -> Status {
      auto brand = c.Exec(kGetBrand, Params().Add(key.brand_id));
      if (!brand.ok()) return std::move(brand).take_status();
      if (brand->empty()) return NotFound("no brand " + key.brand_id);
      if (retire_others_at)
        CDP_RETURN_IF_ERROR(
            c.Exec(kRetireKeys, Params().Add(key.brand_id).Add(*retire_others_at).Add(key.hash))
                .status());
      CDP_RETURN_IF_ERROR(InsertApiKey(c, key));
      return InsertAudit(c, audit);
    });
  }

  Status MarkKeysUsed(const std::vector<std::pair<std::string, int64_t>>& uses) override {
    return backend_.Submit([&](Conn& c) -> Status {
      for (const auto& [hash, at] : uses)
        CDP_RETURN_IF_ERROR(c.Exec(kMarkKeyUsed, Params().Add(hash).Add(at)).status());
      return Status::Ok();
    });
  }

  Status RevokeApiKey(std::string_view brand_id, std::string_view prefix, int64_t now,
                      AuditEntry audit) override {
    return backend_.Submit([&](Conn& c) -> Status {
      auto rows = c.Exec(kActiveKeys, Params().Add(brand_id).Add(now));
      if (!rows.ok()) return std::move(rows).take_status();
      std::vector<std::string> matches;
      for (int i = 0; i < rows->size(); ++i) {
        std::string_view stored_prefix = rows->Text(i, 1);
        // The operator may give any prefix of the stored prefix, or the whole key.
        bool match = prefix.size() <= stored_prefix.size() ? stored_prefix.starts_with(prefix)
                                                           : prefix.starts_with(stored_prefix);
        if (match) {
          matches.emplace_back(rows->Text(i, 0));
          audit.target = std::string(stored_prefix);
        }
      }
      if (matches.empty())
        return NotFound(
            fmt::format("brand {} has no active key starting with '{}'", brand_id, prefix));
      if (matches.size() > 1)
        return InvalidArgument(fmt::format("'{}' matches {} active keys; give a longer prefix",
                                           prefix, matches.size()));
      CDP_RETURN_IF_ERROR(
          c.Exec(kRevokeKey, Params().Add(brand_id).Add(matches[0]).Add(now)).status());
      return InsertAudit(c, audit);
    });
  }

  Result<std::vector<Status>> UpsertProfiles(std::string_view brand_id,
                                             std::vector<ProfileWrite> writes,
                                             int64_t now) override {
    std::vector<Status> results(writes.size());
    Status st = backend_.Submit([&](Conn& c) -> Status {
      for (size_t i = 0; i < writes.size(); ++i) {
        CDP_RETURN_IF_ERROR(c.Run("SAVEPOINT item"));
        results[i] = UpsertOne(c, brand_id, writes[i].patch, now).status();
        if (!results[i].ok() && results[i].code() != Code::kInvalidArgument)
          return results[i];  // storage failure: abandon the whole batch
        if (!results[i].ok()) CDP_RETURN_IF_ERROR(c.Run("ROLLBACK TO SAVEPOINT item"));
        CDP_RETURN_IF_ERROR(c.Run("RELEASE SAVEPOINT item"));
      }
      return Status::Ok();
    });
    if (!st.ok()) return st;
    return results;
  }

  Result<Profile> GetProfile(std::string_view brand_id, const ProfileKey& key) override {
    return backend_.WithReader([&](Conn& c) -> Result<Profile> {
      auto found = LoadProfile(c, brand_id, key.kind, key.id, false);
      if (!found.ok()) return std::move(found).take_status();
      if (!*found) return NoProfile(key);
      return std::move(**found);
    });
  }

  Status DeleteProfile(std::string_view brand_id, const ProfileKey& key) override {
    return backend_.Submit([&](Conn& c) -> Status {
      auto found = LoadProfile(c, brand_id, key.kind, key.id, true);
      if (!found.ok()) return std::move(found).take_status();
      if (!*found) return NoProfile(key);
      return DeleteProfileRow(c, brand_id, (*found)->id);
    });
  }

  void AppendEventsAsync(std::string_view brand_id, std::vector<events::Event> events_in,
                         int64_t now, AppendDone done) override {
    // The job and its completion share the batch; both run on the writer thread.
    struct Batch {
      std::string brand_id;
      std::vector<events::Event> evs;
      std::vector<EventResult> results;
    };
    auto batch = std::make_shared<Batch>(Batch{std::string(brand_id), std::move(events_in), {}});
    // The job may run again after a conflict: EventBatchWriter starts from the inputs.
    auto job = [batch, now](Conn& c) -> Status {
      return EventBatchWriter(c, batch->brand_id, batch->evs, now, batch->results).Run();
    };
    const size_t weight = std::max<size_t>(1, batch->evs.size());
    backend_.SubmitAsync(
        std::move(job),
        [batch, done = std::move(done)](Status st) {
          if (!st.ok()) {
            done(std::move(st));
          } else {
            done(std::move(batch->results));
          }
        },
        weight);
  }

  Result<events::EventPage> QueryEventUsers(std::string_view brand_id,
                                            const events::EventQuery& q) override {
    return backend_.WithReader([&](Conn& c) -> Result<events::EventPage> {
      Params params;
      params.Add(brand_id).Add(q.name).Add(q.after_profile).Add(q.from).Add(q.to);
      params.Add(static_cast<int64_t>(q.limit + 1));
      AddFilters(params, q);
      auto rows = c.Exec(QueryUsersSql(q.where.size()), params);
      if (!rows.ok()) return std::move(rows).take_status();
      events::EventPage page;
      for (int i = 0; i < rows->size(); ++i) {
        if (page.users.size() == q.limit) {
          page.next_after = page.users.back().profile.id;
          break;
        }
        events::EventUser u;
        if (!rows->IsNull(i, 4)) u.profile = ReadProfile(*rows, i, 4);
        u.profile.id = rows->Int(i, 0);
        u.count = rows->Int(i, 1);
        u.first = rows->Int(i, 2);
        u.last = rows->Int(i, 3);
        page.users.push_back(std::move(u));
      }
      return page;
    });
  }

  Result<events::EventCounts> CountEvents(std::string_view brand_id,
                                          const events::EventQuery& q) override {
    return backend_.WithReader([&](Conn& c) -> Result<events::EventCounts> {
      Params params;
      params.Add(brand_id).Add(q.name).Add(q.from).Add(q.to);
      AddFilters(params, q);
      auto rows = c.Exec(CountEventsSql(q.where.size()), params);
      if (!rows.ok()) return std::move(rows).take_status();
      return events::EventCounts{rows->Int(0, 0), rows->Int(0, 1)};
    });
  }

  Result<segments::AttributeTypes> GetAttributeTypes(std::string_view brand_id) override {
    return backend_.WithReader([&](Conn& c) -> Result<segments::AttributeTypes> {
      auto rows = c.Exec(kAttributeTypes, Params().Add(brand_id));
      if (!rows.ok()) return std::move(rows).take_status();
      segments::AttributeTypes types;
      for (int i = 0; i < rows->size(); ++i)
        (rows->Text(i, 0) == "event" ? types.event : types.profile)[std::string(rows->Text(i, 1))] =
            std::string(rows->Text(i, 2));
      return types;
    });
  }

  Status CreateSegment(std::string_view brand_id, const Segment& s) override {
    return backend_.Submit([&](Conn& c) -> Status {
      Status st = c.Exec(kInsertSegment, Params()
                                             .Add(brand_id)
                                             .Add(s.id)
                                             .Add(s.name)
                                             .Add(s.rules)
                                             .Add(s.created_at)
                                             .Add(s.updated_at))
                      .status();
      if (st.code() == Code::kAlreadyExists) return SegmentNameTaken(s.name);
      return st;
    });
  }

  Result<Segment> GetSegment(std::string_view brand_id, std::string_view id) override {
    return backend_.WithReader([&](Conn& c) -> Result<Segment> {
      auto rows = c.Exec(kGetSegment, Params().Add(brand_id).Add(id));
      if (!rows.ok()) return std::move(rows).take_status();
      if (rows->empty()) return NoSegment(id);
      return ReadSegment(*rows, 0);
    });
  }

  Result<std::vector<Segment>> ListSegments(std::string_view brand_id) override {
    return backend_.WithReader([&](Conn& c) -> Result<std::vector<Segment>> {
      auto rows = c.Exec(kListSegments, Params().Add(brand_id));
      if (!rows.ok()) return std::move(rows).take_status();
      std::vector<Segment> out;
      for (int i = 0; i < rows->size(); ++i) out.push_back(ReadSegment(*rows, i));
      return out;
    });
  }

  Status UpdateSegment(std::string_view brand_id, const Segment& s) override {
    return backend_.Submit([&](Conn& c) -> Status {
      auto rows =
          c.Exec(kUpdateSegment,
                 Params().Add(brand_id).Add(s.id).Add(s.name).Add(s.rules).Add(s.updated_at));
      if (!rows.ok() && rows.status().code() == Code::kAlreadyExists)
        return SegmentNameTaken(s.name);
      if (!rows.ok()) return std::move(rows).take_status();
      return rows->Affected() ? Status::Ok() : NoSegment(s.id);
    });
  }

  Status DeleteSegment(std::string_view brand_id, std::string_view id) override {
    return backend_.Submit([&](Conn& c) -> Status {
      auto rows = c.Exec(kDeleteSegment, Params().Add(brand_id).Add(id));
      if (!rows.ok()) return std::move(rows).take_status();
      return rows->Affected() ? Status::Ok() : NoSegment(id);
    });
  }

  Result<int64_t> CountSegment(std::string_view brand_id, const segments::Node& rule,
                               int64_t now) override {
    auto where = segments::CompileWhere(rule, segments::Dialect::kPostgres, now, 1, 2);
    Params params;
    params.Add(brand_id);
    AddSegmentParams(params, where.params);
    return backend_.WithReader([&](Conn& c) -> Result<int64_t> {
      auto rows = c.ExecOnce(
          "SELECT count(*) FROM profiles p WHERE p.brand_id = $1::text AND " + where.text, params);
      if (!rows.ok()) return std::move(rows).take_status();
      return rows->Int(0, 0);
    });
  }

  Result<ProfilePage> SegmentMembers(std::string_view brand_id, const segments::Node& rule,
                                     int64_t now, int64_t after_profile, size_t limit) override {
    auto where = segments::CompileWhere(rule, segments::Dialect::kPostgres, now, 1, 4);
    Params params;
    params.Add(brand_id).Add(after_profile).Add(static_cast<int64_t>(limit + 1));
    AddSegmentParams(params, where.params);
    return backend_.WithReader([&](Conn& c) -> Result<ProfilePage> {
      auto rows = c.ExecOnce("SELECT " + ProfileColumns("p.") +
                                 " FROM profiles p WHERE p.brand_id = $1::text AND p.id > "
                                 "$2::bigint AND " +
                                 where.text + " ORDER BY p.id LIMIT $3::bigint",
                             params);
      if (!rows.ok()) return std::move(rows).take_status();
      return ProfilePageOf(*rows, limit);
    });
  }

  Result<std::string> SaveSubscription(std::string_view brand_id,
                                       const Subscription& sub) override {
    std::string id;
    Status st = backend_.Submit([&](Conn& c) -> Status {
      auto rows = c.Exec(kSaveSubscription, Params()
                                                .Add(brand_id)
                                                .Add(sub.id)
                                                .Add(sub.profile_id)
                                                .Add(sub.platform)
                                                .Add(sub.address)
                                                .Add(sub.p256dh)
                                                .Add(sub.auth)
                                                .Add(sub.updated_at));
      if (!rows.ok()) return std::move(rows).take_status();
      if (rows->empty()) return Internal("subscription not saved");
      id = std::string(rows->Text(0, 0));
      return Status::Ok();
    });
    if (!st.ok()) return st;
    return id;
  }

  Status DeleteSubscription(std::string_view brand_id, std::string_view id,
                            std::string_view platform, std::string_view address) override {
    return backend_.Submit([&](Conn& c) -> Status {
      auto rows =
          c.Exec(kDeleteSubscription, Params().Add(brand_id).Add(id).Add(platform).Add(address));
      if (!rows.ok()) return std::move(rows).take_status();
      return rows->Affected() > 0 ? Status::Ok() : NotFound("no such subscription");
    });
  }

  Result<std::vector<Subscription>> ListSubscriptions(std::string_view brand_id, int64_t profile_id,
                                                      std::string_view platform) override {
    return backend_.WithReader([&](Conn& c) -> Result<std::vector<Subscription>> {
      auto rows = c.Exec(kListSubscriptions, Params().Add(brand_id).Add(profile_id).Add(platform));
      if (!rows.ok()) return std::move(rows).take_status();
      std::vector<Subscription> out;
      for (int i = 0; i < rows->size(); ++i)
        out.push_back({std::string(rows->Text(i, 0)), rows->Int(i, 1),
                       std::string(rows->Text(i, 2)), std::string(rows->Text(i, 3)),
                       std::string(rows->Text(i, 4)), std::string(rows->Text(i, 5)),
                       rows->Int(i, 6), rows->Int(i, 7)});
      return out;
    });
  }

  Result<ProfilePage> Subscribers(std::string_view brand_id, std::string_view platform,
                                  int64_t after_profile, size_t limit) override {
    static const Sql sql{"cdp_subscribers",
                         "SELECT " + ProfileColumns("p.") + push_sql::kSubscribersWhere};
    return backend_.WithReader([&](Conn& c) -> Result<ProfilePage> {
      auto rows = c.Exec(sql, Params()
                                  .Add(brand_id)
                                  .Add(after_profile)
                                  .Add(platform)
                                  .Add(static_cast<int64_t>(limit + 1)));
      if (!rows.ok()) return std::move(rows).take_status();
      return ProfilePageOf(*rows, limit);
    });
  }

  Status PutChannel(std::string_view brand_id, std::string_view channel, std::string_view config,
                    int64_t now) override {
    return backend_.Submit([&](Conn& c) -> Status {
      return c.Exec(kPutChannel, Params().Add(brand_id).Add(channel).Add(config).Add(now)).status();
    });
  }

  Result<std::optional<std::string>> GetChannel(std::string_view brand_id,
                                                std::string_view channel) override {
    return backend_.WithReader([&](Conn& c) -> Result<std::optional<std::string>> {
      auto rows = c.Exec(kGetChannel, Params().Add(brand_id).Add(channel));
      if (!rows.ok()) return std::move(rows).take_status();
      if (rows->empty()) return std::optional<std::string>();
      return std::optional<std::string>(std::string(rows->Text(0, 0)));
    });
  }

  Status CreateCampaign(const Campaign& campaign) override {
    return backend_.Submit([&](Conn& c) -> Status {
      return c.Exec(kInsertCampaign, CampaignParams(campaign)).status();
    });
  }

  Result<Campaign> GetCampaign(std::string_view brand_id, std::string_view id) override {
    return backend_.WithReader([&](Conn& c) -> Result<Campaign> {
      auto rows = c.Exec(kGetCampaign, Params().Add(brand_id).Add(id));
      if (!rows.ok()) return std::move(rows).take_status();
      if (rows->empty()) return NoCampaign(id);
      return ReadCampaign(*rows, 0);
    });
  }

  Result<std::vector<Campaign>> ListCampaigns(std::string_view brand_id) override {
    return backend_.WithReader([&](Conn& c) -> Result<std::vector<Campaign>> {
      auto rows = c.Exec(kListCampaigns, Params().Add(brand_id));
      if (!rows.ok()) return std::move(rows).take_status();
      std::vector<Campaign> out;
      for (int i = 0; i < rows->size(); ++i) out.push_back(ReadCampaign(*rows, i));
      return out;
    });
  }

  Status SaveCampaign(const Campaign& campaign, std::vector<std::string_view> from) override {
    std::string allowed;
    for (auto f : from) allowed += (allowed.empty() ? "" : ",") + std::string(f);
    return backend_.Submit([&](Conn& c) -> Status {
      auto saved = c.Exec(kSaveCampaign, CampaignParams(campaign).Add(allowed));
      if (!saved.ok()) return std::move(saved).take_status();
      if (saved->Affected() == 0) {
        auto current = c.Exec(kCampaignStatus, Params().Add(campaign.brand_id).Add(campaign.id));
        if (!current.ok()) return std::move(current).take_status();
        if (current->empty()) return NoCampaign(campaign.id);
        return FailedPrecondition(
            fmt::format("campaign '{}' is {}", campaign.id, current->Text(0, 0)));
      }
      if (campaign.status != kCampaignCancelled) return Status::Ok();
      return c
          .Exec(kSkipQueuedMessages,
                Params().Add(campaign.brand_id).Add(campaign.id).Add(campaign.updated_at))
          .status();
    });
  }

  Result<std::vector<Campaign>> ClaimCampaigns(std::string_view node, int64_t now,
                                               int64_t lease_until) override {
    std::vector<Campaign> claimed;
    Status st = backend_.Submit([&](Conn& c) -> Status {
      claimed.clear();
      auto rows = c.Exec(kClaimCampaigns, Params().Add(now).Add(node).Add(lease_until));
      if (!rows.ok()) return std::move(rows).take_status();
      for (int i = 0; i < rows->size(); ++i) claimed.push_back(ReadCampaign(*rows, i));
      return Status::Ok();
    });
    if (!st.ok()) return st;
    return claimed;
  }

  Status AddMessages(std::string_view brand_id, std::string_view campaign_id,
                     const std::vector<Message>& messages) override {
    std::vector<std::optional<std::string>> cols[9];
    for (const Message& m : messages) {
      cols[0].push_back(std::to_string(m.profile_id));
      cols[1].push_back(m.user_id);
      cols[2].push_back(m.status);
      cols[3].push_back(m.reason);
      cols[4].push_back(m.address);
      cols[5].push_back(std::to_string(m.attempts));
      cols[6].push_back(std::to_string(m.next_attempt_at));
      cols[7].push_back(m.response);
      cols[8].push_back(std::to_string(m.updated_at));
    }
    Params params;
    params.Add(brand_id).Add(campaign_id);
    for (const auto& col : cols) params.AddArray(col);
    return backend_.Submit(
        [&](Conn& c) -> Status { return c.Exec(kAddMessages, params).status(); });
  }

  Result<std::vector<PendingMessage>> PendingMessages(std::string_view brand_id,
                                                      std::string_view campaign_id, int64_t now,
                                                      size_t limit) override {
    static const Sql pending{"cdp_pending_messages",
                             campaign_sql::PendingMessagesSql(ProfileColumns("p."))};
    return backend_.WithReader([&](Conn& c) -> Result<std::vector<PendingMessage>> {
      auto rows =
          c.Exec(pending,
                 Params().Add(brand_id).Add(campaign_id).Add(now).Add(static_cast<int64_t>(limit)));
      if (!rows.ok()) return std::move(rows).take_status();
      std::vector<PendingMessage> out;
      constexpr int kProfile = campaign_sql::kMessageColumnCount;
      for (int i = 0; i < rows->size(); ++i) {
        PendingMessage pm{ReadMessage(*rows, i), std::nullopt};
        if (!rows->IsNull(i, kProfile)) pm.profile = ReadProfile(*rows, i, kProfile);
        out.push_back(std::move(pm));
      }
      return out;
    });
  }

  Status RecordMessages(std::string_view brand_id, std::string_view campaign_id,
                        const std::vector<Message>& messages) override {
    return backend_.Submit([&](Conn& c) -> Status {
      for (const Message& m : messages) {
        CDP_RETURN_IF_ERROR(c.Exec(kRecordMessage, Params()
                                                       .Add(brand_id)
                                                       .Add(campaign_id)
                                                       .Add(m.profile_id)
                                                       .Add(m.status)
                                                       .Add(m.reason)
                                                       .Add(m.address)
                                                       .Add(static_cast<int64_t>(m.attempts))
                                                       .Add(m.next_attempt_at)
                                                       .Add(m.response)
                                                       .Add(m.updated_at))
                                .status());
      }
      return Status::Ok();
    });
  }

  Result<MessageCounts> CountMessages(std::string_view brand_id,
                                      std::string_view campaign_id) override {
    return backend_.WithReader([&](Conn& c) -> Result<MessageCounts> {
      auto rows = c.Exec(kCountMessages, Params().Add(brand_id).Add(campaign_id));
      if (!rows.ok()) return std::move(rows).take_status();
      MessageCounts counts;
      for (int i = 0; i < rows->size(); ++i) counts.Add(rows->Text(i, 0), rows->Int(i, 1));
      return counts;
    });
  }

  Status SetRateLimit(std::string_view brand_id, std::string_view group, int64_t per_minute,
                      const AuditEntry& audit) override {
    return backend_.Submit([&](Conn& c) -> Status {
      CDP_RETURN_IF_ERROR(
          c.Exec(kSetRateLimit, Params().Add(brand_id).Add(group).Add(per_minute)).status());
      return InsertAudit(c, audit);
    });
  }

  Status CreatePartnerApp(const PartnerApp& app, const AuditEntry& audit) override {
    return backend_.Submit([&](Conn& c) -> Status {
      Status st = c.Exec(kInsertPartner, Params()
                                             .Add(app.client_id)
                                             .Add(app.name)
                                             .Add(app.secret_hash)
                                             .Add(access_sql::EncodeUris(app.redirect_uris))
                                             .Add(app.created_at))
                      .status();
      if (st.code() == Code::kAlreadyExists)
        return AlreadyExists("partner app " + app.client_id + " exists");
      CDP_RETURN_IF_ERROR(st);
      return InsertAudit(c, audit);
    });
  }

  Result<PartnerApp> GetPartnerApp(std::string_view client_id) override {
    return backend_.WithReader([&](Conn& c) -> Result<PartnerApp> {
      auto rows = c.Exec(kGetPartner, Params().Add(client_id));
      if (!rows.ok()) return std::move(rows).take_status();
      if (rows->empty()) return NotFound(fmt::format("no partner app {}", client_id));
      return ReadPartner(*rows, 0);
    });
  }

  Result<std::vector<PartnerApp>> ListPartnerApps() override {
    return backend_.WithReader([&](Conn& c) -> Result<std::vector<PartnerApp>> {
      auto rows = c.Exec(kListPartners);
      if (!rows.ok()) return std::move(rows).take_status();
      return AllOf<PartnerApp>(*rows, ReadPartner);
    });
  }

  Status DeletePartnerApp(std::string_view client_id, int64_t now,
                          const AuditEntry& audit) override {
    return backend_.Submit([&](Conn& c) -> Status {
      auto deleted = c.Exec(kDeletePartner, Params().Add(client_id).Add(now));
      if (!deleted.ok()) return std::move(deleted).take_status();
      if (deleted->empty()) return NotFound(fmt::format("no partner app {}", client_id));
      CDP_RETURN_IF_ERROR(c.Exec(kRevokePartnerTokens, Params().Add(client_id).Add(now)).status());
      return InsertAudit(c, audit);
    });
  }

  Status SaveAuthCode(const AuthCode& code, const AuditEntry& audit) override {
    return backend_.Submit([&](Conn& c) -> Status {
      CDP_RETURN_IF_ERROR(c.Exec(kInsertCode, Params()
                                                  .Add(code.hash)
                                                  .Add(code.grant_id)
                                                  .Add(code.client_id)
                                                  .Add(code.brand_id)
                                                  .Add(code.scopes)
                                                  .Add(code.redirect_uri)
                                                  .Add(code.code_challenge)
                                                  .Add(code.created_at)
                                                  .Add(code.expires_at))
                              .status());
      return InsertAudit(c, audit);
    });
  }

  Result<AuthCode> GetAuthCode(std::string_view hash) override {
    return backend_.WithReader([&](Conn& c) -> Result<AuthCode> {
      auto rows = c.Exec(kGetCode, Params().Add(hash));
      if (!rows.ok()) return std::move(rows).take_status();
      if (rows->empty()) return NotFound("no such authorization code");
      return ReadCode(*rows, 0);
    });
  }

  Status RedeemAuthCode(std::string_view hash, int64_t now,
                        const std::vector<OAuthToken>& tokens) override {
    bool replayed = false;
    Status st = backend_.Submit([&](Conn& c) -> Status {
      auto used = c.Exec(kUseCode, Params().Add(hash).Add(now));
      if (!used.ok()) return std::move(used).take_status();
      replayed = used->empty();
      if (replayed) return RevokeGrantOf(c, kCodeGrant, hash, now);
      return InsertTokens(c, tokens);
    });
    if (st.ok() && replayed) return FailedPrecondition("authorization code already used");
    return st;
  }

  Result<OAuthToken> GetOAuthToken(std::string_view hash) override {
    return backend_.WithReader([&](Conn& c) -> Result<OAuthToken> {
      auto rows = c.Exec(kGetToken, Params().Add(hash));
      if (!rows.ok()) return std::move(rows).take_status();
      if (rows->empty()) return NotFound("no such token");
      return ReadToken(*rows, 0);
    });
  }

  Status RotateRefreshToken(std::string_view hash, int64_t now,
                            const std::vector<OAuthToken>& tokens) override {
    bool reused = false;
    Status st = backend_.Submit([&](Conn& c) -> Status {
      auto used = c.Exec(kUseRefreshToken, Params().Add(hash).Add(now));
      if (!used.ok()) return std::move(used).take_status();
      reused = used->empty();
      if (reused) return RevokeGrantOf(c, kTokenGrant, hash, now);
      return InsertTokens(c, tokens);
    });
    if (st.ok() && reused) return FailedPrecondition("refresh token already used or revoked");
    return st;
  }

  Status RevokeGrant(std::string_view grant_id, int64_t now, const AuditEntry& audit) override {
    return backend_.Submit([&](Conn& c) -> Status {
      CDP_RETURN_IF_ERROR(c.Exec(kRevokeGrant, Params().Add(grant_id).Add(now)).status());
      return InsertAudit(c, audit);
    });
  }

  Result<int64_t> RevokePartnerAccess(std::string_view brand_id, std::string_view client_id,
                                      int64_t now, const AuditEntry& audit) override {
    int64_t grants = 0;
    Status st = backend_.Submit([&](Conn& c) -> Status {
      auto rows = c.Exec(kRevokeBrandPartner, Params().Add(brand_id).Add(client_id).Add(now));
      if (!rows.ok()) return std::move(rows).take_status();
      std::set<std::string_view> distinct;
      for (int i = 0; i < rows->size(); ++i) distinct.insert(rows->Text(i, 0));
      grants = static_cast<int64_t>(distinct.size());
      return InsertAudit(c, audit);
    });
    if (!st.ok()) return st;
    return grants;
  }

  Result<std::vector<Grant>> ListGrants(std::string_view brand_id, int64_t now) override {
    return backend_.WithReader([&](Conn& c) -> Result<std::vector<Grant>> {
      auto rows = c.Exec(kListGrants, Params().Add(brand_id).Add(now));
      if (!rows.ok()) return std::move(rows).take_status();
      return AllOf<Grant>(*rows, [](const Rows& r, int i) {
        return Grant{Str(r, i, 0), Str(r, i, 1), Str(r, i, 2), r.Int(i, 3), r.Int(i, 4)};
      });
    });
  }

  Result<std::vector<AuditEntry>> ListAudit(std::string_view brand_id, int64_t before_id,
                                            size_t limit) override {
    return backend_.WithReader([&](Conn& c) -> Result<std::vector<AuditEntry>> {
      auto rows = c.Exec(kListAudit,
                         Params().Add(brand_id).Add(before_id).Add(static_cast<int64_t>(limit)));
      if (!rows.ok()) return std::move(rows).take_status();
      return AllOf<AuditEntry>(*rows, [](const Rows& r, int i) {
        return AuditEntry{r.Int(i, 0),  r.Int(i, 1),  Str(r, i, 2), Str(r, i, 3),
                          Str(r, i, 4), Str(r, i, 5), Str(r, i, 6)};
      });
    });
  }

  Result<std::vector<std::pair<std::string, int64_t>>> GetRateLimits(
      std::string_view brand_id) override {
    using Limits = std::vector<std::pair<std::string, int64_t>>;
    return backend_.WithReader([&](Conn& c) -> Result<Limits> {
      auto rows = c.Exec(kGetRateLimits, Params().Add(brand_id));
      if (!rows.ok()) return std::move(rows).take_status();
      Limits out;
      for (int i = 0; i < rows->size(); ++i)
        out.emplace_back(std::string(rows->Text(i, 0)), rows->Int(i, 1));
      return out;
    });
  }

  Status RecordFeedback(std::string_view brand_id, const Feedback& f) override {
    return backend_.Submit([&](Conn& c) -> Status {
      auto found =
          c.Exec(kMessageExists, Params().Add(brand_id).Add(f.campaign_id).Add(f.profile_id));
      if (!found.ok()) return std::move(found).take_status();
      if (found->size() == 0)
        return NotFound(fmt::format("campaign '{}' has no such message", f.campaign_id));
      CDP_RETURN_IF_ERROR(c.Exec(kInsertFeedback, Params()
                                                      .Add(brand_id)
                                                      .Add(f.campaign_id)
                                                      .Add(f.profile_id)
                                                      .Add(f.kind)
                                                      .Add(f.detail)
                                                      .Add(f.at))
                              .status());
      const campaign_sql::FeedbackEffect effect = campaign_sql::EffectOf(f.kind);
      if (effect.delivery)
        CDP_RETURN_IF_ERROR(
            c.Exec(
                 kSetDelivery,
                 Params().Add(brand_id).Add(f.campaign_id).Add(f.profile_id).Add(*effect.delivery))
                .status());
      if (effect.email_opt_in)
        CDP_RETURN_IF_ERROR(
            c.Exec(kSetEmailOptIn,
                   Params().Add(brand_id).Add(f.profile_id).Add(*effect.email_opt_in).Add(f.at))
                .status());
      return Status::Ok();
    });
  }

  Result<CampaignActivity> GetCampaignActivity(std::string_view brand_id,
                                               std::string_view campaign_id,
                                               const std::optional<Conversion>& conversion,
                                               size_t top_links) override {
    return backend_.WithReader([&](Conn& c) -> Result<CampaignActivity> {
      CampaignActivity out;
      auto groups = c.Exec(kMessageGroups, Params().Add(brand_id).Add(campaign_id));
      if (!groups.ok()) return std::move(groups).take_status();
      for (int i = 0; i < groups->size(); ++i)
        out.messages.push_back({std::string(groups->Text(i, 0)), std::string(groups->Text(i, 1)),
                                std::string(groups->Text(i, 2)), groups->Int(i, 3)});
      auto kinds = c.Exec(kFeedbackGroups, Params().Add(brand_id).Add(campaign_id));
      if (!kinds.ok()) return std::move(kinds).take_status();
      for (int i = 0; i < kinds->size(); ++i)
        out.feedback.push_back(
            {std::string(kinds->Text(i, 0)), kinds->Int(i, 1), kinds->Int(i, 2)});
      auto links = c.Exec(
          kTopLinks, Params().Add(brand_id).Add(campaign_id).Add(static_cast<int64_t>(top_links)));
      if (!links.ok()) return std::move(links).take_status();
      for (int i = 0; i < links->size(); ++i)
        out.top_links.push_back(
            {std::string(links->Text(i, 0)), links->Int(i, 1), links->Int(i, 2)});
      if (conversion) {
        auto n = c.Exec(kConversions, Params()
                                          .Add(brand_id)
                                          .Add(campaign_id)
                                          .Add(conversion->event_name)
                                          .Add(conversion->window));
        if (!n.ok()) return std::move(n).take_status();
        out.conversions = n->Int(0, 0);
      }
      return out;
    });
  }

  Result<std::vector<TimelinePoint>> GetTimeline(std::string_view brand_id,
                                                 std::string_view campaign_id, int64_t from,
                                                 int64_t to, int64_t bucket) override {
    return backend_.WithReader([&](Conn& c) -> Result<std::vector<TimelinePoint>> {
      auto rows =
          c.Exec(kTimeline, Params().Add(brand_id).Add(campaign_id).Add(bucket).Add(from).Add(to));
      if (!rows.ok()) return std::move(rows).take_status();
      std::vector<TimelinePoint> out;
      for (int i = 0; i < rows->size(); ++i)
        out.push_back({rows->Int(i, 0), std::string(rows->Text(i, 1)), rows->Int(i, 2)});
      return out;
    });
  }

  Result<std::string> GetOrCreateSecret(std::string_view name,
                                        std::string_view candidate) override {
    std::string value;
    Status st = backend_.Submit([&](Conn& c) -> Status {
      CDP_RETURN_IF_ERROR(c.Exec(kPutSecret, Params().Add(name).Add(candidate)).status());
      auto rows = c.Exec(kGetSecret, Params().Add(name));
      if (!rows.ok()) return std::move(rows).take_status();
      if (rows->size() == 0) return Internal("secret vanished");
      value = std::string(rows->Text(0, 0));
      return Status::Ok();
    });
    if (!st.ok()) return st;
    return value;
  }

 private:
  Backend backend_;
};

}  // namespace

Result<std::unique_ptr<Store>> OpenPostgresStore(const PostgresOptions& options) {
  auto writer_conn = Conn::Open(options.url);
  if (!writer_conn.ok()) return std::move(writer_conn).take_status();
  if (options.apply_migrations) {
    auto migrated = postgres::Migrate(**writer_conn);
    if (!migrated.ok()) return std::move(migrated).take_status();
  } else {
    auto version = postgres::CheckSchemaVersion(**writer_conn);
    if (!version.ok()) return std::move(version).take_status();
    if (*version < postgres::LatestSchemaVersion())
      return FailedPrecondition(fmt::format(
          "database schema version {} is older than this cdp needs ({}); run `cdp migrate`",
          *version, postgres::LatestSchemaVersion()));
  }
  auto store = std::make_unique<PostgresStore>(std::move(writer_conn).value(), options);
  for (int i = 0; i < std::max(1, options.read_connections); ++i) {
    auto conn = Conn::Open(options.url);
    if (!conn.ok()) return std::move(conn).take_status();
    store->AddReader(std::move(conn).value());
  }
  return std::unique_ptr<Store>(std::move(store));
}

Result<PostgresSchema> MigratePostgres(const std::string& url) {
  auto conn = Conn::Open(url);
  if (!conn.ok()) return std::move(conn).take_status();
  auto migrated = postgres::Migrate(**conn);
  if (!migrated.ok()) return std::move(migrated).take_status();
  return PostgresSchema{migrated->from_version, migrated->to_version};
}

std::string RedactPostgresUrl(std::string_view url) {
  std::string out(url);
  auto scheme = out.find("://");
  if (scheme != std::string::npos) {
    size_t start = scheme + 3;
    size_t end = out.find_first_of("/?#", start);
    if (end == std::string::npos) end = out.size();
    size_t at = out.rfind('@', end);
    if (at != std::string::npos && at > start) {
      size_t colon = out.find(':', start);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  // key=value strings, or a password given as a URL parameter.
  constexpr std::string_view kPassword = "password=";
  if (size_t pos = out.find(kPassword); pos != std::string::npos) {
    size_t value = pos + kPassword.size();
    size_t end = out.find_first_of(" &", value);
    out.replace(value, (end == std::string::npos ? out.size() : end) - value, "***");
  }
  return out;
}

}  // namespace cdp::store