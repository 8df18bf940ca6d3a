// Push: the values shared by the three push providers (Web Push, FCM, APNs) and the
// fan-out that turns them into one channel Sender. Plain values except PushProvider.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "delivery/sender.h"

namespace cdp::delivery {

inline constexpr const char* kPushPlatforms[] = {"web", "android", "ios"};
bool IsPushPlatform(std::string_view platform);

struct PushOutcome {
  Delivery::Outcome outcome = Delivery::Outcome::kSent;
  std::string response;  // the provider's answer, e.g. "201" or "410 {...}"
  // The provider says the subscription no longer exists (Web Push 404/410, FCM
  // UNREGISTERED / 404, APNs 410 or 400 BadDeviceToken): it is to be removed.
  bool gone = false;
};

// Sends to one subscription of its platform. One provider is used by one thread at a time
// and may keep connections (and access tokens) between calls.
class PushProvider {
 public:
  virtual ~PushProvider() = default;
  virtual PushOutcome Send(const PushSubscription& to, const PushNotification& n) = 0;
};

// One message to every subscription in `message.subscriptions`, through `provider`.
// Sent when at least one subscription took it; else transient when one failure was
// transient, permanent otherwise. `gone` lists the subscriptions the provider reported
// gone; `response` has one "<id>: <answer>" per subscription. A transient failure next to
// a success is not retried (the user got the message).
std::unique_ptr<Sender> MakePushSender(std::unique_ptr<PushProvider> provider);

// Settings, as /channel/push takes them (one document for the three platforms).
struct WebPushSettings {
  bool enabled = false;
  std::string vapid_subject;  // "mailto:..." or "https://..." (RFC 8292 "sub")
};
struct FcmSettings {
  bool enabled = false;
  std::string project_id;
  // The Google service-account JSON key's fields that matter.
  std::string client_email;
  std::string private_key;  // PEM (RSA)
  std::string token_uri = "https://oauth2.googleapis.com/token";
  std::string base_url = "https://fcm.googleapis.com";
};
struct ApnsSettings {
  bool enabled = false;
  std::string team_id;
  std::string key_id;
  std::string private_key;  // PEM (.p8, P-256)
  std::string topic;        // the app's bundle id
  std::string base_url = "https://api.push.apple.com";
};

// A brand's VAPID key pair: the P-256 private key as PEM, the public key as the base64url
// uncompressed point a site passes to pushManager.subscribe().
struct VapidKeys {
  std::string private_pem;
  std::string public_key;
};

}  // namespace cdp::delivery
