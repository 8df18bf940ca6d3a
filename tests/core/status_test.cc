// core/status: Status and Result<T>, the values every layer returns for expected failures.
#include "core/status.h"

#include <gtest/gtest.h>

#include <string>

namespace cdp {
namespace {

TEST(Status, IsOkByDefault) {
  Status st;
  EXPECT_TRUE(st.ok());
  EXPECT_EQ(st.code(), Code::kOk);
  EXPECT_EQ(st.message(), "");
}

TEST(Status, CarriesItsCodeAndMessage) {
  Status st = NotFound("no user");
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.code(), Code::kNotFound);
  EXPECT_EQ(st.message(), "no user");
}

TEST(Status, CarriesDetailsForTheEnvelope) {
  Status st = InvalidArgument("bad").WithDetails(boost::json::value{{"index", 3}});
  EXPECT_EQ(st.details(), (boost::json::value{{"index", 3}}));
}

TEST(Result, HoldsAValue) {
  Result<int> r = 7;
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 7);
  EXPECT_TRUE(r.status().ok());
}

TEST(Result, HoldsAnError) {
  Result<int> r = Unavailable("busy");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kUnavailable);
  EXPECT_EQ(r.status().message(), "busy");
}

TEST(Result, HandsOverItsError) {
  Result<std::string> r = AlreadyExists("taken");
  Status st = std::move(r).take_status();
  EXPECT_EQ(st.code(), Code::kAlreadyExists);
  EXPECT_EQ(st.message(), "taken");
}

Status FailsAtStep(int failing, int* reached) {
  for (int step = 1; step <= 3; ++step) {
    *reached = step;
    CDP_RETURN_IF_ERROR(step == failing ? Internal("step failed") : Status::Ok());
  }
  return Status::Ok();
}

TEST(ReturnIfError, ReturnsTheFirstError) {
  int reached = 0;
  Status st = FailsAtStep(2, &reached);
  EXPECT_EQ(st.code(), Code::kInternal);
  EXPECT_EQ(reached, 2);
}

TEST(ReturnIfError, ContinuesPastOkStatuses) {
  int reached = 0;
  EXPECT_TRUE(FailsAtStep(0, &reached).ok());
  EXPECT_EQ(reached, 3);
}

TEST(CodeName, NamesEachCodeForLogs) {
  EXPECT_STREQ(CodeName(Code::kOk), "ok");
  EXPECT_STREQ(CodeName(Code::kInvalidArgument), "invalid_argument");
  EXPECT_STREQ(CodeName(Code::kFailedPrecondition), "failed_precondition");
  EXPECT_STREQ(CodeName(Code::kUnavailable), "unavailable");
}

}  // namespace
}  // namespace cdp
