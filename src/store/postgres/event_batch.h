// The event writes of the PostgreSQL backend that run inside the writer's transaction:
// one batch of events (from the Event API or a tracking batch) with the profiles they
// name, found, created, identified or merged as UpsertProfiles would. Writer thread only.
// Only store/postgres includes this header.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "events/event.h"
#include "store/event_store.h"
#include "store/postgres/pg_conn.h"

namespace cdp::store::postgres {

// Stores `evs` in order, setting results[i] for each (stored, duplicate, or failed alone,
// e.g. a type conflict in its profile attributes). May run again on the same inputs (a
// group retried after a conflict). An error is a storage failure of the whole batch.
Status WriteEventBatch(Conn& c, std::string_view brand_id, const std::vector<events::Event>& evs,
                       int64_t now, std::vector<EventStore::EventResult>& results);

}  // namespace cdp::store::postgres
