#include "core/json.h"

#include <gtest/gtest.h>

#include <string>

namespace cdp {
namespace {

TEST(JsonParser, PointsAtWhereTheSeedsMalformedBodyBreaks) {
  auto r = ParseJson(R"({"nv":[{"userID":"1234"",user_attributes":{name:'John'}}]})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.status().message().rfind("malformed JSON at line 1, column 24", 0), 0u)
      << r.status().message();
}

TEST(JsonParser, CountsLinesAndColumns) {
  auto r = ParseJson("{\n  \"a\": 1,\n  oops\n}");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().rfind("malformed JSON at line 3, column 3", 0), 0u)
      << r.status().message();
}

TEST(JsonParser, SaysAnEmptyBodyIsEmpty) {
  EXPECT_EQ(ParseJson("").status().message(), "request body is empty; expected a JSON object");
}

TEST(JsonParser, RejectsTrailingGarbage) { EXPECT_FALSE(ParseJson("{} x").ok()); }

TEST(JsonParser, RefusesNestingDeeperThanTheLimit) {
  std::string deep(kMaxJsonDepth + 1, '[');
  deep += std::string(kMaxJsonDepth + 1, ']');
  EXPECT_FALSE(ParseJson(deep).ok());
  std::string ok(kMaxJsonDepth, '[');
  ok += std::string(kMaxJsonDepth, ']');
  EXPECT_TRUE(ParseJson(ok).ok());
}

TEST(Utf8Length, CountsCodePointsNotBytes) {
  EXPECT_EQ(Utf8Length("abc"), 3u);
  EXPECT_EQ(Utf8Length("\xC3\xA9t\xC3\xA9"), 3u);  // été
  EXPECT_EQ(Utf8Length("\xF0\x9F\x98\x80"), 1u);   // one emoji
}

}  // namespace
}  // namespace cdp
