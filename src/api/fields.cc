#include "api/fields.h"

#include <fmt/format.h>

#include "core/time.h"
#include "events/event_input.h"

namespace cdp::api {

namespace json = boost::json;

Result<std::string> CampaignId(const json::object& body) {
  const json::value* v = body.if_contains("campaign_id");
  if (!v || !v->is_string() || v->get_string().empty())
    return InvalidArgument("campaign_id: required, the id /campaign/create returned");
  return std::string(v->get_string());
}

Result<int64_t> BatchSize(const json::object& body, int64_t fallback, int64_t max) {
  const json::value* v = body.if_contains("batch_size");
  if (!v || v->is_null()) return fallback;
  if (!v->is_int64() || v->get_int64() < 1 || v->get_int64() > max)
    return InvalidArgument(fmt::format("batch_size: must be an integer from 1 to {}", max));
  return v->get_int64();
}

Result<int64_t> Cursor(const json::object& body) {
  const json::value* v = body.if_contains("cursor");
  if (!v || v->is_null()) return int64_t{0};
  if (!v->is_string())
    return InvalidArgument("cursor: must be the next_cursor string of the previous page");
  return events::DecodeCursor(v->get_string());
}

json::value OptionalTimestamp(const std::optional<int64_t>& micros) {
  return micros ? json::value(FormatTimestamp(*micros)) : json::value(nullptr);
}

}  // namespace cdp::api
