// SegmentStore: saved segments and the evaluation of rule trees against a brand's
// profiles and events. Used by the Segments API and the campaign engine. Thread-safe;
// evaluation reads committed data.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "segments/rule.h"
#include "store/profile_store.h"

namespace cdp::store {

// A saved segment; `rules` is the rule tree's JSON text as the client sent it.
struct Segment {
  std::string id;
  std::string name;
  std::string rules;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

class SegmentStore {
 public:
  virtual ~SegmentStore() = default;

  // Segments. Names are unique per brand: AlreadyExists when taken. NotFound for an id the
  // brand does not have.
  virtual Status CreateSegment(std::string_view brand_id, const Segment& segment) = 0;
  virtual Result<Segment> GetSegment(std::string_view brand_id, std::string_view id) = 0;
  // By name.
  virtual Result<std::vector<Segment>> ListSegments(std::string_view brand_id) = 0;
  // Replaces name and rules, and updated_at.
  virtual Status UpdateSegment(std::string_view brand_id, const Segment& segment) = 0;
  virtual Status DeleteSegment(std::string_view brand_id, std::string_view id) = 0;
  // Members of `rule` at `now` among the brand's profiles, evaluated on committed data.
  virtual Result<int64_t> CountSegment(std::string_view brand_id, const segments::Node& rule,
                                       int64_t now) = 0;
  // The members with an internal id above `after_profile`, at most `limit`, in id order.
  virtual Result<ProfilePage> SegmentMembers(std::string_view brand_id, const segments::Node& rule,
                                             int64_t now, int64_t after_profile, size_t limit) = 0;
};

}  // namespace cdp::store
