// The brand's own account, as its API key sees it (docs/access.md): who it is, its keys
// (never their hashes) and the rate limits that apply to it.
#pragma once

#include "api/services.h"
#include "http/message.h"

namespace cdp::api {

// POST /api/v1/brand/get: {} -> {"brand":{id,name,created_at},"keys":[...],"limits":[...]}.
http::Response GetBrand(const Call& call, Services& services);

}  // namespace cdp::api
