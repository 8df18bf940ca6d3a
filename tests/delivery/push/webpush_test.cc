#include "delivery/push/webpush.h"

#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <boost/json.hpp>
#include <thread>

#include "core/base64.h"
#include "delivery/push/jwt.h"
#include "support/server_process.h"
#include "support/sinks.h"

namespace cdp::delivery {
namespace {

using cdp::testing::NewWebPushBrowserKeys;
using cdp::testing::TempDir;
using cdp::testing::WebPushBrowserKeys;
using cdp::testing::WebPushSink;

// RFC 8291 Appendix A.
constexpr const char* kRfcPlaintext = "When I grow up, I want to be a watermelon";
constexpr const char* kRfcAsPrivate = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw";
constexpr const char* kRfcAsPublic =
    "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8";
constexpr const char* kRfcUaPublic =
    "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
constexpr const char* kRfcAuth = "BTBZMqHH6r4Tts7J_aSIgg";
constexpr const char* kRfcSalt = "DGv6ra1nlYgDCS1FRnbzlw";
constexpr const char* kRfcBody =
    "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS"
    "6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulc"
    "y4a-fN";

constexpr const char* kSubject = "mailto:push@shop.example";

class FakeClock final : public Clock {
 public:
  int64_t NowMicros() const override { return now; }
  int64_t now = 0;
};

// The SubjectPublicKeyInfo PEM of a base64url uncompressed P-256 point, for VerifyJwt.
std::string PublicPem(const std::string& point_b64url) {
  std::string point = *FromBase64Url(point_b64url);
  char group[] = "prime256v1";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()),
      OSSL_PARAM_construct_end()};
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr);
  EVP_PKEY* key = nullptr;
  EVP_PKEY_fromdata_init(ctx);
  EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params);
  EVP_PKEY_CTX_free(ctx);
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key);
  char* data = nullptr;
  std::string pem(data, BIO_get_mem_data(bio, &data));
  BIO_free(bio);
  EVP_PKEY_free(key);
  return pem;
}

TEST(WebPushEncryption, ReproducesRfc8291AppendixA) {
  auto body = EncryptPayload(kRfcPlaintext, kRfcUaPublic, kRfcAuth, *FromBase64Url(kRfcAsPrivate),
                             *FromBase64Url(kRfcSalt));
  ASSERT_TRUE(body.ok()) << body.status().message();
  EXPECT_EQ(Base64Url(*body), kRfcBody);
  // The header carries the application server's public key as keyid.
  EXPECT_EQ(Base64Url(body->substr(21, 65)), kRfcAsPublic);
}

TEST(WebPushEncryption, UsesAFreshKeyAndSaltForEachMessage) {
  const WebPushBrowserKeys browser = NewWebPushBrowserKeys();
  auto first = EncryptPayload("hello", browser.p256dh, browser.auth);
  auto second = EncryptPayload("hello", browser.p256dh, browser.auth);
  ASSERT_TRUE(first.ok() && second.ok()) << first.status().message();
  ASSERT_EQ(first->size(), 86u + 5 + 1 + 16);
  EXPECT_NE(first->substr(0, 16), second->substr(0, 16));               // salt
  EXPECT_NE(first->substr(21, 65), second->substr(21, 65));             // ephemeral key
  EXPECT_EQ(first->substr(16, 4), std::string("\x00\x00\x10\x00", 4));  // rs = 4096
  EXPECT_EQ((*first)[20], 65);
}

TEST(WebPushEncryption, FillsOneRecordOf4096BytesAndNoMore) {
  const WebPushBrowserKeys browser = NewWebPushBrowserKeys();
  auto full = EncryptPayload(std::string(kMaxWebPushPlaintext, 'x'), browser.p256dh, browser.auth);
  ASSERT_TRUE(full.ok()) << full.status().message();
  EXPECT_EQ(full->size(), 4096u);
  auto over =
      EncryptPayload(std::string(kMaxWebPushPlaintext + 1, 'x'), browser.p256dh, browser.auth);
  EXPECT_EQ(over.status().code(), Code::kPayloadTooLarge);
}

