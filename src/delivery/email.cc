#include "delivery/email.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <ctime>
#include <string>
#include <vector>

#include "core/base64.h"

namespace cdp::delivery {
namespace {

// Header values come from templates filled with user data: no line breaks may pass.
std::string OneLine(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) out += (c == '\r' || c == '\n') ? ' ' : c;
  return out;
}

// RFC 2047 encoded-word for a header value that is not plain ASCII.
std::string EncodeHeader(std::string_view s) {
  bool ascii = true;
  for (unsigned char c : s) ascii = ascii && c < 0x80;
  if (ascii) return std::string(s);
  return "=?UTF-8?B?" + Base64(s) + "?=";
}

// "Name <a@b>" or "a@b" -> "<a@b>" for the SMTP envelope.
std::string EnvelopeAddress(std::string_view addr) {
  size_t lt = addr.rfind('<'), gt = addr.rfind('>');
  if (lt != std::string_view::npos && gt != std::string_view::npos && lt < gt)
    return std::string(addr.substr(lt, gt - lt + 1));
  return fmt::format("<{}>", addr);
}

std::string RfcDate() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

class SmtpSender final : public Sender {
 public:
  explicit SmtpSender(const EmailSettings& s) : settings_(s), curl_(curl_easy_init()) {
    const char* scheme = s.security == "tls" ? "smtps" : "smtp";
    url_ = fmt::format("{}://{}:{}", scheme, s.host, s.port);
  }
  ~SmtpSender() override { curl_easy_cleanup(curl_); }

  Delivery Send(const Outgoing& m) override {
    if (!curl_) return {Delivery::Outcome::kTransient, "libcurl could not start"};
    const std::string from = m.from.empty() ? settings_.from : m.from;
    std::vector<std::string> header_lines = {
        "Date: " + RfcDate(),
        "From: " + OneLine(from),
        "To: " + OneLine(m.to),
        "Subject: " + EncodeHeader(OneLine(m.subject)),
        "Message-ID: <" + OneLine(m.message_id) + ">",
        "MIME-Version: 1.0",
    };
    if (!m.reply_to.empty()) header_lines.push_back("Reply-To: " + OneLine(m.reply_to));
    for (const auto& [name, value] : m.headers)
      header_lines.push_back(fmt::format("{}: {}", OneLine(name), OneLine(value)));
    curl_slist* headers = nullptr;
    for (const auto& h : header_lines) headers = curl_slist_append(headers, h.c_str());
    curl_slist* rcpt = curl_slist_append(nullptr, EnvelopeAddress(m.to).c_str());

    // multipart/alternative with the parts given (text first: the last is preferred).
    curl_mime* mime = curl_mime_init(curl_);
    curl_mime* alt = curl_mime_init(curl_);
    auto add = [&](const std::string& body, const char* type) {
      curl_mimepart* part = curl_mime_addpart(alt);
      curl_mime_data(part, body.data(), body.size());
      curl_mime_type(part, type);
      curl_mime_encoder(part, "quoted-printable");
    };
    if (!m.text.empty() || m.html.empty()) add(m.text, "text/plain; charset=UTF-8");
    if (!m.html.empty()) add(m.html, "text/html; charset=UTF-8");
    curl_mimepart* part = curl_mime_addpart(mime);
    curl_mime_subparts(part, alt);
    curl_mime_type(part, "multipart/alternative");
    curl_slist* part_headers = curl_slist_append(nullptr, "Content-Disposition: inline");
    curl_mime_headers(part, part_headers, 1);

    char error[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(curl_, CURLOPT_URL, url_.c_str());
    curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT, static_cast<long>(settings_.pace.timeout_seconds));
    curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT, 10L);
    if (settings_.security == "starttls") curl_easy_setopt(curl_, CURLOPT_USE_SSL, CURLUSESSL_ALL);
    if (!settings_.username.empty()) {
      curl_easy_setopt(curl_, CURLOPT_USERNAME, settings_.username.c_str());
      curl_easy_setopt(curl_, CURLOPT_PASSWORD, settings_.password.c_str());
    }
    const std::string envelope_from = EnvelopeAddress(from);
    curl_easy_setopt(curl_, CURLOPT_MAIL_FROM, envelope_from.c_str());
    curl_easy_setopt(curl_, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl_, CURLOPT_MIMEPOST, mime);

    const CURLcode rc = curl_easy_perform(curl_);
    long code = 0;
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_setopt(curl_, CURLOPT_MIMEPOST, nullptr);
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, nullptr);
    curl_easy_setopt(curl_, CURLOPT_MAIL_RCPT, nullptr);
    curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, nullptr);
    curl_mime_free(mime);
    curl_slist_free_all(headers);
    curl_slist_free_all(rcpt);

    if (rc == CURLE_OK) return {Delivery::Outcome::kSent, fmt::format("{} accepted", code)};
    std::string why = fmt::format("{}: {}", code ? std::to_string(code) : "no answer",
                                  error[0] ? error : curl_easy_strerror(rc));
    return {
        code >= 500 && code < 600 ? Delivery::Outcome::kPermanent : Delivery::Outcome::kTransient,
        why};
  }

 private:
  EmailSettings settings_;
  CURL* curl_;
  std::string url_;
};

}  // namespace

std::unique_ptr<Sender> MakeSmtpSender(const EmailSettings& settings) {
  return std::make_unique<SmtpSender>(settings);
}

}  // namespace cdp::delivery
