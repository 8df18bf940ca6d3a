#include "delivery/sms/sms.h"

#include <fmt/format.h>

#include <string>

#include "delivery/http_post.h"

namespace cdp::delivery {
namespace {

// How much of the provider's answer a message records.
constexpr size_t kMaxAnswerBodyBytes = 2000;

class HttpSmsSender final : public Sender {
 public:
  explicit HttpSmsSender(const SmsSettings& s)
      : settings_(s),
        url_(fmt::format("{}/2010-04-01/Accounts/{}/Messages.json", s.url,
                         HttpPost::Escape(s.account_sid))),
        http_(s.pace.timeout_seconds, HttpPost::Version::kDefault) {
    http_.UseBasicAuth(s.account_sid, s.auth_token);
  }

  Delivery Send(const Outgoing& m) override {
    std::string form = fmt::format("To={}&From={}&Body={}", HttpPost::Escape(m.to),
                                   HttpPost::Escape(m.from.empty() ? settings_.from : m.from),
                                   HttpPost::Escape(m.text));
    if (!m.status_callback.empty())
      form += "&StatusCallback=" + HttpPost::Escape(m.status_callback);
    const HttpPost::Answer a = http_.Post(url_, {}, form);
    if (!a.answered) return {Delivery::Outcome::kTransient, a.error};
    std::string answer = fmt::format("{} {}", a.status, a.body.substr(0, kMaxAnswerBodyBytes));
    if (a.status >= 200 && a.status < 300) return {Delivery::Outcome::kSent, answer};
    if (a.status == 429 || a.status >= 500) return {Delivery::Outcome::kTransient, answer};
    return {Delivery::Outcome::kPermanent, answer};
  }

 private:
  SmsSettings settings_;
  std::string url_;
  HttpPost http_;
};

}  // namespace

std::unique_ptr<Sender> MakeHttpSmsSender(const SmsSettings& settings) {
  return std::make_unique<HttpSmsSender>(settings);
}

}  // namespace cdp::delivery
