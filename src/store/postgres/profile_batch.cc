#include "store/postgres/profile_batch.h"

#include <fmt/format.h>

#include <boost/json/serialize.hpp>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>

#include "profiles/identity.h"
#include "store/postgres/rows.h"

namespace cdp::store::postgres {
namespace {

namespace json = boost::json;
using profiles::Profile;
using profiles::ProfilePatch;
using Column = std::vector<std::optional<std::string>>;

const Sql kKnownTypes{"cdp_batch_known_types",
                      "SELECT name, type FROM attribute_types "
                      "WHERE brand_id = $1 AND scope = 'profile' AND name = ANY ($2::text[])"};
// RETURNING lists the types recorded now: one missing was recorded by another node first.
const Sql kRecordTypes{"cdp_batch_record_types",
                       "INSERT INTO attribute_types (brand_id, scope, name, type) "
                       "SELECT $1, 'profile', t.name, t.type "
                       "FROM unnest($2::text[], $3::text[]) AS t(name, type) "
                       "ON CONFLICT DO NOTHING RETURNING name"};

// One index lookup per key, whatever the planner believes of the table's size (a table
// never analyzed yet looks tiny, and `= ANY` then scans the whole brand). A profile found
// by both of its ids comes twice. Keys are sent sorted, so that two nodes lock the
// profiles of overlapping batches in the same order.
const Sql& LoadProfilesSql() {
  static const Sql sql = [] {
    auto by = [](std::string_view key, int param) {
      return fmt::format(
          "SELECT p.* FROM unnest(${}::text[]) AS k(key) CROSS JOIN LATERAL (SELECT {} FROM "
          "profiles WHERE brand_id = $1 AND {} = k.key FOR UPDATE) p",
          param, ProfileColumns(), key);
    };
    return Sql{"cdp_batch_load_profiles",
               by("user_id", 2).append(" UNION ALL ").append(by("anonymous_id", 3))};
  }();
  return sql;
}

// The unnest(...) of a profile's stored columns from $first on (after the profiles' ids
// when `with_id`), named u(...); integer fields travel as text and are cast where they are
// read (FieldValue).
std::string UnnestProfiles(int first, bool with_id) {
  std::string args = with_id ? fmt::format("${}::bigint[], ", first++) : "";
  std::string names = with_id ? "id, " : "";
  args += fmt::format("${}::text[], ${}::text[]", first, first + 1);
  names += "user_id, anonymous_id";
  int i = first + 2;
  for (auto c : kFieldColumns) {
    args += fmt::format(", ${}::text[]", i++);
    names += fmt::format(", {}", c);
  }
  args += fmt::format(", ${}::text[], ${}::bigint[], ${}::bigint[]", i, i + 1, i + 2);
  names += ", attributes, created_at, updated_at";
  return fmt::format("unnest({}) WITH ORDINALITY AS u({}, ord)", args, names);
}

std::string FieldValue(size_t i) {
  std::string v = fmt::format("u.{}", kFieldColumns[i]);
  if (profiles::Fields()[i].is_integer) v += "::integer";
  return v;
}

const Sql& InsertProfilesSql() {
  static const Sql sql = [] {
    std::string cols = "brand_id, user_id, anonymous_id", vals = "$1, u.user_id, u.anonymous_id";
    for (size_t i = 0; i < kFieldColumns.size(); ++i) {
      cols += fmt::format(", {}", kFieldColumns[i]);
      vals += ", " + FieldValue(i);
    }
    // DO NOTHING: another node created a profile with one of these ids first; the batch
    // then takes the per-profile path.
    return Sql{"cdp_batch_insert_profiles",
               fmt::format("INSERT INTO profiles ({}, attributes, created_at, updated_at) "
                           "SELECT {}, u.attributes::jsonb, u.created_at, u.updated_at FROM {} "
                           "ORDER BY u.ord ON CONFLICT DO NOTHING "
                           "RETURNING id, user_id, anonymous_id",
                           cols, vals, UnnestProfiles(2, false))};
  }();
  return sql;
}

// Each row found by its id, then updated where it stands (the rows are locked since
// LoadProfiles): a plain join on id lets the planner hash the whole brand.
const Sql& UpdateProfilesSql() {
  static const Sql sql = [] {
    std::string sets = "user_id = u.user_id, anonymous_id = u.anonymous_id";
    for (size_t i = 0; i < kFieldColumns.size(); ++i)
      sets += fmt::format(", {} = {}", kFieldColumns[i], FieldValue(i));
    return Sql{"cdp_batch_update_profiles",
               fmt::format("UPDATE profiles p SET {}, attributes = u.attributes::jsonb, "
                           "created_at = u.created_at, updated_at = u.updated_at "
                           "FROM {} CROSS JOIN LATERAL (SELECT ctid AS row FROM profiles "
                           "WHERE brand_id = $1 AND id = u.id OFFSET 0) t WHERE p.ctid = t.row",
                           sets, UnnestProfiles(2, true))};
  }();
  return sql;
}

std::optional<std::string> FieldText(const json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_int64()) return std::to_string(v.get_int64());
  return std::nullopt;
}

// The stored columns of profiles, one array parameter per column, in UnnestProfiles order.
void AddProfileColumns(Params& params, const std::vector<const Profile*>& ps) {
  Column user_ids, anonymous_ids, attributes, created, updated;
  std::vector<Column> fields(kFieldColumns.size());
  for (const Profile* p : ps) {
    user_ids.push_back(p->user_id);
    anonymous_ids.push_back(p->anonymous_id);
    for (size_t i = 0; i < fields.size(); ++i) fields[i].push_back(FieldText(p->fields[i]));
    attributes.push_back(json::serialize(p->attributes));
    created.push_back(std::to_string(p->created_at));
    updated.push_back(std::to_string(p->updated_at));
  }
  params.AddArray(user_ids).AddArray(anonymous_ids);
  for (const auto& f : fields) params.AddArray(f);
  params.AddArray(attributes).AddArray(created).AddArray(updated);
}

// The batch's profiles as they stand after each patch: those loaded (positive ids) and
// those this batch creates (negative placeholder ids until inserted), with the slot of
// each identifier.
class BatchState {
 public:
  void AddLoaded(Profile p) {
    if (by_id_.contains(p.id)) return;
    size_t slot = Put(std::move(p));
    by_id_[slots_[slot].id] = slot;
  }

