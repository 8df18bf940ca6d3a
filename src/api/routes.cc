#include "api/routes.h"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <functional>
#include <variant>

#include "api/brands.h"
#include "api/campaigns.h"
#include "api/channels.h"
#include "api/events.h"
#include "api/feedback.h"
#include "api/oauth.h"
#include "api/push.h"
#include "api/reports.h"
#include "api/segments.h"
#include "api/sources.h"
#include "api/tracking.h"
#include "api/users.h"
#include "auth/oauth.h"
#include "auth/write_keys.h"
#include "core/json.h"
#include "delivery/push/push.h"
#include "http/envelope.h"
#include "ratelimit/policy.h"

namespace cdp::api {
namespace {

namespace json = boost::json;
using ApiHandler = std::function<http::Response(const Call&, Services&)>;
using AsyncApiHandler = void (*)(const Call&, Services&, http::Reply);

bool IsJsonContentType(std::string_view type) {
  const std::string t = http::MediaType(type);
  return t == "application/json" || (t.starts_with("application/") && t.ends_with("+json"));
}

// The X-RateLimit-* headers of a limited call (none when the brand's group is unlimited).
void AddRateHeaders(const ratelimit::Decision& d, http::Response& res) {
  if (d.limit <= 0) return;
  res.headers.emplace_back("X-RateLimit-Limit", std::to_string(d.limit));
  res.headers.emplace_back("X-RateLimit-Remaining", std::to_string(d.remaining));
  res.headers.emplace_back("X-RateLimit-Reset", std::to_string(d.reset_seconds));
}

// Who is calling: the brand, by x-brand-id/x-api-key (whatever Authorization a proxy may
// have added), else a partner's `Authorization: Bearer` access token. With a token, an
// x-brand-id header must name the token's brand.
Result<auth::Principal> Authenticate(const http::Request& req, Services& services) {
  std::string_view authorization = req.Header("authorization");
  if (req.Header("x-api-key").starts_with(auth::kWriteKeyPrefix))
    return Unauthenticated(
        "Invalid auth: a write key only sends to the tracking API (/v1); /api/v1 takes the "
        "brand's API key");
  if (authorization.empty() || req.HasHeader("x-api-key"))
    return services.auth.Authenticate(req.Header("x-brand-id"), req.Header("x-api-key"));
  const bool bearer = authorization.size() > 7 && (authorization.substr(0, 7) == "Bearer " ||
                                                   authorization.substr(0, 7) == "bearer ");
  if (!bearer || !services.oauth)
    return Unauthenticated("Invalid auth: Authorization must be Bearer ACCESS_TOKEN");
  auto principal = services.oauth->AuthenticateBearer(authorization.substr(7));
  if (principal.ok() && req.HasHeader("x-brand-id") &&
      req.Header("x-brand-id") != principal->brand_id)
    return Unauthenticated("Invalid auth: the access token is not for this x-brand-id");
  return principal;
}

// Authentication, then the caller's scopes, then the brand's rate limit for `group` (so
// that nobody can spend a brand's budget without its key), then the media type, then the
// JSON body: the order in which a client fixes its problems. Returns the call, or the error
// response to send instead; either way `rate` is the rate-limit decision.
std::variant<Call, http::Response> Admit(const http::Request& req, Services& services,
                                         ratelimit::Group group, auth::Scope scope,
                                         ratelimit::Decision& rate) {
  auto principal = Authenticate(req, services);
  if (!principal.ok()) return http::ErrorResponse(principal.status());
  const std::string& brand_id = principal->brand_id;
  if (!(principal->scopes & scope)) {
    http::Response res = http::ErrorResponse(
        Status(Code::kPermissionDenied,
               fmt::format("the access token lacks the scope {} that this call needs",
                           auth::ScopeName(scope))));
    res.brand_id = brand_id;
    return res;
  }
  auto fail = [&](http::Response res) {
    res.brand_id = brand_id;
    AddRateHeaders(rate, res);
    return res;
  };
  if (services.rate_limits) rate = services.rate_limits->Admit(brand_id, group);
  if (!rate.allowed) {
    http::Response res = http::ErrorResponse(Status(
        Code::kResourceExhausted,
        fmt::format("rate limit exceeded: {} {} API calls per minute for this brand; retry in "
                    "{} s",
                    rate.limit, ratelimit::NameOf(group), rate.reset_seconds)));
    for (auto& [name, value] : res.headers)
      if (name == "Retry-After") value = std::to_string(rate.reset_seconds);
    return fail(std::move(res));
  }
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
  return Call{req, brand_id, std::move(body->get_object())};
}

// Every API route names its rate-limit group and the scope a partner needs for it: there is
// no unlimited or unscoped default.
http::Handler Api(Services& services, ratelimit::Group group, auth::Scope scope,
                  ApiHandler handler) {
  return [&services, group, scope, handler](const http::Request& req) -> http::Response {
    ratelimit::Decision rate;
    auto admitted = Admit(req, services, group, scope, rate);
    if (auto* res = std::get_if<http::Response>(&admitted)) return std::move(*res);
    const Call& call = std::get<Call>(admitted);
    http::Response res = handler(call, services);
    res.brand_id = call.brand_id;
    AddRateHeaders(rate, res);
    return res;
  };
}

http::AsyncHandler ApiAsync(Services& services, ratelimit::Group group, auth::Scope scope,
                            AsyncApiHandler handler) {
  return [&services, group, scope, handler](const http::Request& req, http::Reply reply) {
    ratelimit::Decision rate;
    auto admitted = Admit(req, services, group, scope, rate);
    if (auto* res = std::get_if<http::Response>(&admitted)) return reply(std::move(*res));
    const Call& call = std::get<Call>(admitted);
    handler(call, services,
            [reply = std::move(reply), brand = call.brand_id, rate](http::Response res) {
              res.brand_id = brand;
              AddRateHeaders(rate, res);
              reply(std::move(res));
            });
  };
}

}  // namespace

void AddRoutes(http::Router& router, Services& services) {
  using auth::kUsersRead, auth::kUsersWrite, auth::kEventsWrite, auth::kCampaignsWrite,
      auth::kReportsRead;
  using ratelimit::Group::kCampaigns, ratelimit::Group::kEvents, ratelimit::Group::kReports,
      ratelimit::Group::kUsers;
  router.Add(
      "GET", "/healthz",
      // 503 once the store refuses writes (its disk failed): a restart is what recovers it.
      [&services](const http::Request&) {
        if (Status st = services.store.write_health(); !st.ok()) return http::ErrorResponse(st);
        return http::SuccessResponse(json::object{{"status", "ok"}}, "ok");
      },
      http::Execution::kInline);

  if (services.write_keys) AddTrackingRoutes(router, services);
  router.Add("POST", "/api/v1/user/create", Api(services, kUsers, kUsersWrite, CreateUsers));
  router.Add("POST", "/api/v1/user/userData", Api(services, kUsers, kUsersRead, GetUserData));
  router.Add("POST", "/api/v1/user/delete", Api(services, kUsers, kUsersWrite, DeleteUser));
  router.Add("POST", "/api/v1/user/profile", Api(services, kUsers, kUsersRead, GetEventUsers));
  router.Add("POST", "/api/v1/user/count", Api(services, kUsers, kUsersRead, CountEventUsers));
  router.Add("POST", "/api/v1/source/list", Api(services, kUsers, kUsersRead, ListSources));
  router.Add("POST", "/api/v1/source/debugger", Api(services, kUsers, kUsersRead, SourceDebugger));

  // Ingestion replies once the events are durable, without holding a thread meanwhile.
  router.AddAsync("POST", "/api/v1/event/create",
                  ApiAsync(services, kEvents, kEventsWrite, CreateEvents));
  router.AddAsync("POST", "/api/v1/event/track",
                  ApiAsync(services, kEvents, kEventsWrite, TrackEvent));
  router.Add("POST", "/api/v1/user_event/create",
             Api(services, kEvents, kEventsWrite, CreateUserEvent));
  router.Add("POST", "/api/v1/event/get", Api(services, kEvents, kUsersRead, GetEventUsers));
  router.Add("POST", "/api/v1/event/count", Api(services, kEvents, kUsersRead, CountEventUsers));

  router.Add("POST", "/api/v1/segment/create",
             Api(services, kCampaigns, kCampaignsWrite, CreateSegment));
  router.Add("POST", "/api/v1/segment/update",
             Api(services, kCampaigns, kCampaignsWrite, UpdateSegment));
  router.Add("POST", "/api/v1/segment/delete",
             Api(services, kCampaigns, kCampaignsWrite, DeleteSegment));
  router.Add("POST", "/api/v1/segment/get", Api(services, kCampaigns, kCampaignsWrite, GetSegment));
  router.Add("POST", "/api/v1/segment/list",
             Api(services, kCampaigns, kCampaignsWrite, ListSegments));
  router.Add("POST", "/api/v1/segment/count",
             Api(services, kCampaigns, kCampaignsWrite, CountSegment));
  router.Add("POST", "/api/v1/segment/users",
             Api(services, kCampaigns, kCampaignsWrite, SegmentUsers));

  router.Add("POST", "/api/v1/channel/email",
             Api(services, kCampaigns, kCampaignsWrite, PutEmailChannel));
  router.Add("POST", "/api/v1/channel/sms",
             Api(services, kCampaigns, kCampaignsWrite, PutSmsChannel));
  router.Add("POST", "/api/v1/channel/push",
             Api(services, kCampaigns, kCampaignsWrite, PutPushChannel));
  router.Add("POST", "/api/v1/channel/get", Api(services, kCampaigns, kCampaignsWrite, GetChannel));

  // Push: registering a browser or device is user data (the site or app does it); sends
  // and broadcasts are campaigns.
  router.Add("POST", "/api/v1/push/subscribe", Api(services, kUsers, kUsersWrite, PushSubscribe));
  router.Add("POST", "/api/v1/push/unsubscribe",
             Api(services, kUsers, kUsersWrite, PushUnsubscribe));
  router.Add("POST", "/api/v1/channel/push/vapid", Api(services, kUsers, kUsersWrite, GetVapidKey));
  for (const char* platform : delivery::kPushPlatforms) {
    const std::string p = platform;
    router.Add("POST", fmt::format("/api/v1/{}/send", p),
               Api(services, kCampaigns, kCampaignsWrite,
                   [p](const Call& call, Services& s) { return SendPush(p, call, s); }));
    router.Add("POST", fmt::format("/api/v1/{}/broadcast/all", p),
               Api(services, kCampaigns, kCampaignsWrite, [p](const Call& call, Services& s) {
                 return BroadcastPush(p, false, call, s);
               }));
    router.Add("POST", fmt::format("/api/v1/{}/broadcast/segment", p),
               Api(services, kCampaigns, kCampaignsWrite,
                   [p](const Call& call, Services& s) { return BroadcastPush(p, true, call, s); }));
  }

  router.Add("POST", "/api/v1/campaign/create",
             Api(services, kCampaigns, kCampaignsWrite, CreateCampaign));
  router.Add("POST", "/api/v1/campaign/update",
             Api(services, kCampaigns, kCampaignsWrite, UpdateCampaign));
  router.Add("POST", "/api/v1/campaign/get",
             Api(services, kCampaigns, kCampaignsWrite, GetCampaign));
  router.Add("POST", "/api/v1/campaign/list",
             Api(services, kCampaigns, kCampaignsWrite, ListCampaigns));
  router.Add("POST", "/api/v1/campaign/send",
             Api(services, kCampaigns, kCampaignsWrite, SendCampaign));
  router.Add("POST", "/api/v1/campaign/schedule",
             Api(services, kCampaigns, kCampaignsWrite, ScheduleCampaign));
  router.Add("POST", "/api/v1/campaign/cancel",
             Api(services, kCampaigns, kCampaignsWrite, CancelCampaign));
  router.Add("POST", "/api/v1/message/bounce",
             Api(services, kCampaigns, kCampaignsWrite, ReportBounce));

  router.Add("POST", "/api/v1/report/campaign",
             Api(services, kReports, kReportsRead, ReportCampaign));
  router.Add("POST", "/api/v1/report/campaigns",
             Api(services, kReports, kReportsRead, ReportCampaigns));
  router.Add("POST", "/api/v1/report/timeline",
             Api(services, kReports, kReportsRead, ReportTimeline));

  // Reads for the dashboard and for integrations: none of these changes anything.
  router.Add("POST", "/api/v1/user/events", Api(services, kUsers, kUsersRead, GetUserEvents));
  router.Add("POST", "/api/v1/user/messages", Api(services, kUsers, kUsersRead, GetUserMessages));
  router.Add("POST", "/api/v1/user/search", Api(services, kUsers, kUsersRead, SearchUsers));
  router.Add("POST", "/api/v1/user/segments", Api(services, kUsers, kUsersRead, GetUserSegments));
  router.Add("POST", "/api/v1/push/list",
             Api(services, kUsers, kUsersRead, ListPushSubscriptions));
  router.Add("POST", "/api/v1/campaign/preview",
             Api(services, kCampaigns, kCampaignsWrite, PreviewCampaign));
  router.Add("POST", "/api/v1/report/overview",
             Api(services, kReports, kReportsRead, ReportOverview));
  router.Add("POST", "/api/v1/brand/get", Api(services, kCampaigns, kCampaignsWrite, GetBrand));

  // Handlers of their own authentication: the links in messages (each authenticated by its
  // signature) and the OAuth endpoints.
  auto link = [&services](http::Response (*handler)(const http::Request&, Services&)) {
    return [&services, handler](const http::Request& req) { return handler(req, services); };
  };
  router.AddPrefix("GET", "/t/o/", link(TrackOpen));
  router.AddPrefix("GET", "/t/c/", link(TrackClick));
  router.AddPrefix("GET", "/u/", link(ShowUnsubscribe));
  router.AddPrefix("POST", "/u/", link(Unsubscribe));
  router.AddPrefix("POST", "/hooks/sms/", link(SmsStatus));

  // Partner apps (OAuth 2.0): authenticated by their own means, not by API-group limits.
  if (services.oauth) {
    router.Add("GET", "/oauth/authorize", link(ShowAuthorize));
    router.Add("POST", "/oauth/authorize", link(Authorize));
    router.Add("POST", "/oauth/token", link(IssueToken));
    router.Add("POST", "/oauth/revoke", link(RevokeToken));
  }
}

}  // namespace cdp::api
