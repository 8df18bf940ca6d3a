// Sender: hands one rendered message to a channel's provider and classifies the answer.
// One Sender holds one provider connection (reused from message to message) and is used by
// one thread at a time.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace cdp::delivery {

// A browser or device registered for push.
struct PushSubscription {
  std::string id;        // "sub_..."
  std::string platform;  // web | android | ios
  // web: the push service URL (RFC 8030) and the browser's keys (base64url, RFC 8291):
  // p256dh is the uncompressed P-256 point (65 bytes), auth the 16-byte secret.
  std::string endpoint, p256dh, auth;
  // android: the FCM registration token; ios: the APNs device token (hex).
  std::string token;
};

// One rendered notification.
struct PushNotification {
  std::string title;
  std::string body;
  std::string url;    // opened on click; may be empty
  std::string image;  // may be empty
  std::string data;   // a JSON object (custom key/values), "{}" when none
  std::string message_id;
  int ttl_seconds = 86400;  // how long the push service may hold it
};

struct Outgoing {
  std::string to;  // email address or E.164 number
  std::string from;
  std::string reply_to;
  std::string subject;
  std::string html;
  std::string text;
  std::string message_id;  // unique per campaign and recipient
  // Email: extra header lines (name, value), e.g. List-Unsubscribe.
  std::vector<std::pair<std::string, std::string>> headers;
  // SMS: where the provider posts delivery receipts (Twilio's StatusCallback), if anywhere.
  std::string status_callback;
  // Push: the recipient's subscriptions on the campaign's platform, and what they show.
  std::vector<PushSubscription> subscriptions;
  PushNotification notification;
};

struct Delivery {
  enum class Outcome {
    kSent,       // the provider accepted the message
    kTransient,  // worth retrying: SMTP 4xx, HTTP 429/5xx, timeouts, refused connections
    kPermanent,  // SMTP 5xx, other HTTP 4xx
  };
  Delivery() = default;
  Delivery(Outcome o, std::string r) : outcome(o), response(std::move(r)) {}

  Outcome outcome = Outcome::kSent;
  std::string response;  // the provider's answer, for the message record
  // Push: the ids of subscriptions the provider says no longer exist, to be removed.
  std::vector<std::string> gone;
};

class Sender {
 public:
  virtual ~Sender() = default;
  virtual Delivery Send(const Outgoing& message) = 0;
  // Send(message) when the message this sender gets next is already known: a sender may start
  // on `next` behind `message` (SMTP pipelining), and the next call must then be for `next`
  // (or the sender drops its connection). By default, Send(message).
  virtual Delivery SendWithNext(const Outgoing& message, const Outgoing& next) {
    (void)next;
    return Send(message);
  }
};

}  // namespace cdp::delivery
