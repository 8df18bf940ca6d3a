// http/router: the route table from (method, path) to handler, its 404/405 answers, and
// handlers that throw.
#include "http/router.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "http/envelope.h"

namespace cdp::http {
namespace {

namespace json = boost::json;

Request Make(std::string method, std::string path, std::string body = "") {
  Request r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.target = r.path;
  r.body = std::move(body);
  return r;
}

// The "response" object of an envelope body.
json::object Envelope(const Response& r) { return json::parse(r.body).at("response").as_object(); }

std::string Message(const Response& r) {
  return std::string(Envelope(r).at("message").as_string());
}

Response Text(std::string body) {
  Response r;
  r.content_type = "text/plain";
  r.body = std::move(body);
  return r;
}

TEST(Router, AnswersAnUnknownPathWith404) {
  Router router;
  EXPECT_EQ(router.Dispatch(Make("POST", "/nope")).status, 404);
}

TEST(Router, SaysInvalidUrlForAnUnknownPath) {
  Router router;
  Response r = router.Dispatch(Make("POST", "/nope"));
  EXPECT_EQ(Envelope(r).at("status"), "error");
  EXPECT_EQ(Message(r), "Invalid URL: no endpoint /nope");
  EXPECT_TRUE(Envelope(r).at("data").is_null());
}

TEST(Router, MatchesPathsExactly) {
  Router router;
  router.Add("POST", "/api/v1/user/create", [](const Request&) { return Text("ok"); });
  EXPECT_EQ(router.Dispatch(Make("POST", "/api/v1/user/create/")).status, 404);
  EXPECT_EQ(router.Dispatch(Make("POST", "/api/v1/user")).status, 404);
}

TEST(Router, AnswersAWrongMethodWith405) {
  Router router;
  router.Add("POST", "/x", [](const Request&) { return Text("ok"); });
  Response r = router.Dispatch(Make("GET", "/x"));
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(Envelope(r).at("status"), "error");
  EXPECT_EQ(Message(r), "method GET not allowed on /x; use POST");
}

TEST(Router, NamesTheAllowedMethodInAnAllowHeader) {
  Router router;
  router.Add("POST", "/x", [](const Request&) { return Text("ok"); });
  Response r = router.Dispatch(Make("GET", "/x"));
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0], (std::pair<std::string, std::string>{"Allow", "POST"}));
}

TEST(Router, NamesEveryAllowedMethodInTheAllowHeader) {
  Router router;
  router.Add("POST", "/x", [](const Request&) { return Text("post"); });
  router.Add("PUT", "/x", [](const Request&) { return Text("put"); });
  Response r = router.Dispatch(Make("DELETE", "/x"));
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "Allow");
  const std::string& allow = r.headers[0].second;
  EXPECT_TRUE(allow == "POST, PUT" || allow == "PUT, POST") << allow;
}

TEST(Router, DispatchesToTheHandlerOfTheMatchingRoute) {
  Router router;
  router.Add("POST", "/a", [](const Request&) { return Text("a"); });
  router.Add("POST", "/b", [](const Request&) { return Text("b"); });
  EXPECT_EQ(router.Dispatch(Make("POST", "/b")).body, "b");
}

TEST(Router, DispatchesByMethodOnOnePath) {
  Router router;
  router.Add("GET", "/x", [](const Request&) { return Text("get"); });
  router.Add("POST", "/x", [](const Request&) { return Text("post"); });
  EXPECT_EQ(router.Dispatch(Make("GET", "/x")).body, "get");
}

TEST(Router, HandsTheRequestToTheHandler) {
  Router router;
  router.Add("POST", "/echo", [](const Request& req) { return Text(req.body); });
  EXPECT_EQ(router.Dispatch(Make("POST", "/echo", R"({"a":1})")).body, R"({"a":1})");
}

TEST(Router, ReturnsTheHandlersResponseAsItIs) {
  Router router;
  router.Add("POST", "/x", [](const Request&) {
    Response r = Text("made");
    r.status = 202;
    r.headers.emplace_back("X-Custom", "1");
    return r;
  });
  Response r = router.Dispatch(Make("POST", "/x"));
  EXPECT_EQ(r.status, 202);
  EXPECT_EQ(r.content_type, "text/plain");
  EXPECT_EQ(r.headers.at(0).first, "X-Custom");
}

