// core/json: request bodies parsed with errors a user can act on.
#include "core/json.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <string>

namespace cdp {
namespace {

// The message ParseJson gives for `text`, which must be refused.
std::string ErrorFor(std::string_view text) {
  auto r = ParseJson(text);
  EXPECT_FALSE(r.ok()) << text;
  return r.ok() ? "" : r.status().message();
}

std::string Nested(char open, char close, int depth) {
  return std::string(depth, open) + std::string(depth, close);
}

TEST(JsonParser, ReturnsTheDocument) {
  auto r = ParseJson(R"({"a":[1,"x",null]})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, boost::json::parse(R"({"a":[1,"x",null]})"));
}

TEST(JsonParser, RefusesMalformedJsonAsInvalidArgument) {
  EXPECT_EQ(ParseJson("{").status().code(), Code::kInvalidArgument);
}

TEST(JsonParser, PointsAtWhereTheSeedsMalformedBodyBreaks) {
  // Column 24 is the second '"' after "1234".
  EXPECT_EQ(ErrorFor(R"({"nv":[{"userID":"1234"",user_attributes":{name:'John'}}]})"),
            "malformed JSON at line 1, column 24: syntax error");
}

TEST(JsonParser, CountsLinesAndColumnsAcrossNewlines) {
  EXPECT_EQ(ErrorFor("{\n  \"a\": 1,\n  oops\n}"),
            "malformed JSON at line 3, column 3: syntax error");
}

TEST(JsonParser, SaysAnEmptyBodyIsEmpty) {
  EXPECT_EQ(ErrorFor(""), "request body is empty; expected a JSON object");
}

TEST(JsonParser, SaysWhereABodyOfOnlySpacesEnds) {
  EXPECT_EQ(ErrorFor("   "), "malformed JSON at line 1, column 4: incomplete JSON");
}

TEST(JsonParser, SaysWhereATruncatedBodyEnds) {
  EXPECT_EQ(ErrorFor(R"({"a":)"), "malformed JSON at line 1, column 6: incomplete JSON");
}

TEST(JsonParser, RejectsTrailingGarbage) {
  EXPECT_EQ(ErrorFor("{} x"), "malformed JSON at line 1, column 4: extra data");
}

TEST(JsonParser, RejectsASecondDocument) {
  EXPECT_EQ(ErrorFor("{}{}"), "malformed JSON at line 1, column 3: extra data");
}

TEST(JsonParser, AcceptsArraysNestedToTheLimit) {
  EXPECT_TRUE(ParseJson(Nested('[', ']', kMaxJsonDepth)).ok());
}

TEST(JsonParser, RefusesArraysNestedDeeperThanTheLimit) {
  EXPECT_EQ(ErrorFor(Nested('[', ']', kMaxJsonDepth + 1)),
            "malformed JSON at line 1, column 33: too deep");
}

TEST(JsonParser, RefusesObjectsNestedDeeperThanTheLimit) {
  std::string deep;
  for (int i = 0; i <= kMaxJsonDepth; ++i) deep += R"({"a":)";
  deep += "1" + std::string(kMaxJsonDepth + 1, '}');
  // Column 161 is the 33rd '{' (each level is 5 characters).
  EXPECT_EQ(ErrorFor(deep), "malformed JSON at line 1, column 161: too deep");
}

TEST(Utf8Length, CountsAsciiCharacters) { EXPECT_EQ(Utf8Length("abc"), 3u); }

TEST(Utf8Length, CountsAnEmptyStringAsZero) { EXPECT_EQ(Utf8Length(""), 0u); }

TEST(Utf8Length, CountsTwoByteCharactersOnce) {
  EXPECT_EQ(Utf8Length("\xC3\xA9t\xC3\xA9"), 3u);  // été
}

TEST(Utf8Length, CountsThreeByteCharactersOnce) {
  EXPECT_EQ(Utf8Length("\xE2\x82\xAC"), 1u);  // €
}

TEST(Utf8Length, CountsFourByteCharactersOnce) {
  EXPECT_EQ(Utf8Length("\xF0\x9F\x98\x80"), 1u);  // one emoji
}

TEST(ParseJsonStrict, RefusesDuplicateKeysNulsAndInfiniteNumbers) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"a":1,"a":2})", "duplicate key 'a'"},
      {R"({"x":{"ab":1,"a\u0062":2}})", "duplicate key 'ab'"},
      {R"({"a":"x\u0000y"})", "strings may not contain NUL"},
      {R"({"a\u0000":1})", "strings may not contain NUL"},
      {R"({"a":1e400})", "a number is too large"},
      {R"({"a":-1e400})", "a number is too large"},
      {R"({"a":1} x)", "malformed JSON at line 1, column 9"},
  };
  for (const auto& [text, message] : cases) {
    auto v = ParseJson(text);
    ASSERT_FALSE(v.ok()) << text;
    EXPECT_EQ(v.status().code(), Code::kInvalidArgument);
    EXPECT_NE(v.status().message().find(message), std::string::npos)
        << text << ": " << v.status().message();
  }
  // The same key in different objects, and surrounding whitespace, are fine.
  auto ok = ParseJson(" {\"a\":{\"a\":1},\"b\":[{\"a\":2},{\"a\":3}],\"n\":1e300}\n");
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(ok->at("b").at(1).at("a"), 3);
}

