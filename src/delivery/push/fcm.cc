#include "delivery/push/fcm.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <string>

#include "core/json.h"
#include "delivery/http_post.h"
#include "delivery/push/jwt.h"
#include "delivery/push/token_cache.h"

namespace cdp::delivery {
namespace {

namespace json = boost::json;

constexpr int64_t kMicros = 1'000'000;
constexpr int64_t kAssertionSeconds = 3600;
// A cached access token is not used in its last 5 minutes.
constexpr int64_t kTokenMarginSeconds = 300;
constexpr const char* kScope = "https://www.googleapis.com/auth/firebase.messaging";

std::string WithoutTrailingSlash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

// FCM's error document: {"error":{"code":404,"status":"NOT_FOUND","details":[{"@type":
// "type.googleapis.com/google.firebase.fcm.v1.FcmError","errorCode":"UNREGISTERED"}]}}.
std::string FcmErrorCode(std::string_view body) {
  auto doc = ParseJson(body);
  if (!doc.ok() || !doc->is_object()) return "";
  const json::value* details = doc->as_object().contains("error") && doc->at("error").is_object()
                                   ? doc->at("error").as_object().if_contains("details")
                                   : nullptr;
  if (!details || !details->is_array()) return "";
  for (const json::value& d : details->as_array()) {
    const json::value* code = d.is_object() ? d.as_object().if_contains("errorCode") : nullptr;
    if (code && code->is_string()) return std::string(code->as_string());
  }
  return "";
}

class FcmProvider final : public PushProvider {
 public:
  FcmProvider(const FcmSettings& s, int timeout_seconds, const Clock& clock)
      : settings_(s),
        clock_(clock),
        http_(timeout_seconds, HttpPost::Version::kDefault),
        cache_key_("fcm\n" + s.client_email + "\n" + s.token_uri),
        send_url_(fmt::format("{}/v1/projects/{}/messages:send", WithoutTrailingSlash(s.base_url),
                              HttpPost::Escape(s.project_id))) {}

  PushOutcome Send(const PushSubscription& to, const PushNotification& n) override {
    if (to.token.empty())
      return {Delivery::Outcome::kPermanent, "the subscription has no FCM token", true};
    Result<std::string> body = MessageBody(to, n);
    if (!body.ok()) return {Delivery::Outcome::kPermanent, body.status().message()};
    for (int attempt = 0;; ++attempt) {
      Result<std::string> token = TokenCache::Shared().Get(cache_key_, clock_.NowMicros(),
                                                           [this] { return FetchAccessToken(); });
      if (!token.ok())
        return {token.status().code() == Code::kUnavailable ? Delivery::Outcome::kTransient
                                                            : Delivery::Outcome::kPermanent,
                token.status().message()};
      HttpPost::Answer a = http_.Post(
          send_url_,
          {"Authorization: Bearer " + *token, "Content-Type: application/json; charset=utf-8"},
          *body);
      if (!a.answered) return {Delivery::Outcome::kTransient, a.error};
      // The token was revoked or expired early: one more try with a new one.
      if (a.status == 401 && attempt == 0) {
        TokenCache::Shared().Drop(cache_key_, *token);
        continue;
      }
      return Classify(a);
    }
  }

 private:
  static Result<std::string> MessageBody(const PushSubscription& to, const PushNotification& n) {
    // FCM takes string values only in "data": others travel as their JSON text.
    json::object data;
    if (!n.data.empty()) {
      auto parsed = ParseJson(n.data);
      if (!parsed.ok() || !parsed->is_object())
        return InvalidArgument("notification data: not a JSON object");
      for (const auto& [key, value] : parsed->as_object())
        data[key] = value.is_string() ? value.as_string() : json::string(json::serialize(value));
    }
    if (!n.url.empty()) data["url"] = n.url;
    data["message_id"] = n.message_id;
    json::object notification{{"title", n.title}, {"body", n.body}};
    if (!n.image.empty()) notification["image"] = n.image;
    json::object message{
        {"token", to.token},
        {"notification", std::move(notification)},
        {"data", std::move(data)},
        {"android", {{"ttl", fmt::format("{}s", std::max(0, n.ttl_seconds))}}},
    };
    return json::serialize(json::object{{"message", std::move(message)}});
  }

  // Google's service-account flow (RFC 7523): a signed assertion for an access token.
  // Unavailable means worth retrying; any other code is the account's configuration.
  Result<TokenCache::Token> FetchAccessToken() {
    const int64_t now = clock_.NowMicros() / kMicros;
    const json::object claims{{"iss", settings_.client_email},
                              {"scope", kScope},
                              {"aud", settings_.token_uri},
                              {"iat", now},
                              {"exp", now + kAssertionSeconds}};
    Result<std::string> assertion =
        SignJwt(R"({"alg":"RS256","typ":"JWT"})", json::serialize(claims), settings_.private_key);
    if (!assertion.ok())
      return InvalidArgument("FCM service account: " + assertion.status().message());
    const std::string form =
        "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=" +
        HttpPost::Escape(*assertion);
    HttpPost::Answer a =
        http_.Post(settings_.token_uri, {"Content-Type: application/x-www-form-urlencoded"}, form);
    if (!a.answered) return Unavailable("token endpoint: " + a.error);
    const std::string answer = "token endpoint: " + AnswerSummary(a.status, a.body);
    if (a.status == 429 || a.status >= 500) return Unavailable(answer);
    if (a.status != 200) return Status(Code::kPermissionDenied, answer);
    auto doc = ParseJson(a.body);
    const json::object* o = doc.ok() ? doc->if_object() : nullptr;
    const json::value* token = o ? o->if_contains("access_token") : nullptr;
    if (!token || !token->is_string() || token->as_string().empty())
      return Unavailable(answer + " (no access_token)");
    int64_t lifetime = kAssertionSeconds;
    if (const json::value* e = o->if_contains("expires_in"); e && e->is_number())
      lifetime = static_cast<int64_t>(e->to_number<double>());
    return TokenCache::Token{std::string(token->as_string()),
                             clock_.NowMicros() + (lifetime - kTokenMarginSeconds) * kMicros};
  }

  static PushOutcome Classify(const HttpPost::Answer& a) {
    if (a.status >= 200 && a.status < 300) {
      auto doc = ParseJson(a.body);
      const json::value* name =
          doc.ok() && doc->is_object() ? doc->as_object().if_contains("name") : nullptr;
      if (name && name->is_string())
        return {Delivery::Outcome::kSent, AnswerSummary(a.status, name->as_string())};
      return {Delivery::Outcome::kSent, AnswerSummary(a.status, a.body)};
    }
    const std::string response = AnswerSummary(a.status, a.body);
    if (a.status == 404 || FcmErrorCode(a.body) == "UNREGISTERED")
      return {Delivery::Outcome::kPermanent, response, true};
    if (a.status == 429 || a.status >= 500) return {Delivery::Outcome::kTransient, response};
    return {Delivery::Outcome::kPermanent, response};
  }

  const FcmSettings settings_;
  const Clock& clock_;
  HttpPost http_;
  const std::string cache_key_;
  const std::string send_url_;
};

}  // namespace

std::unique_ptr<PushProvider> MakeFcmProvider(const FcmSettings& s, int timeout_seconds) {
  static const SystemClock clock;
  return MakeFcmProvider(s, timeout_seconds, clock);
}

std::unique_ptr<PushProvider> MakeFcmProvider(const FcmSettings& s, int timeout_seconds,
                                              const Clock& clock) {
  return std::make_unique<FcmProvider>(s, timeout_seconds, clock);
}

}  // namespace cdp::delivery
