// BrandIndex: one brand's part of the segment index (store/segment_index.h). Profiles get
// an ordinal when first seen, and every column and bit set is indexed by ordinal; event
// lists hold (id, time, profile ordinal) per event of one name. Ids may arrive out of order
// (PostgreSQL commits concurrent transactions in any order): ordinals and event positions
// are never moved, and sorted views of them are merged as ids arrive.
//
// Loading is in segment_brand.cc, the conditions in segment_match.cc. Not thread-safe:
// the caller holds `mu` for every call.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "segments/column.h"
#include "segments/rule.h"
#include "store/segment_index.h"
#include "store/segment_rows.h"

namespace cdp::store {

class BrandIndex {
 public:
  std::mutex mu;

  // Applies the changes since the last call, or builds the index again.
  Status Refresh(SegmentRows& rows);
  Result<segments::Bits> Evaluate(SegmentRows& rows, const segments::Node& n, int64_t now);
  int64_t Count(const segments::Bits& b) const;
  SegmentIndex::IdPage Page(const segments::Bits& b, int64_t after, size_t limit) const;
  // The estimated bytes held.
  size_t Bytes() const;

 private:
  static constexpr uint32_t kGone = UINT32_MAX;
  struct EventRef {
    int64_t id;
    int64_t ts;
    uint32_t ordinal;  // kGone once the event is deleted, moved away or its profile unknown
  };
  // The events of one name in the order first seen, with the attributes `where` filters
  // asked about as columns over the same positions.
  struct EventList {
    std::vector<EventRef> refs;
    std::vector<uint32_t> by_id;                         // positions, sorted by id
    std::map<std::string, segments::Column> attributes;  // by ColumnKey
    std::map<std::string, segments::AttributeRef> refs_of;
  };

  // Loading (segment_brand.cc).
  Status Rebuild(SegmentRows& rows);
  std::optional<uint32_t> Ordinal(int64_t id) const;
  // Gives ordinals to the ids not seen yet (`ids` sorted, distinct).
  void AddProfiles(const std::vector<int64_t>& ids);
  Status LoadColumn(SegmentRows& rows, const segments::AttributeRef& a, segments::Column& col);
  Status LoadEvents(SegmentRows& rows, const std::string& name, EventList& list);
  Status LoadEventColumn(SegmentRows& rows, const std::string& name, const EventList& list,
                         const segments::AttributeRef& a, segments::Column& col);
  // The position of event `id` in `list`, looking at the first `sorted` entries of by_id
  // (all of them by default).
  static std::optional<uint32_t> Position(const EventList& list, int64_t id,
                                          size_t sorted = SIZE_MAX);
  Result<segments::Column*> ColumnFor(SegmentRows& rows, const segments::AttributeRef& a);
  Result<segments::Column*> EventColumnFor(SegmentRows& rows, const std::string& name,
                                           EventList& list, const segments::AttributeRef& a);
  Result<EventList*> EventsFor(SegmentRows& rows, const std::string& name);
  Status ReloadProfiles(SegmentRows& rows, const std::vector<int64_t>& ids);
  Status ReloadEvents(SegmentRows& rows, const std::vector<int64_t>& ids);

  // Conditions (segment_match.cc).
  Result<segments::Bits> Attribute(SegmentRows& rows, const segments::AttributeCondition& c,
                                   int64_t now);
  Result<segments::Bits> Reachable(SegmentRows& rows, segments::Channel channel);
  Result<segments::Bits> Event(SegmentRows& rows, const segments::EventCondition& e, int64_t now);

  bool built_ = false;
  uint64_t cursor_ = 0;
  std::vector<int64_t> ids_;                         // ordinal -> profile id
  std::vector<uint32_t> by_id_;                      // ordinals, sorted by id
  segments::Bits live_;                              // ordinals of profiles that exist
  std::map<std::string, segments::Column> columns_;  // by ColumnKey
  std::map<std::string, segments::AttributeRef> refs_;
  std::map<std::string, EventList> events_;  // by name
};

}  // namespace cdp::store
