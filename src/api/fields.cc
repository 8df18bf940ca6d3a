#include "api/fields.h"

#include <fmt/format.h>

#include <boost/json/serialize.hpp>
#include <string>

#include "core/base64.h"
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

Result<int64_t> Limit(const json::object& body, int64_t fallback, int64_t max) {
  const json::value* v = body.if_contains("limit");
  if (!v || v->is_null()) return fallback;
  if (!v->is_int64() || v->get_int64() < 1 || v->get_int64() > max)
    return InvalidArgument(fmt::format("limit: must be 1..{}", max));
  return v->get_int64();
}

// "p1." base64url("<time>:<tiebreak>").
std::string PositionCursor(const Position& p) {
  std::string payload = std::to_string(p.time);
  payload.append(":").append(p.tiebreak);
  return std::string("p1.").append(Base64Url(payload));
}

Result<std::optional<Position>> PositionOf(const json::object& body) {
  const json::value* v = body.if_contains("cursor");
  if (!v || v->is_null()) return std::optional<Position>();
  const Status bad = InvalidArgument("cursor: must be the next_cursor string of the previous page");
  if (!v->is_string() || !v->get_string().starts_with("p1.")) return bad;
  auto payload = FromBase64Url(std::string_view(v->get_string()).substr(3));
  const size_t colon = payload ? payload->find(':') : std::string::npos;
  if (colon == std::string::npos || colon == 0) return bad;
  Position p;
  try {
    size_t used = 0;
    p.time = std::stoll(payload->substr(0, colon), &used);
    if (used != colon) return bad;
  } catch (const std::exception&) {
    return bad;
  }
  p.tiebreak = payload->substr(colon + 1);
  return std::optional<Position>(std::move(p));
}

Result<profiles::ProfileKey> ProfileKeyOf(const json::object& body) {
  using profiles::ProfileKey;
  for (std::string_view k : {"userId", "userID", "user_id"}) {
    if (const auto* v = body.if_contains(k)) {
      if (v->is_string() && !v->get_string().empty())
        return ProfileKey{ProfileKey::Kind::kUserId, std::string(v->get_string())};
      if (v->is_int64() || v->is_uint64())
        return ProfileKey{ProfileKey::Kind::kUserId, json::serialize(*v)};
      return InvalidArgument(fmt::format("{}: must be a non-empty string", k));
    }
  }
  for (std::string_view k : {"anonymousId", "anonymous_id"}) {
    if (const auto* v = body.if_contains(k)) {
      if (v->is_string() && !v->get_string().empty())
        return ProfileKey{ProfileKey::Kind::kAnonymousId, std::string(v->get_string())};
      return InvalidArgument(fmt::format("{}: must be a non-empty string", k));
    }
  }
  return InvalidArgument("userId is required");
}

json::value OptionalTimestamp(const std::optional<int64_t>& micros) {
  return micros ? json::value(FormatTimestamp(*micros)) : json::value(nullptr);
}

}  // namespace cdp::api
