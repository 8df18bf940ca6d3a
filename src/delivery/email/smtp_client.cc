#include "delivery/email/smtp_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <vector>

#include "core/base64.h"
#include "core/status.h"

namespace cdp::delivery {
namespace {

using Clock = std::chrono::steady_clock;
using Kind = SmtpResult::Kind;

constexpr size_t kReadChunk = 16 * 1024;
constexpr size_t kMaxReplyLine = 4096;  // RFC 5321 allows 512; be lenient, but bounded
constexpr size_t kMaxReplyLines = 200;
// A server may give up on a transaction that waits too long for its content (Postfix: 421
// after 300 s). Content for an envelope written longer ago than this is sent only after
// checking that the server has not spoken meanwhile.
constexpr std::chrono::seconds kStaleEnvelope{1};

std::string SysError(std::string_view what) {
  return fmt::format("{}: {}", what, std::strerror(errno));
}

std::string TlsError(std::string_view what) {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return std::string(what);
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return fmt::format("{}: {}", what, buf);
}

// OpenSSL's own socket BIO writes with write(2), which raises SIGPIPE on a connection the
// server closed; this one sends with MSG_NOSIGNAL. Reads and writes block up to the socket's
// SO_RCVTIMEO / SO_SNDTIMEO and then report "retry", which the caller turns into a timeout.
int BioWrite(BIO* b, const char* data, size_t len, size_t* written) {
  BIO_clear_retry_flags(b);
  const ssize_t n = ::send(BIO_get_fd(b, nullptr), data, len, MSG_NOSIGNAL);
  if (n >= 0) {
    *written = static_cast<size_t>(n);
    return 1;
  }
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) BIO_set_retry_write(b);
  return 0;
}

int BioRead(BIO* b, char* data, size_t len, size_t* read) {
  BIO_clear_retry_flags(b);
  const ssize_t n = ::recv(BIO_get_fd(b, nullptr), data, len, 0);
  if (n > 0) {
    *read = static_cast<size_t>(n);
    return 1;
  }
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) BIO_set_retry_read(b);
  return 0;
}

long BioCtrl(BIO* b, int cmd, long num, void* ptr) {
  switch (cmd) {
    case BIO_C_SET_FD:
      BIO_set_data(b, reinterpret_cast<void*>(static_cast<intptr_t>(*static_cast<int*>(ptr))));
      BIO_set_init(b, 1);
      return 1;
    case BIO_C_GET_FD:
      if (ptr)
        *static_cast<int*>(ptr) = static_cast<int>(reinterpret_cast<intptr_t>(BIO_get_data(b)));
      return static_cast<int>(reinterpret_cast<intptr_t>(BIO_get_data(b)));
    case BIO_CTRL_FLUSH:
      return 1;
    default:
      (void)num;
      return 0;
  }
}

const BIO_METHOD* SocketMethod() {
  static const BIO_METHOD* method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "cdp smtp socket");
    BIO_meth_set_write_ex(m, BioWrite);
    BIO_meth_set_read_ex(m, BioRead);
    BIO_meth_set_ctrl(m, BioCtrl);
    return m;
  }();
  return method;
}

bool IsIpLiteral(const std::string& host) {
  in6_addr a6;
  in_addr a4;
  return inet_pton(AF_INET, host.c_str(), &a4) == 1 || inet_pton(AF_INET6, host.c_str(), &a6) == 1;
}

struct Reply {
  int code = 0;
  std::vector<std::string> lines;  // text after the code, one per line
  // "550 no such mailbox": the code and the last line, as recorded with a message.
  std::string Summary() const {
    return lines.empty() || lines.back().empty() ? std::to_string(code)
                                                 : fmt::format("{} {}", code, lines.back());
  }
  bool Positive() const { return code >= 200 && code < 300; }
};

SmtpResult Refused(const Reply& r) {
  return {r.code >= 500 && r.code < 600 ? Kind::kPermanent : Kind::kTransient, r.Summary()};
}

// One connection: a socket, maybe wrapped in TLS, with a read buffer.
class Wire {
 public:
  ~Wire() { Close(); }

  bool open() const { return fd_ >= 0; }