TEST(WebPushEncryption, RefusesKeysThatAreNotABrowsersSubscription) {
  const WebPushBrowserKeys browser = NewWebPushBrowserKeys();
  std::string point = *FromBase64Url(browser.p256dh);
  std::string off_curve = point;
  off_curve[64] ^= 1;
  std::string compressed = point.substr(0, 33);
  compressed[0] = 0x02 | (point[64] & 1);
  for (const std::string& bad :
       {Base64Url(off_curve), Base64Url(compressed), Base64Url(point.substr(1)),
        Base64Url(std::string(65, '\0')), std::string("not base64!"), std::string()}) {
    auto out = EncryptPayload("x", bad, browser.auth);
    EXPECT_EQ(out.status().code(), Code::kInvalidArgument) << bad;
    EXPECT_EQ(out.status().message(),
              "p256dh: not a base64url uncompressed P-256 point (65 bytes)");
  }
  const std::string auth = *FromBase64Url(browser.auth);
  for (const std::string& bad : {Base64Url(auth.substr(1)), Base64Url(auth + "x"), std::string()})
    EXPECT_EQ(EncryptPayload("x", browser.p256dh, bad).status().message(),
              "auth: not 16 bytes base64url")
        << bad;
}

TEST(WebPushVapid, GeneratesAPairWhosePublicKeyVerifiesItsSignatures) {
  auto keys = GenerateVapidKeys();
  ASSERT_TRUE(keys.ok()) << keys.status().message();
  EXPECT_TRUE(keys->private_pem.starts_with("-----BEGIN PRIVATE KEY-----"));  // PKCS#8
  const auto point = FromBase64Url(keys->public_key);
  ASSERT_TRUE(point);
  ASSERT_EQ(point->size(), 65u);
  EXPECT_EQ((*point)[0], 0x04);
  auto token =
      SignJwt(R"({"typ":"JWT","alg":"ES256"})", R"({"aud":"https://x"})", keys->private_pem);
  ASSERT_TRUE(token.ok());
  EXPECT_TRUE(VerifyJwt(*token, PublicPem(keys->public_key)));
  EXPECT_NE(GenerateVapidKeys()->public_key, keys->public_key);
}

// A provider pointed at a loopback push service with two browsers subscribed.
class WebPushProviderTest : public ::testing::Test {
 protected:
  void Start(boost::json::object answers = {}) {
    boost::json::object subscribers;
    for (const auto& [path, keys] : browsers_)
      subscribers[path] = {{"private_key", keys.private_key}, {"auth", keys.auth}};
    boost::json::object config{{"subscribers", subscribers}, {"answers", answers}};
    sink_ = std::make_unique<WebPushSink>(dir_.path(), boost::json::serialize(config));
    clock_.now = SystemClock().NowMicros();
    provider_ = MakeWebPushProvider({true, kSubject}, vapid_, 10, clock_);
  }

  PushSubscription To(const std::string& path) const {
    const WebPushBrowserKeys& keys = browsers_.at(path);
    return {"sub_1", "web", sink_->Origin() + path, keys.p256dh, keys.auth, ""};
  }

  static PushNotification Notification() {
    PushNotification n;
    n.title = "Spring sale";
    n.body = "20% off until Sunday — ünïcode";
    n.url = "https://shop.example/sale";
    n.image = "https://shop.example/sale.png";
    n.data = R"({"coupon":"SPRING20","n":3})";
    n.message_id = "msg_1";
    n.ttl_seconds = 3600;
    return n;
  }

  // Sends one more message that is delivered, so that every request before it has been
  // recorded when this returns; then the records before it.
  std::vector<boost::json::value> RecordsBefore() {
    EXPECT_EQ(provider_->Send(To("/push/b"), Notification()).outcome, Delivery::Outcome::kSent);
    auto records = sink_->Records();
    EXPECT_FALSE(records.empty());
    if (!records.empty()) records.pop_back();
    return records;
  }

  TempDir dir_;
  std::map<std::string, WebPushBrowserKeys> browsers_{{"/push/a", NewWebPushBrowserKeys()},
                                                      {"/push/b", NewWebPushBrowserKeys()}};
  VapidKeys vapid_ = *GenerateVapidKeys();
  FakeClock clock_;
  std::unique_ptr<WebPushSink> sink_;
  std::unique_ptr<PushProvider> provider_;
};

TEST_F(WebPushProviderTest, DeliversWhatTheServiceWorkerDecrypts) {
  Start();
  const PushOutcome out = provider_->Send(To("/push/a"), Notification());
  EXPECT_EQ(out.outcome, Delivery::Outcome::kSent);
  EXPECT_EQ(out.response, "201");
  EXPECT_FALSE(out.gone);
  auto records = sink_->WaitFor(1, std::chrono::seconds(5));
  ASSERT_EQ(records.size(), 1u);
  const auto& r = records[0].as_object();
  ASSERT_FALSE(r.contains("decrypt_error")) << r.at("decrypt_error");
  EXPECT_EQ(r.at("path"), "/push/a");
  EXPECT_EQ(r.at("ttl"), "3600");
  EXPECT_EQ(r.at("urgency"), "normal");
  EXPECT_EQ(r.at("content_encoding"), "aes128gcm");
  EXPECT_EQ(r.at("content_type"), "application/octet-stream");
  EXPECT_EQ(r.at("payload"), boost::json::parse(R"({
      "title": "Spring sale", "body": "20% off until Sunday — ünïcode",
      "url": "https://shop.example/sale", "image": "https://shop.example/sale.png",
      "data": {"coupon": "SPRING20", "n": 3}, "message_id": "msg_1"})"));
}

TEST_F(WebPushProviderTest, LeavesOutAnEmptyUrlAndImageAndSendsEmptyData) {
  Start();
  PushNotification n = Notification();
  n.url.clear();
  n.image.clear();
  n.data.clear();
  EXPECT_EQ(provider_->Send(To("/push/a"), n).outcome, Delivery::Outcome::kSent);
  auto records = sink_->WaitFor(1, std::chrono::seconds(5));
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].at("payload"), boost::json::parse(R"({"title": "Spring sale",
      "body": "20% off until Sunday — ünïcode", "data": {}, "message_id": "msg_1"})"));
}

