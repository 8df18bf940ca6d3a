// One message of Segment's tracking protocol (identify, track, page, screen, group, alias),
// as the Segment and RudderStack SDKs send it, made into what cdp stores: an Event on a
// profile, or a profile write only (an Event with an empty name; EventStore). Pure
// functions; thread-safe.
//
// What maps to what (docs/sdk.md):
//   identify  the profile of userId (or anonymousId); traits email, phone (-> mobile),
//             firstName/first_name, lastName/last_name, name, gender, birthday, company
//             (a string or {name}) are standard fields, every other trait a custom attribute
//   track     an event named `event`, `properties` its attributes
//   page      an event named "page"; screen: "screen"; `name` and `category` join the
//             properties
//   group     the profile's custom attributes groupId and groupTraits
//   alias     previousId's profile merges into userId's
// Every message keeps its `context` (page, campaign/utm, ip, library, device...). A
// standard trait or a property that fails validation is dropped, with the reason in
// `dropped`; a message that cannot be stored at all is an InvalidArgument.
#pragma once

#include <boost/json/object.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "events/event.h"

namespace cdp::tracking {

// Segment's documented limits.
inline constexpr size_t kMaxMessageBytes = 32 * 1024;
inline constexpr size_t kMaxBatchBytes = 500 * 1024;
inline constexpr size_t kMaxBatchMessages = 2500;

enum class Type { kIdentify, kTrack, kPage, kScreen, kGroup, kAlias };

// "identify", "track", ...; nullopt for anything else.
std::optional<Type> TypeNamed(std::string_view name);
std::string_view NameOf(Type type);

struct Message {
  events::Event event;               // name empty: a profile write only
  std::vector<std::string> dropped;  // what was left out, and why
};

// When the message was sent, as the SDK's clock saw it: the message's own sentAt, else the
// batch's (`batch_sent_at`, micros), else when it was received.
//
// Time: an explicit `timestamp` is kept; otherwise the event happened at
// received_at - (sentAt - originalTimestamp), which corrects the device's clock; without
// either, at received_at. A time more than a day ahead is clamped to received_at.
// `serialized_bytes` is the message's size as sent (kMaxMessageBytes applies to it).
Result<Message> ParseMessage(const boost::json::object& msg, Type type, int64_t received_at,
                             std::optional<int64_t> batch_sent_at, size_t serialized_bytes);

// An ISO 8601 time as the SDKs write it (2024-05-01T12:00:00.000Z), in micros.
std::optional<int64_t> ParseIsoTime(const boost::json::value& v);

}  // namespace cdp::tracking
