#include "delivery/push/apns.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>

#include "support/raw_connection.h"
#include "support/server_process.h"
#include "support/sinks.h"
#include "support/test_keys.h"

namespace cdp::delivery {
namespace {

namespace json = boost::json;
using cdp::testing::ApnsSink;
using cdp::testing::KeyPair;
using cdp::testing::TempDir;

constexpr int64_t kMicros = 1'000'000;
constexpr const char* kDevice = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";

const KeyPair& SigningKey() {
  static const KeyPair key = cdp::testing::GenerateP256KeyPair();
  return key;
}

class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t micros) : now_(micros) {}
  int64_t NowMicros() const override { return now_; }
  void Advance(int64_t seconds) { now_ += seconds * kMicros; }

 private:
  std::atomic<int64_t> now_;
};

int64_t RealNowMicros() { return SystemClock().NowMicros(); }

// Provider JWTs are shared process-wide per key: each test has its own key id so that it
// signs its own.
std::string TestKeyId() {
  return std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()).substr(0, 24);
}

std::string Answers(std::string_view extra = "{}") {
  json::object answers = json::parse(extra).as_object();
  answers["public_key"] = SigningKey().public_pem;
  answers["key_id"] = TestKeyId();
  answers["team_id"] = "TEAM123456";
  answers["topic"] = "com.acme.app";
  return json::serialize(answers);
}

ApnsSettings Settings(const ApnsSink& sink) {
  ApnsSettings s;
  s.enabled = true;
  s.team_id = "TEAM123456";
  s.key_id = TestKeyId();
  s.private_key = SigningKey().private_pem;
  s.topic = "com.acme.app";
  s.base_url = sink.base_url();
  return s;
}

PushSubscription Device(std::string token = kDevice) {
  PushSubscription to;
  to.id = "sub_1";
  to.platform = "ios";
  to.token = std::move(token);
  return to;
}

PushNotification Notification(std::string message_id = "msg_1") {
  PushNotification n;
  n.title = "Sale";
  n.body = "Everything at half price";
  n.data = "{}";
  n.message_id = std::move(message_id);
  return n;
}

std::string Header(const json::value& record, std::string_view name) {
  const json::value* v = record.at("headers").as_object().if_contains(name);
  return v && v->is_string() ? std::string(v->as_string()) : "<absent>";
}

TEST(Apns, SendsTheAlertOverHttp2WithTheProviderTokenAndApnsHeaders) {
  TempDir dir;
  ApnsSink sink(dir.path(), Answers());
  const int64_t now = RealNowMicros();
  FakeClock clock(now);
  auto apns = MakeApnsProvider(Settings(sink), 10, clock);
  PushNotification n = Notification("msg_42");
  n.url = "https://shop.test/sale";
  n.image = "https://shop.test/sale.png";
  n.data = R"({"plan":"pro","count":3})";
  n.ttl_seconds = 3600;

  const PushOutcome out = apns->Send(Device(), n);

  const std::string apns_id = ApnsId("msg_42", kDevice);
  EXPECT_EQ(out.outcome, Delivery::Outcome::kSent);
  EXPECT_EQ(out.response, "200 " + apns_id);
  EXPECT_FALSE(out.gone);
  const auto records = sink.Records();
  ASSERT_EQ(records.size(), 1u);
  const json::value& r = records[0];
  EXPECT_EQ(r.at("method"), "POST");
  EXPECT_EQ(r.at("path"), json::value(std::string("/3/device/") + kDevice));
  EXPECT_EQ(r.at("status"), 200);
  EXPECT_EQ(r.at("jwt_ok"), true) << json::serialize(r);
  EXPECT_EQ(r.at("jwt").at("header"),
            json::parse(R"({"alg":"ES256","kid":")" + TestKeyId() + R"("})"));
  EXPECT_EQ(r.at("jwt").at("claims"),
            json::parse(R"({"iss":"TEAM123456","iat":)" + std::to_string(now / kMicros) + "}"));
  EXPECT_EQ(Header(r, "apns-topic"), "com.acme.app");
  EXPECT_EQ(Header(r, "apns-push-type"), "alert");
  EXPECT_EQ(Header(r, "apns-priority"), "10");
  EXPECT_EQ(Header(r, "apns-expiration"), std::to_string(now / kMicros + 3600));
  EXPECT_EQ(Header(r, "apns-id"), apns_id);
  EXPECT_EQ(Header(r, "content-type"), "application/json");
  EXPECT_EQ(r.at("payload"), json::parse(R"({
    "aps": {"alert": {"title": "Sale", "body": "Everything at half price"},
            "mutable-content": 1},
    "url": "https://shop.test/sale",
    "image": "https://shop.test/sale.png",
    "message_id": "msg_42",
    "data": {"plan": "pro", "count": 3}})"));
}

