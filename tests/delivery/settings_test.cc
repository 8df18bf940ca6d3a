#include "delivery/settings.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace cdp::delivery {
namespace {

boost::json::object Obj(std::string_view json) { return boost::json::parse(json).as_object(); }

TEST(EmailSettings, DefaultsThePortToTheSecurity) {
  EXPECT_EQ(ParseEmailSettings(Obj(R"({"host":"h","from":"a@b"})"))->port, 587);
  EXPECT_EQ(ParseEmailSettings(Obj(R"({"host":"h","from":"a@b","security":"tls"})"))->port, 465);
  EXPECT_EQ(ParseEmailSettings(Obj(R"({"host":"h","from":"a@b","security":"none"})"))->port, 25);
  EXPECT_EQ(ParseEmailSettings(Obj(R"({"host":"h","from":"a@b","port":2525})"))->port, 2525);
}

TEST(EmailSettings, RefusesWhatCannotWork) {
  EXPECT_EQ(ParseEmailSettings(Obj(R"({"from":"a@b"})")).status().message(), "host: required");
  EXPECT_FALSE(ParseEmailSettings(Obj(R"({"host":"h","from":"nobody"})")).ok());
  EXPECT_FALSE(ParseEmailSettings(Obj(R"({"host":"h","from":"a@b","port":0})")).ok());
  EXPECT_FALSE(ParseEmailSettings(Obj(R"({"host":"h","from":"a@b","connections":33})")).ok());
  EXPECT_FALSE(ParseEmailSettings(Obj(R"({"host":"h","from":"a@b","rate_per_second":-1})")).ok());
  EXPECT_FALSE(ParseEmailSettings(Obj(R"({"host":"h","from":"a@b","pasword":"x"})")).ok());
}

TEST(EmailSettings, RoundTripsThroughStorageAndRedactsThePassword) {
  auto s = ParseEmailSettings(
      Obj(R"({"host":"h","from":"a@b","username":"u","password":"secret","rate_per_second":2.5})"));
  ASSERT_TRUE(s.ok());
  auto again = ParseEmailSettings(ToJson(*s, false));
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again->password, "secret");
  EXPECT_EQ(again->pace.rate_per_second, 2.5);
  auto shown = ToJson(*s, true);
  EXPECT_FALSE(shown.contains("password"));
  EXPECT_EQ(shown.at("password_set"), true);
}

TEST(SmsSettings, NeedsCredentialsAndAnHttpUrl) {
  auto s = ParseSmsSettings(Obj(R"({"account_sid":"AC","auth_token":"t","from":"+1"})"));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->url, "https://api.twilio.com");
  EXPECT_EQ(ParseSmsSettings(Obj(R"({"url":"http://x/","account_sid":"AC","auth_token":"t",
                                     "from":"+1"})"))
                ->url,
            "http://x");
  EXPECT_FALSE(ParseSmsSettings(Obj(R"({"auth_token":"t","from":"+1"})")).ok());
  EXPECT_FALSE(
      ParseSmsSettings(Obj(R"({"url":"ftp://x","account_sid":"AC","auth_token":"t","from":"+1"})"))
          .ok());
  EXPECT_FALSE(
      ParseSmsSettings(Obj(R"({"format":"nexmo","account_sid":"AC","auth_token":"t","from":"+1"})"))
          .ok());
  EXPECT_FALSE(ToJson(*s, true).contains("auth_token"));
}

}  // namespace
}  // namespace cdp::delivery
