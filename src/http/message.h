// The HTTP request and response as handlers see them: plain values, free of Beast types,
// so that api/ handlers are plain functions (Request) -> Response.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/ascii.h"

namespace cdp::http {

// The media type of a Content-Type value, lower-cased and without its parameters:
// "Application/JSON; charset=utf-8" is "application/json".
inline std::string MediaType(std::string_view content_type) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  return AsciiLower(type);
}

struct Request {
  std::string method;                                        // "GET", "POST", ...
  std::string target;                                        // path and query as sent
  std::string path;                                          // target without the query string
  std::string query;                                         // after '?', undecoded
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string remote;  // peer address, for logs

  // The value of header `name` (lower-case), or "" when absent.
  std::string_view Header(std::string_view name) const {
    for (const auto& [k, v] : headers)
      if (k == name) return v;
    return {};
  }
  bool HasHeader(std::string_view name) const {
    for (const auto& [k, v] : headers)
      if (k == name) return true;
    return false;
  }
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string brand_id;  // for the access log only; never sent
};

}  // namespace cdp::http
