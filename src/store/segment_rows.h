// SegmentRows: what the segment index (store/segment_index.h) reads from a backend, for one
// brand during one evaluation, all from one view of the committed data. Each backend makes
// one per call (store/sqlite/segment_rows.h, store/postgres/segment_rows.h). Not
// thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "segments/rule.h"

namespace cdp::store {

// One stored value, as the index keeps it: SQL NULL or a missing attribute is kNull; a
// JSON boolean is kBool (SQLite's JSON reads it as a number, which the index treats alike).
struct Cell {
  enum class Kind : uint8_t { kNull, kBool, kNumber, kText };
  Kind kind = Kind::kNull;
  double number = 0;      // kNumber; kBool: 1 or 0
  std::string_view text;  // kText; valid during the callback only
};

// An event's row, for changes applied one by one.
struct EventRow {
  int64_t id = 0;
  int64_t profile = 0;
  int64_t ts = 0;
  std::string_view name;
  std::string_view attributes;  // the JSON object's text
  Cell ltv;
};

class SegmentRows {
 public:
  virtual ~SegmentRows() = default;

  // Where the backend's feed of changed rows stands for this view: an index built from this
  // view applies the changes after it.
  virtual Result<uint64_t> Cursor() = 0;
  // Adds to `profiles` and `events` the ids of rows changed after `cursor` (ids may repeat
  // and may be other brands'), and sets `next` to the cursor after them. False when the feed
  // no longer reaches back to `cursor`: the index must be built again.
  virtual Result<bool> ChangesSince(uint64_t cursor, std::vector<int64_t>& profiles,
                                    std::vector<int64_t>& events, uint64_t& next) = 0;

  // Every profile id of the brand.
  virtual Status ProfileIds(const std::function<void(int64_t id)>& f) = 0;
  // Each profile's value of `a` (a profile column or custom attribute).
  virtual Status ProfileValues(const segments::AttributeRef& a,
                               const std::function<void(int64_t id, const Cell& v)>& f) = 0;
  // The brand's events named `name`.
  virtual Status Events(std::string_view name,
                        const std::function<void(int64_t id, int64_t profile, int64_t ts)>& f) = 0;
  // The attributes (a JSON object's text) and ltv of the brand's events named `name`.
  virtual Status EventValues(
      std::string_view name,
      const std::function<void(int64_t id, std::string_view attributes, const Cell& ltv)>& f) = 0;

  // The brand's profiles among `ids`, each with its values of `attributes` in that order;
  // an id not reported is not the brand's profile (any more).
  virtual Status ProfilesById(
      const std::vector<int64_t>& ids, const std::vector<segments::AttributeRef>& attributes,
      const std::function<void(int64_t id, const std::vector<Cell>& values)>& f) = 0;
  // The brand's events among `ids`; an id not reported is not the brand's event (any more).
  virtual Status EventsById(const std::vector<int64_t>& ids,
                            const std::function<void(const EventRow& e)>& f) = 0;
};

}  // namespace cdp::store
