#include "store/postgres/profile_reads.h"

#include <limits>
#include <string>

#include "store/postgres/rows.h"

namespace cdp::store::postgres {
namespace {

constexpr int64_t kMicrosPerDay = 86'400'000'000;

// A profile's events newest first from ($3 ts, $4 id) down. There is no per-profile index
// on events: for each of the brand's event names (event_names), a backward range of
// events_by_name_profile (brand, name, profile, ts) gives that name's newest `limit`, and
// the merge keeps the newest `limit` of those. The cost is names x page, not the brand's
// events.
const Sql kProfileEvents{
    "cdp_profile_events",
    "SELECT e.id, e.name, e.ts, e.ltv, e.message_id, e.attributes::text, e.context::text "
    "FROM event_names n CROSS JOIN LATERAL ("
    "SELECT id, name, ts, ltv, message_id, attributes, context FROM events "
    "WHERE brand_id = n.brand_id AND name = n.name AND profile_id = $2 "
    "AND ts <= $3 AND (ts < $3 OR id < $4) ORDER BY ts DESC, id DESC LIMIT $5) e "
    "WHERE n.brand_id = $1 ORDER BY e.ts DESC, e.id DESC LIMIT $5"};

// A range of events_by_day (brand, ts / 1 day; it includes ts), which covers it: the days
// of [from, to] (division is monotonic, so every ts in the range falls among them), then the
// exact bounds: the range's events and those of its first and last days.
const Sql kEventsPerDay{"cdp_events_per_day",
                        "SELECT (ts - $4::bigint) / $5::bigint, COUNT(*) FROM events "
                        "WHERE brand_id = $1 AND ts / 86400000000 >= $2::bigint / 86400000000 "
                        "AND ts / 86400000000 <= $3::bigint / 86400000000 "
                        "AND ts >= $2 AND ts < $3 GROUP BY 1 ORDER BY 1"};

// profiles_by_user_id, profiles_by_anonymous_id, profiles_by_email (on lower(email)) and
// profiles_by_mobile: one seek each, then the rows by primary key (the outer query names no
// brand, so that it reads the matches' rows instead of the brand's entries).
const Sql& ExactSql() {
  static const Sql sql{
      "cdp_search_profiles_exact",
      "SELECT " + ProfileColumns() +
          " FROM profiles WHERE id IN ("
          "SELECT id FROM profiles WHERE brand_id = $1 AND user_id = $2 "
          "UNION SELECT id FROM profiles WHERE brand_id = $1 AND anonymous_id = $2 "
          "UNION SELECT id FROM profiles WHERE brand_id = $1 AND lower(email) = lower($3) "
          "UNION SELECT id FROM profiles WHERE brand_id = $1 AND mobile = $4) "
          "ORDER BY id LIMIT $5"};
  return sql;
}
// A forward range of profiles_by_user_id_bytes from the prefix on, in bytewise order
// whatever the database's collation: the matches come first, and the caller keeps those.
const Sql& PrefixSql() {
  static const Sql sql{"cdp_search_profiles_prefix",
                       "SELECT " + ProfileColumns() +
                           " FROM profiles WHERE brand_id = $1 AND user_id COLLATE \"C\" >= $2 "
                           "ORDER BY user_id COLLATE \"C\" LIMIT $3"};
  return sql;
}

}  // namespace

Result<std::vector<StoredEvent>> ListProfileEvents(Backend& backend, std::string_view brand_id,
                                                   int64_t profile_id,
                                                   const std::optional<EventPosition>& before,
                                                   size_t limit) {
  constexpr int64_t kEnd = std::numeric_limits<int64_t>::max();
  const EventPosition start = before.value_or(EventPosition{kEnd, kEnd});
  return backend.WithReader([&](Conn& c) -> Result<std::vector<StoredEvent>> {
    auto rows = c.Exec(kProfileEvents, Params()
                                           .Add(brand_id)
                                           .Add(profile_id)
                                           .Add(start.time)
                                           .Add(start.id)
                                           .Add(static_cast<int64_t>(limit)));
    if (!rows.ok()) return std::move(rows).take_status();
    return AllOf<StoredEvent>(*rows, [](const Rows& r, int i) {
      StoredEvent e;
      e.id = r.Int(i, 0);
      e.name = Str(r, i, 1);
      e.time = r.Int(i, 2);
      if (!r.IsNull(i, 3)) e.ltv = r.Real(i, 3);
      e.message_id = r.OptText(i, 4);
      e.attributes_json = Str(r, i, 5);
      e.context_json = r.IsNull(i, 6) ? "" : Str(r, i, 6);
      return e;
    });
  });
}

Result<std::vector<DayCount>> CountEventsPerDay(Backend& backend, std::string_view brand_id,
                                                int64_t from, int64_t to, int64_t origin) {
  return backend.WithReader([&](Conn& c) -> Result<std::vector<DayCount>> {
    auto rows = c.Exec(kEventsPerDay,
                       Params().Add(brand_id).Add(from).Add(to).Add(origin).Add(kMicrosPerDay));
    if (!rows.ok()) return std::move(rows).take_status();
    return AllOf<DayCount>(*rows,
                           [](const Rows& r, int i) { return DayCount{r.Int(i, 0), r.Int(i, 1)}; });
  });
}

Result<ProfileMatches> SearchProfiles(Backend& backend, std::string_view brand_id,
                                      const ProfileSearch& q, size_t limit) {
  return backend.WithReader([&](Conn& c) -> Result<ProfileMatches> {
    ProfileMatches out;
    auto exact = c.Exec(ExactSql(), Params()
                                        .Add(brand_id)
                                        .Add(q.id)
                                        .Add(q.email)
                                        .Add(q.mobile)
                                        .Add(static_cast<int64_t>(limit)));
    if (!exact.ok()) return std::move(exact).take_status();
    for (int i = 0; i < exact->size(); ++i) out.exact.push_back(ReadProfile(*exact, i, 0));
    if (!q.prefix) return out;
    auto range =
        c.Exec(PrefixSql(), Params().Add(brand_id).Add(q.id).Add(static_cast<int64_t>(limit)));
    if (!range.ok()) return std::move(range).take_status();
    for (int i = 0; i < range->size(); ++i) {
      profiles::Profile p = ReadProfile(*range, i, 0);
      if (p.user_id && p.user_id->starts_with(q.id)) out.prefix.push_back(std::move(p));
    }
    return out;
  });
}

Result<int64_t> CountProfiles(Backend& backend, std::string_view brand_id) {
  static const Sql count{"cdp_count_profiles",
                         "SELECT COUNT(*) FROM profiles WHERE brand_id = $1"};
  return backend.WithReader([&](Conn& c) -> Result<int64_t> {
    auto rows = c.Exec(count, Params().Add(brand_id));
    if (!rows.ok()) return std::move(rows).take_status();
    return rows->Int(0, 0);
  });
}

}  // namespace cdp::store::postgres
