#include "store/event_store.h"

#include <future>

namespace cdp::store {

Result<std::vector<EventStore::EventResult>> EventStore::AppendEvents(std::string_view brand_id,
                                                            std::vector<events::Event> events,
                                                            int64_t now) {
  std::promise<Result<std::vector<EventResult>>> promise;
  auto result = promise.get_future();
  AppendEventsAsync(
      brand_id, std::move(events), now,
      [&promise](Result<std::vector<EventResult>> r) { promise.set_value(std::move(r)); });
  return result.get();
}

}  // namespace cdp::store
