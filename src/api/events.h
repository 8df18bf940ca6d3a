// The Event API: log events (batch, single, or together with a profile upsert) and ask
// which users did an event in a date range, paged, or how many.
#pragma once

#include "api/services.h"
#include "http/message.h"
#include "http/router.h"

namespace cdp::api {

// POST /api/v1/event/create: {"nv":[event, ...]} with 1..1000 events. Replies through
// `reply` once the events are durable.
void CreateEvents(const Call& call, Services& services, http::Reply reply);
// POST /api/v1/event/track: one event object.
void TrackEvent(const Call& call, Services& services, http::Reply reply);
// POST /api/v1/user_event/create: a profile and an event, atomically; either
// {"user":{...}, "event":{...}} or one flat object with both (events::SplitUserEvent).
http::Response CreateUserEvent(const Call& call, Services& services);
// POST /api/v1/event/get and /api/v1/user/profile: users who did the event, paged.
http::Response GetEventUsers(const Call& call, Services& services);
// POST /api/v1/event/count and /api/v1/user/count: {"profiles":N, "events":M}.
http::Response CountEventUsers(const Call& call, Services& services);

}  // namespace cdp::api