  std::optional<Profile> Find(const std::optional<std::string>& key,
                              const std::unordered_map<std::string, size_t>& index) const {
    if (!key) return std::nullopt;
    auto it = index.find(*key);
    if (it == index.end()) return std::nullopt;
    return slots_[it->second];
  }
  std::optional<Profile> ByUser(const std::optional<std::string>& id) const {
    return Find(id, by_user_);
  }
  std::optional<Profile> ByAnonymous(const std::optional<std::string>& id) const {
    return Find(id, by_anonymous_);
  }

  // Stores `p`, the new state of a loaded or created profile (id 0: a new one); returns
  // its slot.
  size_t Save(Profile p) {
    size_t slot;
    if (p.id == 0) {
      p.id = -static_cast<int64_t>(slots_.size()) - 1;
      slot = Put(std::move(p));
    } else {
      slot = p.id < 0 ? static_cast<size_t>(-p.id - 1) : by_id_.at(p.id);
      slots_[slot] = std::move(p);
      Index(slot);
    }
    changed_[slot] = true;
    return slot;
  }

  std::vector<Profile>& slots() { return slots_; }
  bool changed(size_t slot) const { return changed_[slot]; }
  // The slot of the created profile known by `key` (its user id, else anonymous id).
  std::optional<size_t> CreatedSlot(std::string_view user_id, std::string_view anonymous_id,
                                    bool has_user) const {
    const auto& index = has_user ? by_user_ : by_anonymous_;
    auto it = index.find(std::string(has_user ? user_id : anonymous_id));
    if (it == index.end() || slots_[it->second].id >= 0) return std::nullopt;
    return it->second;
  }