TEST(Apns, PlainAlertHasNoMutableContentUrlOrImage) {
  TempDir dir;
  ApnsSink sink(dir.path(), Answers());
  auto apns = MakeApnsProvider(Settings(sink), 10);
  PushNotification n = Notification();
  n.data = "";
  n.ttl_seconds = 0;

  ASSERT_EQ(apns->Send(Device(), n).outcome, Delivery::Outcome::kSent);

  const auto records = sink.Records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].at("payload"), json::parse(R"({
    "aps": {"alert": {"title": "Sale", "body": "Everything at half price"}},
    "message_id": "msg_1", "data": {}})"));
  // No time to live: APNs tries once and stores nothing.
  EXPECT_EQ(Header(records[0], "apns-expiration"), "0");
}

TEST(Apns, ProvidersShareOneJwtBetweenSends) {
  TempDir dir;
  ApnsSink sink(dir.path(), Answers());
  auto apns = MakeApnsProvider(Settings(sink), 10);
  auto other = MakeApnsProvider(Settings(sink), 10);

  for (const char* id : {"m1", "m2", "m3"})
    ASSERT_EQ(apns->Send(Device(), Notification(id)).outcome, Delivery::Outcome::kSent);
  ASSERT_EQ(other->Send(Device(), Notification("m4")).outcome, Delivery::Outcome::kSent);

  const auto records = sink.Records();
  ASSERT_EQ(records.size(), 4u);
  for (const auto& r : records) {
    // Client-initiated HTTP/2 streams have odd ids.
    EXPECT_EQ(r.at("stream_id").as_int64() % 2, 1);
    EXPECT_EQ(r.at("jwt_ok"), true);
    EXPECT_EQ(Header(r, "authorization"), Header(records[0], "authorization"));
  }
  EXPECT_NE(Header(records[0], "apns-id"), Header(records[1], "apns-id"));
}

TEST(Apns, SignsANewJwtEvery50Minutes) {
  TempDir dir;
  ApnsSink sink(dir.path(), Answers());
  // 55 minutes ago: the first JWT is still younger than the hour Apple allows when the
  // clock has moved on.
  FakeClock clock(RealNowMicros() - 55 * 60 * kMicros);
  auto apns = MakeApnsProvider(Settings(sink), 10, clock);

  ASSERT_EQ(apns->Send(Device(), Notification()).outcome, Delivery::Outcome::kSent);
  clock.Advance(50 * 60 - 1);
  ASSERT_EQ(apns->Send(Device(), Notification()).outcome, Delivery::Outcome::kSent);
  clock.Advance(2);
  ASSERT_EQ(apns->Send(Device(), Notification()).outcome, Delivery::Outcome::kSent);

  const auto records = sink.Records();
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(Header(records[1], "authorization"), Header(records[0], "authorization"));
  EXPECT_NE(Header(records[2], "authorization"), Header(records[1], "authorization"));
  EXPECT_EQ(records[2].at("jwt").at("claims").at("iat").as_int64() -
                records[0].at("jwt").at("claims").at("iat").as_int64(),
            50 * 60 + 1);
  for (const auto& r : records) EXPECT_EQ(r.at("jwt_ok"), true) << json::serialize(r);
}

TEST(Apns, ExpiredProviderTokenIsSignedAnewAndRetriedOnce) {
  TempDir dir;
  ApnsSink sink(dir.path(), Answers(R"({"answers":{")" + std::string(kDevice) +
                                    R"(":[{"status":403,"reason":"ExpiredProviderToken"},200]}})"));
  auto apns = MakeApnsProvider(Settings(sink), 10);

  const PushOutcome out = apns->Send(Device(), Notification());
  EXPECT_EQ(out.outcome, Delivery::Outcome::kSent) << out.response;
  ASSERT_EQ(apns->Send(Device(), Notification("msg_2")).outcome, Delivery::Outcome::kSent);

  const auto records = sink.Records();
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].at("status"), 403);
  EXPECT_EQ(records[1].at("status"), 200);
  EXPECT_NE(Header(records[1], "authorization"), Header(records[0], "authorization"));
  EXPECT_EQ(records[1].at("jwt_ok"), true);
  EXPECT_EQ(records[1].at("payload"), records[0].at("payload"));
  EXPECT_EQ(Header(records[1], "apns-id"), Header(records[0], "apns-id"));
  // The new JWT is the one kept.
  EXPECT_EQ(Header(records[2], "authorization"), Header(records[1], "authorization"));
}

