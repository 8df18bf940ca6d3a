// The reads of one profile's history and of profile lookups that the dashboard makes, for
// the backend's event and profile parts (contracts as EventStore::ListProfileEvents and
// CountEventsPerDay, ProfileStore::SearchProfiles and CountProfiles). Each runs on a read
// connection through an index. Only store/postgres includes this header.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "store/event_store.h"
#include "store/postgres/backend.h"
#include "store/profile_store.h"

namespace cdp::store::postgres {

Result<std::vector<StoredEvent>> ListProfileEvents(Backend& backend, std::string_view brand_id,
                                                   int64_t profile_id,
                                                   const std::optional<EventPosition>& before,
                                                   size_t limit);
Result<std::vector<DayCount>> CountEventsPerDay(Backend& backend, std::string_view brand_id,
                                                int64_t from, int64_t to, int64_t origin);
Result<ProfileMatches> SearchProfiles(Backend& backend, std::string_view brand_id,
                                      const ProfileSearch& q, size_t limit);
Result<int64_t> CountProfiles(Backend& backend, std::string_view brand_id);

}  // namespace cdp::store::postgres
