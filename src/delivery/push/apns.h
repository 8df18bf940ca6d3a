// APNs: the iOS push provider, Apple's HTTP/2 provider API (POST {base_url}/3/device/{token})
// with token-based authentication: an ES256 JWT ({"alg":"ES256","kid":key_id},
// {"iss":team_id,"iat":...}) that every provider of the process shares per key and signs
// anew every 50 minutes (Apple refuses tokens older than an hour and throttles providers
// that refresh more often than every 20 minutes). HTTP/2 is negotiated over TLS for https
// base URLs and spoken with prior knowledge (h2c) for http ones (test sinks, private
// gateways). The push fan-out makes one provider per sending thread; a provider is used by
// one thread at a time and keeps its connection between sends (over TLS; for h2c on libcurl
// before 8.0.0 each send opens its own, see delivery/http_post.cc).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "delivery/push/push.h"

namespace cdp::delivery {

// Apple's limit on a notification's JSON payload.
inline constexpr size_t kApnsMaxPayloadBytes = 4096;

// Send() answers:
// - kSent with response "200 <apns-id>";
// - kPermanent, gone, on 410 (Unregistered), on 400 BadDeviceToken and on a device token
//   that is not hex (no request is made);
// - kTransient on 429, 5xx and transport errors;
// - kPermanent on other 4xx, on a payload over kApnsMaxPayloadBytes (no request is made), on
//   a private key that does not parse and on notification data that is not a JSON object.
// A 403 ExpiredProviderToken signs a new JWT and retries once. response is
// "<code> <reason, or the first 500 bytes of the body>". Requests time out after
// `timeout_seconds`.
std::unique_ptr<PushProvider> MakeApnsProvider(const ApnsSettings& s, int timeout_seconds);
// The same with another clock (for iat, the JWT's age and apns-expiration); `clock` must
// outlive the provider.
std::unique_ptr<PushProvider> MakeApnsProvider(const ApnsSettings& s, int timeout_seconds,
                                               const Clock& clock);

// The apns-id sent with a notification: a UUID (RFC 9562 version 8) derived from SHA-256 of
// the message id and the device token, so that a retried message keeps its id.
std::string ApnsId(std::string_view message_id, std::string_view device_token);

}  // namespace cdp::delivery