TEST(Router, ReplacesARouteAddedTwice) {
  Router router;
  router.Add("POST", "/x", [](const Request&) { return Text("old"); });
  router.Add("POST", "/x", [](const Request&) { return Text("new"); });
  EXPECT_EQ(router.Dispatch(Make("POST", "/x")).body, "new");
}

TEST(Router, TurnsAThrowingHandlerIntoA500Envelope) {
  Router router;
  router.Add("POST", "/boom",
             [](const Request&) -> Response { throw std::runtime_error("kaput"); });
  Response r = router.Dispatch(Make("POST", "/boom"));
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(Envelope(r).at("status"), "error");
  EXPECT_EQ(Message(r), "internal error: kaput");
}

// Router::Dispatch promises never to throw.
TEST(Router, TurnsAHandlerThrowingANonStandardExceptionIntoA500Envelope) {
  Router router;
  router.Add("POST", "/boom", [](const Request&) -> Response { throw 42; });
  std::optional<Response> r;
  EXPECT_NO_THROW(r = router.Dispatch(Make("POST", "/boom")));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
}

TEST(Router, RunsAnUnknownRequestInline) {
  Router router;
  EXPECT_EQ(router.ExecutionFor(Make("POST", "/nope")), Execution::kInline);
}

TEST(Router, RunsARouteWhereItWasRegisteredToRun) {
  Router router;
  router.Add(
      "GET", "/healthz", [](const Request&) { return Text("ok"); }, Execution::kInline);
  router.Add("POST", "/slow", [](const Request&) { return Text("ok"); });
  router.AddAsync("POST", "/async", [](const Request&, Reply reply) { reply(Text("ok")); });
  EXPECT_EQ(router.ExecutionFor(Make("GET", "/healthz")), Execution::kInline);
  EXPECT_EQ(router.ExecutionFor(Make("POST", "/slow")), Execution::kBlocking);
  EXPECT_EQ(router.ExecutionFor(Make("POST", "/async")), Execution::kAsync);
}

TEST(Router, RunsAWrongMethodInline) {
  Router router;
  router.Add("POST", "/slow", [](const Request&) { return Text("ok"); });
  EXPECT_EQ(router.ExecutionFor(Make("GET", "/slow")), Execution::kInline);
}

// --- Asynchronous routes ----------------------------------------------------------------

// The responses a DispatchAsync call delivered.
std::vector<Response> DispatchAsync(const Router& router, const Request& req) {
  std::vector<Response> replies;
  router.DispatchAsync(req, [&replies](Response r) { replies.push_back(std::move(r)); });
  return replies;
}

TEST(Router, HandsAnAsyncHandlerTheRequestAndItsReply) {
  Router router;
  router.AddAsync("POST", "/async", [](const Request& req, Reply reply) { reply(Text(req.body)); });
  auto replies = DispatchAsync(router, Make("POST", "/async", "hello"));
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].body, "hello");
}

TEST(Router, RepliesWithThe404EnvelopeForAnUnknownAsyncRequest) {
  Router router;
  auto replies = DispatchAsync(router, Make("POST", "/nope"));
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].status, 404);
}

TEST(Router, RunsASynchronousRouteDispatchedAsynchronously) {
  Router router;
  router.Add("POST", "/sync", [](const Request&) { return Text("sync"); });
  auto replies = DispatchAsync(router, Make("POST", "/sync"));
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].body, "sync");
}

TEST(Router, RepliesWithA500EnvelopeWhenAnAsyncHandlerThrows) {
  Router router;
  router.AddAsync("POST", "/async", [](const Request&, Reply) { throw std::runtime_error("no"); });
  auto replies = DispatchAsync(router, Make("POST", "/async"));
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].status, 500);
  EXPECT_EQ(Message(replies[0]), "internal error: no");
}

TEST(Router, AnswersASynchronousDispatchOfAnAsyncRouteWith500) {
  Router router;
  router.AddAsync("POST", "/async", [](const Request&, Reply reply) { reply(Text("ok")); });
  Response r = router.Dispatch(Make("POST", "/async"));
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(Message(r), "route has no synchronous handler");
}

}  // namespace
}  // namespace cdp::http
