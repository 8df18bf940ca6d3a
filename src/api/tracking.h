// The tracking API (/v1): Segment's HTTP Tracking API as its SDKs and RudderStack's really
// use it, authenticated by a source's write key. docs/sdk.md says what maps to what.
//
//   POST /v1/identify /v1/track /v1/page /v1/screen /v1/group /v1/alias   one call
//   POST /v1/batch (and analytics.js's /v1/b)                              {"batch":[...]}
//   POST /v1/i /v1/t /v1/p /v1/s /v1/g /v1/a                               analytics.js
//   OPTIONS on each                                                         CORS preflight
//
// Admission, in order: the body (gzip inflated, at most kMaxBatchBytes; JSON whatever the
// Content-Type, since browsers send text/plain), the write key (Basic auth, or "writeKey"
// in the body), the page's Origin against the source's allowed origins, the brand's
// "tracking" rate limit. Answers: 200 {"success":true} once every valid message is durable;
// invalid messages of a batch are dropped and counted (a batch is still a 200, since SDKs
// drop a 4xx batch whole); 400 for a body that cannot be read or a lone invalid call; 401
// for a bad, revoked or missing key; 413 over the size limits; 429 with Retry-After; 503
// when the store cannot write now (SDKs retry 5xx and 429). Each call is recorded for the
// source's debugger (tracking/call_log.h).
#pragma once

#include "api/services.h"
#include "http/router.h"

namespace cdp::api {

void AddTrackingRoutes(http::Router& router, Services& services);

}  // namespace cdp::api
