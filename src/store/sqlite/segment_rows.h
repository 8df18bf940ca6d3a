// SegmentRows over a SQLite read connection: one brand's rows for the segment index
// (store/segment_index.h), and the writer's ChangeLog as its feed of changed rows. The
// connection reads the latest commit at each statement; a row committed during a build is
// also in the feed after the build's cursor, and applied again on the next call.
#pragma once

#include <string>
#include <string_view>

#include "store/segment_rows.h"
#include "store/sqlite/change_log.h"
#include "store/sqlite/sqlite_db.h"

namespace cdp::store::sqlite {

class SqliteSegmentRows final : public SegmentRows {
 public:
  SqliteSegmentRows(Db& db, const ChangeLog& log, std::string_view brand_id)
      : db_(db), log_(log), brand_(brand_id) {}

  Result<uint64_t> Cursor() override { return log_.last(); }
  Result<bool> ChangesSince(uint64_t cursor, std::vector<int64_t>& profiles,
                            std::vector<int64_t>& events, uint64_t& next) override;
  Status ProfileIds(const std::function<void(int64_t)>& f) override;
  Status ProfileValues(const segments::AttributeRef& a,
                       const std::function<void(int64_t, const Cell&)>& f) override;
  Status Events(std::string_view name,
                const std::function<void(int64_t, int64_t, int64_t)>& f) override;
  Status EventValues(std::string_view name,
                     const std::function<void(int64_t, std::string_view, const Cell&)>& f) override;
  Status ProfilesById(const std::vector<int64_t>& ids,
                      const std::vector<segments::AttributeRef>& attributes,
                      const std::function<void(int64_t, const std::vector<Cell>&)>& f) override;
  Status EventsById(const std::vector<int64_t>& ids,
                    const std::function<void(const EventRow&)>& f) override;

 private:
  Db& db_;
  const ChangeLog& log_;
  const std::string brand_;
};

}  // namespace cdp::store::sqlite
