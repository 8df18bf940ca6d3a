#include "store/postgres/profile_writes.h"

#include <fmt/format.h>

#include <boost/json/serialize.hpp>
#include <optional>
#include <string>
#include <utility>

#include "profiles/identity.h"
#include "store/postgres/rows.h"
#include "store/push_sql.h"

namespace cdp::store::postgres {
namespace {

namespace json = boost::json;
using profiles::Profile;
using profiles::ProfileKey;

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

const Sql kGetAttributeType{
    "cdp_get_attribute_type",
    "SELECT type FROM attribute_types WHERE brand_id = $1 AND scope = $2 AND name = $3"};
const Sql kPutAttributeType{"cdp_put_attribute_type",
                            "INSERT INTO attribute_types (brand_id, scope, name, type) "
                            "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING type"};

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

}  // namespace

Result<std::optional<Profile>> LoadProfile(Conn& c, std::string_view brand_id,
                                           ProfileKey::Kind kind, std::string_view id,
                                           bool for_update) {
  auto rows = c.Exec(SelectProfileSql(kind, for_update), Params().Add(brand_id).Add(id));
  if (!rows.ok()) return std::move(rows).take_status();
  if (rows->empty()) return std::optional<Profile>();
  return std::optional<Profile>(ReadProfile(*rows, 0, 0));
}

Status DeleteProfileRow(Conn& c, std::string_view brand_id, int64_t id) {
  CDP_RETURN_IF_ERROR(RunForProfile(c, kDeleteProfileEvents, brand_id, id));
  CDP_RETURN_IF_ERROR(RunForProfile(c, kDeleteProfileSubscriptions, brand_id, id));
  return RunForProfile(c, kDeleteProfile, brand_id, id);
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

}  // namespace cdp::store::postgres
