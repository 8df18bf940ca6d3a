#include "delivery/sms/sms.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <string>

namespace cdp::delivery {
namespace {

size_t Collect(char* data, size_t size, size_t n, void* out) {
  auto* body = static_cast<std::string*>(out);
  if (body->size() < 2000) body->append(data, std::min(size * n, 2000 - body->size()));
  return size * n;
}

class HttpSmsSender final : public Sender {
 public:
  explicit HttpSmsSender(const SmsSettings& s) : settings_(s), curl_(curl_easy_init()) {
    url_ = fmt::format("{}/2010-04-01/Accounts/{}/Messages.json", s.url, Escape(s.account_sid));
  }
  ~HttpSmsSender() override { curl_easy_cleanup(curl_); }

  Delivery Send(const Outgoing& m) override {
    if (!curl_) return {Delivery::Outcome::kTransient, "libcurl could not start"};
    std::string form =
        fmt::format("To={}&From={}&Body={}", Escape(m.to),
                    Escape(m.from.empty() ? settings_.from : m.from), Escape(m.text));
    if (!m.status_callback.empty()) form += "&StatusCallback=" + Escape(m.status_callback);
    std::string body;
    char error[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(curl_, CURLOPT_URL, url_.c_str());
    curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT, static_cast<long>(settings_.pace.timeout_seconds));
    curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(curl_, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(curl_, CURLOPT_USERNAME, settings_.account_sid.c_str());
    curl_easy_setopt(curl_, CURLOPT_PASSWORD, settings_.auth_token.c_str());
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, form.c_str());
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE, static_cast<long>(form.size()));
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, Collect);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &body);
    const CURLcode rc = curl_easy_perform(curl_);
    long code = 0;
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, nullptr);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, nullptr);

    if (rc != CURLE_OK)
      return {Delivery::Outcome::kTransient, error[0] ? error : curl_easy_strerror(rc)};
    std::string answer = fmt::format("{} {}", code, body);
    if (code >= 200 && code < 300) return {Delivery::Outcome::kSent, answer};
    if (code == 429 || code >= 500) return {Delivery::Outcome::kTransient, answer};
    return {Delivery::Outcome::kPermanent, answer};
  }

 private:
  std::string Escape(const std::string& s) {
    char* e = curl_ ? curl_easy_escape(curl_, s.data(), static_cast<int>(s.size())) : nullptr;
    std::string out = e ? e : "";
    curl_free(e);
    return out;
  }

  SmsSettings settings_;
  CURL* curl_;
  std::string url_;
};

}  // namespace

std::unique_ptr<Sender> MakeHttpSmsSender(const SmsSettings& settings) {
  return std::make_unique<HttpSmsSender>(settings);
}

}  // namespace cdp::delivery
