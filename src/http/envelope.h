// The response envelope of every API answer:
//   {"response":{"data":...,"message":"...","status":"success|queued|error"}}
// and the single mapping from Status codes to HTTP statuses.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <string_view>

#include "core/status.h"
#include "http/message.h"

namespace cdp::http {

int HttpStatusFor(Code code);

// An error envelope: HTTP status from the code, message from the Status, data from its details.
Response ErrorResponse(const Status& status);

// Sets the Retry-After that ErrorResponse gives a kUnavailable or kResourceExhausted answer
// (1 s) to `seconds`, e.g. until a rate-limit window ends.
void SetRetryAfter(Response& res, int64_t seconds);

// A success envelope with HTTP 200 (or `http_status`).
Response SuccessResponse(boost::json::value data, std::string_view message = "success",
                         std::string_view status_word = "success", int http_status = 200);

}  // namespace cdp::http
