// HttpPost: a kept-alive libcurl handle that POSTs one request at a time and collects the
// answer, for the HTTP providers (delivery/sms/sms.cc; delivery/push/webpush.cc, fcm.cc,
// apns.cc); http and https only. It keeps curl.h out of their code. Not thread-safe: one
// provider, one thread at a time.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cdp::delivery {

class HttpPost {
 public:
  enum class Version {
    kDefault,  // libcurl's choice: HTTP/2 over TLS when the server offers it, else HTTP/1.1
    kHttp2,    // HTTP/2 only: negotiated over TLS for https, prior knowledge (h2c) for http
  };

  struct Answer {
    bool answered = false;  // false: no HTTP answer (refused, timed out, TLS or protocol error)
    std::string error;      // why not, when !answered
    long status = 0;
    std::string body;    // the first kMaxBodyBytes
    std::string header;  // the value of the header asked for, if the answer had it
  };
  static constexpr size_t kMaxBodyBytes = 64 * 1024;

  HttpPost(int timeout_seconds, Version version);
  ~HttpPost();
  HttpPost(const HttpPost&) = delete;
  HttpPost& operator=(const HttpPost&) = delete;

  // POSTs `body` to `url` with `headers` ("Name: value" lines) and waits for the answer,
  // at most the timeout given to the constructor. `answer_header` names a response header
  // to return in Answer::header.
  Answer Post(const std::string& url, const std::vector<std::string>& headers,
              std::string_view body, const char* answer_header = nullptr);

  // Sends HTTP basic authentication (user:password) with every later request.
  void UseBasicAuth(std::string user, std::string password);

  // The form encoding of `s` (RFC 3986 unreserved characters kept, others %XX).
  static std::string Escape(std::string_view s);

 private:
  void* curl_;  // CURL*
  int timeout_seconds_;
  Version version_;
  bool basic_auth_ = false;
  std::string user_, password_;
};

// The parts of a URL that providers check, as libcurl's URL parser reads them; a part is
// absent when the URL has none (the port, when it names none).
struct UrlParts {
  std::optional<std::string> scheme, host, port;
};
// nullopt when `url` is not a URL.
std::optional<UrlParts> ParseUrl(const std::string& url);

// What a message records of a provider's answer: "STATUS DETAIL", the detail (the body, or
// a reason taken from it) cut to its first 500 bytes; just "STATUS" when it is empty.
std::string AnswerSummary(long status, std::string_view detail);

}  // namespace cdp::delivery
