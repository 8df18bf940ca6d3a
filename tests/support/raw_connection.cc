#include "support/raw_connection.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

namespace cdp::testing {

using Clock = std::chrono::steady_clock;

RawConnection::RawConnection(uint16_t port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    const int error = errno;
    ::close(fd_);
    throw std::runtime_error(std::string("connect: ") + std::strerror(error));
  }
}

RawConnection::~RawConnection() { ::close(fd_); }

bool RawConnection::Send(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool RawConnection::ReadSome(std::chrono::milliseconds wait) {
  if (closed_) return false;
  pollfd p{fd_, POLLIN, 0};
  const int ready = ::poll(&p, 1, static_cast<int>(wait.count()));
  if (ready <= 0) return true;
  char buf[4096];
  const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
  if (n <= 0) {
    closed_ = true;  // EOF, or reset
    return false;
  }
  received_.append(buf, static_cast<size_t>(n));
  return true;
}

bool RawConnection::ClosedWithin(std::chrono::milliseconds wait) {
  const auto deadline = Clock::now() + wait;
  while (!closed_) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) break;
    ReadSome(left);
  }
  return closed_;
}

int RawConnection::ReadResponse(std::chrono::milliseconds wait) {
  const auto deadline = Clock::now() + wait;
  for (;;) {
    const size_t end = received_.find("\r\n\r\n");
    if (end != std::string::npos) {
      // "HTTP/1.1 200 OK", then headers; the body is Content-Length bytes.
      size_t length = 0;
      size_t at = 0;
      while ((at = received_.find("\r\n", at)) != std::string::npos && at < end) {
        at += 2;
        constexpr std::string_view kLength = "content-length:";
        if (received_.size() > at + kLength.size() &&
            strncasecmp(received_.data() + at, kLength.data(), kLength.size()) == 0)
          length = std::strtoul(received_.c_str() + at + kLength.size(), nullptr, 10);
      }
      if (received_.size() >= end + 4 + length) {
        const int status = received_.size() > 12 ? std::atoi(received_.c_str() + 9) : 0;
        received_.erase(0, end + 4 + length);
        return status;
      }
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0 || !ReadSome(left)) return 0;
  }
}

}  // namespace cdp::testing
