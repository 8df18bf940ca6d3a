#include "store/sqlite/profile_rows.h"

#include <fmt/format.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "profiles/identity.h"
#include "store/push_sql.h"
#include "store/sql/connection.h"
#include "store/sqlite/sqlite_db.h"

namespace cdp::store::sqlite {

std::string ProfileColumns(std::string_view table) {
  std::string cols = fmt::format("{0}id, {0}user_id, {0}anonymous_id", table);
  for (auto c : kFieldColumns) cols += fmt::format(", {}{}", table, c);
  return cols + fmt::format(", {0}attributes, {0}created_at, {0}updated_at", table);
}

const std::string& SelectProfileSql(ProfileKey::Kind kind) {
  static const std::string by_user =
      "SELECT " + ProfileColumns() + " FROM profiles WHERE brand_id = ?1 AND user_id = ?2";
  static const std::string by_anon =
      "SELECT " + ProfileColumns() + " FROM profiles WHERE brand_id = ?1 AND anonymous_id = ?2";
  return kind == ProfileKey::Kind::kUserId ? by_user : by_anon;
}

// Reads the profile whose columns (ProfileColumns order) start at `col0`.
Profile ReadProfile(const Stmt& s, int col0) {
  Profile p;
  p.id = s.Int(col0);
  p.user_id = s.OptText(col0 + 1);
  p.anonymous_id = s.OptText(col0 + 2);
  for (size_t i = 0; i < profiles::kFieldCount; ++i) {
    int col = col0 + static_cast<int>(3 + i);
    if (s.IsNull(col)) continue;
    if (profiles::Fields()[i].is_integer) {
      p.fields[i] = s.Int(col);
    } else {
      p.fields[i] = s.Text(col);
    }
  }
  int base = col0 + static_cast<int>(3 + profiles::kFieldCount);
  boost::system::error_code ec;
  json::value attrs = json::parse(s.Text(base), ec);
  if (!ec && attrs.is_object()) p.attributes = std::move(attrs.get_object());
  p.created_at = s.Int(base + 1);
  p.updated_at = s.Int(base + 2);
  return p;
}

Result<std::optional<Profile>> LoadProfile(Db& db, std::string_view brand_id, ProfileKey::Kind kind,
                                           std::string_view id) {
  auto stmt = db.Prepare(SelectProfileSql(kind));
  if (!stmt.ok()) return std::move(stmt).take_status();
  stmt->Bind(1, brand_id).Bind(2, id);
  auto row = stmt->Step();
  if (!row.ok()) return std::move(row).take_status();
  if (!*row) return std::optional<Profile>();
  return std::optional<Profile>(ReadProfile(*stmt));
}

void BindField(Stmt& s, int i, const json::value& v) {
  if (v.is_string()) {
    s.Bind(i, std::string_view(v.get_string()));
  } else if (v.is_int64()) {
    s.Bind(i, v.get_int64());
  } else {
    s.BindNull(i);
  }
}

// Inserts (id == 0) or updates the whole row of `p`; sets p.id on insert.
Status SaveProfile(Db& db, std::string_view brand_id, Profile& p) {
  static const std::string insert_sql = [] {
    std::string cols = "brand_id, user_id, anonymous_id", vals = "?1, ?2, ?3";
    int i = 4;
    for (auto c : kFieldColumns) {
      cols += fmt::format(", {}", c);
      vals += fmt::format(", ?{}", i++);
    }
    return fmt::format(
        "INSERT INTO profiles ({}, attributes, created_at, updated_at) "
        "VALUES ({}, ?{}, ?{}, ?{})",
        cols, vals, i, i + 1, i + 2);
  }();
  static const std::string update_sql = [] {
    std::string sets = "user_id = ?2, anonymous_id = ?3";
    int i = 4;
    for (auto c : kFieldColumns) sets += fmt::format(", {} = ?{}", c, i++);
    return fmt::format(
        "UPDATE profiles SET {}, attributes = ?{}, created_at = ?{}, updated_at = ?{} "
        "WHERE brand_id = ?1 AND id = ?{}",
        sets, i, i + 1, i + 2, i + 3);
  }();
  auto stmt = db.Prepare(p.id == 0 ? insert_sql : update_sql);
  if (!stmt.ok()) return std::move(stmt).take_status();
  stmt->Bind(1, brand_id).Bind(2, p.user_id).Bind(3, p.anonymous_id);
  int i = 4;
  for (const auto& v : p.fields) BindField(*stmt, i++, v);
  stmt->Bind(i, json::serialize(p.attributes)).Bind(i + 1, p.created_at).Bind(i + 2, p.updated_at);
  if (p.id != 0) stmt->Bind(i + 3, p.id);
  CDP_RETURN_IF_ERROR(stmt->Run());
  if (p.id == 0) {
    auto last = db.Prepare("SELECT last_insert_rowid()");
    if (!last.ok()) return std::move(last).take_status();
    auto row = last->Step();
    if (!row.ok()) return std::move(row).take_status();
    p.id = last->Int(0);
  }
  return Status::Ok();
}

// Runs `sql` with ?1 = brand id and ?2 = profile id.
Status RunForProfile(Db& db, const std::string& sql, std::string_view brand_id, int64_t id) {
  auto stmt = db.Prepare(sql);
  if (!stmt.ok()) return std::move(stmt).take_status();
  return stmt->Bind(1, brand_id).Bind(2, id).Run();
}

// Deletes the profile row and the events listed for it while anonymous. A known profile's
// other events are removed separately (see Backend::DeleteProfile).
Status DeleteProfileRow(Db& db, std::string_view brand_id, int64_t id) {
  CDP_RETURN_IF_ERROR(
      RunForProfile(db,
                    "DELETE FROM events WHERE id IN (SELECT event_id FROM anonymous_events "
                    "WHERE brand_id = ?1 AND profile_id = ?2)",
                    brand_id, id));
  CDP_RETURN_IF_ERROR(RunForProfile(
      db, "DELETE FROM anonymous_events WHERE brand_id = ?1 AND profile_id = ?2", brand_id, id));
  static const sql::Query delete_subscriptions(push_sql::kDeleteProfileSubscriptions);
  CDP_RETURN_IF_ERROR(RunForProfile(db, delete_subscriptions.sqlite_text(), brand_id, id));
  return RunForProfile(db, "DELETE FROM profiles WHERE brand_id = ?1 AND id = ?2", brand_id, id);
}

// The profile is known now: its events need no separate listing any more.
Status ForgetAnonymousEvents(Db& db, std::string_view brand_id, int64_t id) {
  return RunForProfile(db, "DELETE FROM anonymous_events WHERE brand_id = ?1 AND profile_id = ?2",
                       brand_id, id);
}

// Records the type of each attribute the brand has not seen before and applies the
// first-write-wins rule (profiles::CheckAttributeType) to the others.
Status CheckAttributeTypes(Db& db, std::string_view brand_id, std::string_view scope,
                           const json::object& attributes) {
  for (const auto& [name, value] : attributes) {
    std::string_view type = profiles::AttributeType(value);
    if (type.empty()) continue;
    auto get = db.Prepare(
        "SELECT type FROM attribute_types WHERE brand_id = ?1 AND scope = ?2 AND name = ?3");
    if (!get.ok()) return std::move(get).take_status();
    get->Bind(1, brand_id).Bind(2, scope).Bind(3, std::string_view(name));
    auto row = get->Step();
    if (!row.ok()) return std::move(row).take_status();
    if (*row) {
      std::string known = get->Text(0);
      get->Reset();
      CDP_RETURN_IF_ERROR(profiles::CheckAttributeType(name, known, type));
      continue;
    }
    get->Reset();
    auto put = db.Prepare(
        "INSERT INTO attribute_types (brand_id, scope, name, type) VALUES (?1, ?2, ?3, ?4)");
    if (!put.ok()) return std::move(put).take_status();
    CDP_RETURN_IF_ERROR(
        put->Bind(1, brand_id).Bind(2, scope).Bind(3, std::string_view(name)).Bind(4, type).Run());
  }
  return Status::Ok();
}

// Moves the events of anonymous profile `from` to known profile `to`.
Status MoveEvents(Db& db, std::string_view brand_id, int64_t from, int64_t to) {
  auto stmt = db.Prepare(
      "UPDATE events SET profile_id = ?3 WHERE id IN (SELECT event_id FROM anonymous_events "
      "WHERE brand_id = ?1 AND profile_id = ?2)");
  if (!stmt.ok()) return std::move(stmt).take_status();
  CDP_RETURN_IF_ERROR(stmt->Bind(1, brand_id).Bind(2, from).Bind(3, to).Run());
  static const sql::Query move_subscriptions(push_sql::kMoveSubscriptions);
  auto subs = db.Prepare(move_subscriptions.sqlite_text());
  if (!subs.ok()) return std::move(subs).take_status();
  CDP_RETURN_IF_ERROR(subs->Bind(1, brand_id).Bind(2, from).Bind(3, to).Run());
  return ForgetAnonymousEvents(db, brand_id, from);
}

// Creates or updates the profile `patch` names.
Result<ProfileRef> UpsertOne(Db& db, std::string_view brand_id, const profiles::ProfilePatch& patch,
                             int64_t now) {
  CDP_RETURN_IF_ERROR(CheckAttributeTypes(db, brand_id, "profile", patch.attributes));
  std::optional<Profile> by_user;
  std::optional<Profile> by_anonymous;
  if (patch.user_id) {
    auto found = LoadProfile(db, brand_id, ProfileKey::Kind::kUserId, *patch.user_id);
    if (!found.ok()) return std::move(found).take_status();
    by_user = std::move(*found);
  }
  if (patch.anonymous_id) {
    auto found = LoadProfile(db, brand_id, ProfileKey::Kind::kAnonymousId, *patch.anonymous_id);
    if (!found.ok()) return std::move(found).take_status();
    by_anonymous = std::move(*found);
  }
  auto plan = profiles::ResolveIdentity(patch, std::move(by_user), std::move(by_anonymous), now);
  Profile& profile = plan.profile;
  if (plan.identified) CDP_RETURN_IF_ERROR(ForgetAnonymousEvents(db, brand_id, profile.id));
  if (plan.merged) {
    CDP_RETURN_IF_ERROR(MoveEvents(db, brand_id, *plan.merged, profile.id));
    CDP_RETURN_IF_ERROR(DeleteProfileRow(db, brand_id, *plan.merged));
  }
  CDP_RETURN_IF_ERROR(SaveProfile(db, brand_id, profile));
  return ProfileRef{profile.id, !profile.user_id.has_value()};
}

}  // namespace cdp::store::sqlite
