#include "store/postgres/event_batch.h"

#include <fmt/format.h>

#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "store/postgres/profile_batch.h"
#include "store/postgres/profile_writes.h"

namespace cdp::store::postgres {
namespace {

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
// One index lookup per key: with `= ANY`, a table not analyzed since it grew looks tiny to
// the planner, which then scans the brand's every profile.
const Sql kProfilesByUser{"cdp_profiles_by_user",
                          "SELECT p.user_id, p.id FROM unnest($2::text[]) AS k(key) "
                          "CROSS JOIN LATERAL (SELECT user_id, id FROM profiles "
                          "WHERE brand_id = $1 AND user_id = k.key FOR KEY SHARE) p"};
const Sql kProfilesByAnon{"cdp_profiles_by_anon",
                          "SELECT p.anonymous_id, p.id FROM unnest($2::text[]) AS k(key) "
                          "CROSS JOIN LATERAL (SELECT anonymous_id, id FROM profiles "
                          "WHERE brand_id = $1 AND anonymous_id = k.key FOR KEY SHARE) p"};
// All the events of a batch in one statement, in order (ids follow the array order). DO
// NOTHING: an event with this message_id is stored (perhaps by another node just now); the
// ids RETURNING omits are duplicates.
constexpr const char* kInsertEventsSql =
    "INSERT INTO events (brand_id, profile_id, name, ts, received_at, ltv, message_id, sdk_id, "
    "attributes, context) "
    "SELECT $1, e.profile_id, e.name, e.ts, $2, e.ltv, e.message_id, e.sdk_id, "
    "e.attributes::jsonb, e.context::jsonb "
    "FROM unnest($3::bigint[], $4::text[], $5::bigint[], $6::float8[], $7::text[], $8::int[], "
    "$9::text[], $10::text[]) "
    "AS e(profile_id, name, ts, ltv, message_id, sdk_id, attributes, context) "
    "ON CONFLICT DO NOTHING RETURNING message_id";
const Sql kInsertEvents{"cdp_insert_events", kInsertEventsSql};
// The same, noting the batch's event names ($11) in the same statement, for a batch whose
// per-profile work (which seeks the index by name) is done.
const Sql kInsertEventsNotingNames{
    "cdp_insert_events_noting_names",
    std::string("WITH noted AS (INSERT INTO event_names (brand_id, name, first_seen) "
                "SELECT $1, name, $2 FROM unnest($11::text[]) AS name ON CONFLICT DO NOTHING) ")
        .append(kInsertEventsSql)};

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
// or written once, the profiles events create or change are upserted together
// (UpsertBatch, in the events' order), and the events are inserted together. A batch that
// merges profiles (or that UpsertBatch leaves otherwise) resolves them one at a time, in
// order, as on SQLite.
class EventBatchWriter {
 public:
  EventBatchWriter(Conn& c, std::string_view brand_id, const std::vector<events::Event>& evs,
                   int64_t now, std::vector<EventStore::EventResult>& results)
      : c_(c), brand_id_(brand_id), evs_(evs), now_(now), results_(results) {}

