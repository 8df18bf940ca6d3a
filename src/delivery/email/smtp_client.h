// SmtpClient: one SMTP connection (RFC 5321) kept open from message to message, over plain
// sockets and OpenSSL. It greets with EHLO (HELO when refused), upgrades with STARTTLS or
// starts in TLS as configured, verifying the server's certificate and name against the
// system's trusted roots, authenticates with AUTH PLAIN or LOGIN when given a username and
// the server offers them, and pipelines commands (RFC 2920) when the server advertises
// PIPELINING: MAIL, RCPT and DATA go in one write, and a message's content may carry the
// next message's envelope behind it, so that a run of messages costs one round trip each.
// A dropped or timed-out connection is reopened by the next Send. Used by one thread at a
// time (the email Sender); not thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace cdp::delivery {

struct SmtpOptions {
  std::string host;
  int port = 587;
  std::string security = "starttls";  // none | starttls (required) | tls (implicit)
  std::string username;               // AUTH when not empty
  std::string password;
  // Waiting for a connection, a TLS handshake or one answer of the server.
  std::chrono::milliseconds timeout{30000};
  // PEM file of the certificates to trust instead of the system's (tests).
  std::string ca_file;
  // The name given in EHLO; this host's name when empty.
  std::string helo_name;
};

// Addresses without angle brackets.
struct SmtpEnvelope {
  std::string from;
  std::string to;
  bool operator==(const SmtpEnvelope&) const = default;
};

struct SmtpResult {
  enum class Kind {
    kAccepted,   // the server took the message (2xx after the content)
    kTransient,  // 4xx, no answer, timeout, connection or TLS failure: worth retrying
    kPermanent,  // 5xx
  };
  Kind kind = Kind::kAccepted;
  std::string response;  // the server's last answer, or what went wrong
};

class SmtpClient {
 public:
  explicit SmtpClient(SmtpOptions options);
  ~SmtpClient();  // QUIT, unless a message's content is due (then the connection is dropped)
  SmtpClient(const SmtpClient&) = delete;
  SmtpClient& operator=(const SmtpClient&) = delete;

  // Sends one message: `content` is its header and body with CRLF line ends, not
  // dot-stuffed. Connects first when there is no open connection; a connection that turns
  // out dead before the content was written is reopened once. With `next`, and when the
  // server pipelines, next's MAIL, RCPT and DATA are written right behind the content: the
  // following Send must then be for `next` (another envelope costs the connection).
  SmtpResult Send(const SmtpEnvelope& envelope, std::string_view content,
                  const SmtpEnvelope* next = nullptr);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// `content` with every line that starts with '.' given one more (RFC 5321 4.5.2) and the
// ending "CRLF.CRLF" (a CRLF first unless it ends in one).
std::string DotStuffed(std::string_view content);

}  // namespace cdp::delivery
