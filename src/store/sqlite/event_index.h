// The key of events_by_name_week, the SQLite backend's one index for reading events by name
// and time (migration 13), and the range conditions every query of it adds. Used by the
// backend's event reads (event_store.cc, profile_reads.cc, profile_store.cc) and migrations.
//
// The index is (brand_id, name, ts / kEventWeekMicros, id, ts, profile_id): within a
// (brand, name, week) the entries follow the id, which increases in arrival order, so an
// insert lands at the right edge of its week whatever its time. A backfill spread over 90
// days touches about 13 right edges per name, which stay cached and are written to the log
// once per commit, instead of a random leaf page per event. ts and profile_id follow, so the
// index still covers the queries; a time range [from, to) reads the weeks it overlaps and
// tests ts on each entry, at most one week's entries at each end more than a (ts) order.
#pragma once

#include <cstdint>

namespace cdp::store::sqlite {

inline constexpr int64_t kEventWeekMicros = 604'800'000'000;
// The index's expression on the events table's ts (kEventWeekMicros written out), as every
// query must spell it for SQLite to use the index.
inline constexpr char kEventWeek[] = "ts / 604800000000";

// The weeks [first, last] that hold every time of [from, to); integer division truncates
// like SQLite's, so the same truncation holds for times before 1970.
struct WeekRange {
  int64_t first = 0;
  int64_t last = -1;
};
inline WeekRange WeeksOf(int64_t from, int64_t to) {
  if (to <= from) return {};
  return {from / kEventWeekMicros, (to - 1) / kEventWeekMicros};
}

}  // namespace cdp::store::sqlite
