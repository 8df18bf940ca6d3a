#include "api/feedback.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <map>

#include "api/web_forms.h"
#include "campaigns/campaign.h"
#include "campaigns/tracking.h"
#include "core/json.h"
#include "http/envelope.h"

namespace cdp::api {
namespace {

namespace json = boost::json;
using campaigns::LinkKind;

// A transparent 1x1 GIF.
constexpr unsigned char kPixel[] = {
    0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00,
    0x00, 0xff, 0xff, 0xff, 0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00,
    0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b};

http::Response NoSuchLink() { return http::ErrorResponse(NotFound("Invalid URL: no such link")); }

// The verified link of `req`, whose path is PathOf(kind) + token.
std::optional<campaigns::Links::Verified> Verify(const http::Request& req, Services& services,
                                                 LinkKind kind) {
  if (!services.links) return std::nullopt;
  return services.links->Verify(kind, std::string_view(req.path).substr(PathOf(kind).size()));
}

Status Record(Services& services, const campaigns::MessageRef& ref, std::string_view kind,
              std::string detail = "") {
  store::Feedback f{ref.campaign_id, ref.profile_id, std::string(kind), std::move(detail),
                    services.clock.NowMicros()};
  Status st = services.store.campaigns.RecordFeedback(ref.brand_id, f);
  if (!st.ok())
    spdlog::warn("campaign {}/{}: {} of message {} not recorded: {}", ref.brand_id, ref.campaign_id,
                 kind, ref.profile_id, st.message());
  return st;
}

std::string_view StringField(const json::object& body, std::string_view key) {
  const json::value* v = body.if_contains(key);
  return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

}  // namespace

http::Response TrackOpen(const http::Request& req, Services& services) {
  auto link = Verify(req, services, LinkKind::kOpen);
  if (!link) return NoSuchLink();
  (void)Record(services, link->ref, store::kFeedbackOpen);  // the image shows regardless
  http::Response res;
  res.content_type = "image/gif";
  res.body.assign(reinterpret_cast<const char*>(kPixel), sizeof kPixel);
  res.headers.emplace_back("Cache-Control", "no-store, private");
  return res;
}

http::Response TrackClick(const http::Request& req, Services& services) {
  auto link = Verify(req, services, LinkKind::kClick);
  if (!link) return NoSuchLink();
  (void)Record(services, link->ref, store::kFeedbackClick, link->target);  // follow regardless
  http::Response res;
  res.status = 302;
  res.content_type = "text/plain; charset=utf-8";
  res.headers.emplace_back("Location", link->target);
  res.headers.emplace_back("Cache-Control", "no-store, private");
  return res;
}

http::Response ShowUnsubscribe(const http::Request& req, Services& services) {
  if (!Verify(req, services, LinkKind::kUnsubscribe)) return NoSuchLink();
  return Page(200, "Unsubscribe",
              fmt::format("<p>Stop receiving these emails?</p>"
                          "<form method=\"post\" action=\"{}\">"
                          "<input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">"
                          "<button type=\"submit\">Unsubscribe</button></form>",
                          req.path));  // the path is base64url and '/': nothing to escape
}

http::Response Unsubscribe(const http::Request& req, Services& services) {
  auto link = Verify(req, services, LinkKind::kUnsubscribe);
  if (!link) return NoSuchLink();
  Status st = Record(services, link->ref, store::kFeedbackUnsubscribe);
  if (st.code() == Code::kNotFound) return NoSuchLink();
  if (!st.ok()) return http::ErrorResponse(st);
  return Page(200, "You are unsubscribed", "<p>You will not receive these emails any more.</p>");
}

http::Response SmsStatus(const http::Request& req, Services& services) {
  auto link = Verify(req, services, LinkKind::kSmsStatus);
  if (!link) return NoSuchLink();
  auto form = ParseForm(req.body).value_or(std::map<std::string, std::string>());
  const std::string& status = form["MessageStatus"];
  if (status.empty())
    return http::ErrorResponse(InvalidArgument("MessageStatus: required (Twilio's form)"));
  std::string_view kind;
  if (status == "delivered") kind = store::kFeedbackDelivered;
  if (status == "undelivered" || status == "failed") kind = store::kFeedbackUndelivered;
  if (!kind.empty()) {
    const std::string& code = form["ErrorCode"];
    Status st = Record(services, link->ref, kind, code.empty() ? status : status + " " + code);
    if (st.code() == Code::kNotFound) return NoSuchLink();
    if (!st.ok()) return http::ErrorResponse(st);
  }
  http::Response res;  // queued, sent, ...: progress, nothing to record
  res.status = 204;
  res.content_type = "text/plain";
  return res;
}

http::Response ReportBounce(const Call& call, Services& services) {
  if (Status st = OnlyKeys(call.body, {"type", "message_id", "recipient", "action", "status",
                                       "diagnostic_code", "feedback_type"});
      !st.ok())
    return http::ErrorResponse(st);
  for (const auto& [k, v] : call.body)
    if (!v.is_string() || v.get_string().size() > 1000)
      return http::ErrorResponse(InvalidArgument(
          fmt::format("{}: must be a string of at most 1000 characters", std::string_view(k))));
  const std::string_view type = StringField(call.body, "type");
  if (type != "bounce" && type != "complaint")
    return http::ErrorResponse(InvalidArgument("type: must be bounce or complaint"));
  auto key = campaigns::ParseMessageId(StringField(call.body, "message_id"));
  if (!key)
    return http::ErrorResponse(
        InvalidArgument("message_id: required, the Message-ID of a campaign email, like "
                        "<cmp_0123456789abcdef01234567.42@cdp>"));
  std::string_view kind = store::kFeedbackComplaint;
  std::string detail;
  if (type == "bounce") {
    const std::string_view action = StringField(call.body, "action");
    const std::string_view status = StringField(call.body, "status");
    if (!action.empty() && action != "failed" && action != "delayed")
      return http::ErrorResponse(InvalidArgument(
          fmt::format("action: '{}' is not a bounce; use failed or delayed (RFC 3464)", action)));
    if (!status.empty() &&
        !(status.size() >= 5 && (status[0] == '4' || status[0] == '5') && status[1] == '.'))
      return http::ErrorResponse(
          InvalidArgument("status: must be an RFC 3463 status code like 5.1.1 or 4.2.2"));
    const bool soft = action == "delayed" || status.starts_with('4');
    kind = soft ? store::kFeedbackSoftBounce : store::kFeedbackBounce;
    detail = fmt::format("{} {}", status, StringField(call.body, "diagnostic_code"));
  } else {
    detail = std::string(StringField(call.body, "feedback_type"));
  }
  while (!detail.empty() && detail.front() == ' ') detail.erase(0, 1);
  while (!detail.empty() && detail.back() == ' ') detail.pop_back();
  store::Feedback f{key->campaign_id, key->profile_id, std::string(kind), std::move(detail),
                    services.clock.NowMicros()};
  if (Status st = services.store.campaigns.RecordFeedback(call.brand_id, f); !st.ok())
    return http::ErrorResponse(
        st.code() == Code::kNotFound ? NotFound("message_id: the brand sent no such message") : st);
  return http::SuccessResponse(
      json::object{{"message_id", campaigns::MessageId(key->campaign_id, key->profile_id)},
                   {"recorded", kind}},
      fmt::format("{} recorded", kind));
}

}  // namespace cdp::api
