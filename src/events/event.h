// Event: something a user did, as stored. Events belong to a profile (known or anonymous)
// and carry their own time; the brand's queries ask which users did event E in a window.
// Plain values; thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "profiles/profile.h"

namespace cdp::events {

inline constexpr size_t kMaxEventsPerCall = 1000;
inline constexpr size_t kMaxEventNameChars = 49;  // "less than 50 characters"
inline constexpr size_t kMaxMessageIdChars = 100;
inline constexpr int64_t kMaxFutureMicros = 24LL * 3600 * 1000000;  // beyond: clamped to now

struct Event {
  // Who: user_id and/or anonymous_id, plus profile fields to merge (user_params, or the
  // profile of /user_event/create). Fields of `profile` follow ProfilePatch semantics.
  profiles::ProfilePatch profile;
  bool has_profile_fields = false;  // whether `profile` carries more than identifiers

  std::string name;  // empty: a profile write only (EventStore::AppendEventsAsync)
  int64_t time = 0;      // micros since epoch, UTC
  bool clamped = false;  // the sent time was > 1 day ahead and was replaced by now
  std::optional<double> ltv;
  std::optional<std::string> message_id;  // idempotency key, unique per brand
  std::optional<int> sdk_id;              // 1 web, 2 android, 3 ios
  std::string attributes_json = "{}";     // serialized object
  std::string context_json;               // serialized object, or empty
};

// How one event of a batch ended.
enum class EventOutcome { kStored, kDuplicate };

// Filter on an event attribute (equality).
struct AttributeFilter {
  std::string name;
  boost::json::value value;
};

// "Users who performed `name` within [from, to)", paged by profile.
struct EventQuery {
  std::string name;
  int64_t from = 0;
  int64_t to = 0;
  std::vector<AttributeFilter> where;
  size_t limit = 100;
  int64_t after_profile = 0;  // cursor: profiles with a larger internal id
};

struct EventUser {
  profiles::Profile profile;
  int64_t count = 0;
  int64_t first = 0;
  int64_t last = 0;
};

struct EventPage {
  std::vector<EventUser> users;
  std::optional<int64_t> next_after;  // absent on the last page
};

struct EventCounts {
  int64_t profiles = 0;
  int64_t events = 0;
};

}  // namespace cdp::events