  Status Connect(const std::string& host, int port, std::chrono::milliseconds timeout) {
    Close();
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    const std::string service = std::to_string(port);
    if (int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0)
      return Unavailable(fmt::format("cannot resolve {}: {}", host, gai_strerror(rc)));
    std::string why = "no address";
    const auto deadline = Clock::now() + timeout;
    for (addrinfo* a = found; a; a = a->ai_next) {
      int fd =
          ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
      if (fd < 0) {
        why = SysError("socket");
        continue;
      }
      if (::connect(fd, a->ai_addr, a->ai_addrlen) != 0 && errno != EINPROGRESS) {
        why = SysError("connect");
        ::close(fd);
        continue;
      }
      pollfd p{fd, POLLOUT, 0};
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      int ready = ::poll(&p, 1, static_cast<int>(std::max<int64_t>(0, left.count())));
      int err = 0;
      socklen_t len = sizeof err;
      if (ready <= 0) {
        why = ready == 0 ? "connect: timed out" : SysError("poll");
      } else if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
        errno = err;
        why = SysError("connect");
      } else {
        fd_ = fd;
        break;
      }
      ::close(fd);
    }
    ::freeaddrinfo(found);
    if (fd_ < 0) return Unavailable(fmt::format("cannot connect to {}:{}: {}", host, port, why));
    // Blocking from here on, each call bounded by the timeout.
    ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) & ~O_NONBLOCK);
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    timeval tv{static_cast<time_t>(timeout.count() / 1000),
               static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    return Status::Ok();
  }

  Status StartTls(SSL_CTX* ctx, const std::string& host, Clock::time_point deadline) {
    ssl_ = SSL_new(ctx);
    if (!ssl_) return Unavailable(TlsError("TLS setup failed"));
    BIO* bio = BIO_new(SocketMethod());
    BIO_set_fd(bio, fd_, BIO_NOCLOSE);
    SSL_set_bio(ssl_, bio, bio);
    if (IsIpLiteral(host)) {
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), host.c_str());
    } else {
      SSL_set_tlsext_host_name(ssl_, host.c_str());
      SSL_set1_host(ssl_, host.c_str());
    }
    for (;;) {
      const int rc = SSL_connect(ssl_);
      if (rc == 1) return Status::Ok();
      const int e = SSL_get_error(ssl_, rc);
      if ((e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) && Clock::now() < deadline)
        continue;
      if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
        return Unavailable("TLS handshake timed out");
      if (long v = SSL_get_verify_result(ssl_); v != X509_V_OK) {
        ERR_clear_error();
        return Unavailable(fmt::format("the server's certificate is not trusted: {}",
                                       X509_verify_cert_error_string(v)));
      }
      return Unavailable(TlsError("TLS handshake failed"));
    }
  }

  Status Write(std::string_view data, Clock::time_point deadline) {
    while (!data.empty()) {
      size_t n = 0;
      if (ssl_) {
        if (SSL_write_ex(ssl_, data.data(), data.size(), &n) != 1) {
          const int e = SSL_get_error(ssl_, 0);
          if (e == SSL_ERROR_WANT_WRITE && Clock::now() < deadline) continue;
          return Unavailable(e == SSL_ERROR_WANT_WRITE ? "sending timed out"
                                                       : TlsError("the connection was lost"));
        }
      } else {
        const ssize_t sent = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
        if (sent < 0) {
          if ((errno == EAGAIN || errno == EINTR) && Clock::now() < deadline) continue;
          return Unavailable(errno == EAGAIN ? "sending timed out"
                                             : SysError("the connection was lost"));
        }
        n = static_cast<size_t>(sent);
      }
      data.remove_prefix(n);
    }
    return Status::Ok();
  }

  // The next reply (all its lines). Unavailable when the connection fails or the deadline
  // passes (message says which), or when the server sends something that is not a reply.
  Result<Reply> ReadReply(Clock::time_point deadline) {
    Reply reply;
    for (;;) {
      const size_t eol = in_.find("\r\n", pos_);
      if (eol == std::string::npos) {
        if (in_.size() - pos_ > kMaxReplyLine)
          return Unavailable("the server's answer is too long");
        if (Status st = Fill(deadline); !st.ok()) return st;
        continue;
      }
      std::string_view line(in_.data() + pos_, eol - pos_);
      pos_ = eol + 2;
      if (line.size() < 3 || line[0] < '2' || line[0] > '5' || line[1] < '0' || line[1] > '9' ||
          line[2] < '0' || line[2] > '9' || (line.size() > 3 && line[3] != ' ' && line[3] != '-'))
        return Unavailable(fmt::format("the server answered '{}'", line.substr(0, 80)));
      const int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
      if (!reply.lines.empty() && code != reply.code)
        return Unavailable("the server's multi-line answer changes its code");
      reply.code = code;
      reply.lines.emplace_back(line.size() > 4 ? line.substr(4) : std::string_view());
      if (line.size() <= 3 || line[3] == ' ') {
        if (pos_ == in_.size()) {
          in_.clear();
          pos_ = 0;
        }
        return reply;
      }
      if (reply.lines.size() > kMaxReplyLines)
        return Unavailable("the server's answer is too long");
    }
  }

  // Whether unread bytes wait in the buffer (a server answering out of turn).
  bool Buffered() const { return pos_ < in_.size(); }

  // Whether the server said something, or closed the connection, that was not read yet.
  bool Readable() const {
    if (Buffered() || (ssl_ && SSL_pending(ssl_) > 0)) return true;
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, 0) > 0;
  }

  void Close() {
    if (ssl_) SSL_free(ssl_);  // frees the BIO, not the socket
    ssl_ = nullptr;
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    in_.clear();
    pos_ = 0;
  }

 private:
  Status Fill(Clock::time_point deadline) {
    if (pos_ > 0) {
      in_.erase(0, pos_);
      pos_ = 0;
    }
    const size_t have = in_.size();
    in_.resize(have + kReadChunk);
    for (;;) {
      size_t n = 0;
      bool retry = false;
      std::string failure;
      if (ssl_) {
        if (SSL_read_ex(ssl_, in_.data() + have, kReadChunk, &n) != 1) {
          const int e = SSL_get_error(ssl_, 0);
          retry = e == SSL_ERROR_WANT_READ;
          failure = e == SSL_ERROR_ZERO_RETURN ? "the server closed the connection"
                                               : TlsError("the connection was lost");
        }
      } else {
        const ssize_t got = ::recv(fd_, in_.data() + have, kReadChunk, 0);
        if (got > 0) {
          n = static_cast<size_t>(got);
        } else if (got == 0) {
          failure = "the server closed the connection";
        } else {
          retry = errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
          failure = SysError("the connection was lost");
        }
      }
      if (n > 0) {
        in_.resize(have + n);
        return Status::Ok();
      }
      if (retry && Clock::now() < deadline) continue;
      in_.resize(have);
      return Unavailable(retry ? "timed out waiting for the server's answer" : failure);
    }
  }

  int fd_ = -1;
  SSL* ssl_ = nullptr;
  std::string in_;
  size_t pos_ = 0;
};

