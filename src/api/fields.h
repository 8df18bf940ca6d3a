// Request and response fields several API resources share, parsed and written by one set of
// rules so that they answer alike.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "core/status.h"

namespace cdp::api {

// "campaign_id": required, a non-empty string.
Result<std::string> CampaignId(const boost::json::object& body);
// "batch_size": absent or null -> `fallback`; else an integer from 1 to `max`.
Result<int64_t> BatchSize(const boost::json::object& body, int64_t fallback, int64_t max);
// "cursor": absent or null -> 0; else the next_cursor string a previous page returned,
// decoded.
Result<int64_t> Cursor(const boost::json::object& body);
// A stored instant as the API writes it, or null.
boost::json::value OptionalTimestamp(const std::optional<int64_t>& micros);

}  // namespace cdp::api
