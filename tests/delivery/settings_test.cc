#include "delivery/settings.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "support/test_keys.h"

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

class PushSettingsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    rsa_ = new testing::KeyPair(testing::GenerateRsaKeyPair());
    p256_ = new testing::KeyPair(testing::GenerateP256KeyPair());
  }
  static void TearDownTestSuite() {
    delete rsa_;
    delete p256_;
  }
  static boost::json::object All() {
    return {{"web", {{"vapid_subject", "mailto:ops@example.com"}}},
            {"android",
             {{"project_id", "acme-app"},
              {"service_account",
               {{"type", "service_account"},
                {"client_email", "push@acme-app.iam.gserviceaccount.com"},
                {"private_key", rsa_->private_pem}}}}},
            {"ios",
             {{"team_id", "TEAM123456"},
              {"key_id", "KEY1234567"},
              {"private_key", p256_->private_pem},
              {"topic", "com.example.app"},
              {"base_url", "http://127.0.0.1:9/"}}},
            {"connections", 2}};
  }
  static inline testing::KeyPair* rsa_ = nullptr;
  static inline testing::KeyPair* p256_ = nullptr;
};

TEST_F(PushSettingsTest, TakesEachPlatformWithDefaultsAndRoundTripsThroughStorage) {
  auto s = ParsePushSettings(All());
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_TRUE(s->web.enabled && s->android.enabled && s->ios.enabled);
  EXPECT_EQ(s->android.token_uri, "https://oauth2.googleapis.com/token");
  EXPECT_EQ(s->android.base_url, "https://fcm.googleapis.com");
  EXPECT_EQ(s->ios.base_url, "http://127.0.0.1:9");
  EXPECT_EQ(s->pace.connections, 2);
  auto again = ParsePushSettings(ToJson(*s, false));
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again->android.private_key, rsa_->private_pem);
  EXPECT_EQ(again->ios.private_key, p256_->private_pem);
  EXPECT_EQ(again->android.client_email, "push@acme-app.iam.gserviceaccount.com");
}

TEST_F(PushSettingsTest, ShowsNoPrivateKey) {
  const std::string shown = boost::json::serialize(ToJson(*ParsePushSettings(All()), true));
  EXPECT_EQ(shown.find("PRIVATE KEY"), std::string::npos) << shown;
  EXPECT_NE(shown.find("\"private_key_set\":true"), std::string::npos) << shown;
}

TEST_F(PushSettingsTest, AnUnconfiguredPlatformIsOff) {
  auto s = ParsePushSettings(Obj(R"({"web":{"vapid_subject":"https://example.com/contact"}})"));
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_TRUE(s->web.enabled);
  EXPECT_FALSE(s->android.enabled);
  EXPECT_FALSE(s->ios.enabled);
  EXPECT_FALSE(ToJson(*s, true).contains("ios"));
}

TEST_F(PushSettingsTest, RefusesWhatCannotWorkNamingTheField) {
  auto message = [](boost::json::object body) {
    auto s = ParsePushSettings(body);
    return s.ok() ? std::string("ok") : s.status().message();
  };
  EXPECT_EQ(message({}), "configure at least one of web, android and ios");
  auto body = All();
  body["web"].as_object()["vapid_subject"] = "ops@example.com";
  EXPECT_EQ(message(body), "web.vapid_subject: must be a mailto: or https: URI");
  body = All();
  body["ios"].as_object()["private_key"] = rsa_->private_pem;
  EXPECT_EQ(message(body), "ios.private_key: must be a PEM P-256 private key");
  body = All();
  body["android"].as_object()["service_account"].as_object()["private_key"] = p256_->private_pem;
  EXPECT_EQ(message(body), "android.private_key: must be a PEM RSA private key");
  body = All();
  body["android"].as_object().erase("service_account");
  EXPECT_EQ(message(body), "android.service_account: required");
  body = All();
  body["ios"].as_object().erase("topic");
  EXPECT_EQ(message(body), "ios.topic: required");
  body = All();
  body["ios"].as_object()["base_url"] = "ftp://x";
  EXPECT_EQ(message(body), "ios.base_url: must be an http:// or https:// URL");
  body = All();
  body["android"].as_object()["project_id"] = "a/b";
  EXPECT_EQ(message(body), "android.project_id: letters, digits, '-', '_', '.' or ':' only");
  body = All();
  body["sms"] = true;
  EXPECT_NE(message(body), "ok");
}

}  // namespace
}  // namespace cdp::delivery
