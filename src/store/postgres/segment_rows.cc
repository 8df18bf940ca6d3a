#include "store/postgres/segment_rows.h"

#include <fmt/format.h>

#include <charconv>

namespace cdp::store::postgres {
namespace {

using segments::AttributeRef;

// Rows fetched per round trip when scanning a brand's profiles or events.
constexpr int kBatchRows = 100000;
// A range of inserted ids wider than this makes the brand's index build again.
constexpr int64_t kMaxRange = 200000;

// The JSON type and text of `a`, two columns, with a custom attribute's name bound to
// `$param`. Profile columns are the fixed names of segments/rule.h, never client text.
std::string ValueSql(const AttributeRef& a, int param) {
  if (a.source == AttributeRef::Source::kProfileColumn)
    return fmt::format("jsonb_typeof(to_jsonb({0})), {0}::text", a.name);
  return fmt::format("jsonb_typeof(attributes -> ${0}::text), attributes ->> ${0}::text", param);
}

double Number(std::string_view t) {
  double v = 0;
  std::from_chars(t.data(), t.data() + t.size(), v);
  return v;
}

// The cell of ValueSql's two columns at `col`.
Cell ValueCell(const Rows& r, int row, int col) {
  if (r.IsNull(row, col) || r.IsNull(row, col + 1)) return Cell{};
  const std::string_view type = r.Text(row, col), text = r.Text(row, col + 1);
  if (type == "null") return Cell{};
  if (type == "boolean") return Cell{Cell::Kind::kBool, text == "true" ? 1.0 : 0.0, {}};
  if (type == "number") return Cell{Cell::Kind::kNumber, Number(text), {}};
  return Cell{Cell::Kind::kText, 0, text};
}

// The elements of a bigint[]'s text form, "{1,2,3}".
std::vector<int64_t> IdsOf(std::string_view text) {
  std::vector<int64_t> ids;
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    if (*p < '0' || *p > '9') {
      if (*p != '-') {
        ++p;
        continue;
      }
    }
    int64_t v = 0;
    auto [next, ec] = std::from_chars(p, end, v);
    if (ec != std::errc()) break;
    ids.push_back(v);
    p = next;
  }
  return ids;
}

Cell NumberCell(const Rows& r, int row, int col) {
  if (r.IsNull(row, col)) return Cell{};
  return Cell{Cell::Kind::kNumber, r.Real(row, col), {}};
}

}  // namespace

Result<uint64_t> PgSegmentRows::Cursor() {
  auto rows = conn_.Exec(
      {"cdp_segment_cursor", "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint"});
  if (!rows.ok()) return std::move(rows).take_status();
  return static_cast<uint64_t>(rows->Int(0, 0));
}

Result<bool> PgSegmentRows::ChangesSince(uint64_t cursor, std::vector<int64_t>& profiles,
                                         std::vector<int64_t>& events, uint64_t& next) {
  Params params;
  params.Add(static_cast<int64_t>(cursor));
  auto state = conn_.Exec({"cdp_segment_feed",
                           "SELECT pruned_through >= $1::bigint, "
                           "pg_snapshot_xmin(pg_current_snapshot())::text::bigint "
                           "FROM segment_feed"},
                          params);
  if (!state.ok()) return std::move(state).take_status();
  if (state->empty() || state->Int(0, 0) != 0) return false;
  next = static_cast<uint64_t>(state->Int(0, 1));
  Params since;
  since.Add(brand_).Add(static_cast<int64_t>(cursor));
  auto rows = conn_.Exec({"cdp_segment_changes",
                          "SELECT events, as_range, ids::text FROM segment_changes "
                          "WHERE brand_id = $1::text AND txid >= $2::bigint"},
                         since);
  if (!rows.ok()) return std::move(rows).take_status();
  for (int i = 0; i < rows->size(); ++i) {
    std::vector<int64_t>& out = rows->Int(i, 0) != 0 ? events : profiles;
    const std::vector<int64_t> ids = IdsOf(rows->Text(i, 2));
    if (rows->Int(i, 1) == 0) {
      out.insert(out.end(), ids.begin(), ids.end());
    } else if (ids.size() == 2) {
      // More than the index re-reads one by one: it is built again.
      if (ids[1] - ids[0] >= kMaxRange) return false;
      for (int64_t id = ids[0]; id <= ids[1]; ++id) out.push_back(id);
    }
  }
  return true;
}

Status PgSegmentRows::Scan(const std::string& query, const Params& params,
                           const std::function<void(const Rows&)>& f) {
  auto declared = conn_.ExecOnce("DECLARE cdp_segment_scan NO SCROLL CURSOR FOR " + query, params);
  if (!declared.ok()) return std::move(declared).take_status();
  const std::string fetch = fmt::format("FETCH {} FROM cdp_segment_scan", kBatchRows);
  for (;;) {
    auto rows = conn_.ExecOnce(fetch, Params());
    if (!rows.ok()) return std::move(rows).take_status();
    if (rows->empty()) break;
    f(*rows);
  }
  return conn_.Run("CLOSE cdp_segment_scan");
}

