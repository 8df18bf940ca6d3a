// The route table of the whole HTTP API.
#pragma once

#include "api/services.h"
#include "http/router.h"

namespace cdp::api {

// Registers every endpoint on `router`. `services` must outlive the router.
void AddRoutes(http::Router& router, Services& services);

}  // namespace cdp::api
