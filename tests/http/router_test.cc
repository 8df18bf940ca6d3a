#include "http/router.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <stdexcept>

#include "http/envelope.h"

namespace cdp::http {
namespace {

namespace json = boost::json;

Request Make(std::string method, std::string path) {
  Request r;
  r.method = std::move(method);
  r.path = std::move(path);
  return r;
}

json::value Envelope(const Response& r) { return json::parse(r.body).at("response"); }

TEST(Router, AnswersAnUnknownPathWithInvalidUrl) {
  Router router;
  Response r = router.Dispatch(Make("POST", "/nope"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Envelope(r).at("status"), json::value("error"));
  EXPECT_NE(std::string(Envelope(r).at("message").as_string()).find("Invalid URL"),
            std::string::npos);
}

TEST(Router, AnswersAWrongMethodWith405AndAllow) {
  Router router;
  router.Add("POST", "/x", [](const Request&) { return SuccessResponse(nullptr); });
  Response r = router.Dispatch(Make("GET", "/x"));
  EXPECT_EQ(r.status, 405);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0], (std::pair<std::string, std::string>{"Allow", "POST"}));
}

TEST(Router, TurnsAThrowingHandlerIntoA500Envelope) {
  Router router;
  router.Add("POST", "/boom",
             [](const Request&) -> Response { throw std::runtime_error("kaput"); });
  Response r = router.Dispatch(Make("POST", "/boom"));
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(Envelope(r).at("status"), json::value("error"));
}

TEST(Envelope, WrapsDataMessageAndStatus) {
  Response r = SuccessResponse(json::object{{"n", 1}}, "done");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body),
            json::parse(R"({"response":{"data":{"n":1},"message":"done","status":"success"}})"));
}

TEST(Envelope, MapsEachCodeToItsHttpStatus) {
  EXPECT_EQ(HttpStatusFor(Code::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusFor(Code::kUnauthenticated), 401);
  EXPECT_EQ(HttpStatusFor(Code::kPermissionDenied), 403);
  EXPECT_EQ(HttpStatusFor(Code::kNotFound), 404);
  EXPECT_EQ(HttpStatusFor(Code::kPayloadTooLarge), 413);
  EXPECT_EQ(HttpStatusFor(Code::kResourceExhausted), 429);
  EXPECT_EQ(HttpStatusFor(Code::kUnavailable), 503);
  EXPECT_EQ(ErrorResponse(Unavailable("busy")).headers.at(0).first, "Retry-After");
}

}  // namespace
}  // namespace cdp::http