 private:
  size_t Put(Profile p) {
    slots_.push_back(std::move(p));
    changed_.push_back(false);
    Index(slots_.size() - 1);
    return slots_.size() - 1;
  }
  void Index(size_t slot) {
    const Profile& p = slots_[slot];
    if (p.user_id) by_user_[*p.user_id] = slot;
    if (p.anonymous_id) by_anonymous_[*p.anonymous_id] = slot;
  }

  std::vector<Profile> slots_;
  std::vector<bool> changed_;
  std::unordered_map<std::string, size_t> by_user_, by_anonymous_;
  std::unordered_map<int64_t, size_t> by_id_;
};

// The first-write-wins type rule over the batch in order, as CheckAttributeTypes applies it
// one patch at a time: a refused patch records none of its new types.
class TypeCheck {
 public:
  explicit TypeCheck(std::unordered_map<std::string, std::string> known)
      : known_(std::move(known)) {}

  Status Check(const json::object& attributes) {
    std::vector<std::string> fresh;
    Status st;
    for (const auto& [name, value] : attributes) {
      std::string_view type = profiles::AttributeType(value);
      if (type.empty()) continue;
      auto it = known_.find(std::string(name));
      if (it == known_.end()) {
        known_.emplace(std::string(name), std::string(type));
        fresh.emplace_back(name);
        continue;
      }
      st = profiles::CheckAttributeType(name, it->second, type);
      if (!st.ok()) break;
    }
    if (!st.ok()) {
      for (const auto& name : fresh) known_.erase(name);
      return st;
    }
    for (auto& name : fresh) {
      record_types_.push_back(known_.at(name));
      record_names_.push_back(std::move(name));
    }
    return Status::Ok();
  }

  const Column& record_names() const { return record_names_; }
  const Column& record_types() const { return record_types_; }

 private:
  std::unordered_map<std::string, std::string> known_;
  Column record_names_, record_types_;
};

Result<std::unordered_map<std::string, std::string>> KnownTypes(
    Conn& c, std::string_view brand_id, const std::vector<const ProfilePatch*>& patches) {
  std::unordered_map<std::string, std::string> known;
  Column names;
  std::unordered_map<std::string_view, bool> seen;
  for (const ProfilePatch* p : patches)
    for (const auto& [name, value] : p->attributes)
      if (seen.emplace(name, true).second) names.emplace_back(std::string(name));
  if (names.empty()) return known;
  auto rows = c.Exec(kKnownTypes, Params().Add(brand_id).AddArray(names));
  if (!rows.ok()) return std::move(rows).take_status();
  for (int r = 0; r < rows->size(); ++r) known.emplace(Str(*rows, r, 0), Str(*rows, r, 1));
  return known;
}

Status LoadProfiles(Conn& c, std::string_view brand_id,
                    const std::vector<const ProfilePatch*>& patches, BatchState& state) {
  std::set<std::string_view> user_keys, anonymous_keys;
  for (const ProfilePatch* p : patches) {
    if (p->user_id) user_keys.insert(*p->user_id);
    if (p->anonymous_id) anonymous_keys.insert(*p->anonymous_id);
  }
  Column users(user_keys.begin(), user_keys.end());
  Column anonymous(anonymous_keys.begin(), anonymous_keys.end());
  auto rows = c.Exec(LoadProfilesSql(), Params().Add(brand_id).AddArray(users).AddArray(anonymous));
  if (!rows.ok()) return std::move(rows).take_status();
  for (int r = 0; r < rows->size(); ++r) state.AddLoaded(ReadProfile(*rows, r, 0));
  return Status::Ok();
}

// A conflict the per-profile path handles (a value PostgreSQL refuses, a profile id
// another node took) rather than a failure of the transaction.
bool FallsBack(const Status& st) {
  return st.code() == Code::kInvalidArgument || st.code() == Code::kAlreadyExists;
}

// Writes what `types` and `state` decided; false when another node got there first.
Result<bool> Write(Conn& c, std::string_view brand_id, const TypeCheck& types, BatchState& state) {
  if (!types.record_names().empty()) {
    auto recorded = c.Exec(
        kRecordTypes,
        Params().Add(brand_id).AddArray(types.record_names()).AddArray(types.record_types()));
    if (!recorded.ok()) return std::move(recorded).take_status();
    if (recorded->size() != static_cast<int>(types.record_names().size())) return false;
  }
  std::vector<const Profile*> created, updated;
  Column updated_ids;
  for (size_t s = 0; s < state.slots().size(); ++s) {
    if (!state.changed(s)) continue;
    const Profile& p = state.slots()[s];
    if (p.id < 0) {
      created.push_back(&p);
    } else {
      updated.push_back(&p);
      updated_ids.push_back(std::to_string(p.id));
    }
  }
  if (!created.empty()) {
    Params params;
    params.Add(brand_id);
    AddProfileColumns(params, created);
    auto rows = c.Exec(InsertProfilesSql(), params);
    if (!rows.ok()) return std::move(rows).take_status();
    if (rows->size() != static_cast<int>(created.size())) return false;
    for (int r = 0; r < rows->size(); ++r) {
      auto slot = state.CreatedSlot(rows->Text(r, 1), rows->Text(r, 2), !rows->IsNull(r, 1));
      if (!slot) return Internal("a created profile is not one of the batch's");
      state.slots()[*slot].id = rows->Int(r, 0);
    }
  }
  if (!updated.empty()) {
    Params params;
    params.Add(brand_id).AddArray(updated_ids);
    AddProfileColumns(params, updated);
    CDP_RETURN_IF_ERROR(c.Exec(UpdateProfilesSql(), params).status());
  }
  return true;
}

}  // namespace

