// The in-memory segment index, shared by both backends: per brand, the profile attributes
// and event lists that rules have asked about, held as columns (segments/column.h) and kept
// current from the backend's feed of changed rows, so a segment is counted by scanning
// arrays rather than by parsing JSON and grouping index ranges on every call.
//
// Freshness: before evaluating, a brand's index applies the rows changed since it last
// looked (SegmentRows::ChangesSince), re-reading each from a view that holds at least every
// commit acknowledged before the call: a count reflects every write acknowledged before it
// was asked. When the feed no longer reaches back that far, or too much changed, the brand
// is built again from the tables.
//
// Memory: the index holds at most `budget_bytes` (estimated from its arrays). After each
// evaluation, the least recently used brands are dropped until it fits; a brand over the
// budget on its own is dropped after each evaluation, so it is read again every time. A
// brand costs about 12 bytes per profile, 9 per profile per attribute column and 28 per
// event of each event name rules use, plus 9 per such event per `where` attribute
// (docs/segments.md).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "segments/column.h"
#include "segments/rule.h"
#include "store/segment_rows.h"

namespace cdp::store {

class BrandIndex;  // store/segment_brand.h

class SegmentIndex {
 public:
  static constexpr size_t kUnlimited = SIZE_MAX;
  explicit SegmentIndex(size_t budget_bytes = kUnlimited);
  ~SegmentIndex();

  // Members of `rule` at `now`, read through `rows` (the brand's).
  Result<int64_t> Count(SegmentRows& rows, std::string_view brand_id, const segments::Node& rule,
                        int64_t now);
  struct IdPage {
    std::vector<int64_t> ids;
    std::optional<int64_t> next_after;
  };
  // The ids of the members above `after_profile`, at most `limit`, ascending.
  Result<IdPage> Members(SegmentRows& rows, std::string_view brand_id, const segments::Node& rule,
                         int64_t now, int64_t after_profile, size_t limit);

  // The estimated bytes held, and how many brands have been dropped to stay in budget.
  size_t TotalBytes() const;
  uint64_t evictions() const { return evictions_.load(); }

 private:
  struct Entry {
    std::shared_ptr<BrandIndex> brand;
    uint64_t used = 0;  // tick of the last evaluation
    size_t bytes = 0;   // as of the end of the last evaluation
  };
  std::shared_ptr<BrandIndex> For(std::string_view brand_id);
  // Brings the brand's index up to date, evaluates `rule` on it and hands the members to
  // `use`, under the brand's lock; then settles the budget.
  Status Evaluate(SegmentRows& rows, std::string_view brand_id, const segments::Node& rule,
                  int64_t now,
                  const std::function<void(const BrandIndex&, const segments::Bits&)>& use);
  // After an evaluation of `brand_id`: records its size and drops brands beyond the budget.
  void Settle(std::string_view brand_id, size_t bytes);

  const size_t budget_;
  mutable std::mutex mu_;
  uint64_t tick_ = 0;
  std::map<std::string, Entry, std::less<>> brands_;
  std::atomic<uint64_t> evictions_{0};
  int64_t last_oversize_warning_ = 0;  // steady seconds
};

}  // namespace cdp::store
