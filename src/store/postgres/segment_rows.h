// SegmentRows over a PostgreSQL read connection inside a REPEATABLE READ transaction (one
// snapshot for the whole evaluation), with the segment_changes table as the feed of changed
// rows: statement triggers on profiles and events add, per statement and brand, the ids it
// changed (for inserts, the range of their ids) and the writing transaction's id
// (migration 12).
//
// The cursor is the snapshot's xmin: every transaction below it had ended when the snapshot
// was taken, so its changes are in the snapshot. ChangesSince(cursor) reads the feed's rows
// of transactions from the cursor up (some of them already applied: applying again is
// idempotent). Rows older than an hour are pruned (Prune), and segment_feed keeps the
// highest transaction pruned: a cursor at or below it must build again.
#pragma once

#include <string>
#include <string_view>

#include "store/postgres/pg_conn.h"
#include "store/segment_rows.h"

namespace cdp::store::postgres {

class PgSegmentRows final : public SegmentRows {
 public:
  // `conn` is in a REPEATABLE READ transaction for as long as this object is used.
  PgSegmentRows(Conn& conn, std::string_view brand_id) : conn_(conn), brand_(brand_id) {}

  Result<uint64_t> Cursor() override;
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

  // Deletes the feed's rows older than an hour, in one statement (a write, outside a
  // transaction: on any connection).
  static Status Prune(Conn& conn);

 private:
  // Runs `query` (with `params`) through a cursor, calling f for each batch of rows.
  Status Scan(const std::string& query, const Params& params,
              const std::function<void(const Rows&)>& f);

  Conn& conn_;
  const std::string brand_;
};

}  // namespace cdp::store::postgres
