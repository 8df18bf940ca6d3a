// EventStore: what users did. Ingestion appends events (creating, identifying or merging
// their profiles in the same transaction) and queries read who did what when. Used by the
// Event API. Thread-safe; appends are committed together with concurrent ones (group
// commit) and acknowledged only once durable.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "events/event.h"

namespace cdp::store {

// An event as stored, for reading back one profile's history.
struct StoredEvent {
  int64_t id = 0;  // internal, increasing in arrival order
  std::string name;
  int64_t time = 0;
  std::optional<double> ltv;
  std::optional<std::string> message_id;
  std::string attributes_json = "{}";  // a JSON object
  std::string context_json;            // a JSON object, or empty when none was sent
};
// A place in a profile's history, newest first: events strictly before it come next.
struct EventPosition {
  int64_t time = 0;
  int64_t id = 0;
};
// Events of one UTC day (`day`: days since `origin`, see CountEventsPerDay).
struct DayCount {
  int64_t day = 0;
  int64_t count = 0;
};

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

  // The profile's events (its own and those moved to it by merges), newest first (by time,
  // then id), strictly before `before` when given, at most `limit`. Read through an index
  // on the profile: the cost is the page, not the brand's events.
  virtual Result<std::vector<StoredEvent>> ListProfileEvents(
      std::string_view brand_id, int64_t profile_id, const std::optional<EventPosition>& before,
      size_t limit) = 0;
  // The brand's events with a time in [from, to), counted per 24 hours since `origin`
  // (day = (time - origin) / 1 day; origin <= from), days without events omitted, in day
  // order. Reads every event of the range (an index range scan), nothing outside it.
  virtual Result<std::vector<DayCount>> CountEventsPerDay(std::string_view brand_id, int64_t from,
                                                          int64_t to, int64_t origin) = 0;
};

}  // namespace cdp::store
