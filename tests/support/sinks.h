// Delivery sinks for end-to-end tests: real servers on loopback that record what they
// receive. SmtpSink runs tests/support/smtp_sink.py (python3-aiosmtpd), HttpSink
// tests/support/http_sink.py (an SMS provider in Twilio's format), WebPushSink
// tests/support/webpush_sink.py (a push service that checks VAPID and decrypts), FcmSink
// tests/support/fcm_sink.py (Google's token endpoint and FCM v1) and ApnsSink
// tests/support/apns_sink.py (APNs over h2c, python3-h2); see those files for the record
// fields and the `answers` format (per-recipient answers in turn). Not thread-safe.
#pragma once

#include <sys/types.h>

#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace cdp::testing {

class SinkProcess {
 public:
  // Starts `/usr/bin/python3 script out_file answers_json [options_json]` and reads its port;
  // throws when it prints none within 10 s.
  SinkProcess(const std::string& script, const std::string& dir, const std::string& answers,
              const std::string& options = "{}");
  ~SinkProcess();
  SinkProcess(const SinkProcess&) = delete;
  SinkProcess& operator=(const SinkProcess&) = delete;

  uint16_t port() const { return port_; }
  // Everything received so far, one JSON object per message.
  std::vector<boost::json::value> Records() const;
  // Waits until at least `n` records arrived (or `timeout` passed) and returns them.
  std::vector<boost::json::value> WaitFor(size_t n, std::chrono::seconds timeout) const;

 private:
  std::string out_path_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

// The SMTP sink: records from, to, subject, message_id, reply_to, list_unsubscribe,
// list_unsubscribe_post, text, html (and login after AUTH). `options` turn on TLS, AUTH and
// other server behaviours (see smtp_sink.py).
class SmtpSink : public SinkProcess {
 public:
  explicit SmtpSink(const std::string& dir, const std::string& answers = "{}",
                    const std::string& options = "{}");
};

// The SMS provider sink: records path, authorization, content_type, form.
class HttpSink : public SinkProcess {
 public:
  explicit HttpSink(const std::string& dir, const std::string& answers = "{}");
};

// The Web Push sink: records path, status, ttl, urgency, content_encoding, content_type,
// body_length, vapid_ok, vapid_error, vapid_token, vapid_claims, vapid_key and payload (the
// decrypted JSON) or decrypt_error. `answers` is {"subscribers": {path: {"private_key",
// "auth"}}, "answers": {path: [status or {"status", "body", "delay"}, ...]}} (see
// webpush_sink.py); its origin is
// http://127.0.0.1:PORT.
class WebPushSink : public SinkProcess {
 public:
  explicit WebPushSink(const std::string& dir, const std::string& answers = "{}");
  std::string Origin() const;
};

// A browser's side of a push subscription, all base64url: the P-256 private scalar (for the
// sink), the public point (p256dh) and the 16-byte auth secret, freshly generated.
struct WebPushBrowserKeys {
  std::string private_key, p256dh, auth;
};
WebPushBrowserKeys NewWebPushBrowserKeys();

// Google's OAuth token endpoint and FCM's v1 send endpoint: records {"kind":"token",...} per
// token request and {"kind":"message", path, authorization_ok, message, ...} per send.
class FcmSink : public SinkProcess {
 public:
  explicit FcmSink(const std::string& dir, const std::string& answers = "{}");
  std::string base_url() const;   // FcmSettings::base_url
  std::string token_uri() const;  // FcmSettings::token_uri
};

// APNs' provider API over h2c (HTTP/2 only): records connection, stream_id, path,
// device_token, headers, jwt_ok, jwt, payload, status, reason per request.
class ApnsSink : public SinkProcess {
 public:
  explicit ApnsSink(const std::string& dir, const std::string& answers = "{}");
  std::string base_url() const;  // ApnsSettings::base_url
};

}  // namespace cdp::testing
