#include "api/routes.h"

#include <boost/json.hpp>

#include "api/events.h"
#include "api/users.h"
#include "core/json.h"
#include "http/envelope.h"

namespace cdp::api {
namespace {

namespace json = boost::json;
using ApiHandler = http::Response (*)(const Call&, Services&);

bool IsJsonContentType(std::string_view type) {
  auto semi = type.find(';');
  std::string t(type.substr(0, semi));
  while (!t.empty() && t.back() == ' ') t.pop_back();
  for (char& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return t == "application/json" || (t.starts_with("application/") && t.ends_with("+json"));
}

http::Response Authenticated(const http::Request& req, std::string_view brand_id,
                             Services& services, ApiHandler handler);

// Authentication, then the JSON body, then the handler: the order a client fixes problems.
http::Handler Api(Services& services, ApiHandler handler) {
  return [&services, handler](const http::Request& req) -> http::Response {
    std::string_view brand_id = req.Header("x-brand-id");
    Status auth = services.auth.Authenticate(brand_id, req.Header("x-api-key"));
    if (!auth.ok()) return http::ErrorResponse(auth);
    http::Response res = Authenticated(req, brand_id, services, handler);
    res.brand_id = std::string(brand_id);
    return res;
  };
}

http::Response Authenticated(const http::Request& req, std::string_view brand_id,
                             Services& services, ApiHandler handler) {
  if (req.HasHeader("content-type") && !IsJsonContentType(req.Header("content-type"))) {
    http::Response res =
        http::ErrorResponse(InvalidArgument("Content-Type must be application/json, got '" +
                                            std::string(req.Header("content-type")) + "'"));
    res.status = 415;
    return res;
  }
  auto body = ParseJson(req.body);
  if (!body.ok()) return http::ErrorResponse(body.status());
  if (!body->is_object())
    return http::ErrorResponse(InvalidArgument("request body must be a JSON object"));
  Call call{req, std::string(brand_id), std::move(body->get_object())};
  return handler(call, services);
}

}  // namespace

void AddRoutes(http::Router& router, Services& services) {
  router.Add(
      "GET", "/healthz",
      [](const http::Request&) {
        return http::SuccessResponse(json::object{{"status", "ok"}}, "ok");
      },
      http::Execution::kInline);

  router.Add("POST", "/api/v1/user/create", Api(services, CreateUsers));
  router.Add("POST", "/api/v1/user/userData", Api(services, GetUserData));
  router.Add("POST", "/api/v1/user/delete", Api(services, DeleteUser));
  router.Add("POST", "/api/v1/user/profile", Api(services, GetEventUsers));
  router.Add("POST", "/api/v1/user/count", Api(services, CountEventUsers));

  router.Add("POST", "/api/v1/event/create", Api(services, CreateEvents));
  router.Add("POST", "/api/v1/event/track", Api(services, TrackEvent));
  router.Add("POST", "/api/v1/user_event/create", Api(services, CreateUserEvent));
  router.Add("POST", "/api/v1/event/get", Api(services, GetEventUsers));
  router.Add("POST", "/api/v1/event/count", Api(services, CountEventUsers));
}

}  // namespace cdp::api