std::string LocalName() {
  char buf[256] = "";
  if (::gethostname(buf, sizeof buf - 1) != 0 || !buf[0]) return "localhost";
  return buf;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

}  // namespace

std::string DotStuffed(std::string_view content) {
  std::string out;
  out.reserve(content.size() + content.size() / 64 + 8);
  bool line_start = true;
  for (char c : content) {
    if (line_start && c == '.') out += '.';
    out += c;
    line_start = c == '\n';
  }
  if (!out.empty() && !out.ends_with("\r\n")) out += "\r\n";
  out += ".\r\n";
  return out;
}

class SmtpClient::Impl {
 public:
  explicit Impl(SmtpOptions o) : o_(std::move(o)) {
    if (o_.helo_name.empty()) o_.helo_name = LocalName();
  }
  ~Impl() {
    if (ctx_) SSL_CTX_free(ctx_);
  }

  void Quit() {
    // A connection waiting for content cannot say QUIT: dropping it abandons the message.
    if (wire_.open() && !started_)
      (void)wire_.Write("QUIT\r\n", Clock::now() + std::chrono::milliseconds(100));
    Drop();
  }

  SmtpResult Send(const SmtpEnvelope& envelope, std::string_view content,
                  const SmtpEnvelope* next) {
    const std::string data = DotStuffed(content);
    for (int attempt = 0;; ++attempt) {
      if (started_ && !(*started_ == envelope)) Drop();
      const bool reused = wire_.open();
      if (!reused) {
        if (auto failed = Open()) {
          Drop();
          return *failed;
        }
      }
      bool content_written = false;
      SmtpResult r = Transaction(envelope, data, next, content_written);
      // A kept connection the server dropped meanwhile (idle timeout, restart) shows up at
      // the first command: the message was not sent, so it goes once more on a new one.
      if (dead_) Drop();
      if (r.kind == Kind::kTransient && reused && !content_written && attempt == 0 && !wire_.open())
        continue;
      return r;
    }
  }

 private:
  void Drop() {
    wire_.Close();
    started_.reset();
    need_rset_ = false;
    pipelining_ = false;
    dead_ = false;
  }

  Clock::time_point Deadline() const { return Clock::now() + o_.timeout; }

