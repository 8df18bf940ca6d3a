// Inflating request bodies sent with Content-Encoding: gzip (RudderStack's SDKs gzip by
// default). The inflated size is bounded, so a small compressed bomb costs no memory.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/status.h"

namespace cdp::http {

// The inflated form of `gzipped` (a gzip stream, or several concatenated). PayloadTooLarge
// (413) as soon as it passes `max_bytes`; InvalidArgument (400) when it is not gzip, is
// corrupt or ends early.
Result<std::string> Gunzip(std::string_view gzipped, size_t max_bytes);

}  // namespace cdp::http
