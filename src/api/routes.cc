#include "api/routes.h"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <functional>
#include <variant>

#include "api/brands.h"
#include "api/campaigns.h"
#include "api/channels.h"
#include "api/dashboard_operators.h"
#include "api/dashboard_session.h"
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
#include "web/serve.h"

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

// How a route is admitted: the brand's rate-limit group it counts against, the scope a
// partner's token needs, and whether it changes data (an operator's viewer session may only
// read). Every route names all three: there is no unlimited, unscoped or read-only default.
struct Rule {
  ratelimit::Group group;
  auth::Scope scope;
  Access access;
};

// Who authenticates a call: the brand's key or a partner's token (/api/v1), or an operator's
// dashboard session (/dashboard/api).
enum class Caller { kApi, kDashboard };

// Authentication (for the dashboard: session, CSRF token, origin, viewer rule), then the
// caller's scopes, then the brand's rate limit for the group (so that nobody can spend a
// brand's budget without its key), then the media type, then the JSON body: the order in
// which a client fixes its problems. Returns the call, or the error response to send
// instead; either way `rate` is the rate-limit decision.
std::variant<Call, http::Response> Admit(const http::Request& req, Services& services,
                                         const Rule& rule, Caller caller,
                                         ratelimit::Decision& rate) {
  auto principal = caller == Caller::kDashboard
                       ? AuthenticateOperator(req, services, rule.access)
                       : Authenticate(req, services);
  if (!principal.ok()) return http::ErrorResponse(principal.status());
  const std::string& brand_id = principal->brand_id;
  if (!(principal->scopes & rule.scope)) {
    http::Response res = http::ErrorResponse(
        Status(Code::kPermissionDenied,
               fmt::format("the access token lacks the scope {} that this call needs",
                           auth::ScopeName(rule.scope))));
    res.brand_id = brand_id;
    return res;
  }
  auto fail = [&](http::Response res) {
    res.brand_id = brand_id;
    AddRateHeaders(rate, res);
    return res;
  };
  if (services.rate_limits) rate = services.rate_limits->Admit(brand_id, rule.group);
  if (!rate.allowed) {
    http::Response res = http::ErrorResponse(Status(
        Code::kResourceExhausted,
        fmt::format("rate limit exceeded: {} {} API calls per minute for this brand; retry in "
                    "{} s",
                    rate.limit, ratelimit::NameOf(rule.group), rate.reset_seconds)));
    http::SetRetryAfter(res, rate.reset_seconds);
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
  return Call{req, brand_id, std::move(body->get_object()), principal->actor};
}

http::Handler Api(Services& services, Rule rule, Caller caller, ApiHandler handler) {
  return [&services, rule, caller, handler](const http::Request& req) -> http::Response {
    ratelimit::Decision rate;
    auto admitted = Admit(req, services, rule, caller, rate);
    if (auto* res = std::get_if<http::Response>(&admitted)) return std::move(*res);
    const Call& call = std::get<Call>(admitted);
    http::Response res = handler(call, services);
    res.brand_id = call.brand_id;
    AddRateHeaders(rate, res);
    return res;
  };
}

http::AsyncHandler ApiAsync(Services& services, Rule rule, Caller caller,
                            AsyncApiHandler handler) {
  return [&services, rule, caller, handler](const http::Request& req, http::Reply reply) {
    ratelimit::Decision rate;
    auto admitted = Admit(req, services, rule, caller, rate);
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

// Registers each API route at /api/v1/PATH and, when the server has dashboard sessions, at
// /dashboard/api/v1/PATH with the same handler and rule; dashboard-only routes at
// /dashboard/api/PATH. All are POST.
class ApiRoutes {
 public:
  ApiRoutes(http::Router& router, Services& services) : router_(router), services_(services) {}

  void Add(std::string_view path, Rule rule, ApiHandler handler) {
    router_.Add("POST", Under("/api/v1", path), Api(services_, rule, Caller::kApi, handler));
    if (services_.sessions)
      router_.Add("POST", Under("/dashboard/api/v1", path),
                  Api(services_, rule, Caller::kDashboard, std::move(handler)));
  }
  void AddAsync(std::string_view path, Rule rule, AsyncApiHandler handler) {
    router_.AddAsync("POST", Under("/api/v1", path),
                     ApiAsync(services_, rule, Caller::kApi, handler));
    if (services_.sessions)
      router_.AddAsync("POST", Under("/dashboard/api/v1", path),
                       ApiAsync(services_, rule, Caller::kDashboard, handler));
  }
  void AddDashboard(std::string_view path, Rule rule, ApiHandler handler) {
    router_.Add("POST", Under("/dashboard/api", path),
                Api(services_, rule, Caller::kDashboard, std::move(handler)));
  }

 private:
  static std::string Under(std::string_view prefix, std::string_view path) {
    return std::string(prefix).append(path);
  }
  http::Router& router_;
  Services& services_;
};

}  // namespace

void AddRoutes(http::Router& router, Services& services) {
  using auth::kUsersRead, auth::kUsersWrite, auth::kEventsWrite, auth::kCampaignsWrite,
      auth::kReportsRead;
  using ratelimit::Group::kCampaigns, ratelimit::Group::kEvents, ratelimit::Group::kReports,
      ratelimit::Group::kUsers;
  constexpr Access kRead = Access::kRead, kChange = Access::kChange;
  router.Add(
      "GET", "/healthz",
      // 503 once the store refuses writes (its disk failed): a restart is what recovers it.
      [&services](const http::Request&) {
        if (Status st = services.store.write_health(); !st.ok()) return http::ErrorResponse(st);
        return http::SuccessResponse(json::object{{"status", "ok"}}, "ok");
      },
      http::Execution::kInline);

  if (services.write_keys) AddTrackingRoutes(router, services);
  ApiRoutes api(router, services);
  api.Add("/user/create", {kUsers, kUsersWrite, kChange}, CreateUsers);
  api.Add("/user/userData", {kUsers, kUsersRead, kRead}, GetUserData);
  api.Add("/user/delete", {kUsers, kUsersWrite, kChange}, DeleteUser);
  api.Add("/user/profile", {kUsers, kUsersRead, kRead}, GetEventUsers);
  api.Add("/user/count", {kUsers, kUsersRead, kRead}, CountEventUsers);
  api.Add("/source/list", {kUsers, kUsersRead, kRead}, ListSources);
  api.Add("/source/debugger", {kUsers, kUsersRead, kRead}, SourceDebugger);

  // Ingestion replies once the events are durable, without holding a thread meanwhile.
  api.AddAsync("/event/create", {kEvents, kEventsWrite, kChange}, CreateEvents);
  api.AddAsync("/event/track", {kEvents, kEventsWrite, kChange}, TrackEvent);
  api.Add("/user_event/create", {kEvents, kEventsWrite, kChange}, CreateUserEvent);
  api.Add("/event/get", {kEvents, kUsersRead, kRead}, GetEventUsers);
  api.Add("/event/count", {kEvents, kUsersRead, kRead}, CountEventUsers);

  api.Add("/segment/create", {kCampaigns, kCampaignsWrite, kChange}, CreateSegment);
  api.Add("/segment/update", {kCampaigns, kCampaignsWrite, kChange}, UpdateSegment);
  api.Add("/segment/delete", {kCampaigns, kCampaignsWrite, kChange}, DeleteSegment);
  api.Add("/segment/get", {kCampaigns, kCampaignsWrite, kRead}, GetSegment);
  api.Add("/segment/list", {kCampaigns, kCampaignsWrite, kRead}, ListSegments);
  api.Add("/segment/count", {kCampaigns, kCampaignsWrite, kRead}, CountSegment);
  api.Add("/segment/users", {kCampaigns, kCampaignsWrite, kRead}, SegmentUsers);

  api.Add("/channel/email", {kCampaigns, kCampaignsWrite, kChange}, PutEmailChannel);
  api.Add("/channel/sms", {kCampaigns, kCampaignsWrite, kChange}, PutSmsChannel);
  api.Add("/channel/push", {kCampaigns, kCampaignsWrite, kChange}, PutPushChannel);
  api.Add("/channel/get", {kCampaigns, kCampaignsWrite, kRead}, GetChannel);

  // Push: registering a browser or device is user data (the site or app does it); sends
  // and broadcasts are campaigns.
  api.Add("/push/subscribe", {kUsers, kUsersWrite, kChange}, PushSubscribe);
  api.Add("/push/unsubscribe", {kUsers, kUsersWrite, kChange}, PushUnsubscribe);
  api.Add("/channel/push/vapid", {kUsers, kUsersWrite, kRead}, GetVapidKey);
  for (const char* platform : delivery::kPushPlatforms) {
    const std::string p = platform;
    api.Add(fmt::format("/{}/send", p), {kCampaigns, kCampaignsWrite, kChange},
            [p](const Call& call, Services& s) { return SendPush(p, call, s); });
    api.Add(fmt::format("/{}/broadcast/all", p), {kCampaigns, kCampaignsWrite, kChange},
            [p](const Call& call, Services& s) { return BroadcastPush(p, false, call, s); });
    api.Add(fmt::format("/{}/broadcast/segment", p), {kCampaigns, kCampaignsWrite, kChange},
            [p](const Call& call, Services& s) { return BroadcastPush(p, true, call, s); });
  }

  api.Add("/campaign/create", {kCampaigns, kCampaignsWrite, kChange}, CreateCampaign);
  api.Add("/campaign/update", {kCampaigns, kCampaignsWrite, kChange}, UpdateCampaign);
  api.Add("/campaign/get", {kCampaigns, kCampaignsWrite, kRead}, GetCampaign);
  api.Add("/campaign/list", {kCampaigns, kCampaignsWrite, kRead}, ListCampaigns);
  api.Add("/campaign/send", {kCampaigns, kCampaignsWrite, kChange}, SendCampaign);
  api.Add("/campaign/schedule", {kCampaigns, kCampaignsWrite, kChange}, ScheduleCampaign);
  api.Add("/campaign/cancel", {kCampaigns, kCampaignsWrite, kChange}, CancelCampaign);
  api.Add("/message/bounce", {kCampaigns, kCampaignsWrite, kChange}, ReportBounce);

  api.Add("/report/campaign", {kReports, kReportsRead, kRead}, ReportCampaign);
  api.Add("/report/campaigns", {kReports, kReportsRead, kRead}, ReportCampaigns);
  api.Add("/report/timeline", {kReports, kReportsRead, kRead}, ReportTimeline);

  // The dashboard's own calls: its sessions, and the brand's operators.
  if (services.sessions) {
    AddSessionRoutes(router, services);
    api.AddDashboard("/operator/list", {kUsers, kUsersRead, kRead}, ListOperators);
    api.AddDashboard("/operator/create", {kUsers, kUsersWrite, kChange}, CreateOperator);
    api.AddDashboard("/operator/remove", {kUsers, kUsersWrite, kChange}, RemoveOperator);
  }

  // Reads for the dashboard and for integrations: none of these changes anything.
  api.Add("/user/events", {kUsers, kUsersRead, kRead}, GetUserEvents);
  api.Add("/user/messages", {kUsers, kUsersRead, kRead}, GetUserMessages);
  api.Add("/user/search", {kUsers, kUsersRead, kRead}, SearchUsers);
  api.Add("/user/segments", {kUsers, kUsersRead, kRead}, GetUserSegments);
  api.Add("/push/list", {kUsers, kUsersRead, kRead}, ListPushSubscriptions);
  api.Add("/campaign/preview", {kCampaigns, kCampaignsWrite, kRead}, PreviewCampaign);
  api.Add("/report/overview", {kReports, kReportsRead, kRead}, ReportOverview);
  api.Add("/brand/get", {kCampaigns, kCampaignsWrite, kRead}, GetBrand);

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

  // The dashboard's page and files (its JSON endpoints are under /dashboard/api/).
  router.Add("GET", "/dashboard", web::Serve, http::Execution::kInline);
  router.Add("GET", "/dashboard/", web::Serve, http::Execution::kInline);
  // An unknown dashboard endpoint is a 404 envelope, not a 405 from the files' prefix
  // (prefixes match in the order added).
  router.AddPrefix("GET", "/dashboard/api/", web::Serve, http::Execution::kInline);
  router.AddPrefix("POST", "/dashboard/api/", web::Serve, http::Execution::kInline);
  router.AddPrefix("GET", "/dashboard/", web::Serve, http::Execution::kInline);

  // Partner apps (OAuth 2.0): authenticated by their own means, not by API-group limits.
  if (services.oauth) {
    router.Add("GET", "/oauth/authorize", link(ShowAuthorize));
    router.Add("POST", "/oauth/authorize", link(Authorize));
    router.Add("POST", "/oauth/token", link(IssueToken));
    router.Add("POST", "/oauth/revoke", link(RevokeToken));
  }
}

}  // namespace cdp::api
