// A campaign's life before the engine takes it: what makes one valid, and the state
// changes a user asks for (create, update, send now, schedule, cancel, launch). Each
// change names the states it may start from, once, here; the store saves it only if the
// campaign is still in one of them, so two nodes racing on one campaign cannot both win.
// The API parses and answers JSON around these; the engine moves sending -> sent.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/status.h"
#include "store/campaign_store.h"
#include "store/segment_store.h"

namespace cdp::campaigns {

// The campaign as a whole: its channel, its content for that channel, its options, and a
// target that fits the channel and names a segment the brand has.
Status Validate(const store::Campaign& c, store::SegmentStore& segments);

// A `send_at` as the API takes it: an ISO 8601 instant with an offset, after `now`.
// `now_instead` tells, in the error about a past instant, how to send now instead.
Result<int64_t> ParseSendAt(const boost::json::value* v, int64_t now,
                            std::string_view now_instead);

// What the changes below need: the stores and the current time.
struct Lifecycle {
  store::CampaignStore& campaigns;
  store::SegmentStore& segments;
  int64_t now;

  // Stores `c` (brand, name, channel, target, content, options set) as a new draft;
  // sets its id and timestamps.
  Status Create(store::Campaign& c);
  // Starts a new campaign `c` now, or schedules it `at`; sets id, status and timestamps.
  Status Launch(store::Campaign& c, std::optional<int64_t> at);
  // Saves the edited fields of a draft or scheduled campaign.
  Status Update(store::Campaign& c);
  // A draft or scheduled campaign starts sending now.
  Status Send(store::Campaign& c);
  // A draft or scheduled campaign is (re)scheduled `at`.
  Status Schedule(store::Campaign& c, int64_t at);
  // A scheduled campaign never fires; a sending one stops.
  Status Cancel(store::Campaign& c);
};

}  // namespace cdp::campaigns
