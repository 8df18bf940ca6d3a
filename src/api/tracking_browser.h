// What the tracking API (api/tracking.cc) does for browsers: CORS on answers and
// preflights, and the settings analytics.js loads before it sends.
#pragma once

#include <string_view>

#include "api/services.h"
#include "http/message.h"

namespace cdp::api {

// Names the calling page's `origin` (its Origin header) in Access-Control-Allow-Origin
// (with Vary: Origin), so that a page of any origin can read the answer; whether the source
// accepts that origin is checked once its key is known. Nothing for a call without Origin
// (a server).
void AddCors(std::string_view origin, http::Response& res);

// The answer to a CORS preflight (OPTIONS): POST from any origin, with the headers asked.
http::Response Preflight(const http::Request& req);

// GET /v1/projects/WRITE_KEY/settings: what analytics.js loads from its CDN before it sends,
// so that a page needs only `cdnURL` set to this server. It names where to send: this
// server's public URL. 401 for a key that is not active.
http::Response ProjectSettings(const http::Request& req, Services& services);

}  // namespace cdp::api
