#include "api/dashboard_session.h"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <string>
#include <string_view>

#include "auth/sessions.h"
#include "core/ascii.h"
#include "core/ids.h"
#include "core/json.h"
#include "core/time.h"
#include "http/envelope.h"

namespace cdp::api {
namespace {

namespace json = boost::json;

constexpr std::string_view kCookie = "cdp_session";

// The value of the cdp_session cookie, or "" when the request has none.
std::string_view SessionCookie(const http::Request& req) {
  std::string_view cookies = req.Header("cookie");
  while (!cookies.empty()) {
    const size_t end = cookies.find(';');
    std::string_view pair = cookies.substr(0, end);
    while (pair.starts_with(' ')) pair.remove_prefix(1);
    if (pair.starts_with(kCookie) && pair.substr(kCookie.size()).starts_with('='))
      return pair.substr(kCookie.size() + 1);
    if (end == std::string_view::npos) break;
    cookies.remove_prefix(end + 1);
  }
  return {};
}

// host[:port] of an http(s) URL or origin, lower-cased; "" for anything else.
std::string HostOf(std::string_view url) {
  if (url.starts_with("https://"))
    url.remove_prefix(8);
  else if (url.starts_with("http://"))
    url.remove_prefix(7);
  else
    return {};
  return AsciiLower(url.substr(0, url.find('/')));
}

// No Origin header (not a browser's cross-site call), or one naming this server: the
// request's Host, or --public-url's.
bool FromOwnOrigin(const http::Request& req, const Services& services) {
  if (!req.HasHeader("origin")) return true;
  const std::string origin = HostOf(req.Header("origin"));
  return !origin.empty() &&
         (origin == AsciiLower(req.Header("host")) || origin == HostOf(services.public_url));
}

Status Forbidden(std::string message) {
  return Status(Code::kPermissionDenied, std::move(message));
}
Status ForeignOrigin() { return Forbidden("requests from another origin are refused"); }

// The caller's address without its port.
std::string_view ClientAddress(std::string_view remote) {
  const size_t colon = remote.rfind(':');
  return colon == std::string_view::npos ? remote : remote.substr(0, colon);
}

std::string CookieHeader(const Services& services, std::string_view value, int64_t max_age_s) {
  std::string cookie = fmt::format("{}={}; Path=/dashboard; Max-Age={}; HttpOnly; SameSite=Strict",
                                   kCookie, value, max_age_s);
  if (services.public_url.starts_with("https://")) cookie.append("; Secure");
  return cookie;
}

// The session as the dashboard reads it (docs/dashboard.md).
Result<json::object> SessionJson(const auth::SessionInfo& s, Services& services) {
  auto brand = services.store.brands.GetBrand(s.brand_id);
  if (!brand.ok()) return std::move(brand).take_status();
  return json::object{
      {"operator", json::object{{"email", s.email}, {"role", auth::RoleName(s.role)}}},
      {"brand", json::object{{"id", brand->id}, {"name", brand->name}}},
      {"csrf_token", s.csrf_token},
      {"expires_at", FormatTimestamp(s.expires_at)}};
}

http::Response Answer(const auth::SessionInfo& s, Services& services) {
  auto body = SessionJson(s, services);
  if (!body.ok()) return http::ErrorResponse(body.status());
  http::Response res = http::SuccessResponse(std::move(body).value());
  res.brand_id = s.brand_id;
  return res;
}

http::Response Login(const http::Request& req, Services& services) {
  // A cross-site form cannot send JSON without the browser asking first (CORS preflight).
  if (http::MediaType(req.Header("content-type")) != "application/json") {
    http::Response res =
        http::ErrorResponse(InvalidArgument("Content-Type must be application/json"));
    res.status = 415;
    return res;
  }
  if (!FromOwnOrigin(req, services)) return http::ErrorResponse(ForeignOrigin());
  auto body = ParseJson(req.body);
  if (!body.ok()) return http::ErrorResponse(body.status());
  const json::object* fields = body->if_object();
  if (!fields) return http::ErrorResponse(InvalidArgument("request body must be a JSON object"));
  if (Status st = OnlyKeys(*fields, {"email", "password"}); !st.ok())
    return http::ErrorResponse(st);
  const json::value* email = fields->if_contains("email");
  const json::value* password = fields->if_contains("password");
  if (!email || !email->is_string())
    return http::ErrorResponse(InvalidArgument("email: required, a string"));
  if (!password || !password->is_string())
    return http::ErrorResponse(InvalidArgument("password: required, a string"));
  auto signed_in = services.sessions->SignIn(email->get_string(), password->get_string(),
                                             ClientAddress(req.remote));
  if (!signed_in.ok()) {
    http::Response res = http::ErrorResponse(signed_in.status());
    if (const auto* retry = signed_in.status().details().if_object())
      if (const json::value* after = retry->if_contains("retry_after"); after && after->is_int64())
        http::SetRetryAfter(res, after->as_int64());
    return res;
  }
  http::Response res = Answer(signed_in->session, services);
  if (res.status == 200)
    res.headers.emplace_back("Set-Cookie",
                             CookieHeader(services, signed_in->cookie,
                                          services.sessions->options().max_age_micros / 1'000'000));
  return res;
}

http::Response Current(const http::Request& req, Services& services) {
  auto session = services.sessions->Authenticate(SessionCookie(req));
  if (!session.ok()) return http::ErrorResponse(session.status());
  return Answer(*session, services);
}

// Ends a valid session only with its CSRF token; answers OK (and clears the cookie) when
// there is no session to end.
http::Response Logout(const http::Request& req, Services& services) {
  const std::string_view cookie = SessionCookie(req);
  auto session = services.sessions->Authenticate(cookie);
  if (session.ok()) {
    if (!ConstantTimeEquals(req.Header("x-csrf-token"), session->csrf_token))
      return http::ErrorResponse(Forbidden("CSRF token missing or wrong"));
    if (Status st = services.sessions->SignOut(cookie); !st.ok()) return http::ErrorResponse(st);
  }
  http::Response res = http::SuccessResponse(json::object{}, "signed out");
  res.headers.emplace_back("Set-Cookie", CookieHeader(services, "", 0));
  return res;
}

}  // namespace

Result<auth::Principal> AuthenticateOperator(const http::Request& req, Services& services,
                                             Access access) {
  if (!services.sessions) return Unauthenticated("the dashboard is not served here");
  auto session = services.sessions->Authenticate(SessionCookie(req));
  if (!session.ok()) return std::move(session).take_status();
  if (!ConstantTimeEquals(req.Header("x-csrf-token"), session->csrf_token))
    return Forbidden("CSRF token missing or wrong");
  if (!FromOwnOrigin(req, services)) return ForeignOrigin();
  if (access == Access::kChange && session->role == auth::Role::kViewer)
    return Forbidden("viewers cannot change anything");
  return auth::Principal{session->brand_id, auth::kAllScopes,
                         fmt::format("operator:{}", session->email)};
}

void AddSessionRoutes(http::Router& router, Services& services) {
  auto route = [&services](http::Response (*handler)(const http::Request&, Services&)) {
    return [&services, handler](const http::Request& req) { return handler(req, services); };
  };
  router.Add("POST", "/dashboard/api/session/login", route(Login));
  router.Add("GET", "/dashboard/api/session", route(Current));
  router.Add("POST", "/dashboard/api/session/logout", route(Logout));
}

}  // namespace cdp::api