TEST_F(WebPushProviderTest, DoesNotSendANotificationLargerThanOneRecord) {
  Start();
  PushNotification n = Notification();
  n.body = std::string(4000, 'x');
  const PushOutcome out = provider_->Send(To("/push/a"), n);
  EXPECT_EQ(out.outcome, Delivery::Outcome::kPermanent);
  EXPECT_FALSE(out.gone);
  EXPECT_NE(out.response.find("Web Push carries at most 3993"), std::string::npos) << out.response;
  EXPECT_TRUE(RecordsBefore().empty());
}

TEST_F(WebPushProviderTest, FailsPermanentlyWithoutARequestForBadSubscriptionKeys) {
  Start();
  PushSubscription bad_key = To("/push/a");
  bad_key.p256dh = browsers_["/push/a"].auth;
  PushSubscription bad_auth = To("/push/a");
  bad_auth.auth = "AAAA";
  const PushOutcome key_out = provider_->Send(bad_key, Notification());
  const PushOutcome auth_out = provider_->Send(bad_auth, Notification());
  EXPECT_EQ(key_out.outcome, Delivery::Outcome::kPermanent);
  EXPECT_EQ(key_out.response, "p256dh: not a base64url uncompressed P-256 point (65 bytes)");
  EXPECT_EQ(auth_out.outcome, Delivery::Outcome::kPermanent);
  EXPECT_EQ(auth_out.response, "auth: not 16 bytes base64url");
  EXPECT_TRUE(RecordsBefore().empty());
}

TEST_F(WebPushProviderTest, FailsPermanentlyWithoutARequestForOtherThanHttpEndpoints) {
  Start();
  for (const std::string endpoint :
       {"ftp://127.0.0.1/push/a", "file:///etc/passwd", "/push/a", "no url at all", ""}) {
    PushSubscription to = To("/push/a");
    to.endpoint = endpoint;
    const PushOutcome out = provider_->Send(to, Notification());
    EXPECT_EQ(out.outcome, Delivery::Outcome::kPermanent) << endpoint;
    EXPECT_TRUE(out.response.starts_with("endpoint: ")) << out.response;
  }
  EXPECT_TRUE(RecordsBefore().empty());
}

TEST_F(WebPushProviderTest, FailsPermanentlyWhenDataIsNotAJsonObject) {
  Start();
  PushNotification n = Notification();
  n.data = "[1,2]";
  const PushOutcome out = provider_->Send(To("/push/a"), n);
  EXPECT_EQ(out.outcome, Delivery::Outcome::kPermanent);
  EXPECT_EQ(out.response, "data: not a JSON object");
}