Status PgSegmentRows::ProfileIds(const std::function<void(int64_t)>& f) {
  Params params;
  params.Add(brand_);
  return Scan("SELECT id FROM profiles WHERE brand_id = $1::text", params, [&](const Rows& r) {
    for (int i = 0; i < r.size(); ++i) f(r.Int(i, 0));
  });
}

Status PgSegmentRows::ProfileValues(const AttributeRef& a,
                                    const std::function<void(int64_t, const Cell&)>& f) {
  Params params;
  params.Add(brand_);
  if (a.source != AttributeRef::Source::kProfileColumn) params.Add(a.name);
  return Scan("SELECT id, " + ValueSql(a, 2) + " FROM profiles WHERE brand_id = $1::text", params,
              [&](const Rows& r) {
                for (int i = 0; i < r.size(); ++i) f(r.Int(i, 0), ValueCell(r, i, 1));
              });
}

Status PgSegmentRows::Events(std::string_view name,
                             const std::function<void(int64_t, int64_t, int64_t)>& f) {
  Params params;
  params.Add(brand_).Add(name);
  return Scan("SELECT id, profile_id, ts FROM events WHERE brand_id = $1::text AND name = $2::text",
              params, [&](const Rows& r) {
                for (int i = 0; i < r.size(); ++i) f(r.Int(i, 0), r.Int(i, 1), r.Int(i, 2));
              });
}

Status PgSegmentRows::EventValues(
    std::string_view name, const std::function<void(int64_t, std::string_view, const Cell&)>& f) {
  Params params;
  params.Add(brand_).Add(name);
  return Scan(
      "SELECT id, attributes::text, ltv FROM events WHERE brand_id = $1::text AND name = $2::text",
      params, [&](const Rows& r) {
        for (int i = 0; i < r.size(); ++i) f(r.Int(i, 0), r.Text(i, 1), NumberCell(r, i, 2));
      });
}

Status PgSegmentRows::ProfilesById(
    const std::vector<int64_t>& ids, const std::vector<AttributeRef>& attributes,
    const std::function<void(int64_t, const std::vector<Cell>&)>& f) {
  if (ids.empty()) return Status::Ok();
  Params params;
  params.Add(brand_).AddArray(ids);
  std::string sql = "SELECT id";
  int param = 3;
  for (const auto& a : attributes) {
    sql += ", " + ValueSql(a, param);
    if (a.source != AttributeRef::Source::kProfileColumn) {
      params.Add(a.name);
      ++param;
    }
  }
  auto rows = conn_.ExecOnce(
      sql + " FROM profiles WHERE brand_id = $1::text AND id = ANY($2::bigint[])", params);
  if (!rows.ok()) return std::move(rows).take_status();
  std::vector<Cell> values(attributes.size());
  for (int i = 0; i < rows->size(); ++i) {
    for (size_t c = 0; c < values.size(); ++c)
      values[c] = ValueCell(*rows, i, 1 + 2 * static_cast<int>(c));
    f(rows->Int(i, 0), values);
  }
  return Status::Ok();
}

Status PgSegmentRows::EventsById(const std::vector<int64_t>& ids,
                                 const std::function<void(const EventRow&)>& f) {
  if (ids.empty()) return Status::Ok();
  Params params;
  params.Add(brand_).AddArray(ids);
  auto rows = conn_.Exec({"cdp_segment_events_by_id",
                          "SELECT id, profile_id, name, ts, attributes::text, ltv FROM events "
                          "WHERE brand_id = $1::text AND id = ANY($2::bigint[])"},
                         params);
  if (!rows.ok()) return std::move(rows).take_status();
  for (int i = 0; i < rows->size(); ++i)
    f(EventRow{rows->Int(i, 0), rows->Int(i, 1), rows->Int(i, 3), rows->Text(i, 2),
               rows->Text(i, 4), NumberCell(*rows, i, 5)});
  return Status::Ok();
}

Status PgSegmentRows::Prune(Conn& conn) {
  auto rows =
      conn.Exec({"cdp_segment_prune",
                 "WITH gone AS (DELETE FROM segment_changes WHERE at < now() - interval '1 hour' "
                 "RETURNING txid) "
                 "UPDATE segment_feed SET pruned_through = greatest(pruned_through, (SELECT "
                 "max(txid) FROM gone))"});
  return rows.ok() ? Status::Ok() : std::move(rows).take_status();
}

}  // namespace cdp::store::postgres
