#include "delivery/push/apns.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>

#include "core/ids.h"
#include "core/json.h"
#include "delivery/http_post.h"
#include "delivery/push/jwt.h"
#include "delivery/push/token_cache.h"

namespace cdp::delivery {
namespace {

namespace json = boost::json;

constexpr int64_t kMicros = 1'000'000;
constexpr int64_t kJwtLifetimeSeconds = 50 * 60;
// Device tokens are 32 bytes today; Apple warns that they may grow.
constexpr size_t kMaxTokenHexChars = 200;

bool IsHexToken(std::string_view token) {
  return !token.empty() && token.size() % 2 == 0 && token.size() <= kMaxTokenHexChars &&
         std::all_of(token.begin(), token.end(),
                     [](unsigned char c) { return std::isxdigit(c) != 0; });
}

bool IsHeaderValue(std::string_view v) {
  return std::none_of(v.begin(), v.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; });
}

std::string WithoutTrailingSlash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

// APNs explains a refusal as {"reason":"BadDeviceToken"} (410s add a timestamp).
std::string Reason(std::string_view body) {
  auto doc = ParseJson(body);
  const json::value* r =
      doc.ok() && doc->is_object() ? doc->as_object().if_contains("reason") : nullptr;
  return r && r->is_string() ? std::string(r->as_string()) : "";
}

class ApnsProvider final : public PushProvider {
 public:
  ApnsProvider(const ApnsSettings& s, int timeout_seconds, const Clock& clock)
      : settings_(s),
        clock_(clock),
        http_(timeout_seconds, HttpPost::Version::kHttp2),
        // Keyed by the key itself too: a replaced .p8 with the same key id signs anew.
        cache_key_(fmt::format("apns\n{}\n{}\n{}", s.team_id, s.key_id, Sha256Hex(s.private_key))),
        base_url_(WithoutTrailingSlash(s.base_url)) {}

  PushOutcome Send(const PushSubscription& to, const PushNotification& n) override {
    if (!IsHexToken(to.token))
      return {Delivery::Outcome::kPermanent, "the device token is not hexadecimal", true};
    if (settings_.topic.empty() || !IsHeaderValue(settings_.topic) ||
        !IsHeaderValue(settings_.key_id))
      return {Delivery::Outcome::kPermanent, "APNs settings: topic or key id is not usable"};
    Result<std::string> payload = Payload(n);
    if (!payload.ok()) return {Delivery::Outcome::kPermanent, payload.status().message()};
    if (payload->size() > kApnsMaxPayloadBytes)
      return {Delivery::Outcome::kPermanent,
              fmt::format("the payload has {} bytes, over APNs' limit of {}", payload->size(),
                          kApnsMaxPayloadBytes)};
    const int64_t now = clock_.NowMicros() / kMicros;
    // 0 asks APNs to try once and not store the notification.
    const int64_t expiration = n.ttl_seconds > 0 ? now + n.ttl_seconds : 0;
    const std::string apns_id = ApnsId(n.message_id, to.token);
    const std::string url = base_url_ + "/3/device/" + to.token;
    for (int attempt = 0;; ++attempt) {
      Result<std::string> jwt = TokenCache::Shared().Get(cache_key_, clock_.NowMicros(),
                                                         [this] { return SignProviderToken(); });
      if (!jwt.ok()) return {Delivery::Outcome::kPermanent, jwt.status().message()};
      HttpPost::Answer a =
          http_.Post(url,
                     {"authorization: bearer " + *jwt, "apns-topic: " + settings_.topic,
                      "apns-push-type: alert", "apns-priority: 10",
                      fmt::format("apns-expiration: {}", expiration), "apns-id: " + apns_id,
                      "content-type: application/json"},
                     *payload, "apns-id");
      if (!a.answered) return {Delivery::Outcome::kTransient, a.error};
      if (a.status == 200)
        return {Delivery::Outcome::kSent,
                fmt::format("200 {}", a.header.empty() ? apns_id : a.header)};
      const std::string reason = Reason(a.body);
      if (a.status == 403 && reason == "ExpiredProviderToken" && attempt == 0) {
        TokenCache::Shared().Drop(cache_key_, *jwt);
        continue;
      }
      const std::string response =
          AnswerSummary(a.status, reason.empty() ? std::string_view(a.body) : reason);
      if (a.status == 410 || (a.status == 400 && reason == "BadDeviceToken"))
        return {Delivery::Outcome::kPermanent, response, true};
      if (a.status == 429 || a.status >= 500) return {Delivery::Outcome::kTransient, response};
      return {Delivery::Outcome::kPermanent, response};
    }
  }

 private:
  static Result<std::string> Payload(const PushNotification& n) {
    json::value data = json::object();
    if (!n.data.empty()) {
      auto parsed = ParseJson(n.data);
      if (!parsed.ok() || !parsed->is_object())
        return InvalidArgument("notification data: not a JSON object");
      data = std::move(*parsed);
    }
    json::object aps{{"alert", {{"title", n.title}, {"body", n.body}}}};
    // Lets the app's notification service extension fetch and attach the image.
    if (!n.image.empty()) aps["mutable-content"] = 1;
    json::object payload{{"aps", std::move(aps)}};
    if (!n.url.empty()) payload["url"] = n.url;
    if (!n.image.empty()) payload["image"] = n.image;
    payload["message_id"] = n.message_id;
    payload["data"] = std::move(data);
    return json::serialize(payload);
  }

  Result<TokenCache::Token> SignProviderToken() {
    const int64_t now = clock_.NowMicros();
    Result<std::string> jwt =
        SignJwt(json::serialize(json::object{{"alg", "ES256"}, {"kid", settings_.key_id}}),
                json::serialize(json::object{{"iss", settings_.team_id}, {"iat", now / kMicros}}),
                settings_.private_key);
    if (!jwt.ok()) return InvalidArgument("APNs private key: " + jwt.status().message());
    return TokenCache::Token{std::move(*jwt), now + kJwtLifetimeSeconds * kMicros};
  }

  const ApnsSettings settings_;
  const Clock& clock_;
  HttpPost http_;
  const std::string cache_key_;
  const std::string base_url_;
};

}  // namespace

std::string ApnsId(std::string_view message_id, std::string_view device_token) {
  std::string h = Sha256(fmt::format("{}\n{}", message_id, device_token));
  h[6] = static_cast<char>((h[6] & 0x0f) | 0x80);  // version 8
  h[8] = static_cast<char>((h[8] & 0x3f) | 0x80);  // variant 10
  std::string hex;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) hex += '-';
    hex += fmt::format("{:02x}", static_cast<unsigned char>(h[i]));
  }
  return hex;
}

std::unique_ptr<PushProvider> MakeApnsProvider(const ApnsSettings& s, int timeout_seconds) {
  static const SystemClock clock;
  return MakeApnsProvider(s, timeout_seconds, clock);
}

std::unique_ptr<PushProvider> MakeApnsProvider(const ApnsSettings& s, int timeout_seconds,
                                               const Clock& clock) {
  return std::make_unique<ApnsProvider>(s, timeout_seconds, clock);
}

}  // namespace cdp::delivery