TEST_F(WebPushProviderTest, MarksTheSubscriptionGoneOn410And404) {
  Start({{"/push/a", {410, 404}}});
  const PushOutcome first = provider_->Send(To("/push/a"), Notification());
  const PushOutcome second = provider_->Send(To("/push/a"), Notification());
  EXPECT_EQ(first.outcome, Delivery::Outcome::kPermanent);
  EXPECT_TRUE(first.gone);
  EXPECT_TRUE(first.response.starts_with("410 {")) << first.response;
  EXPECT_EQ(second.outcome, Delivery::Outcome::kPermanent);
  EXPECT_TRUE(second.gone);
  EXPECT_TRUE(second.response.starts_with("404 ")) << second.response;
}

TEST_F(WebPushProviderTest, RetriesLaterOn429And503) {
  Start({{"/push/a", {429, 503, 201}}});
  const PushOutcome first = provider_->Send(To("/push/a"), Notification());
  const PushOutcome second = provider_->Send(To("/push/a"), Notification());
  const PushOutcome third = provider_->Send(To("/push/a"), Notification());
  EXPECT_EQ(first.outcome, Delivery::Outcome::kTransient);
  EXPECT_TRUE(first.response.starts_with("429 {")) << first.response;
  EXPECT_FALSE(first.gone);
  EXPECT_EQ(second.outcome, Delivery::Outcome::kTransient);
  EXPECT_TRUE(second.response.starts_with("503 ")) << second.response;
  EXPECT_FALSE(second.gone);
  EXPECT_EQ(third.outcome, Delivery::Outcome::kSent);
}

TEST_F(WebPushProviderTest, FailsPermanentlyOn400And413) {
  Start({{"/push/a", {400, 413}}});
  const PushOutcome first = provider_->Send(To("/push/a"), Notification());
  const PushOutcome second = provider_->Send(To("/push/a"), Notification());
  EXPECT_EQ(first.outcome, Delivery::Outcome::kPermanent);
  EXPECT_FALSE(first.gone);
  EXPECT_TRUE(first.response.starts_with("400 {")) << first.response;
  EXPECT_EQ(second.outcome, Delivery::Outcome::kPermanent);
  EXPECT_FALSE(second.gone);
  EXPECT_TRUE(second.response.starts_with("413 ")) << second.response;
}

TEST_F(WebPushProviderTest, KeepsTheFirst500BytesOfAnAnswer) {
  const std::string text = std::string(500, 'a') + "tail";
  Start({{"/push/a", {{{"status", 400}, {"body", text}}}}});
  const PushOutcome out = provider_->Send(To("/push/a"), Notification());
  EXPECT_EQ(out.outcome, Delivery::Outcome::kPermanent);
  EXPECT_EQ(out.response, "400 " + std::string(500, 'a'));
}

TEST_F(WebPushProviderTest, RetriesLaterWhenThePushServiceDoesNotAnswerInTime) {
  Start({{"/push/a", {{{"status", 201}, {"delay", 3}}}}});
  auto impatient = MakeWebPushProvider({true, kSubject}, vapid_, 1, clock_);
  const auto begin = std::chrono::steady_clock::now();
  const PushOutcome out = impatient->Send(To("/push/a"), Notification());
  EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::milliseconds(2500));
  EXPECT_EQ(out.outcome, Delivery::Outcome::kTransient);
  EXPECT_NE(out.response.find("timed out"), std::string::npos) << out.response;
}

TEST_F(WebPushProviderTest, RetriesLaterWhenThePushServiceIsUnreachable) {
  Start();
  PushSubscription to = To("/push/a");
  to.endpoint = "http://127.0.0.1:1/push/a";  // nothing listens on port 1
  const PushOutcome out = provider_->Send(to, Notification());
  EXPECT_EQ(out.outcome, Delivery::Outcome::kTransient);
  EXPECT_FALSE(out.gone);
  EXPECT_FALSE(out.response.empty());
}