  SmtpResult Lost(const Status& st) {
    dead_ = true;
    return {Kind::kTransient, std::string(st.message())};
  }

  // Reads one reply; on failure marks the connection dead. 421 is the server closing the
  // connection (RFC 5321 3.8), whatever the command.
  std::optional<Reply> Read(SmtpResult& failure) {
    auto r = wire_.ReadReply(Deadline());
    if (!r.ok()) {
      failure = Lost(r.status());
      return std::nullopt;
    }
    if (r->code == 421) {
      dead_ = true;
      failure = {Kind::kTransient, r->Summary()};
      return std::nullopt;
    }
    return std::move(r).value();
  }

  bool Write(std::string_view data, SmtpResult& failure) {
    if (Status st = wire_.Write(data, Deadline()); !st.ok()) {
      failure = Lost(st);
      return false;
    }
    return true;
  }

  // A reply to one command of a dialogue; nullopt when it came and was `expected`.
  std::optional<SmtpResult> Expect(std::string_view command, int expected) {
    SmtpResult failure;
    if (!command.empty() && !Write(command, failure)) return failure;
    auto reply = Read(failure);
    if (!reply) return failure;
    if (reply->code == expected || (expected == 250 && reply->Positive())) return std::nullopt;
    dead_ = true;  // the dialogue is off its tracks: start over next time
    return Refused(*reply);
  }

  // Connects, greets, secures and authenticates; nullopt when ready for a transaction.
  std::optional<SmtpResult> Open() {
    const auto deadline = Deadline();
    if (Status st = wire_.Connect(o_.host, o_.port, o_.timeout); !st.ok())
      return SmtpResult{Kind::kTransient, std::string(st.message())};
    if (o_.security == "tls") {
      if (auto failed = Secure(deadline)) return failed;
    }
    if (auto failed = Expect("", 220)) return failed;
    if (auto failed = Hello()) return failed;
    if (o_.security == "starttls") {
      if (!starttls_) return SmtpResult{Kind::kTransient, "the server does not offer STARTTLS"};
      if (auto failed = Expect("STARTTLS\r\n", 220)) return failed;
      if (wire_.Buffered()) return SmtpResult{Kind::kTransient, "the server spoke out of turn"};
      if (auto failed = Secure(Deadline())) return failed;
      if (auto failed = Hello()) return failed;
    }
    if (!o_.username.empty() && !auth_.empty()) {
      if (auto failed = Authenticate()) return failed;
    }
    return std::nullopt;
  }

  std::optional<SmtpResult> Secure(Clock::time_point deadline) {
    if (!ctx_) {
      ctx_ = SSL_CTX_new(TLS_client_method());
      if (!ctx_) return SmtpResult{Kind::kTransient, TlsError("TLS setup failed")};
      SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
      SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
      const int loaded = o_.ca_file.empty()
                             ? SSL_CTX_set_default_verify_paths(ctx_)
                             : SSL_CTX_load_verify_locations(ctx_, o_.ca_file.c_str(), nullptr);
      if (loaded != 1) {
        SmtpResult r{Kind::kTransient, TlsError("cannot load the trusted certificates")};
        SSL_CTX_free(ctx_);
        ctx_ = nullptr;
        return r;
      }
    }
    if (Status st = wire_.StartTls(ctx_, o_.host, deadline); !st.ok())
      return SmtpResult{Kind::kTransient, std::string(st.message())};
    return std::nullopt;
  }

  // EHLO, and HELO when the server refuses it; reads the extensions.
  std::optional<SmtpResult> Hello() {
    pipelining_ = starttls_ = false;
    auth_.clear();
    SmtpResult failure;
    if (!Write(fmt::format("EHLO {}\r\n", o_.helo_name), failure)) return failure;
    auto reply = Read(failure);
    if (!reply) return failure;
    if (!reply->Positive()) {
      if (reply->code < 500) return Refused(*reply);
      return Expect(fmt::format("HELO {}\r\n", o_.helo_name), 250);
    }
    for (size_t i = 1; i < reply->lines.size(); ++i) {
      const std::string line = Upper(reply->lines[i]);
      if (line == "PIPELINING") pipelining_ = true;
      if (line == "STARTTLS") starttls_ = true;
      if (line.starts_with("AUTH ") || line.starts_with("AUTH=")) {
        for (size_t at = 5; at < line.size();) {
          size_t end = line.find(' ', at);
          if (end == std::string::npos) end = line.size();
          if (end > at) auth_.push_back(line.substr(at, end - at));
          at = end + 1;
        }
      }
    }
    return std::nullopt;
  }

