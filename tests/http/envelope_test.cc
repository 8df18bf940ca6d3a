// http/envelope: the {"response":{"data","message","status"}} shape of every answer, and
// the one mapping from Status codes to HTTP statuses.
#include "http/envelope.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace cdp::http {
namespace {

namespace json = boost::json;

TEST(Envelope, WrapsASuccessInResponseWithDataMessageAndStatus) {
  Response r = SuccessResponse(json::object{{"n", 1}}, "done");
  EXPECT_EQ(json::parse(r.body),
            json::parse(R"({"response":{"data":{"n":1},"message":"done","status":"success"}})"));
}

TEST(Envelope, AnswersASuccessWith200) { EXPECT_EQ(SuccessResponse(nullptr).status, 200); }

TEST(Envelope, SaysSuccessWhenGivenNoMessage) {
  Response r = SuccessResponse(nullptr);
  EXPECT_EQ(json::parse(r.body).at("response").at("message"), "success");
}

TEST(Envelope, CarriesAnotherStatusWordAndHttpStatus) {
  Response r = SuccessResponse(json::object{}, "accepted", "queued", 202);
  EXPECT_EQ(r.status, 202);
  EXPECT_EQ(json::parse(r.body).at("response").at("status"), "queued");
}

TEST(Envelope, IsJson) { EXPECT_EQ(SuccessResponse(nullptr).content_type, "application/json"); }

TEST(Envelope, WrapsAnErrorWithItsMessageAndStatusError) {
  Response r = ErrorResponse(InvalidArgument("users[2].gender: must be one of male, female"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body),
            json::parse(R"({"response":{"data":null,)"
                        R"("message":"users[2].gender: must be one of male, female",)"
                        R"("status":"error"}})"));
}

TEST(Envelope, CarriesAnErrorsDetailsAsItsData) {
  Response r =
      ErrorResponse(InvalidArgument("1 user failed").WithDetails(json::object{{"failed", 1}}));
  EXPECT_EQ(json::parse(r.body).at("response").at("data"), (json::object{{"failed", 1}}));
}

TEST(Envelope, AsksClientsToRetryAfterUnavailable) {
  Response r = ErrorResponse(Unavailable("busy"));
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0], (std::pair<std::string, std::string>{"Retry-After", "1"}));
}

TEST(Envelope, AsksClientsToRetryAfterResourceExhausted) {
  Response r = ErrorResponse(Status(Code::kResourceExhausted, "slow down"));
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "Retry-After");
}

TEST(Envelope, DoesNotAskForARetryAfterAClientError) {
  EXPECT_TRUE(ErrorResponse(InvalidArgument("bad")).headers.empty());
}

TEST(Envelope, MapsOkTo200) { EXPECT_EQ(HttpStatusFor(Code::kOk), 200); }

struct Mapping {
  Code code;
  int http_status;
};

void PrintTo(const Mapping& m, std::ostream* os) { *os << CodeName(m.code); }

class HttpStatusMapping : public ::testing::TestWithParam<Mapping> {};

TEST_P(HttpStatusMapping, MapsTheCodeToItsHttpStatus) {
  EXPECT_EQ(HttpStatusFor(GetParam().code), GetParam().http_status);
}

TEST_P(HttpStatusMapping, AnswersAnErrorWithThatStatus) {
  EXPECT_EQ(ErrorResponse(Status(GetParam().code, "x")).status, GetParam().http_status);
}

INSTANTIATE_TEST_SUITE_P(
    Envelope, HttpStatusMapping,
    ::testing::Values(Mapping{Code::kInvalidArgument, 400}, Mapping{Code::kUnauthenticated, 401},
                      Mapping{Code::kPermissionDenied, 403}, Mapping{Code::kNotFound, 404},
                      Mapping{Code::kAlreadyExists, 409}, Mapping{Code::kFailedPrecondition, 409},
                      Mapping{Code::kPayloadTooLarge, 413}, Mapping{Code::kResourceExhausted, 429},
                      Mapping{Code::kInternal, 500}, Mapping{Code::kUnimplemented, 501},
                      Mapping{Code::kUnavailable, 503}),
    [](const ::testing::TestParamInfo<Mapping>& info) {
      return std::string(CodeName(info.param.code));
    });

}  // namespace
}  // namespace cdp::http
