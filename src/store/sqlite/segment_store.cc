#include <fmt/format.h>

#include "store/sqlite/backend.h"
#include "store/sqlite/sqlite_db.h"

namespace cdp::store::sqlite {

namespace {

Segment ReadSegment(const Stmt& s) {
  return Segment{s.Text(0), s.Text(1), s.Text(2), s.Int(3), s.Int(4)};
}

Status NoSegment(std::string_view id) { return NotFound(fmt::format("no segment '{}'", id)); }

Status SegmentNameTaken(std::string_view name) {
  return AlreadyExists(fmt::format("a segment named '{}' exists", name));
}

}  // namespace

Status Backend::CreateSegment(std::string_view brand_id, const Segment& s) {
  return writer_.Submit([&](Db& db) -> Status {
    auto stmt = db.Prepare(
        "INSERT INTO segments (brand_id, id, name, rules, created_at, updated_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!stmt.ok()) return std::move(stmt).take_status();
    Status st = stmt->Bind(1, brand_id)
                    .Bind(2, s.id)
                    .Bind(3, s.name)
                    .Bind(4, s.rules)
                    .Bind(5, s.created_at)
                    .Bind(6, s.updated_at)
                    .Run();
    if (st.code() == Code::kAlreadyExists) return SegmentNameTaken(s.name);
    return st;
  });
}

Result<Segment> Backend::GetSegment(std::string_view brand_id, std::string_view id) {
  return ReadOn([&](Db& db) -> Result<Segment> {
    auto stmt = db.Prepare(
        "SELECT id, name, rules, created_at, updated_at FROM segments "
        "WHERE brand_id = ?1 AND id = ?2");
    if (!stmt.ok()) return std::move(stmt).take_status();
    stmt->Bind(1, brand_id).Bind(2, id);
    auto row = stmt->Step();
    if (!row.ok()) return std::move(row).take_status();
    if (!*row) return NoSegment(id);
    return ReadSegment(*stmt);
  });
}

Result<std::vector<Segment>> Backend::ListSegments(std::string_view brand_id) {
  return ReadOn([&](Db& db) -> Result<std::vector<Segment>> {
    auto stmt = db.Prepare(
        "SELECT id, name, rules, created_at, updated_at FROM segments "
        "WHERE brand_id = ?1 ORDER BY name");
    if (!stmt.ok()) return std::move(stmt).take_status();
    stmt->Bind(1, brand_id);
    std::vector<Segment> out;
    for (;;) {
      auto row = stmt->Step();
      if (!row.ok()) return std::move(row).take_status();
      if (!*row) break;
      out.push_back(ReadSegment(*stmt));
    }
    return out;
  });
}

Status Backend::UpdateSegment(std::string_view brand_id, const Segment& s) {
  return writer_.Submit([&](Db& db) -> Status {
    auto stmt = db.Prepare(
        "UPDATE segments SET name = ?3, rules = ?4, updated_at = ?5 "
        "WHERE brand_id = ?1 AND id = ?2");
    if (!stmt.ok()) return std::move(stmt).take_status();
    Status st = stmt->Bind(1, brand_id)
                    .Bind(2, s.id)
                    .Bind(3, s.name)
                    .Bind(4, s.rules)
                    .Bind(5, s.updated_at)
                    .Run();
    if (st.code() == Code::kAlreadyExists) return SegmentNameTaken(s.name);
    CDP_RETURN_IF_ERROR(st);
    return db.Changes() ? Status::Ok() : NoSegment(s.id);
  });
}

Status Backend::DeleteSegment(std::string_view brand_id, std::string_view id) {
  return writer_.Submit([&](Db& db) -> Status {
    auto stmt = db.Prepare("DELETE FROM segments WHERE brand_id = ?1 AND id = ?2");
    if (!stmt.ok()) return std::move(stmt).take_status();
    CDP_RETURN_IF_ERROR(stmt->Bind(1, brand_id).Bind(2, id).Run());
    return db.Changes() ? Status::Ok() : NoSegment(id);
  });
}

Result<int64_t> Backend::CountSegment(std::string_view brand_id, const segments::Node& rule,
                                      int64_t now) {
  return ReadOn([&](Db& db) { return segment_index_.Count(db, brand_id, rule, now); });
}

Result<ProfilePage> Backend::SegmentMembers(std::string_view brand_id, const segments::Node& rule,
                                            int64_t now, int64_t after_profile, size_t limit) {
  return ReadOn([&](Db& db) -> Result<ProfilePage> {
    auto ids = segment_index_.Members(db, brand_id, rule, now, after_profile, limit);
    if (!ids.ok()) return std::move(ids).take_status();
    static const std::string by_id =
        "SELECT " + ProfileColumns() + " FROM profiles WHERE brand_id = ?1 AND id = ?2";
    ProfilePage page;
    page.next_after = ids->next_after;
    for (int64_t id : ids->ids) {
      auto p = db.Prepare(by_id);
      if (!p.ok()) return std::move(p).take_status();
      p->Bind(1, brand_id).Bind(2, id);
      auto row = p->Step();
      if (!row.ok()) return std::move(row).take_status();
      if (*row) page.profiles.push_back(ReadProfile(*p));
      p->Reset();
    }
    return page;
  });
}

}  // namespace cdp::store::sqlite
