#include "http/envelope.h"

#include <boost/json/serialize.hpp>
#include <string>

namespace cdp::http {
namespace {

Response Envelope(int http_status, const boost::json::value& data, std::string_view message,
                  std::string_view status_word) {
  boost::json::object inner;
  inner["data"] = data;
  inner["message"] = message;
  inner["status"] = status_word;
  boost::json::object outer;
  outer["response"] = std::move(inner);
  Response res;
  res.status = http_status;
  res.body = boost::json::serialize(outer);
  return res;
}

}  // namespace

int HttpStatusFor(Code code) {
  switch (code) {
    case Code::kOk:
      return 200;
    case Code::kInvalidArgument:
      return 400;
    case Code::kUnauthenticated:
      return 401;
    case Code::kPermissionDenied:
      return 403;
    case Code::kNotFound:
      return 404;
    case Code::kAlreadyExists:
      return 409;
    case Code::kFailedPrecondition:
      return 409;
    case Code::kPayloadTooLarge:
      return 413;
    case Code::kResourceExhausted:
      return 429;
    case Code::kUnimplemented:
      return 501;
    case Code::kUnavailable:
      return 503;
    case Code::kInternal:
      return 500;
  }
  return 500;
}

Response ErrorResponse(const Status& status) {
  Response res =
      Envelope(HttpStatusFor(status.code()), status.details(), status.message(), "error");
  if (status.code() == Code::kUnavailable || status.code() == Code::kResourceExhausted)
    res.headers.emplace_back("Retry-After", "1");
  return res;
}

void SetRetryAfter(Response& res, int64_t seconds) {
  for (auto& [name, value] : res.headers)
    if (name == "Retry-After") value = std::to_string(seconds);
}

Response SuccessResponse(boost::json::value data, std::string_view message,
                         std::string_view status_word, int http_status) {
  return Envelope(http_status, data, message, status_word);
}

}  // namespace cdp::http
