// Delivery sinks for end-to-end tests: real servers on loopback that record what they
// receive. SmtpSink runs tests/support/smtp_sink.py (python3-aiosmtpd) and HttpSink
// tests/support/http_sink.py (an SMS provider in Twilio's format); see those files for the
// record fields and the `answers` format (per-address status codes to answer in turn).
// Not thread-safe.
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

}  // namespace cdp::testing
