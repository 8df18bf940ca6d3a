#include "api/tracking_browser.h"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <string>
#include <string_view>

#include "auth/write_keys.h"
#include "campaigns/tracking.h"
#include "http/envelope.h"

namespace cdp::api {

namespace json = boost::json;

void AddCors(std::string_view origin, http::Response& res) {
  if (origin.empty()) return;
  res.headers.emplace_back("Access-Control-Allow-Origin", std::string(origin));
  res.headers.emplace_back("Vary", "Origin");
}

http::Response Preflight(const http::Request& req) {
  http::Response res;
  res.status = 204;
  res.content_type.clear();
  AddCors(req.Header("origin"), res);
  if (req.Header("origin").empty()) res.headers.emplace_back("Access-Control-Allow-Origin", "*");
  res.headers.emplace_back("Access-Control-Allow-Methods", "POST, OPTIONS");
  std::string_view asked = req.Header("access-control-request-headers");
  res.headers.emplace_back("Access-Control-Allow-Headers",
                           asked.empty() ? std::string("Authorization, Content-Type, Content-Encoding")
                                         : std::string(asked));
  res.headers.emplace_back("Access-Control-Max-Age", "86400");
  return res;
}

http::Response ProjectSettings(const http::Request& req, Services& services) {
  constexpr std::string_view kPrefix = "/v1/projects/", kSuffix = "/settings";
  std::string_view rest = std::string_view(req.path).substr(kPrefix.size());
  http::Response res;
  if (!rest.ends_with(kSuffix)) {
    res = http::ErrorResponse(NotFound("Invalid URL"));
  } else {
    const std::string key(rest.substr(0, rest.size() - kSuffix.size()));
    auto principal = services.write_keys->Authenticate(key);
    if (!principal.ok()) {
      res = http::ErrorResponse(principal.status());
    } else {
      std::string_view url = services.links ? std::string_view(services.links->public_url()) : "";
      std::string_view protocol = url.starts_with("https://") ? "https" : "http";
      if (size_t scheme = url.find("://"); scheme != std::string_view::npos)
        url.remove_prefix(scheme + 3);
      json::object segment_io{{"apiKey", key},
                              {"apiHost", fmt::format("{}/v1", url)},
                              {"protocol", protocol}};
      json::object settings{{"integrations", json::object{{"Segment.io", std::move(segment_io)}}},
                            {"plan", json::object{}},
                            {"enabledMiddleware", json::object{}},
                            {"metrics", json::object{{"sampleRate", 0}}}};
      res.body = json::serialize(settings);
      res.brand_id = principal->brand_id;
      res.headers.emplace_back("Cache-Control", "public, max-age=60");
    }
  }
  AddCors(req.Header("origin"), res);
  if (req.Header("origin").empty()) res.headers.emplace_back("Access-Control-Allow-Origin", "*");
  return res;
}

}  // namespace cdp::api
