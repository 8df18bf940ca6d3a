// Segment evaluation (sql::SegmentEvaluator), left to this backend by the portable segment
// part: the in-memory columns of the segment index, then the members' profile rows.
#include "store/sqlite/backend.h"
#include "store/sqlite/segment_rows.h"
#include "store/sqlite/sqlite_db.h"

namespace cdp::store::sqlite {

Result<int64_t> Backend::CountSegment(std::string_view brand_id, const segments::Node& rule,
                                      int64_t now) {
  return ReadOn([&](Db& db) {
    SqliteSegmentRows rows(db, changes_, brand_id);
    return segment_index_.Count(rows, brand_id, rule, now);
  });
}

Result<ProfilePage> Backend::SegmentMembers(std::string_view brand_id, const segments::Node& rule,
                                            int64_t now, int64_t after_profile, size_t limit) {
  return ReadOn([&](Db& db) -> Result<ProfilePage> {
    SqliteSegmentRows rows(db, changes_, brand_id);
    auto ids = segment_index_.Members(rows, brand_id, rule, now, after_profile, limit);
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
