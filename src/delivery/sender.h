// Sender: hands one rendered message to a channel's provider and classifies the answer.
// One Sender holds one provider connection (reused from message to message) and is used by
// one thread at a time.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace cdp::delivery {

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
};

struct Delivery {
  enum class Outcome {
    kSent,       // the provider accepted the message
    kTransient,  // worth retrying: SMTP 4xx, HTTP 429/5xx, timeouts, refused connections
    kPermanent,  // SMTP 5xx, other HTTP 4xx
  };
  Outcome outcome = Outcome::kSent;
  std::string response;  // the provider's answer, for the message record
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
