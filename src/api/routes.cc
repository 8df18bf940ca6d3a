#include "api/routes.h"

#include <boost/json.hpp>
#include <variant>

#include "api/campaigns.h"
#include "api/channels.h"
#include "api/events.h"
#include "api/feedback.h"
#include "api/reports.h"
#include "api/segments.h"
#include "api/users.h"
#include "core/json.h"
#include "http/envelope.h"

namespace cdp::api {
namespace {

namespace json = boost::json;
using ApiHandler = http::Response (*)(const Call&, Services&);
using AsyncApiHandler = void (*)(const Call&, Services&, http::Reply);

bool IsJsonContentType(std::string_view type) {
  auto semi = type.find(';');
  std::string t(type.substr(0, semi));
  while (!t.empty() && t.back() == ' ') t.pop_back();
  for (char& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return t == "application/json" || (t.starts_with("application/") && t.ends_with("+json"));
}

// Authentication, then the media type, then the JSON body: the order in which a client
// fixes its problems. Returns the call, or the error response to send instead.
std::variant<Call, http::Response> Admit(const http::Request& req, Services& services) {
  std::string_view brand_id = req.Header("x-brand-id");
  Status auth = services.auth.Authenticate(brand_id, req.Header("x-api-key"));
  if (!auth.ok()) return http::ErrorResponse(auth);
  auto fail = [&](http::Response res) {
    res.brand_id = std::string(brand_id);
    return res;
  };
  if (req.HasHeader("content-type") && !IsJsonContentType(req.Header("content-type"))) {
    http::Response res =
        http::ErrorResponse(InvalidArgument("Content-Type must be application/json, got '" +
                                            std::string(req.Header("content-type")) + "'"));
    res.status = 415;
    return fail(std::move(res));
  }
  auto body = ParseJson(req.body);
  if (!body.ok()) return fail(http::ErrorResponse(body.status()));
  if (!body->is_object())
    return fail(http::ErrorResponse(InvalidArgument("request body must be a JSON object")));
  return Call{req, std::string(brand_id), std::move(body->get_object())};
}

http::Handler Api(Services& services, ApiHandler handler) {
  return [&services, handler](const http::Request& req) -> http::Response {
    auto admitted = Admit(req, services);
    if (auto* res = std::get_if<http::Response>(&admitted)) return std::move(*res);
    const Call& call = std::get<Call>(admitted);
    http::Response res = handler(call, services);
    res.brand_id = call.brand_id;
    return res;
  };
}

http::AsyncHandler ApiAsync(Services& services, AsyncApiHandler handler) {
  return [&services, handler](const http::Request& req, http::Reply reply) {
    auto admitted = Admit(req, services);
    if (auto* res = std::get_if<http::Response>(&admitted)) return reply(std::move(*res));
    const Call& call = std::get<Call>(admitted);
    handler(call, services, [reply = std::move(reply), brand = call.brand_id](http::Response res) {
      res.brand_id = brand;
      reply(std::move(res));
    });
  };
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

  // Ingestion replies once the events are durable, without holding a thread meanwhile.
  router.AddAsync("POST", "/api/v1/event/create", ApiAsync(services, CreateEvents));
  router.AddAsync("POST", "/api/v1/event/track", ApiAsync(services, TrackEvent));
  router.Add("POST", "/api/v1/user_event/create", Api(services, CreateUserEvent));
  router.Add("POST", "/api/v1/event/get", Api(services, GetEventUsers));
  router.Add("POST", "/api/v1/event/count", Api(services, CountEventUsers));

  router.Add("POST", "/api/v1/segment/create", Api(services, CreateSegment));
  router.Add("POST", "/api/v1/segment/update", Api(services, UpdateSegment));
  router.Add("POST", "/api/v1/segment/delete", Api(services, DeleteSegment));
  router.Add("POST", "/api/v1/segment/get", Api(services, GetSegment));
  router.Add("POST", "/api/v1/segment/list", Api(services, ListSegments));
  router.Add("POST", "/api/v1/segment/count", Api(services, CountSegment));
  router.Add("POST", "/api/v1/segment/users", Api(services, SegmentUsers));

  router.Add("POST", "/api/v1/channel/email", Api(services, PutEmailChannel));
  router.Add("POST", "/api/v1/channel/sms", Api(services, PutSmsChannel));
  router.Add("POST", "/api/v1/channel/get", Api(services, GetChannel));

  router.Add("POST", "/api/v1/campaign/create", Api(services, CreateCampaign));
  router.Add("POST", "/api/v1/campaign/update", Api(services, UpdateCampaign));
  router.Add("POST", "/api/v1/campaign/get", Api(services, GetCampaign));
  router.Add("POST", "/api/v1/campaign/list", Api(services, ListCampaigns));
  router.Add("POST", "/api/v1/campaign/send", Api(services, SendCampaign));
  router.Add("POST", "/api/v1/campaign/schedule", Api(services, ScheduleCampaign));
  router.Add("POST", "/api/v1/campaign/cancel", Api(services, CancelCampaign));
  router.Add("POST", "/api/v1/message/bounce", Api(services, ReportBounce));

  router.Add("POST", "/api/v1/report/campaign", Api(services, ReportCampaign));
  router.Add("POST", "/api/v1/report/campaigns", Api(services, ReportCampaigns));
  router.Add("POST", "/api/v1/report/timeline", Api(services, ReportTimeline));

  // The links in messages: public, each authenticated by its own signature.
  auto link = [&services](http::Response (*handler)(const http::Request&, Services&)) {
    return [&services, handler](const http::Request& req) { return handler(req, services); };
  };
  router.AddPrefix("GET", "/t/o/", link(TrackOpen));
  router.AddPrefix("GET", "/t/c/", link(TrackClick));
  router.AddPrefix("GET", "/u/", link(ShowUnsubscribe));
  router.AddPrefix("POST", "/u/", link(Unsubscribe));
  router.AddPrefix("POST", "/hooks/sms/", link(SmsStatus));
}

}  // namespace cdp::api
