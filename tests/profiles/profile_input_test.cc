#include "profiles/profile_input.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "profiles/phone.h"

namespace cdp::profiles {
namespace {

namespace json = boost::json;

Result<ProfilePatch> Parse(const char* text) {
  return ParseProfileInput(json::parse(text).as_object());
}

std::string Error(const char* text) {
  auto r = Parse(text);
  EXPECT_FALSE(r.ok()) << text;
  return r.ok() ? "" : r.status().message();
}

TEST(ProfileInput, AcceptsEverySpellingOfTheUserId) {
  for (const char* body : {R"({"userID":"a"})", R"({"userId":"a"})", R"({"user_id":"a"})"}) {
    auto r = Parse(body);
    ASSERT_TRUE(r.ok()) << body;
    EXPECT_EQ(r->user_id, std::optional<std::string>("a"));
  }
}

TEST(ProfileInput, TakesANumericUserIdAsItsDecimalText) {
  EXPECT_EQ(Parse(R"({"userId":1234})")->user_id, std::optional<std::string>("1234"));
}

TEST(ProfileInput, MapsStandardNamesInsideUserAttributesToFields) {
  auto r = Parse(
      R"({"userID":"1","user_attributes":{"name":"John","email":"j@example.com","plan":"gold"}})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[Field::kName], json::value("John"));
  EXPECT_EQ((*r)[Field::kEmail], json::value("j@example.com"));
  EXPECT_EQ(r->attributes.at("plan"), json::value("gold"));
  EXPECT_FALSE(r->attributes.contains("email"));
}

TEST(ProfileInput, NormalisesValues) {
  auto r = Parse(R"({"userId":"u","gender":"Female","birthDate":"1986-08-19T15:45:00-0800",)"
                 R"("mobile":"+91 98999 99999","sms_opt_in":"1"})");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ((*r)[Field::kGender], json::value("female"));
  EXPECT_EQ((*r)[Field::kBirthDate], json::value("1986-08-19"));
  EXPECT_EQ((*r)[Field::kMobile], json::value("+919899999999"));
  EXPECT_EQ((*r)[Field::kSmsOptIn], json::value(1));
}

TEST(ProfileInput, ExplainsEachRejection) {
  EXPECT_EQ(Error(R"({"name":"x"})"), "Error: userId and anonymousId cannot be empty.");
  EXPECT_EQ(Error(R"({"userId":""})"), "Error: userId and anonymousId cannot be empty.");
  EXPECT_EQ(Error(R"({"userId":"u","gender":"x"})"),
            "gender: must be one of male, female, other, got \"x\"");
  EXPECT_EQ(Error(R"({"userId":"u","email_opt_in":3})"), "email_opt_in: must be 0, 1 or 2, got 3");
  EXPECT_EQ(Error(R"({"userId":"u","nickname":"x"})"),
            "unknown field 'nickname'; custom attributes go inside \"attributes\"");
  EXPECT_NE(Error(R"({"userId":"u","birth_date":"2023-02-30"})").find("birth_date: must be a date"),
            std::string::npos);
  EXPECT_NE(
      Error(R"({"userId":"u","mobile":"12345"})").find("mobile: must be a valid phone number"),
      std::string::npos);
  EXPECT_NE(Error(R"({"userId":"u","email":"a@b"})").find("email: is not a valid email address"),
            std::string::npos);
  EXPECT_NE(Error(R"({"userId":"u","attributes":[1]})").find("attributes: must be an object"),
            std::string::npos);
}

TEST(ProfileInput, EnforcesTheLengthLimitsAtTheirEdges) {
  std::string id100(100, 'u'), id101(101, 'u');
  EXPECT_TRUE(ParseProfileInput(json::object{{"userId", id100}}).ok());
  EXPECT_FALSE(ParseProfileInput(json::object{{"userId", id101}}).ok());
  EXPECT_TRUE(
      ParseProfileInput(
          json::object{{"userId", "u"}, {"attributes", json::object{{std::string(49, 'a'), 1}}}})
          .ok());
  EXPECT_FALSE(
      ParseProfileInput(
          json::object{{"userId", "u"}, {"attributes", json::object{{std::string(50, 'a'), 1}}}})
          .ok());
  EXPECT_TRUE(
      ParseProfileInput(
          json::object{{"userId", "u"}, {"attributes", json::object{{"s", std::string(999, 'b')}}}})
          .ok());
  EXPECT_FALSE(
      ParseProfileInput(json::object{{"userId", "u"},
                                     {"attributes", json::object{{"s", std::string(1000, 'b')}}}})
          .ok());
}

TEST(ApplyPatch, KeepsWhatIsAbsentClearsNullsAndMergesAttributes) {
  Profile p;
  p[Field::kEmail] = "a@example.com";
  p[Field::kCompany] = "Acme";
  p.attributes["plan"] = "gold";
  p.attributes["seats"] = 3;
  ProfilePatch patch;
  patch[Field::kCompany] = json::value(nullptr);
  patch.attributes["seats"] = 4;
  patch.attributes["plan"] = nullptr;
  ApplyPatch(patch, p);
  EXPECT_EQ(p[Field::kEmail], json::value("a@example.com"));
  EXPECT_TRUE(p[Field::kCompany].is_null());
  EXPECT_EQ(p.attributes.at("seats"), json::value(4));
  EXPECT_FALSE(p.attributes.contains("plan"));
}

TEST(Phone, NormalisesToE164AndRejectsLocalNumbers) {
  EXPECT_EQ(NormalizeMobile("+551155256325"), std::optional<std::string>("+551155256325"));
  EXPECT_EQ(NormalizeMobile("+91 78500 09678"), std::optional<std::string>("+917850009678"));
  EXPECT_FALSE(NormalizeMobile("7850009678"));
  EXPECT_FALSE(NormalizeMobile("+1 555"));
}

}  // namespace
}  // namespace cdp::profiles
