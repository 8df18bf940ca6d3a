#include "api/profile_json.h"

#include "core/time.h"

namespace cdp::api {

boost::json::object ProfileToJson(const profiles::Profile& p) {
  namespace json = boost::json;
  json::object out;
  out["userId"] = p.user_id ? json::value(*p.user_id) : json::value(nullptr);
  out["anonymousId"] = p.anonymous_id ? json::value(*p.anonymous_id) : json::value(nullptr);
  for (const auto& info : profiles::Fields()) out[info.name] = p[info.field];
  out["attributes"] = p.attributes;
  out["created_at"] = FormatTimestamp(p.created_at);
  out["updated_at"] = FormatTimestamp(p.updated_at);
  return out;
}

}  // namespace cdp::api
