#include "api/brands.h"

#include <boost/json.hpp>
#include <map>

#include "api/fields.h"
#include "core/json.h"
#include "core/time.h"
#include "http/envelope.h"
#include "ratelimit/limiter.h"

namespace cdp::api {

namespace json = boost::json;

http::Response GetBrand(const Call& call, Services& services) {
  if (Status st = OnlyKeys(call.body, {}); !st.ok()) return http::ErrorResponse(st);
  auto brand = services.store.brands.GetBrand(call.brand_id);
  if (!brand.ok()) return http::ErrorResponse(brand.status());
  auto keys = services.store.brands.ListApiKeys(call.brand_id);
  if (!keys.ok()) return http::ErrorResponse(keys.status());
  auto limits = services.store.brands.GetRateLimits(call.brand_id);
  if (!limits.ok()) return http::ErrorResponse(limits.status());

  json::array key_json;
  for (const store::ApiKey& k : *keys) {
    json::object one{{"prefix", k.prefix}, {"created_at", FormatTimestamp(k.created_at)}};
    if (k.revoked_at) one["revoked_at"] = FormatTimestamp(*k.revoked_at);
    if (k.last_used_at) one["last_used_at"] = FormatTimestamp(*k.last_used_at);
    key_json.push_back(std::move(one));
  }
  // Every API group, with the brand's own limit where it set one (0: unlimited), else the
  // documented default, as ratelimit::Policy applies them.
  const std::map<std::string, int64_t, std::less<>> own(limits->begin(), limits->end());
  json::array limit_json;
  for (ratelimit::Group g : ratelimit::kGroups) {
    const auto it = own.find(ratelimit::NameOf(g));
    const bool fallback = it == own.end();
    limit_json.push_back(
        json::object{{"group", ratelimit::NameOf(g)},
                     {"per_minute", fallback ? ratelimit::DefaultPerMinute(g) : it->second},
                     {"default", fallback}});
  }
  return http::SuccessResponse(json::object{
      {"brand", json::object{{"id", brand->id},
                             {"name", brand->name},
                             {"created_at", FormatTimestamp(brand->created_at)}}},
      {"keys", std::move(key_json)},
      {"limits", std::move(limit_json)}});
}

}  // namespace cdp::api