TEST_F(WebPushProviderTest, SignsVapidForTheEndpointsOriginForTwelveHours) {
  Start();
  ASSERT_EQ(provider_->Send(To("/push/a"), Notification()).outcome, Delivery::Outcome::kSent);
  auto records = sink_->WaitFor(1, std::chrono::seconds(5));
  ASSERT_EQ(records.size(), 1u);
  const auto& r = records[0].as_object();
  EXPECT_TRUE(r.at("vapid_ok").as_bool()) << r.at("vapid_error");
  EXPECT_EQ(r.at("vapid_key").as_string(), vapid_.public_key);
  const auto& claims = r.at("vapid_claims").as_object();
  EXPECT_EQ(claims.at("aud").as_string(), sink_->Origin());
  EXPECT_EQ(claims.at("sub"), kSubject);
  EXPECT_EQ(claims.at("exp").to_number<int64_t>(), clock_.now / 1000000 + 12 * 3600);
  const std::string token(r.at("vapid_token").as_string());
  EXPECT_EQ(*FromBase64Url(std::string_view(token).substr(0, token.find('.'))),
            R"({"typ":"JWT","alg":"ES256"})");
  EXPECT_TRUE(VerifyJwt(token, PublicPem(vapid_.public_key)));
}

TEST_F(WebPushProviderTest, ReusesTheJwtUntilLessThanAnHourIsLeft) {
  Start();
  const int64_t start = clock_.now;
  auto send = [&](int64_t after_seconds) {
    clock_.now = start + after_seconds * 1000000;
    EXPECT_EQ(provider_->Send(To("/push/a"), Notification()).outcome, Delivery::Outcome::kSent);
  };
  send(0);
  send(1);
  send(11 * 3600);      // exactly an hour left: still good
  send(11 * 3600 + 1);  // less than an hour left
  auto records = sink_->WaitFor(4, std::chrono::seconds(5));
  ASSERT_EQ(records.size(), 4u);
  for (const auto& r : records) EXPECT_TRUE(r.at("vapid_ok").as_bool()) << r.at("vapid_error");
  EXPECT_EQ(records[1].at("vapid_token"), records[0].at("vapid_token"));
  EXPECT_EQ(records[2].at("vapid_token"), records[0].at("vapid_token"));
  EXPECT_NE(records[3].at("vapid_token"), records[0].at("vapid_token"));
  EXPECT_EQ(records[3].at("vapid_claims").at("exp").to_number<int64_t>(),
            start / 1000000 + 23 * 3600 + 1);
}

TEST_F(WebPushProviderTest, SignsOneJwtPerOrigin) {
  Start();
  PushSubscription other = To("/push/a");
  const std::string origin = "http://localhost:" + std::to_string(sink_->port());
  other.endpoint = origin + "/push/a";
  ASSERT_EQ(provider_->Send(To("/push/a"), Notification()).outcome, Delivery::Outcome::kSent);
  ASSERT_EQ(provider_->Send(other, Notification()).outcome, Delivery::Outcome::kSent);
  ASSERT_EQ(provider_->Send(To("/push/a"), Notification()).outcome, Delivery::Outcome::kSent);
  auto records = sink_->WaitFor(3, std::chrono::seconds(5));
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[1].at("vapid_claims").at("aud").as_string(), origin);
  EXPECT_NE(records[1].at("vapid_token"), records[0].at("vapid_token"));
  EXPECT_EQ(records[2].at("vapid_token"), records[0].at("vapid_token"));
}

TEST_F(WebPushProviderTest, FailsPermanentlyWithoutARequestForUnusableVapidSettings) {
  Start();
  const VapidKeys other = *GenerateVapidKeys();
  auto mismatched =
      MakeWebPushProvider({true, kSubject}, {vapid_.private_pem, other.public_key}, 10, clock_);
  auto no_key = MakeWebPushProvider({true, kSubject}, {"not a key", vapid_.public_key}, 10, clock_);
  auto no_subject = MakeWebPushProvider({true, "push@shop.example"}, vapid_, 10, clock_);
  EXPECT_EQ(mismatched->Send(To("/push/a"), Notification()).response,
            "VAPID keys: the public key does not belong to the private key");
  EXPECT_EQ(no_key->Send(To("/push/a"), Notification()).response,
            "VAPID keys: the private key is not a P-256 PEM key");
  const PushOutcome out = no_subject->Send(To("/push/a"), Notification());
  EXPECT_EQ(out.outcome, Delivery::Outcome::kPermanent);
  EXPECT_EQ(out.response, "vapid_subject: must be a mailto: or https: URI");
  EXPECT_TRUE(RecordsBefore().empty());
}

}  // namespace
}  // namespace cdp::delivery
