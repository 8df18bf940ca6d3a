// Request and response fields several API resources share, parsed and written by one set of
// rules so that they answer alike.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "core/status.h"
#include "profiles/profile.h"

namespace cdp::api {

// "campaign_id": required, a non-empty string.
Result<std::string> CampaignId(const boost::json::object& body);
// "batch_size": absent or null -> `fallback`; else an integer from 1 to `max`.
Result<int64_t> BatchSize(const boost::json::object& body, int64_t fallback, int64_t max);
// "cursor": absent or null -> 0; else the next_cursor string a previous page returned,
// decoded.
Result<int64_t> Cursor(const boost::json::object& body);
// "limit": absent or null -> `fallback`; else an integer from 1 to `max`
// ("limit: must be 1..100").
Result<int64_t> Limit(const boost::json::object& body, int64_t fallback, int64_t max);

// A place in a newest-first list (a time, then a tiebreak: an id or a campaign id), as the
// opaque next_cursor string and back from "cursor" (absent or null -> nullopt).
struct Position {
  int64_t time = 0;
  std::string tiebreak;
};
std::string PositionCursor(const Position& p);
Result<std::optional<Position>> PositionOf(const boost::json::object& body);

// The profile a read names: "userId" (or userID, user_id; a string or an integer) or
// "anonymousId" (or anonymous_id). InvalidArgument "userId is required" when neither is.
Result<profiles::ProfileKey> ProfileKeyOf(const boost::json::object& body);

// A stored instant as the API writes it, or null.
boost::json::value OptionalTimestamp(const std::optional<int64_t>& micros);

}  // namespace cdp::api
