// Profile rows as the SQLite backend reads and writes them inside the writer's transaction
// (load, save, delete, move events, upsert with identity resolution), shared by its
// profile and event parts, and the row readers every part uses. Only store/sqlite includes
// this header.
#pragma once

#include <array>
#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "profiles/profile.h"
#include "store/sqlite/sqlite_db.h"

namespace cdp::store::sqlite {

namespace json = boost::json;
using profiles::Field;
using profiles::Profile;
using profiles::ProfileKey;

struct ProfileRef {
  int64_t id = 0;
  bool anonymous = false;  // no user id yet
};

// Reads all rows of `stmt` with `read`.
template <typename T, typename F>
Result<std::vector<T>> AllRows(Stmt& stmt, F read) {
  std::vector<T> out;
  for (;;) {
    auto row = stmt.Step();
    if (!row.ok()) return std::move(row).take_status();
    if (!*row) return out;
    out.push_back(read(stmt));
  }
}

// Profile columns in profiles::Field order.
inline constexpr std::array<std::string_view, profiles::kFieldCount> kFieldColumns = {
    "name",         "first_name", "last_name",      "birth_date",   "gender",
    "email",        "mobile",     "company",        "hashed_email", "hashed_mobile",
    "email_opt_in", "sms_opt_in", "whatsapp_opt_in"};

// The columns ReadProfile reads, each prefixed with `table` (e.g. "p.").
std::string ProfileColumns(std::string_view table = "");

const std::string& SelectProfileSql(ProfileKey::Kind kind);

// Reads the profile whose columns (ProfileColumns order) start at `col0`.
Profile ReadProfile(const Stmt& s, int col0 = 0);

Result<std::optional<Profile>> LoadProfile(Db& db, std::string_view brand_id, ProfileKey::Kind kind,
                                           std::string_view id);

void BindField(Stmt& s, int i, const json::value& v);

// Inserts (id == 0) or updates the whole row of `p`; sets p.id on insert.
Status SaveProfile(Db& db, std::string_view brand_id, Profile& p);

// Runs `sql` with ?1 = brand id and ?2 = profile id.
Status RunForProfile(Db& db, const std::string& sql, std::string_view brand_id, int64_t id);

// Deletes the profile row and the events listed for it while anonymous. A known profile's
// other events are removed separately (see Backend::DeleteProfile).
Status DeleteProfileRow(Db& db, std::string_view brand_id, int64_t id);

// The profile is known now: its events need no separate listing any more.
Status ForgetAnonymousEvents(Db& db, std::string_view brand_id, int64_t id);

// Records the type of each attribute the brand has not seen before and applies the
// first-write-wins rule (profiles::CheckAttributeType) to the others.
Status CheckAttributeTypes(Db& db, std::string_view brand_id, std::string_view scope,
                           const json::object& attributes);

// Moves the events of anonymous profile `from` to known profile `to`.
Status MoveEvents(Db& db, std::string_view brand_id, int64_t from, int64_t to);

// Creates or updates the profile `patch` names.
Result<ProfileRef> UpsertOne(Db& db, std::string_view brand_id, const profiles::ProfilePatch& patch,
                             int64_t now);

}  // namespace cdp::store::sqlite
