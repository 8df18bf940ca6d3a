#include <fmt/format.h>

#include <algorithm>

#include "store/sqlite/backend.h"
#include "store/sqlite/event_index.h"
#include "store/sqlite/sqlite_db.h"

namespace cdp::store::sqlite {

namespace {

// The profile an event belongs to, creating or updating it as the event says. Events that
// only name a known user id (the common case) are resolved from `cache` when possible.
Result<ProfileRef> ResolveEventProfile(Db& db, std::string_view brand_id, const events::Event& ev,
                                       int64_t now, ProfileIdCache& cache) {
  const auto& who = ev.profile;
  const bool lookup_only =
      !ev.has_profile_fields && who.attributes.empty() && (!who.user_id || !who.anonymous_id);
  if (lookup_only && who.user_id) {
    if (auto hit = cache.Find(brand_id, *who.user_id)) return *hit;
  }
  if (lookup_only) {
    auto stmt = db.Prepare(
        who.user_id
            ? "SELECT id, user_id IS NULL FROM profiles WHERE brand_id = ?1 AND user_id = ?2"
            : "SELECT id, user_id IS NULL FROM profiles WHERE brand_id = ?1 AND anonymous_id = ?2");
    if (!stmt.ok()) return std::move(stmt).take_status();
    stmt->Bind(1, brand_id).Bind(2, who.user_id ? *who.user_id : *who.anonymous_id);
    auto row = stmt->Step();
    if (!row.ok()) return std::move(row).take_status();
    if (*row) {
      ProfileRef ref{stmt->Int(0), stmt->Int(1) != 0};
      stmt->Reset();
      if (who.user_id) cache.Put(brand_id, *who.user_id, ref);
      return ref;
    }
  }
  auto ref = UpsertOne(db, brand_id, who, now);
  if (ref.ok() && who.user_id) cache.Put(brand_id, *who.user_id, *ref);
  return ref;
}

// Inserts one event; false when its message_id is already stored for the brand.
Result<bool> InsertEvent(Db& db, std::string_view brand_id, ProfileRef profile,
                         const events::Event& ev, int64_t now) {
  const int64_t profile_id = profile.id;
  auto stmt = db.Prepare(
      "INSERT INTO events (brand_id, profile_id, name, ts, received_at, ltv, message_id, "
      "sdk_id, attributes, context) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
      "ON CONFLICT DO NOTHING");
  if (!stmt.ok()) return std::move(stmt).take_status();
  stmt->Bind(1, brand_id).Bind(2, profile_id).Bind(3, ev.name).Bind(4, ev.time).Bind(5, now);
  if (ev.ltv)
    stmt->Bind(6, *ev.ltv);
  else
    stmt->BindNull(6);
  stmt->Bind(7, ev.message_id);
  if (ev.sdk_id)
    stmt->Bind(8, static_cast<int64_t>(*ev.sdk_id));
  else
    stmt->BindNull(8);
  stmt->Bind(9, ev.attributes_json);
  if (ev.context_json.empty())
    stmt->BindNull(10);
  else
    stmt->Bind(10, ev.context_json);
  CDP_RETURN_IF_ERROR(stmt->Run());
  if (db.Changes() == 0) return false;
  if (profile.anonymous) {
    auto note = db.Prepare(
        "INSERT INTO anonymous_events (brand_id, profile_id, event_id) "
        "VALUES (?1, ?2, last_insert_rowid())");
    if (!note.ok()) return std::move(note).take_status();
    CDP_RETURN_IF_ERROR(note->Bind(1, brand_id).Bind(2, profile_id).Run());
  }
  return true;
}

bool IsDuplicate(Db& db, std::string_view brand_id, const std::optional<std::string>& message_id,
                 Status* error) {
  if (!message_id) return false;
  auto stmt = db.Prepare("SELECT 1 FROM events WHERE brand_id = ?1 AND message_id = ?2");
  if (!stmt.ok()) {
    *error = stmt.status();
    return false;
  }
  stmt->Bind(1, brand_id).Bind(2, *message_id);
  auto row = stmt->Step();
  if (!row.ok()) {
    *error = row.status();
    return false;
  }
  bool found = *row;
  stmt->Reset();
  return found;
}

// The weeks of events_by_name_week that hold [from, to), as ?first and ?first+1.
std::string WeeksSql(int first) {
  return fmt::format(" AND {0} >= ?{1} AND {0} <= ?{2}", kEventWeek, first, first + 1);
}
void BindWeeks(Stmt& s, int first, int64_t from, int64_t to) {
  const WeekRange weeks = WeeksOf(from, to);
  s.Bind(first, weeks.first).Bind(first + 1, weeks.last);
}

// " AND json_extract(attributes, ?N) = ?N+1" for each filter, binding from `first`.
std::string FilterSql(const events::EventQuery& q, int first) {
  std::string sql;
  for (size_t i = 0; i < q.where.size(); ++i)
    sql +=
        fmt::format(" AND json_extract(attributes, ?{}) = ?{}", first + 2 * i, first + 2 * i + 1);
  return sql;
}

void BindFilters(Stmt& s, const events::EventQuery& q, int first) {
  for (size_t i = 0; i < q.where.size(); ++i) {
    int at = static_cast<int>(first + 2 * i);
    s.Bind(at, fmt::format("$.\"{}\"", q.where[i].name));
    const json::value& v = q.where[i].value;
    if (v.is_string())
      s.Bind(at + 1, std::string_view(v.get_string()));
    else if (v.is_bool())
      s.Bind(at + 1, static_cast<int64_t>(v.get_bool() ? 1 : 0));
    else if (v.is_int64())
      s.Bind(at + 1, v.get_int64());
    else if (v.is_uint64())
      s.Bind(at + 1, static_cast<int64_t>(v.get_uint64()));
    else if (v.is_double())
      s.Bind(at + 1, v.get_double());
    else
      s.BindNull(at + 1);
  }
}

}  // namespace

void Backend::AppendEventsAsync(std::string_view brand_id, std::vector<events::Event> events_in,
                                int64_t now, AppendDone done) {
  // The job and its completion share the batch; both run on the writer thread.
  struct Batch {
    std::string brand_id;
    std::vector<events::Event> evs;
    std::vector<EventResult> results;
  };
  auto batch = std::make_shared<Batch>(Batch{std::string(brand_id), std::move(events_in), {}});
  batch->results.resize(batch->evs.size());
  auto job = [this, batch, now](Db& db) -> Status {
    const std::string& brand_id = batch->brand_id;
    const auto& evs = batch->evs;
    auto& results = batch->results;
    for (size_t i = 0; i < evs.size(); ++i) {
      const events::Event& ev = evs[i];
      Status error;
      if (!ev.name.empty() && IsDuplicate(db, brand_id, ev.message_id, &error)) {
        results[i].outcome = events::EventOutcome::kDuplicate;
        continue;
      }
      CDP_RETURN_IF_ERROR(error);
      // Profile attributes may conflict in type: isolate such events in a savepoint.
      const bool may_fail = !ev.profile.attributes.empty();
      if (may_fail) CDP_RETURN_IF_ERROR(db.Exec("SAVEPOINT event"));
      auto profile_id = ResolveEventProfile(db, brand_id, ev, now, profile_cache_);
      if (!profile_id.ok()) {
        if (!may_fail || profile_id.status().code() != Code::kInvalidArgument)
          return profile_id.status();
        results[i].status = profile_id.status();
        CDP_RETURN_IF_ERROR(db.Exec("ROLLBACK TO event"));
        CDP_RETURN_IF_ERROR(db.Exec("RELEASE event"));
        continue;
      }
      if (may_fail) CDP_RETURN_IF_ERROR(db.Exec("RELEASE event"));
      if (ev.name.empty()) continue;  // a profile write only
      auto inserted = InsertEvent(db, brand_id, *profile_id, ev, now);
      if (!inserted.ok()) return inserted.status();
      if (!*inserted) results[i].outcome = events::EventOutcome::kDuplicate;
    }
    return Status::Ok();
  };
  const size_t weight = std::max<size_t>(1, batch->evs.size());
  writer_.SubmitAsync(
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

Result<events::EventPage> Backend::QueryEventUsers(std::string_view brand_id,
                                                   const events::EventQuery& q) {
  return ReadOn([&](Db& db) -> Result<events::EventPage> {
    std::string sql =
        "SELECT profile_id, COUNT(*), MIN(ts), MAX(ts) FROM events "
        "WHERE brand_id = ?1 AND name = ?2 AND profile_id > ?3 AND ts >= ?4 AND ts < ?5";
    sql.append(WeeksSql(7)).append(FilterSql(q, 9));
    sql.append(" GROUP BY profile_id ORDER BY profile_id LIMIT ?6");
    auto stmt = db.Prepare(sql);
    if (!stmt.ok()) return std::move(stmt).take_status();
    stmt->Bind(1, brand_id).Bind(2, q.name).Bind(3, q.after_profile).Bind(4, q.from).Bind(5, q.to);
    stmt->Bind(6, static_cast<int64_t>(q.limit + 1));
    BindWeeks(*stmt, 7, q.from, q.to);
    BindFilters(*stmt, q, 9);
    events::EventPage page;
    for (;;) {
      auto row = stmt->Step();
      if (!row.ok()) return std::move(row).take_status();
      if (!*row) break;
      if (page.users.size() == q.limit) {
        page.next_after = page.users.back().profile.id;
        break;
      }
      events::EventUser u;
      u.profile.id = stmt->Int(0);
      u.count = stmt->Int(1);
      u.first = stmt->Int(2);
      u.last = stmt->Int(3);
      page.users.push_back(std::move(u));
    }
    stmt->Reset();
    static const std::string by_id =
        "SELECT " + ProfileColumns() + " FROM profiles WHERE brand_id = ?1 AND id = ?2";
    for (auto& u : page.users) {
      auto p = db.Prepare(by_id);
      if (!p.ok()) return std::move(p).take_status();
      p->Bind(1, brand_id).Bind(2, u.profile.id);
      auto row = p->Step();
      if (!row.ok()) return std::move(row).take_status();
      if (*row) u.profile = ReadProfile(*p);
      p->Reset();
    }
    return page;
  });
}

Result<events::EventCounts> Backend::CountEvents(std::string_view brand_id,
                                                 const events::EventQuery& q) {
  return ReadOn([&](Db& db) -> Result<events::EventCounts> {
    std::string sql =
        "SELECT COUNT(DISTINCT profile_id), COUNT(*) FROM events "
        "WHERE brand_id = ?1 AND name = ?2 AND ts >= ?3 AND ts < ?4";
    sql.append(WeeksSql(5)).append(FilterSql(q, 7));
    auto stmt = db.Prepare(sql);
    if (!stmt.ok()) return std::move(stmt).take_status();
    stmt->Bind(1, brand_id).Bind(2, q.name).Bind(3, q.from).Bind(4, q.to);
    BindWeeks(*stmt, 5, q.from, q.to);
    BindFilters(*stmt, q, 7);
    auto row = stmt->Step();
    if (!row.ok()) return std::move(row).take_status();
    events::EventCounts counts{stmt->Int(0), stmt->Int(1)};
    stmt->Reset();
    return counts;
  });
}

}  // namespace cdp::store::sqlite
