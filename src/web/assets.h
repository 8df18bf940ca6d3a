// The dashboard's files (src/web/app and the npm packages it uses), compiled into the
// binary at build time by src/web/embed.cmake: the page works with no other file and no
// internet.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

namespace cdp::web {

struct Asset {
  std::string_view path;          // relative to /dashboard/, e.g. "app.js", "vendor/uPlot.min.css"
  std::string_view content_type;  // with charset for text
  const unsigned char* data;
  size_t size;
  std::string_view etag;  // a quoted prefix of the file's SHA-256
};

// Every file, by path.
std::span<const Asset> Assets();

// The file at `path`, or null.
const Asset* FindAsset(std::string_view path);

}  // namespace cdp::web
