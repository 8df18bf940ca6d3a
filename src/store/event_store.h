// EventStore: what users did. Ingestion appends events (creating, identifying or merging
// their profiles in the same transaction) and queries read who did what when. Used by the
// Event API. Thread-safe; appends are committed together with concurrent ones (group
// commit) and acknowledged only once durable.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "events/event.h"

namespace cdp::store {

class EventStore {
 public:
  virtual ~EventStore() = default;

  // Stores the events durably, each on its profile: created when missing, identified or
  // merged as UpsertProfiles does when an event names both ids, updated with the event's
  // profile fields, all in the same transaction as the event. One result per event:
  // kDuplicate when the brand already has an event with that message_id (nothing stored),
  // or a non-ok status for that event alone (e.g. an attribute type conflict in its profile
  // fields). A non-ok Result means nothing was written. An event with an empty name is a
  // profile write only (a tracking SDK's identify or alias): its profile is created,
  // identified, merged or updated as above, in order with the batch's other events, but no
  // event is stored and its message_id is not kept.
  struct EventResult {
    Status status;
    events::EventOutcome outcome = events::EventOutcome::kStored;
  };
  using AppendDone = std::function<void(Result<std::vector<EventResult>>)>;
  // Calls `done` once the events are durable (or failed), possibly on another thread;
  // returns without waiting except while the backend applies back-pressure.
  virtual void AppendEventsAsync(std::string_view brand_id, std::vector<events::Event> events,
                                 int64_t now, AppendDone done) = 0;
  // The same, waiting for the result.
  Result<std::vector<EventResult>> AppendEvents(std::string_view brand_id,
                                                std::vector<events::Event> events, int64_t now);
  // The users who performed query.name within [query.from, query.to), in a stable order
  // (by internal profile id), at most query.limit per page.
  virtual Result<events::EventPage> QueryEventUsers(std::string_view brand_id,
                                                    const events::EventQuery& query) = 0;
  // Distinct profiles and events matching the query (limit and cursor ignored).
  virtual Result<events::EventCounts> CountEvents(std::string_view brand_id,
                                                  const events::EventQuery& query) = 0;
};

}  // namespace cdp::store
