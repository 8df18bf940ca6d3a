// ChangeLog: the row ids of profiles and events the SQLite writer changed, in commit order,
// read by the segment index (store/sqlite/segment_rows.h) to stay current. The writer
// connection reports every changed row (SQLite's update hook); after each COMMIT they are
// published. Only the last kMaxEntries are kept. Thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <string_view>
#include <vector>

namespace cdp::store::sqlite {

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

}  // namespace cdp::store::sqlite
