// Validation of events as sent to the Event API, and of event queries. Pure functions;
// thread-safe. Errors are InvalidArgument naming the field.
#pragma once

#include <boost/json/object.hpp>

#include "core/status.h"
#include "events/event.h"

namespace cdp::events {

// One event object: userID/userId/user_id or anonymousId, event_name, event_time (any
// accepted timestamp form; missing -> `now`; more than a day ahead -> `now`, flagged),
// ltv, attributes, user_params {name, email, mobile}, context, sdk_id, messageId.
Result<Event> ParseEvent(const boost::json::object& in, int64_t now);

// A /user_event/create body taken apart into the user (as /user/create takes it) and the
// event (as /event/track takes it, without identifiers: the user's are used). Two forms:
//  - nested: {"user":{...}, "event":{...}}, exactly these two objects;
//  - flat: one object holding both. Identifiers, the standard profile fields (any spelling)
//    and `user_attributes` (where the user's custom attributes go) are the user's;
//    event_name, event_time, ltv, attributes (the event's), user_params, context, sdk_id and
//    messageId (any spelling) are the event's. Any other key is refused by name.
// A body with a "user" key, or whose "event" is an object, is the nested form.
struct UserEventParts {
  boost::json::object user;
  boost::json::object event;
  bool flat = false;
};
Result<UserEventParts> SplitUserEvent(const boost::json::object& body);

// A query body: event_name, start_date, end_date (a bare end date covers that whole day),
// batch_size (1..1000, default 100), cursor, attributes {name: value} equality filters.
Result<EventQuery> ParseEventQuery(const boost::json::object& in, int64_t now);

// The opaque cursor for a position, and back. InvalidArgument for a malformed cursor.
std::string EncodeCursor(int64_t after_profile);
Result<int64_t> DecodeCursor(std::string_view cursor);

}  // namespace cdp::events
