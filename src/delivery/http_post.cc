#include "delivery/http_post.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <utility>

namespace cdp::delivery {
namespace {

size_t Collect(char* data, size_t size, size_t n, void* out) {
  auto* body = static_cast<std::string*>(out);
  if (body->size() < HttpPost::kMaxBodyBytes)
    body->append(data, std::min(size * n, HttpPost::kMaxBodyBytes - body->size()));
  return size * n;
}

}  // namespace

HttpPost::HttpPost(int timeout_seconds, Version version)
    : curl_(curl_easy_init()), timeout_seconds_(std::max(1, timeout_seconds)), version_(version) {}

HttpPost::~HttpPost() { curl_easy_cleanup(curl_); }

HttpPost::Answer HttpPost::Post(const std::string& url, const std::vector<std::string>& headers,
                                std::string_view body, const char* answer_header) {
  Answer answer;
  if (!curl_) {
    answer.error = "libcurl could not start";
    return answer;
  }
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> list(nullptr, &curl_slist_free_all);
  for (const std::string& h : headers) {
    curl_slist* grown = curl_slist_append(list.get(), h.c_str());
    if (!grown) {
      answer.error = "out of memory";
      return answer;
    }
    list.release();
    list.reset(grown);
  }
  const bool http = url.rfind("http://", 0) == 0;
  long version = CURL_HTTP_VERSION_NONE;
  if (version_ == Version::kHttp2)
    version = http ? CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE : CURL_HTTP_VERSION_2TLS;
  // libcurl before 8.0.0 breaks an h2c connection it reuses ("Error in the HTTP2 framing
  // layer", curl issue #10634): with prior knowledge each request gets its own connection
  // there. HTTP/2 over TLS is not affected.
  static const bool h2c_reuse_broken = curl_version_info(CURLVERSION_NOW)->version_num < 0x080000;
  const bool fresh = version == CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE && h2c_reuse_broken;
  char error[CURL_ERROR_SIZE] = "";
  CURL* c = static_cast<CURL*>(curl_);
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  // Web Push endpoints come from browsers: never let one name another protocol.
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_HTTP_VERSION, version);
  curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, fresh ? 1L : 0L);
  curl_easy_setopt(c, CURLOPT_FORBID_REUSE, fresh ? 1L : 0L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(timeout_seconds_));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(std::min(10, timeout_seconds_)));
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, list.get());
  if (basic_auth_) {
    curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(c, CURLOPT_USERNAME, user_.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, password_.c_str());
  }
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.empty() ? "" : body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &answer.body);
  const CURLcode rc = curl_easy_perform(c);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &answer.status);
  curl_header* h = nullptr;
  if (rc == CURLE_OK && answer_header &&
      curl_easy_header(c, answer_header, 0, CURLH_HEADER, -1, &h) == CURLHE_OK)
    answer.header = h->value;
  // The handle outlives this call's buffers and header list.
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, nullptr);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, nullptr);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, nullptr);
  answer.answered = rc == CURLE_OK;
  if (!answer.answered) answer.error = error[0] ? error : curl_easy_strerror(rc);
  return answer;
}

void HttpPost::UseBasicAuth(std::string user, std::string password) {
  basic_auth_ = true;
  user_ = std::move(user);
  password_ = std::move(password);
}

std::string HttpPost::Escape(std::string_view s) {
  std::string out;
  for (unsigned char ch : s) {
    if (std::isalnum(ch) || ch == '-' || ch == '.' || ch == '_' || ch == '~')
      out += static_cast<char>(ch);
    else
      out += fmt::format("%{:02X}", ch);
  }
  return out;
}

std::optional<UrlParts> ParseUrl(const std::string& url) {
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> parsed(curl_url(), &curl_url_cleanup);
  if (!parsed || curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK)
    return std::nullopt;
  auto part = [&](CURLUPart which) -> std::optional<std::string> {
    char* text = nullptr;
    if (curl_url_get(parsed.get(), which, &text, 0) != CURLUE_OK) return std::nullopt;
    std::string out = text;
    curl_free(text);
    return out;
  };
  return UrlParts{part(CURLUPART_SCHEME), part(CURLUPART_HOST), part(CURLUPART_PORT)};
}

std::string AnswerSummary(long status, std::string_view detail) {
  constexpr size_t kMaxDetailBytes = 500;
  if (detail.empty()) return fmt::format("{}", status);
  return fmt::format("{} {}", status, detail.substr(0, kMaxDetailBytes));
}

}  // namespace cdp::delivery
