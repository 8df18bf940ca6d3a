// gzip for tests: what an SDK sends with Content-Encoding: gzip.
#pragma once

#include <string>

namespace cdp::testing {

// `text` as one gzip member, at the best compression.
std::string Gzip(const std::string& text);

}  // namespace cdp::testing
