// Serving the dashboard: GET /dashboard/ is the page, /dashboard/PATH one of its files.
#pragma once

#include "http/message.h"

namespace cdp::web {

// The answer to a GET under /dashboard (the route prefix "/dashboard/", and "/dashboard"
// itself, which redirects). Files carry an ETag and are revalidated on each load
// (Cache-Control: no-cache), so a new binary's page is never mixed with an old one's
// scripts; 304 when If-None-Match matches. Every answer forbids framing and sniffing and
// sets a Content-Security-Policy that allows only the dashboard's own scripts.
http::Response Serve(const http::Request& req);

}  // namespace cdp::web
