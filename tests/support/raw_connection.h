// RawConnection: a plain TCP connection to a local server, for tests of how the server
// treats clients that misbehave at the connection level (never sending, dribbling bytes,
// holding connections open) where HttpClient would send a whole request at once.
// Not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace cdp::testing {

class RawConnection {
 public:
  // Connects to 127.0.0.1:port; throws when the connection cannot be made.
  explicit RawConnection(uint16_t port);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  // Sends all of `bytes`; false when the server has closed or reset the connection.
  bool Send(std::string_view bytes);
  // Waits up to `wait` for the server to close (or reset) the connection, keeping what it
  // sends before in received(). True when it closed.
  bool ClosedWithin(std::chrono::milliseconds wait);
  // Reads one HTTP response (headers and a Content-Length body) within `wait` and returns
  // its status code; 0 when the connection closes or `wait` passes first.
  int ReadResponse(std::chrono::milliseconds wait = std::chrono::seconds(10));
  // Bytes received and not yet consumed by ReadResponse.
  const std::string& received() const { return received_; }

 private:
  // Reads what arrives within `wait`: false once the connection is closed.
  bool ReadSome(std::chrono::milliseconds wait);

  int fd_ = -1;
  bool closed_ = false;
  std::string received_;
};

}  // namespace cdp::testing
