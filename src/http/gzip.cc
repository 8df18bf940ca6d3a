#include "http/gzip.h"

#include <fmt/format.h>
#include <zlib.h>

namespace cdp::http {

Result<std::string> Gunzip(std::string_view gzipped, size_t max_bytes) {
  z_stream z{};
  // 16 + MAX_WBITS: a gzip header and trailer, not a raw zlib stream.
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return Internal("cannot start inflating");
  std::string out;
  char chunk[16384];
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gzipped.data()));
  z.avail_in = static_cast<uInt>(gzipped.size());
  Status result;
  for (;;) {
    z.next_out = reinterpret_cast<Bytef*>(chunk);
    z.avail_out = sizeof chunk;
    const int rc = inflate(&z, Z_NO_FLUSH);
    const size_t produced = sizeof chunk - z.avail_out;
    if (out.size() + produced > max_bytes) {
      result = Status(Code::kPayloadTooLarge,
                      fmt::format("the gzipped body inflates to more than {} bytes", max_bytes));
      break;
    }
    out.append(chunk, produced);
    if (rc == Z_STREAM_END) {
      if (z.avail_in == 0) break;
      // Another gzip member follows.
      if (inflateReset(&z) != Z_OK) {
        result = InvalidArgument("the body is not valid gzip");
        break;
      }
      continue;
    }
    if (rc == Z_OK) continue;
    if (rc == Z_BUF_ERROR && z.avail_in == 0) {
      result = InvalidArgument("the gzipped body ends early");
      break;
    }
    result = InvalidArgument(std::string("the body is not valid gzip: ") +
                             (z.msg ? z.msg : "corrupt data"));
    break;
  }
  inflateEnd(&z);
  if (!result.ok()) return result;
  return out;
}

}  // namespace cdp::http
