// The reads of one profile's history and of profile lookups that the dashboard makes
// (EventStore::ListProfileEvents and CountEventsPerDay, ProfileStore::SearchProfiles and
// CountProfiles), each on a read connection and each through an index: the page's cost,
// or the range's for the per-day counts.
#include <fmt/format.h>

#include <limits>
#include <string>

#include "store/sqlite/backend.h"
#include "store/sqlite/event_index.h"
#include "store/sqlite/profile_rows.h"
#include "store/sqlite/sqlite_db.h"

namespace cdp::store::sqlite {
namespace {

constexpr int64_t kMicrosPerDay = 86'400'000'000;

// Newest first from (?3 ts, ?4 id) down. SQLite keeps no per-profile index of events: one
// would put each insert at a random place (the profile's) rather than at the end, and
// measured 4 times slower ingestion on the benchmark. So this scans the brand's entries of
// events_by_name_week, which hold the profile id (reading only the matches' rows) and sorts
// the matches: a cost that grows with the brand's events (about a second per 10 million on
// the reference machine), paid by the page of one user instead of by every event.
const char* const kProfileEvents =
    "SELECT id, name, ts, ltv, message_id, attributes, context "
    "FROM events INDEXED BY events_by_name_week "
    "WHERE brand_id = ?1 AND profile_id = ?2 AND (ts < ?3 OR (ts = ?3 AND id < ?4)) "
    "ORDER BY ts DESC, id DESC LIMIT ?5";

// The brand's event names, found by seeking events_by_name_week once per name, then each
// name's weeks of the range in the same index (which covers the count): every event of the
// range is read once, and besides them only those of its first and last weeks.
const std::string& EventsPerDaySql() {
  static const std::string sql = fmt::format(
      "WITH RECURSIVE names(name) AS ("
      "SELECT (SELECT MIN(name) FROM events WHERE brand_id = ?1) "
      "UNION ALL SELECT (SELECT MIN(name) FROM events WHERE brand_id = ?1 AND name > names.name) "
      "FROM names WHERE names.name IS NOT NULL) "
      "SELECT (e.ts - ?4) / ?5 AS day, COUNT(*) FROM names "
      "JOIN events e INDEXED BY events_by_name_week "
      "ON e.brand_id = ?1 AND e.name = names.name AND e.{0} >= ?6 AND e.{0} <= ?7 "
      "AND e.ts >= ?2 AND e.ts < ?3 "
      "GROUP BY day ORDER BY day",
      kEventWeek);
  return sql;
}

// profiles_by_user_id, profiles_by_anonymous_id, profiles_by_email (on lower(email)) and
// profiles_by_mobile: one seek each, then the rows by primary key (the outer query names no
// brand, so that it reads the matches' rows instead of the brand's entries).
const std::string& ExactSql() {
  static const std::string sql =
      "SELECT " + ProfileColumns() +
      " FROM profiles WHERE id IN ("
      "SELECT id FROM profiles WHERE brand_id = ?1 AND user_id = ?2 "
      "UNION SELECT id FROM profiles WHERE brand_id = ?1 AND anonymous_id = ?2 "
      "UNION SELECT id FROM profiles WHERE brand_id = ?1 AND lower(email) = lower(?3) "
      "UNION SELECT id FROM profiles WHERE brand_id = ?1 AND mobile = ?4) "
      "ORDER BY id LIMIT ?5";
  return sql;
}
// A forward range of profiles_by_user_id (BINARY: bytewise) from the prefix on: the
// matches come first, and the caller keeps those.
const std::string& PrefixSql() {
  static const std::string sql = "SELECT " + ProfileColumns() +
                                 " FROM profiles WHERE brand_id = ?1 AND user_id >= ?2 "
                                 "ORDER BY user_id LIMIT ?3";
  return sql;
}

}  // namespace

Result<std::vector<StoredEvent>> Backend::ListProfileEvents(
    std::string_view brand_id, int64_t profile_id, const std::optional<EventPosition>& before,
    size_t limit) {
  return ReadOn([&](Db& db) -> Result<std::vector<StoredEvent>> {
    auto stmt = db.Prepare(kProfileEvents);
    if (!stmt.ok()) return std::move(stmt).take_status();
    constexpr int64_t kEnd = std::numeric_limits<int64_t>::max();
    const EventPosition start = before.value_or(EventPosition{kEnd, kEnd});
    stmt->Bind(1, brand_id).Bind(2, profile_id).Bind(3, start.time).Bind(4, start.id);
    stmt->Bind(5, static_cast<int64_t>(limit));
    return AllRows<StoredEvent>(*stmt, [](const Stmt& s) {
      StoredEvent e;
      e.id = s.Int(0);
      e.name = s.Text(1);
      e.time = s.Int(2);
      if (!s.IsNull(3)) e.ltv = s.Real(3);
      e.message_id = s.OptText(4);
      e.attributes_json = s.Text(5);
      e.context_json = s.IsNull(6) ? "" : s.Text(6);
      return e;
    });
  });
}

Result<std::vector<DayCount>> Backend::CountEventsPerDay(std::string_view brand_id, int64_t from,
                                                         int64_t to, int64_t origin) {
  return ReadOn([&](Db& db) -> Result<std::vector<DayCount>> {
    auto stmt = db.Prepare(EventsPerDaySql());
    if (!stmt.ok()) return std::move(stmt).take_status();
    stmt->Bind(1, brand_id).Bind(2, from).Bind(3, to).Bind(4, origin).Bind(5, kMicrosPerDay);
    const WeekRange weeks = WeeksOf(from, to);
    stmt->Bind(6, weeks.first).Bind(7, weeks.last);
    return AllRows<DayCount>(*stmt, [](const Stmt& s) { return DayCount{s.Int(0), s.Int(1)}; });
  });
}

Result<ProfileMatches> Backend::SearchProfiles(std::string_view brand_id, const ProfileSearch& q,
                                               size_t limit) {
  return ReadOn([&](Db& db) -> Result<ProfileMatches> {
    ProfileMatches out;
    auto exact = db.Prepare(ExactSql());
    if (!exact.ok()) return std::move(exact).take_status();
    exact->Bind(1, brand_id).Bind(2, q.id).Bind(3, q.email).Bind(4, q.mobile);
    exact->Bind(5, static_cast<int64_t>(limit));
    auto found = AllRows<Profile>(*exact, [](const Stmt& s) { return ReadProfile(s); });
    if (!found.ok()) return std::move(found).take_status();
    out.exact = std::move(found).value();
    exact->Reset();
    if (!q.prefix) return out;
    auto prefix = db.Prepare(PrefixSql());
    if (!prefix.ok()) return std::move(prefix).take_status();
    prefix->Bind(1, brand_id).Bind(2, q.id).Bind(3, static_cast<int64_t>(limit));
    auto range = AllRows<Profile>(*prefix, [](const Stmt& s) { return ReadProfile(s); });
    if (!range.ok()) return std::move(range).take_status();
    for (Profile& p : *range)
      if (p.user_id && p.user_id->starts_with(q.id)) out.prefix.push_back(std::move(p));
    prefix->Reset();
    return out;
  });
}

Result<int64_t> Backend::CountProfiles(std::string_view brand_id) {
  return ReadOn([&](Db& db) -> Result<int64_t> {
    auto stmt = db.Prepare("SELECT COUNT(*) FROM profiles WHERE brand_id = ?1");
    if (!stmt.ok()) return std::move(stmt).take_status();
    stmt->Bind(1, brand_id);
    auto row = stmt->Step();
    if (!row.ok()) return std::move(row).take_status();
    const int64_t n = stmt->Int(0);
    stmt->Reset();
    return n;
  });
}

}  // namespace cdp::store::sqlite
