// The route table of the whole HTTP API.
#pragma once

#include "api/services.h"
#include "http/router.h"

namespace cdp::api {

// Registers every endpoint on `router`: each API route at /api/v1/PATH and, when
// `services.sessions` is set, at /dashboard/api/v1/PATH too (an operator's session in place
// of the key), with the dashboard's own calls. `services` must outlive the router.
void AddRoutes(http::Router& router, Services& services);

}  // namespace cdp::api
