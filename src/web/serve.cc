#include "web/serve.h"

#include <string>

#include "http/envelope.h"
#include "web/assets.h"

namespace cdp::web {
namespace {

constexpr std::string_view kPrefix = "/dashboard/";

void AddSecurityHeaders(http::Response& res) {
  // uPlot positions its elements with inline styles; scripts come only from the binary.
  res.headers.emplace_back("Content-Security-Policy",
                           "default-src 'self'; script-src 'self'; style-src 'self' "
                           "'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; "
                           "base-uri 'none'; form-action 'self'");
  res.headers.emplace_back("X-Content-Type-Options", "nosniff");
  res.headers.emplace_back("X-Frame-Options", "DENY");
  res.headers.emplace_back("Referrer-Policy", "same-origin");
}

http::Response FileNotFound() {
  http::Response res;
  res.status = 404;
  res.content_type = "text/plain; charset=utf-8";
  res.body = "not found\n";
  AddSecurityHeaders(res);
  return res;
}

}  // namespace

const Asset* FindAsset(std::string_view path) {
  for (const Asset& a : Assets())
    if (a.path == path) return &a;
  return nullptr;
}

http::Response Serve(const http::Request& req) {
  if (req.path == "/dashboard") {
    http::Response res;
    res.status = 301;
    res.content_type = "text/plain; charset=utf-8";
    res.headers.emplace_back("Location", "/dashboard/");
    AddSecurityHeaders(res);
    return res;
  }
  if (!req.path.starts_with(kPrefix)) return FileNotFound();
  std::string_view rel = std::string_view(req.path).substr(kPrefix.size());
  // The page's own views are addressed after '#', so every other path is a file.
  if (rel.starts_with("api/"))  // the dashboard's JSON endpoints answer in the API's envelope
    return http::ErrorResponse(cdp::NotFound("Invalid URL: no endpoint " + req.path));
  if (rel.empty()) rel = "index.html";
  const Asset* asset = FindAsset(rel);
  if (!asset) return FileNotFound();
  http::Response res;
  AddSecurityHeaders(res);
  res.headers.emplace_back("Cache-Control", "no-cache");
  res.headers.emplace_back("ETag", std::string(asset->etag));
  if (req.Header("if-none-match") == asset->etag) {
    res.status = 304;
    return res;
  }
  res.content_type = std::string(asset->content_type);
  res.body.assign(reinterpret_cast<const char*>(asset->data), asset->size);
  return res;
}

}  // namespace cdp::web