// `{"k0":0,"k1":0,...}` with keys k0 .. k<n-1>, then `tail` before the closing brace.
std::string ManyKeys(int n, std::string_view tail = "") {
  std::string text = "{";
  for (int i = 0; i < n; ++i) text += fmt::format("{}\"k{}\":0", i ? "," : "", i);
  return text + std::string(tail) + "}";
}

TEST(ParseJsonStrict, FindsADuplicateKeyInAnObjectOfManyKeys) {
  for (int n : {31, 32, 33, 100}) {
    EXPECT_NE(ErrorFor(ManyKeys(n, R"(,"k0":1)")).find("duplicate key 'k0'"), std::string::npos)
        << n;
    EXPECT_NE(ErrorFor(ManyKeys(n, fmt::format(R"(,"k{}":1)", n - 1)))
                  .find(fmt::format("duplicate key 'k{}'", n - 1)),
              std::string::npos)
        << n;
  }
}

TEST(ParseJsonStrict, ChecksKeysPerObjectBesideAnObjectOfManyKeys) {
  // Inner objects reuse the outer object's key names, and the outer object goes on after.
  auto ok = ParseJson(ManyKeys(100, R"(,"in":{"k0":1,"k1":{"k0":2}},"k100":0)"));
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(ok->at("in").at("k1").at("k0"), 2);
  EXPECT_NE(ErrorFor(ManyKeys(100, R"(,"in":{"k0":1},"in":2)")).find("duplicate key 'in'"),
            std::string::npos);
}

// A request body of 1 MiB holds about 96,000 such keys: checking each against the ones before
// it took 18 s of CPU (release build), holding a handler thread all that time.
TEST(ParseJsonStrict, AcceptsAnObjectOfAHundredThousandKeys) {
  auto ok = ParseJson(ManyKeys(100000));
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(ok->as_object().size(), 100000u);
}

// Found by fuzz/user_request and fuzz/event_request: Boost.JSON alone reads these as a
// neighbouring double.
TEST(JsonParser, ReadsEachNumberAsTheNearestDouble) {
  const std::pair<const char*, double> cases[] = {
      {"1.1111111111111111E24", 1.1111111111111111E24},
      {"1.7976931348623077E308", 1.7976931348623077E308},
      {"0.36130268965844164", 0.36130268965844164},
      {"0.9130737406249173", 0.9130737406249173},
      {"-255.09902856715934", -255.09902856715934},
      {"5e-324", 5e-324},
  };
  for (const auto& [text, expected] : cases) {
    auto v = ParseJson(text);
    ASSERT_TRUE(v.ok()) << text << ": " << v.status().message();
    ASSERT_TRUE(v->is_double()) << text;
    EXPECT_EQ(v->get_double(), expected) << text;
  }
}

TEST(JsonParser, ReadsANumberItPrintedAsTheSameNumber) {
  const double sent = 1.1111111111111111E24;
  auto v = ParseJson(boost::json::serialize(boost::json::value(sent)));
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->get_double(), sent);
}

TEST(JsonParser, ReadsANumberTooSmallForADoubleAsZero) {
  auto v = ParseJson("1e-400");
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_EQ(v->get_double(), 0.0);
}

}  // namespace
}  // namespace cdp
