// Web Push: the provider that delivers a notification to a browser's push service
// (RFC 8030), encrypted for that browser (RFC 8291, aes128gcm of RFC 8188) and signed with
// the brand's VAPID key (RFC 8292). The campaign engine makes one provider per sending
// thread; the API generates a brand's VAPID keys once. Functions are thread-safe; a
// provider is used by one thread at a time (see PushProvider).
//
// What the site's service worker receives: `event.data.json()` is the object
//
//   {
//     "title": "Spring sale",                   // always
//     "body": "20% off until Sunday",           // always
//     "url": "https://shop.example/sale",       // only when set: open it on click
//     "image": "https://shop.example/sale.png", // only when set
//     "data": {"coupon": "SPRING20"},           // always: the campaign's custom keys, {} if none
//     "message_id": "msg_..."                   // always: the message this delivery belongs to
//   }
//
// The encrypted body is at most 4096 bytes (what every push service must accept), which
// leaves 3993 bytes for that JSON text; a larger notification is not sent.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"
#include "delivery/push/push.h"

namespace cdp::delivery {

// The record size written in the aes128gcm header, and the largest body sent.
inline constexpr size_t kWebPushRecordSize = 4096;
// 4096 less the header (86 bytes), the padding delimiter (1) and the AES-GCM tag (16).
inline constexpr size_t kMaxWebPushPlaintext = 3993;

// A fresh P-256 key pair: the private key as PKCS#8 PEM, the public key as the base64url
// uncompressed point (65 bytes). Fails (Internal) only when OpenSSL does.
Result<VapidKeys> GenerateVapidKeys();

// The aes128gcm body (RFC 8291 §4: salt, record size, the ephemeral public key, one
// record) that the browser with public key `ua_public_b64url` (p256dh) and secret
// `auth_secret_b64url` decrypts to `plaintext`. A fresh ephemeral key and salt each call.
// Errors: InvalidArgument when p256dh is not an uncompressed point on P-256 or auth is not
// 16 bytes (both base64url); PayloadTooLarge past kMaxWebPushPlaintext.
Result<std::string> EncryptPayload(std::string_view plaintext, std::string_view ua_public_b64url,
                                   std::string_view auth_secret_b64url);

// The same with the application server's key pair and the salt chosen by the caller, for
// known-answer tests (RFC 8291 Appendix A): `as_private_key` is the raw 32-byte P-256
// scalar, `salt` 16 bytes. Never reuse a key and salt for a real message.
Result<std::string> EncryptPayload(std::string_view plaintext, std::string_view ua_public_b64url,
                                   std::string_view auth_secret_b64url,
                                   std::string_view as_private_key, std::string_view salt);

// A provider that POSTs to each subscription's endpoint with TTL, Urgency: normal and
// `Authorization: vapid t=<JWT>, k=<keys.public_key>`, the JWT (ES256) claiming
// aud = the endpoint's origin, exp = now + 12 h and sub = settings.vapid_subject; the JWT
// is kept per origin and signed anew when less than an hour of it is left. One connection
// (libcurl handle) is kept alive across sends; `timeout_seconds` bounds each request.
//
// Outcomes: 200/201/202 sent; 404 and 410 permanent and gone; 429, 5xx and transport
// failures transient; 413 and other answers permanent. Permanent without a request: an
// endpoint that is not an http(s) URL, bad subscription keys, a notification that does not
// fit one record, data that is not a JSON object, VAPID keys that do not parse or match.
std::unique_ptr<PushProvider> MakeWebPushProvider(const WebPushSettings& settings,
                                                  const VapidKeys& keys, int timeout_seconds);
// The same with the clock that dates the JWTs (tests).
std::unique_ptr<PushProvider> MakeWebPushProvider(const WebPushSettings& settings,
                                                  const VapidKeys& keys, int timeout_seconds,
                                                  const Clock& clock);

}  // namespace cdp::delivery