  Status Run() {
    results_.assign(evs_.size(), EventStore::EventResult{});
    CDP_RETURN_IF_ERROR(LoadStoredMessageIds());
    CDP_RETURN_IF_ERROR(LoadKnownProfiles());
    auto together = ResolveTogether();
    if (!together.ok()) return std::move(together).take_status();
    if (*together) return StoreResolved();
    CDP_RETURN_IF_ERROR(NoteEventNames());
    for (size_t i = 0; i < evs_.size(); ++i) {
      const events::Event& ev = evs_[i];
      const bool profile_only = ev.name.empty();
      if (!profile_only && ev.message_id && message_ids_.contains(*ev.message_id)) {
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
      if (profile_only) continue;
      if (ev.message_id) message_ids_.insert(*ev.message_id);
      pending_.emplace_back(i, *profile_id);
    }
    return Flush();
  }

 private:
  // Resolves the profiles of every event that needs more than a lookup with one
  // UpsertBatch; false (nothing written) when the batch must take the per-event path.
  Result<bool> ResolveTogether() {
    std::vector<const profiles::ProfilePatch*> patches;
    std::vector<size_t> patch_event;
    std::unordered_set<std::string_view> taken;
    for (size_t i = 0; i < evs_.size(); ++i) {
      const events::Event& ev = evs_[i];
      if (!ev.name.empty() && ev.message_id) {
        if (message_ids_.contains(*ev.message_id)) continue;  // a duplicate: no profile write
        // Whether a repeat is a duplicate depends on the first one being stored.
        if (!taken.insert(*ev.message_id).second) return false;
      }
      if (IsLookupOnly(ev) && Known(ev.profile)) continue;
      patches.push_back(&ev.profile);
      patch_event.push_back(i);
    }
    resolved_.assign(evs_.size(), std::nullopt);
    if (patches.empty()) return true;
    std::vector<Status> statuses;
    std::vector<int64_t> ids;
    auto done = UpsertBatch(c_, brand_id_, patches, now_, statuses, ids);
    if (!done.ok() || !*done) return done;
    for (size_t k = 0; k < patches.size(); ++k) {
      if (statuses[k].ok())
        resolved_[patch_event[k]] = ids[k];
      else
        results_[patch_event[k]].status = statuses[k];  // this event fails alone
    }
    return true;
  }

  // Inserts the events whose profiles ResolveTogether found.
  Status StoreResolved() {
    for (size_t i = 0; i < evs_.size(); ++i) {
      const events::Event& ev = evs_[i];
      const bool profile_only = ev.name.empty();
      if (!profile_only && ev.message_id && message_ids_.contains(*ev.message_id)) {
        results_[i].outcome = events::EventOutcome::kDuplicate;
        continue;
      }
      std::optional<int64_t> profile_id = IsLookupOnly(ev) ? Known(ev.profile) : std::nullopt;
      if (!profile_id) profile_id = resolved_[i];
      if (!profile_id || profile_only) continue;
      if (ev.message_id) message_ids_.insert(*ev.message_id);
      pending_.emplace_back(i, *profile_id);
    }
    if (pending_.empty()) return NoteEventNames();
    return Flush(/*note_names=*/true);
  }

  // The profile of an event that may create, identify or merge one; nullopt (with `result`
  // set) when the event fails alone, e.g. an attribute type conflict in its profile fields.
  Result<std::optional<int64_t>> Resolve(const events::Event& ev, EventStore::EventResult& result) {
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
      if (ev.message_id && !ev.name.empty()) ids.push_back(ev.message_id);
    if (ids.empty()) return Status::Ok();
    auto rows = c_.Exec(kStoredMessageIds, Params().Add(brand_id_).AddArray(ids));
    if (!rows.ok()) return std::move(rows).take_status();
    for (int r = 0; r < rows->size(); ++r) message_ids_.emplace(rows->Text(r, 0));
    return Status::Ok();
  }

  // The ids of the profiles that lookup-only events name, locked against deletion (FOR KEY
  // SHARE) until the events are committed.
  Status LoadKnownProfiles() {
    // Each key once, sorted: the same lock order on every node.
    std::set<std::string_view> user_keys, anon_keys;
    for (const auto& ev : evs_) {
      if (!IsLookupOnly(ev)) continue;
      if (ev.profile.user_id)
        user_keys.insert(*ev.profile.user_id);
      else if (ev.profile.anonymous_id)
        anon_keys.insert(*ev.profile.anonymous_id);
    }
    std::vector<std::optional<std::string>> users(user_keys.begin(), user_keys.end());
    std::vector<std::optional<std::string>> anons(anon_keys.begin(), anon_keys.end());
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
  std::vector<std::optional<std::string>> EventNames() const {
    std::vector<std::optional<std::string>> names;
    for (const auto& ev : evs_) {
      if (ev.name.empty()) continue;
      bool seen = false;
      for (const auto& n : names) seen |= (*n == ev.name);
      if (!seen) names.emplace_back(ev.name);
    }
    return names;
  }

  Status NoteEventNames() {
    auto names = EventNames();
    if (names.empty()) return Status::Ok();
    return c_.Exec(kNoteEventNames, Params().Add(brand_id_).AddArray(names).Add(now_)).status();
  }

  // Inserts the pending events (and notes the batch's event names when `note_names`); those
  // whose messageId turns out to be stored meanwhile (by another node) are duplicates.
  Status Flush(bool note_names = false) {
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
    if (note_names) params.AddArray(EventNames());
    auto rows = c_.Exec(note_names ? kInsertEventsNotingNames : kInsertEvents, params);
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
  std::vector<EventStore::EventResult>& results_;
  std::unordered_set<std::string> message_ids_;  // stored, or taken earlier in this batch
  std::unordered_map<std::string, int64_t> by_user_;
  std::unordered_map<std::string, int64_t> by_anon_;
  std::vector<std::pair<size_t, int64_t>> pending_;  // (event index, profile id) to insert
  std::vector<std::optional<int64_t>> resolved_;     // by ResolveTogether, per event
};

}  // namespace

Status WriteEventBatch(Conn& c, std::string_view brand_id, const std::vector<events::Event>& evs,
                       int64_t now, std::vector<EventStore::EventResult>& results) {
  return EventBatchWriter(c, brand_id, evs, now, results).Run();
}

}  // namespace cdp::store::postgres