TEST(Apns, GivesUpWhenTheNewJwtIsRefusedToo) {
  TempDir dir;
  ApnsSink sink(dir.path(), Answers(R"({"answers":{")" + std::string(kDevice) +
                                    R"(":[{"status":403,"reason":"ExpiredProviderToken"}]}})"));
  auto apns = MakeApnsProvider(Settings(sink), 10);

  const PushOutcome out = apns->Send(Device(), Notification());

  EXPECT_EQ(out.outcome, Delivery::Outcome::kPermanent);
  EXPECT_EQ(out.response, "403 ExpiredProviderToken");
  EXPECT_FALSE(out.gone);
  EXPECT_EQ(sink.Records().size(), 2u);
}

TEST(Apns, UnregisteredAndBadDeviceTokenAreGone) {
  TempDir dir;
  const std::string gone = std::string(kDevice).replace(0, 2, "ff");
  const std::string bad = std::string(kDevice).replace(0, 2, "ee");
  ApnsSink sink(dir.path(), Answers(R"({"answers":{")" + gone + R"(":[410],")" + bad +
                                    R"(":[{"status":400,"reason":"BadDeviceToken"}]}})"));
  auto apns = MakeApnsProvider(Settings(sink), 10);

  const PushOutcome unregistered = apns->Send(Device(gone), Notification());
  EXPECT_EQ(unregistered.outcome, Delivery::Outcome::kPermanent);
  EXPECT_TRUE(unregistered.gone);
  EXPECT_EQ(unregistered.response, "410 Unregistered");
  const PushOutcome bad_token = apns->Send(Device(bad), Notification());
  EXPECT_EQ(bad_token.outcome, Delivery::Outcome::kPermanent);
  EXPECT_TRUE(bad_token.gone);
  EXPECT_EQ(bad_token.response, "400 BadDeviceToken");
}

TEST(Apns, OtherBadRequestsArePermanentButNotGone) {
  TempDir dir;
  ApnsSink sink(dir.path(), Answers(R"({"answers":{")" + std::string(kDevice) + R"(":[400]}})"));
  auto apns = MakeApnsProvider(Settings(sink), 10);

  const PushOutcome out = apns->Send(Device(), Notification());

  EXPECT_EQ(out.outcome, Delivery::Outcome::kPermanent);
  EXPECT_FALSE(out.gone);
  EXPECT_EQ(out.response, "400 BadTopic");
}

TEST(Apns, ThrottlingAndOutagesAreTransient) {
  TempDir dir;
  ApnsSink sink(dir.path(),
                Answers(R"({"answers":{")" + std::string(kDevice) + R"(":[429,503,500,200]}})"));
  auto apns = MakeApnsProvider(Settings(sink), 10);

  for (const char* expected :
       {"429 TooManyRequests", "503 ServiceUnavailable", "500 InternalServerError"}) {
    const PushOutcome out = apns->Send(Device(), Notification());
    EXPECT_EQ(out.outcome, Delivery::Outcome::kTransient);
    EXPECT_EQ(out.response, expected);
    EXPECT_FALSE(out.gone);
  }
  EXPECT_EQ(apns->Send(Device(), Notification()).outcome, Delivery::Outcome::kSent);
}

TEST(Apns, DeviceTokenThatIsNotHexIsGoneWithoutARequest) {
  TempDir dir;
  ApnsSink sink(dir.path(), Answers());
  auto apns = MakeApnsProvider(Settings(sink), 10);

  for (const char* token : {"", "not-hex!", "abc", "a1b2/../x"}) {
    const PushOutcome out = apns->Send(Device(token), Notification());
    EXPECT_EQ(out.outcome, Delivery::Outcome::kPermanent) << token;
    EXPECT_TRUE(out.gone) << token;
  }
  ASSERT_EQ(apns->Send(Device(), Notification()).outcome, Delivery::Outcome::kSent);
  const auto records = sink.Records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].at("device_token"), kDevice);
}

