#include "store/sqlite/segment_rows.h"

#include <fmt/format.h>

#include <optional>

namespace cdp::store::sqlite {
namespace {

using segments::AttributeRef;

// The SQL value of a profile attribute, as segments/sql.h reads it (SQLite dialect), with
// the attribute's path bound to placeholder `param` when it has one.
struct ProfileExpr {
  std::string text;
  std::optional<std::string> bound;
};
ProfileExpr ExprFor(const AttributeRef& a, int param) {
  if (a.source == AttributeRef::Source::kProfileColumn) return {a.name, std::nullopt};
  if (a.name.find('"') == std::string::npos)
    return {fmt::format("attributes ->> ?{}", param), "$.\"" + a.name + "\""};
  return {fmt::format("(SELECT value FROM json_each(attributes) WHERE key = ?{})", param), a.name};
}

// Column `c` of the current row; `text` holds a text value while the cell is used.
// SQLite's JSON reads a boolean as 1 or 0: a number.
Cell CellOf(const Stmt& s, int c, std::string& text) {
  if (s.IsNull(c)) return Cell{};
  if (s.IsNumber(c)) return Cell{Cell::Kind::kNumber, s.Real(c), {}};
  text = s.Text(c);
  return Cell{Cell::Kind::kText, 0, text};
}

// Steps `stmt` to its end, calling row() for each row.
template <typename F>
Status EachRow(Stmt& stmt, F&& row) {
  for (;;) {
    auto more = stmt.Step();
    if (!more.ok()) return std::move(more).take_status();
    if (!*more) break;
    row();
  }
  stmt.Reset();
  return Status::Ok();
}

}  // namespace

Result<bool> SqliteSegmentRows::ChangesSince(uint64_t cursor, std::vector<int64_t>& profiles,
                                             std::vector<int64_t>& events, uint64_t& next) {
  std::vector<ChangeLog::Change> changes;
  if (!log_.Since(cursor, changes, next)) return false;
  for (const auto& c : changes) (c.event ? events : profiles).push_back(c.rowid);
  return true;
}

Status SqliteSegmentRows::ProfileIds(const std::function<void(int64_t)>& f) {
  auto stmt = db_.Prepare("SELECT id FROM profiles WHERE brand_id = ?1");
  if (!stmt.ok()) return std::move(stmt).take_status();
  stmt->Bind(1, brand_);
  return EachRow(*stmt, [&] { f(stmt->Int(0)); });
}

Status SqliteSegmentRows::ProfileValues(const AttributeRef& a,
                                        const std::function<void(int64_t, const Cell&)>& f) {
  ProfileExpr expr = ExprFor(a, 2);
  auto stmt =
      db_.Prepare(fmt::format("SELECT id, {} FROM profiles WHERE brand_id = ?1", expr.text));
  if (!stmt.ok()) return std::move(stmt).take_status();
  stmt->Bind(1, brand_);
  if (expr.bound) stmt->Bind(2, *expr.bound);
  std::string text;
  return EachRow(*stmt, [&] { f(stmt->Int(0), CellOf(*stmt, 1, text)); });
}

Status SqliteSegmentRows::Events(std::string_view name,
                                 const std::function<void(int64_t, int64_t, int64_t)>& f) {
  auto stmt =
      db_.Prepare("SELECT id, profile_id, ts FROM events WHERE brand_id = ?1 AND name = ?2");
  if (!stmt.ok()) return std::move(stmt).take_status();
  stmt->Bind(1, brand_).Bind(2, name);
  return EachRow(*stmt, [&] { f(stmt->Int(0), stmt->Int(1), stmt->Int(2)); });
}

Status SqliteSegmentRows::EventValues(
    std::string_view name, const std::function<void(int64_t, std::string_view, const Cell&)>& f) {
  auto stmt =
      db_.Prepare("SELECT id, attributes, ltv FROM events WHERE brand_id = ?1 AND name = ?2");
  if (!stmt.ok()) return std::move(stmt).take_status();
  stmt->Bind(1, brand_).Bind(2, name);
  std::string ltv_text;
  return EachRow(*stmt, [&] {
    const std::string attributes = stmt->Text(1);
    f(stmt->Int(0), attributes, CellOf(*stmt, 2, ltv_text));
  });
}

Status SqliteSegmentRows::ProfilesById(
    const std::vector<int64_t>& ids, const std::vector<AttributeRef>& attributes,
    const std::function<void(int64_t, const std::vector<Cell>&)>& f) {
  if (ids.empty()) return Status::Ok();
  std::string sql = "SELECT brand_id";
  std::vector<std::optional<std::string>> bound;
  int param = 2;
  for (const auto& a : attributes) {
    ProfileExpr e = ExprFor(a, param);
    if (e.bound) ++param;
    sql += ", " + e.text;
    bound.push_back(e.bound);
  }
  auto stmt = db_.PrepareOneShot(sql + " FROM profiles WHERE id = ?1");
  if (!stmt.ok()) return std::move(stmt).take_status();
  std::vector<std::string> texts(attributes.size());
  std::vector<Cell> values(attributes.size());
  for (int64_t id : ids) {
    (*stmt)->Reset();
    (*stmt)->Bind(1, id);
    int p = 2;
    for (const auto& b : bound)
      if (b) (*stmt)->Bind(p++, *b);
    auto row = (*stmt)->Step();
    if (!row.ok()) return std::move(row).take_status();
    if (!*row || (*stmt)->Text(0) != brand_) continue;
    for (size_t c = 0; c < values.size(); ++c)
      values[c] = CellOf(**stmt, static_cast<int>(c) + 1, texts[c]);
    f(id, values);
  }
  return Status::Ok();
}

Status SqliteSegmentRows::EventsById(const std::vector<int64_t>& ids,
                                     const std::function<void(const EventRow&)>& f) {
  auto stmt = db_.Prepare(
      "SELECT brand_id, profile_id, name, ts, attributes, ltv FROM events WHERE id = ?1");
  if (!stmt.ok()) return std::move(stmt).take_status();
  std::string ltv_text;
  for (int64_t id : ids) {
    stmt->Reset();
    stmt->Bind(1, id);
    auto row = stmt->Step();
    if (!row.ok()) return std::move(row).take_status();
    if (!*row || stmt->Text(0) != brand_) continue;
    const std::string name = stmt->Text(2), attributes = stmt->Text(4);
    f(EventRow{id, stmt->Int(1), stmt->Int(3), name, attributes, CellOf(*stmt, 5, ltv_text)});
  }
  stmt->Reset();
  return Status::Ok();
}

}  // namespace cdp::store::sqlite
