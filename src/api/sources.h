// The Sources API: a brand's sources and the debugger's record of each source's latest
// calls to the tracking API (/v1), read with the brand's API key (docs/access.md). Sources
// and their write keys are made by `cdp source`; no key or hash is ever answered here.
#pragma once

#include "api/services.h"
#include "http/message.h"

namespace cdp::api {

// POST /api/v1/source/list: {} -> {"sources": [{id, name, allowed_origins, created_at,
// revoked, revoked_at}]}, oldest first, revoked ones included.
http::Response ListSources(const Call& call, Services& services);
// POST /api/v1/source/debugger: {"source_id", "limit" (1..100, default 100)} -> {"calls":
// [{at, path, status, accepted, rejected, detail}]}, newest first; 404 for an unknown source.
http::Response SourceDebugger(const Call& call, Services& services);

}  // namespace cdp::api