TEST(Apns, PayloadOverAppleLimitIsPermanentWithoutARequest) {
  TempDir dir;
  ApnsSink sink(dir.path(), Answers());
  auto apns = MakeApnsProvider(Settings(sink), 10);
  PushNotification n = Notification();
  n.body = "";
  ASSERT_EQ(apns->Send(Device(), n).outcome, Delivery::Outcome::kSent);
  const size_t base = static_cast<size_t>(sink.Records().at(0).at("payload_bytes").as_int64());

  n.body.assign(kApnsMaxPayloadBytes - base, 'x');
  EXPECT_EQ(apns->Send(Device(), n).outcome, Delivery::Outcome::kSent);
  n.body += 'x';
  const PushOutcome out = apns->Send(Device(), n);

  EXPECT_EQ(out.outcome, Delivery::Outcome::kPermanent);
  EXPECT_FALSE(out.gone);
  EXPECT_NE(out.response.find("4096"), std::string::npos) << out.response;
  const auto records = sink.Records();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1].at("payload_bytes"), static_cast<int64_t>(kApnsMaxPayloadBytes));
}

TEST(Apns, JwtSignedWithAnotherKeyIsRefusedByTheSink) {
  TempDir dir;
  ApnsSink sink(dir.path(), Answers());
  ApnsSettings s = Settings(sink);
  s.private_key = cdp::testing::GenerateP256KeyPair().private_pem;
  auto apns = MakeApnsProvider(s, 10);

  const PushOutcome out = apns->Send(Device(), Notification());

  EXPECT_EQ(out.outcome, Delivery::Outcome::kPermanent);
  EXPECT_EQ(out.response, "403 InvalidProviderToken");
  EXPECT_FALSE(out.gone);
  const auto records = sink.Records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].at("jwt_ok"), false);
  EXPECT_EQ(records[0].at("jwt_error"), "bad signature");
}

TEST(Apns, UnusablePrivateKeyIsPermanentWithoutARequest) {
  TempDir dir;
  ApnsSink sink(dir.path(), Answers());
  ApnsSettings s = Settings(sink);
  s.private_key = cdp::testing::GenerateRsaKeyPair().private_pem;  // not P-256
  auto apns = MakeApnsProvider(s, 10);

  const PushOutcome out = apns->Send(Device(), Notification());

  EXPECT_EQ(out.outcome, Delivery::Outcome::kPermanent);
  EXPECT_NE(out.response.find("private key"), std::string::npos) << out.response;
  EXPECT_TRUE(sink.Records().empty());
}

TEST(Apns, UnreachableServiceIsTransient) {
  ApnsSettings s;
  s.team_id = "TEAM123456";
  s.key_id = TestKeyId();
  s.private_key = SigningKey().private_pem;
  s.topic = "com.acme.app";
  s.base_url = "http://127.0.0.1:1";  // nothing listens on port 1
  auto apns = MakeApnsProvider(s, 5);

  const PushOutcome out = apns->Send(Device(), Notification());

  EXPECT_EQ(out.outcome, Delivery::Outcome::kTransient);
  EXPECT_FALSE(out.gone);
}

TEST(Apns, TheSinkSpeaksOnlyHttp2) {
  TempDir dir;
  ApnsSink sink(dir.path(), Answers());
  cdp::testing::RawConnection http1(sink.port());

  ASSERT_TRUE(http1.Send(std::string("POST /3/device/") + kDevice +
                         " HTTP/1.1\r\nHost: x\r\napns-topic: com.acme.app\r\n"
                         "Content-Length: 2\r\n\r\n{}"));

  EXPECT_EQ(http1.ReadResponse(std::chrono::seconds(5)), 0);
  EXPECT_TRUE(sink.Records().empty());
}

TEST(Apns, IdIsAVersion8UuidOfTheMessageAndDevice) {
  const std::string id = ApnsId("msg_1", kDevice);
  ASSERT_EQ(id.size(), 36u);
  EXPECT_EQ(id[8], '-');
  EXPECT_EQ(id[13], '-');
  EXPECT_EQ(id[14], '8');
  EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos) << id;
  EXPECT_EQ(ApnsId("msg_1", kDevice), id);
  EXPECT_NE(ApnsId("msg_2", kDevice), id);
  EXPECT_NE(ApnsId("msg_1", std::string(kDevice).replace(0, 2, "ff")), id);
}

}  // namespace
}  // namespace cdp::delivery