  std::optional<SmtpResult> Authenticate() {
    auto offered = [&](std::string_view m) {
      return std::find(auth_.begin(), auth_.end(), m) != auth_.end();
    };
    if (offered("PLAIN")) {
      const std::string token = std::string(1, '\0') + o_.username + '\0' + o_.password;
      return Expect(fmt::format("AUTH PLAIN {}\r\n", Base64(token)), 235);
    }
    if (offered("LOGIN")) {
      if (auto failed = Expect("AUTH LOGIN\r\n", 334)) return failed;
      if (auto failed = Expect(Base64(o_.username) + "\r\n", 334)) return failed;
      return Expect(Base64(o_.password) + "\r\n", 235);
    }
    return SmtpResult{Kind::kTransient,
                      "the server offers no AUTH mechanism cdp supports (PLAIN, LOGIN)"};
  }

  static std::string Commands(const SmtpEnvelope& e) {
    return fmt::format("MAIL FROM:<{}>\r\nRCPT TO:<{}>\r\nDATA\r\n", e.from, e.to);
  }

  // One message on an open connection. Sets dead_ when the connection is no longer usable.
  SmtpResult Transaction(const SmtpEnvelope& envelope, const std::string& data,
                         const SmtpEnvelope* next, bool& content_written) {
    SmtpResult failure;
    const bool pipelined = started_.has_value() || pipelining_;
    const bool stale = started_ && Clock::now() - started_at_ > kStaleEnvelope;
    if (!started_) {
      std::string commands = need_rset_ ? "RSET\r\n" : "";
      if (pipelined) commands += Commands(envelope);
      if (!commands.empty() && !Write(commands, failure)) return failure;
      if (need_rset_) {
        need_rset_ = false;
        auto rset = Read(failure);
        if (!rset) return failure;
        if (!rset->Positive()) {
          dead_ = true;
          return Refused(*rset);
        }
      }
    }
    started_.reset();
    // The envelope's replies: MAIL, RCPT, DATA, in turn (each written now unless pipelined).
    std::optional<SmtpResult> refused;
    const std::string lines[] = {fmt::format("MAIL FROM:<{}>\r\n", envelope.from),
                                 fmt::format("RCPT TO:<{}>\r\n", envelope.to), "DATA\r\n"};
    for (int k = 0; k < 3; ++k) {
      if (!pipelined) {
        if (refused) break;
        if (!Write(lines[k], failure)) return failure;
      }
      auto reply = Read(failure);
      if (!reply) return failure;
      if (k < 2 && !reply->Positive() && !refused) refused = Refused(*reply);
      if (k == 2 && reply->code != 354) {
        if (!refused) refused = Refused(*reply);
      } else if (k == 2 && refused) {
        // A server that starts DATA despite a refused MAIL or RCPT gets an empty message,
        // ended at once (RFC 2920 3.1).
        if (!Write(".\r\n", failure)) return failure;
        if (!Read(failure)) return failure;
      }
    }
    if (refused) {
      need_rset_ = true;
      return *refused;
    }
    if (stale && wire_.Readable()) {
      dead_ = true;  // closing, or closed: the content goes on a new connection
      return {Kind::kTransient, "the server closed the connection"};
    }
    std::string out = data;
    if (next && pipelining_) out += Commands(*next);
    if (!Write(out, failure)) return failure;
    content_written = true;
    if (next && pipelining_) {
      started_ = *next;
      started_at_ = Clock::now();
    }
    auto reply = Read(failure);
    if (!reply) return failure;
    if (reply->Positive()) return {Kind::kAccepted, reply->Summary()};
    return Refused(*reply);
  }

  SmtpOptions o_;
  SSL_CTX* ctx_ = nullptr;
  Wire wire_;
  bool pipelining_ = false, starttls_ = false;
  std::vector<std::string> auth_;
  // The envelope written behind the last content, whose replies are still to be read.
  std::optional<SmtpEnvelope> started_;
  Clock::time_point started_at_;
  bool need_rset_ = false;  // a refused transaction is to be reset before the next
  bool dead_ = false;       // the connection is to be dropped
};

SmtpClient::SmtpClient(SmtpOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

SmtpClient::~SmtpClient() { impl_->Quit(); }

SmtpResult SmtpClient::Send(const SmtpEnvelope& envelope, std::string_view content,
                            const SmtpEnvelope* next) {
  return impl_->Send(envelope, content, next);
}

}  // namespace cdp::delivery