Result<bool> UpsertBatch(Conn& c, std::string_view brand_id,
                         const std::vector<const ProfilePatch*>& patches, int64_t now,
                         std::vector<Status>& results, std::vector<int64_t>& ids) {
  results.assign(patches.size(), Status::Ok());
  ids.assign(patches.size(), 0);
  for (const ProfilePatch* p : patches)
    if (!p->user_id && !p->anonymous_id) return false;
  auto known = KnownTypes(c, brand_id, patches);
  if (!known.ok()) return std::move(known).take_status();
  TypeCheck types(std::move(*known));
  BatchState state;
  CDP_RETURN_IF_ERROR(LoadProfiles(c, brand_id, patches, state));

  std::vector<std::optional<size_t>> slot_of(patches.size());
  for (size_t i = 0; i < patches.size(); ++i) {
    const ProfilePatch& patch = *patches[i];
    results[i] = types.Check(patch.attributes);
    if (!results[i].ok()) continue;
    auto plan = profiles::ResolveIdentity(patch, state.ByUser(patch.user_id),
                                          state.ByAnonymous(patch.anonymous_id), now);
    if (plan.merged) return false;  // events and subscriptions move: the per-profile path
    slot_of[i] = state.Save(std::move(plan.profile));
  }

  CDP_RETURN_IF_ERROR(c.Run("SAVEPOINT profile_batch"));
  auto written = Write(c, brand_id, types, state);
  if ((written.ok() && !*written) || (!written.ok() && FallsBack(written.status()))) {
    CDP_RETURN_IF_ERROR(c.Run("ROLLBACK TO SAVEPOINT profile_batch"));
    CDP_RETURN_IF_ERROR(c.Run("RELEASE SAVEPOINT profile_batch"));
    return false;
  }
  if (!written.ok()) return std::move(written).take_status();
  CDP_RETURN_IF_ERROR(c.Run("RELEASE SAVEPOINT profile_batch"));
  for (size_t i = 0; i < patches.size(); ++i)
    if (slot_of[i]) ids[i] = state.slots()[*slot_of[i]].id;
  return true;
}

}  // namespace cdp::store::postgres
