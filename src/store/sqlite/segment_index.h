// The in-memory segment index of the SQLite store: per brand, the profile attributes and
// event lists that rules have asked about, held as columns (segments/column.h) and kept
// current from the writer's change feed, so a segment is counted by scanning arrays rather
// than by parsing JSON and grouping index ranges on every call.
//
// Freshness: the writer connection reports every changed profile and event row (SQLite's
// update hook); after each COMMIT those row ids are published to the ChangeLog. Before
// evaluating, a brand's index re-reads the rows published since it last looked, on a read
// connection that sees at least those commits: a count reflects every write acknowledged
// before it was asked. When the log has dropped entries a brand has not applied yet (it
// keeps the last kMaxEntries), that brand's index is rebuilt from the tables.
//
// Event lists hold (rowid, time, profile); an attribute a `where` filter names becomes a
// column over the list's events when first asked for, like profile attributes.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "segments/rule.h"
#include "store/sqlite/sqlite_db.h"
#include "store/store.h"

namespace cdp::store::sqlite {

// Row ids of changed profiles and events, in commit order. Thread-safe.
class ChangeLog {
 public:
  static constexpr size_t kMaxEntries = 1 << 20;

  struct Change {
    bool event = false;  // else a profile
    int64_t rowid = 0;
  };

  // Writer thread: a row the open transaction changed.
  void Touch(std::string_view table, int64_t rowid);
  // Writer thread, after a successful COMMIT: makes the touched rows visible to Since().
  void Publish();
  // The changes after sequence number `after`; false when some were already dropped.
  bool Since(uint64_t after, std::vector<Change>& out, uint64_t& last) const;
  uint64_t last() const;

 private:
  std::vector<Change> pending_;  // writer thread only
  mutable std::mutex mu_;
  std::deque<Change> log_;
  uint64_t first_ = 1;  // sequence number of log_.front()
};

class SegmentIndex {
 public:
  explicit SegmentIndex(const ChangeLog& log);
  ~SegmentIndex();

  // Members of `rule` at `now`, read through `db` (a read connection).
  Result<int64_t> Count(Db& db, std::string_view brand_id, const segments::Node& rule, int64_t now);
  struct IdPage {
    std::vector<int64_t> ids;
    std::optional<int64_t> next_after;
  };
  // The ids of the members above `after_profile`, at most `limit`, ascending.
  Result<IdPage> Members(Db& db, std::string_view brand_id, const segments::Node& rule, int64_t now,
                         int64_t after_profile, size_t limit);

 private:
  class Brand;
  Brand& For(std::string_view brand_id);

  const ChangeLog& log_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<Brand>, std::less<>> brands_;
};

}  // namespace cdp::store::sqlite
