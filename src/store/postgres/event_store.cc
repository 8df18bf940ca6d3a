#include <fmt/format.h>

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/postgres/event_batch.h"
#include "store/postgres/parts.h"
#include "store/postgres/profile_reads.h"
#include "store/postgres/rows.h"

namespace cdp::store::postgres {
namespace {

namespace json = boost::json;

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

class PostgresEventStore final : public EventStore {
 public:
  explicit PostgresEventStore(Backend& backend) : backend_(backend) {}

  void AppendEventsAsync(std::string_view brand_id, std::vector<events::Event> events_in,
                         int64_t now, AppendDone done) override {
    // The job and its completion share the batch; both run on the writer thread.
    struct Batch {
      std::string brand_id;
      std::vector<events::Event> evs;
      std::vector<EventResult> results;
    };
    auto batch = std::make_shared<Batch>(Batch{std::string(brand_id), std::move(events_in), {}});
    // The job may run again after a conflict: WriteEventBatch starts from the inputs.
    auto job = [batch, now](Conn& c) -> Status {
      return WriteEventBatch(c, batch->brand_id, batch->evs, now, batch->results);
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

  Result<std::vector<StoredEvent>> ListProfileEvents(std::string_view brand_id, int64_t profile_id,
                                                     const std::optional<EventPosition>& before,
                                                     size_t limit) override {
    return postgres::ListProfileEvents(backend_, brand_id, profile_id, before, limit);
  }

  Result<std::vector<DayCount>> CountEventsPerDay(std::string_view brand_id, int64_t from,
                                                  int64_t to, int64_t origin) override {
    return postgres::CountEventsPerDay(backend_, brand_id, from, to, origin);
  }

 private:
  Backend& backend_;
};

}  // namespace

std::unique_ptr<EventStore> NewEventStore(Backend& backend) {
  return std::make_unique<PostgresEventStore>(backend);
}

}  // namespace cdp::store::postgres
