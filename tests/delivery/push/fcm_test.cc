#include "delivery/push/fcm.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <thread>

#include "support/server_process.h"
#include "support/sinks.h"
#include "support/test_keys.h"

namespace cdp::delivery {
namespace {

namespace json = boost::json;
using cdp::testing::FcmSink;
using cdp::testing::KeyPair;
using cdp::testing::TempDir;

constexpr int64_t kMicros = 1'000'000;

const KeyPair& ServiceAccountKey() {
  static const KeyPair key = cdp::testing::GenerateRsaKeyPair();
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

// Access tokens are shared process-wide per (client_email, token_uri): each test has its own
// account so that a sink reusing an earlier test's port never sees that test's token.
std::string TestAccount() {
  return std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) +
         "@acme-app.iam.gserviceaccount.com";
}

// The sink's ANSWERS_JSON: the account's public key and identity plus `extra`'s keys.
std::string Answers(std::string_view extra = "{}") {
  json::object answers = json::parse(extra).as_object();
  answers["public_key"] = ServiceAccountKey().public_pem;
  answers["client_email"] = TestAccount();
  answers["project_id"] = "acme-app";
  return json::serialize(answers);
}

FcmSettings Settings(const FcmSink& sink) {
  FcmSettings s;
  s.enabled = true;
  s.project_id = "acme-app";
  s.client_email = TestAccount();
  s.private_key = ServiceAccountKey().private_pem;
  s.token_uri = sink.token_uri();
  s.base_url = sink.base_url();
  return s;
}

PushSubscription Device(std::string token) {
  PushSubscription to;
  to.id = "sub_1";
  to.platform = "android";
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

std::vector<json::value> OfKind(const std::vector<json::value>& records, std::string_view kind) {
  std::vector<json::value> out;
  for (const auto& r : records)
    if (r.at("kind") == json::value(json::string(kind))) out.push_back(r);
  return out;
}

TEST(Fcm, SendsTheV1MessageWithAnAccessTokenFromTheServiceAccount) {
  TempDir dir;
  FcmSink sink(dir.path(), Answers());
  auto fcm = MakeFcmProvider(Settings(sink), 10);
  PushNotification n = Notification("msg_42");
  n.url = "https://shop.test/sale";
  n.image = "https://shop.test/sale.png";
  n.data = R"({"plan":"pro","count":3,"flags":{"vip":true}})";
  n.ttl_seconds = 3600;

  const PushOutcome out = fcm->Send(Device("dev-token-1"), n);

  EXPECT_EQ(out.outcome, Delivery::Outcome::kSent);
  EXPECT_EQ(out.response, "200 projects/acme-app/messages/0:1");
  EXPECT_FALSE(out.gone);
  const auto records = sink.Records();
  ASSERT_EQ(records.size(), 2u);
  const json::value& token = records[0];
  EXPECT_EQ(token.at("kind"), "token");
  EXPECT_EQ(token.at("ok"), true) << json::serialize(token);
  EXPECT_EQ(token.at("grant_type"), "urn:ietf:params:oauth:grant-type:jwt-bearer");
  EXPECT_EQ(token.at("header"), json::parse(R"({"alg":"RS256","typ":"JWT"})"));
  const json::object& claims = token.at("claims").as_object();
  EXPECT_EQ(claims.at("iss"), json::value(TestAccount()));
  EXPECT_EQ(claims.at("scope"), "https://www.googleapis.com/auth/firebase.messaging");
  EXPECT_EQ(claims.at("aud"), json::value(sink.token_uri()));
  EXPECT_EQ(claims.at("exp").as_int64() - claims.at("iat").as_int64(), 3600);
  EXPECT_NEAR(static_cast<double>(claims.at("iat").as_int64()),
              static_cast<double>(RealNowMicros() / kMicros), 5);
  const json::value& message = records[1];
  EXPECT_EQ(message.at("kind"), "message");
  EXPECT_EQ(message.at("path"), "/v1/projects/acme-app/messages:send");
  EXPECT_EQ(message.at("authorization_ok"), true);
  EXPECT_EQ(message.at("content_type"), "application/json; charset=utf-8");
  EXPECT_EQ(message.at("message"), json::parse(R"({"message":{
    "token": "dev-token-1",
    "notification": {"title": "Sale", "body": "Everything at half price",
                     "image": "https://shop.test/sale.png"},
    "data": {"plan": "pro", "count": "3", "flags": "{\"vip\":true}",
             "url": "https://shop.test/sale", "message_id": "msg_42"},
    "android": {"ttl": "3600s"}}})"));
}

TEST(Fcm, LeavesOutTheImageAndUrlWhenThereAreNone) {
  TempDir dir;
  FcmSink sink(dir.path(), Answers());
  auto fcm = MakeFcmProvider(Settings(sink), 10);
  PushNotification n = Notification();
  n.data = "";

  ASSERT_EQ(fcm->Send(Device("dev-token-1"), n).outcome, Delivery::Outcome::kSent);

  const auto messages = OfKind(sink.Records(), "message");
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].at("message").at("message"), json::parse(R"({
    "token": "dev-token-1",
    "notification": {"title": "Sale", "body": "Everything at half price"},
    "data": {"message_id": "msg_1"},
    "android": {"ttl": "86400s"}})"));
}

TEST(Fcm, FetchesOneAccessTokenForManySendsAndProviders) {
  TempDir dir;
  FcmSink sink(dir.path(), Answers());
  auto first = MakeFcmProvider(Settings(sink), 10);
  auto second = MakeFcmProvider(Settings(sink), 10);

  for (const char* token : {"a", "b", "c"})
    EXPECT_EQ(first->Send(Device(token), Notification()).outcome, Delivery::Outcome::kSent);
  EXPECT_EQ(second->Send(Device("d"), Notification()).outcome, Delivery::Outcome::kSent);

  const auto records = sink.Records();
  EXPECT_EQ(OfKind(records, "token").size(), 1u);
  const auto messages = OfKind(records, "message");
  ASSERT_EQ(messages.size(), 4u);
  for (const auto& m : messages) EXPECT_EQ(m.at("authorization_ok"), true);
}

TEST(Fcm, ProvidersSendingAtOnceWaitForOneTokenFetch) {
  TempDir dir;
  // A slow token endpoint: every thread asks for a token while the first fetch is under way.
  FcmSink sink(dir.path(), Answers(R"({"token_delay_ms":500})"));
  std::vector<std::unique_ptr<PushProvider>> providers;
  for (int i = 0; i < 4; ++i) providers.push_back(MakeFcmProvider(Settings(sink), 10));
  std::vector<PushOutcome> outcomes(providers.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < providers.size(); ++i)
    threads.emplace_back([&, i] {
      outcomes[i] = providers[i]->Send(Device("t" + std::to_string(i)), Notification());
    });
  for (auto& t : threads) t.join();

  for (const auto& o : outcomes) EXPECT_EQ(o.outcome, Delivery::Outcome::kSent) << o.response;
  const auto records = sink.Records();
  EXPECT_EQ(OfKind(records, "token").size(), 1u);
  EXPECT_EQ(OfKind(records, "message").size(), 4u);
}

TEST(Fcm, FetchesANewTokenAndRetriesOnceWhenTheTokenIsRefused) {
  TempDir dir;
  FcmSink sink(dir.path(), Answers(R"({"revoke":1})"));
  auto fcm = MakeFcmProvider(Settings(sink), 10);

  const PushOutcome out = fcm->Send(Device("dev"), Notification());
  EXPECT_EQ(out.outcome, Delivery::Outcome::kSent) << out.response;
  EXPECT_EQ(fcm->Send(Device("dev"), Notification("msg_2")).outcome, Delivery::Outcome::kSent);

  const auto records = sink.Records();
  ASSERT_EQ(records.size(), 5u);
  EXPECT_EQ(records[0].at("kind"), "token");
  EXPECT_EQ(records[1].at("status"), 401);
  EXPECT_EQ(records[1].at("authorization_ok"), false);
  EXPECT_EQ(records[2].at("kind"), "token");
  EXPECT_EQ(records[3].at("status"), 200);
  EXPECT_EQ(records[3].at("message"), records[1].at("message"));
  // The new token is cached: the next send fetches none.
  EXPECT_EQ(records[4].at("kind"), "message");
  EXPECT_EQ(records[4].at("authorization_ok"), true);
}

TEST(Fcm, GivesUpWhenTheNewTokenIsRefusedToo) {
  TempDir dir;
  FcmSink sink(dir.path(), Answers(R"({"revoke":2})"));
  auto fcm = MakeFcmProvider(Settings(sink), 10);

  const PushOutcome out = fcm->Send(Device("dev"), Notification());

  EXPECT_EQ(out.outcome, Delivery::Outcome::kPermanent);
  EXPECT_EQ(out.response.substr(0, 4), "401 ");
  EXPECT_FALSE(out.gone);
  const auto records = sink.Records();
  EXPECT_EQ(OfKind(records, "token").size(), 2u);
  EXPECT_EQ(OfKind(records, "message").size(), 2u);
}

TEST(Fcm, FetchesANewTokenFiveMinutesBeforeTheCachedOneExpires) {
  TempDir dir;
  FcmSink sink(dir.path(), Answers(R"({"expires_in":3600})"));
  // Start in the past so that the assertions signed later are still current for the sink.
  FakeClock clock(RealNowMicros() - 3400 * kMicros);
  auto fcm = MakeFcmProvider(Settings(sink), 10, clock);

  ASSERT_EQ(fcm->Send(Device("dev"), Notification()).outcome, Delivery::Outcome::kSent);
  clock.Advance(3600 - 300 - 1);
  ASSERT_EQ(fcm->Send(Device("dev"), Notification()).outcome, Delivery::Outcome::kSent);
  EXPECT_EQ(OfKind(sink.Records(), "token").size(), 1u);
  clock.Advance(2);
  ASSERT_EQ(fcm->Send(Device("dev"), Notification()).outcome, Delivery::Outcome::kSent);

  const auto tokens = OfKind(sink.Records(), "token");
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_EQ(tokens[1].at("ok"), true) << json::serialize(tokens[1]);
  EXPECT_EQ(
      tokens[1].at("claims").at("iat").as_int64() - tokens[0].at("claims").at("iat").as_int64(),
      3600 - 300 + 1);
}

TEST(Fcm, UnregisteredTokenIsGone) {
  TempDir dir;
  FcmSink sink(dir.path(), Answers(R"({"unregistered":["dead"]})"));
  auto fcm = MakeFcmProvider(Settings(sink), 10);

  const PushOutcome out = fcm->Send(Device("dead"), Notification());

  EXPECT_EQ(out.outcome, Delivery::Outcome::kPermanent);
  EXPECT_TRUE(out.gone);
  EXPECT_EQ(out.response.substr(0, 4), "404 ");
  EXPECT_NE(out.response.find("UNREGISTERED"), std::string::npos) << out.response;
}

TEST(Fcm, UnregisteredErrorCodeIsGoneWhateverTheStatus) {
  TempDir dir;
  FcmSink sink(dir.path(),
               Answers(R"({"answers":{"dead":[{"status":400,"errorCode":"UNREGISTERED"}]}})"));
  auto fcm = MakeFcmProvider(Settings(sink), 10);

  const PushOutcome out = fcm->Send(Device("dead"), Notification());

  EXPECT_EQ(out.outcome, Delivery::Outcome::kPermanent);
  EXPECT_TRUE(out.gone);
  EXPECT_EQ(out.response.substr(0, 4), "400 ");
}

TEST(Fcm, NotFoundIsGone) {
  TempDir dir;
  FcmSink sink(dir.path(), Answers(R"({"answers":{"dead":[{"status":404}]}})"));
  auto fcm = MakeFcmProvider(Settings(sink), 10);

  const PushOutcome out = fcm->Send(Device("dead"), Notification());

  EXPECT_EQ(out.outcome, Delivery::Outcome::kPermanent);
  EXPECT_TRUE(out.gone);
  EXPECT_EQ(out.response.find("UNREGISTERED"), std::string::npos) << out.response;
}

TEST(Fcm, ThrottlingAndOutagesAreTransient) {
  TempDir dir;
  FcmSink sink(dir.path(), Answers(R"({"answers":{"a":[429],"b":[503],"c":[500]}})"));
  auto fcm = MakeFcmProvider(Settings(sink), 10);

  for (const char* token : {"a", "b", "c"}) {
    const PushOutcome out = fcm->Send(Device(token), Notification());
    EXPECT_EQ(out.outcome, Delivery::Outcome::kTransient) << token << ": " << out.response;
    EXPECT_FALSE(out.gone);
  }
  const auto messages = OfKind(sink.Records(), "message");
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[0].at("status"), 429);
  EXPECT_EQ(messages[1].at("status"), 503);
}

TEST(Fcm, SendsOnceTheOutageIsOver) {
  TempDir dir;
  FcmSink sink(dir.path(), Answers(R"({"answers":{"a":[503,200]}})"));
  auto fcm = MakeFcmProvider(Settings(sink), 10);

  EXPECT_EQ(fcm->Send(Device("a"), Notification()).outcome, Delivery::Outcome::kTransient);
  EXPECT_EQ(fcm->Send(Device("a"), Notification()).outcome, Delivery::Outcome::kSent);
}

TEST(Fcm, InvalidArgumentIsPermanentButNotGone) {
  TempDir dir;
  FcmSink sink(dir.path(), Answers(R"({"answers":{"a":[400]}})"));
  auto fcm = MakeFcmProvider(Settings(sink), 10);

  const PushOutcome out = fcm->Send(Device("a"), Notification());

  EXPECT_EQ(out.outcome, Delivery::Outcome::kPermanent);
  EXPECT_FALSE(out.gone);
  EXPECT_EQ(out.response.substr(0, 4), "400 ");
  EXPECT_NE(out.response.find("INVALID_ARGUMENT"), std::string::npos) << out.response;
}

TEST(Fcm, TokenEndpointRefusalIsPermanent) {
  TempDir dir;
  FcmSink sink(dir.path(), Answers(R"({"token_answers":[400]})"));
  auto fcm = MakeFcmProvider(Settings(sink), 10);

  const PushOutcome out = fcm->Send(Device("a"), Notification());

  EXPECT_EQ(out.outcome, Delivery::Outcome::kPermanent);
  EXPECT_FALSE(out.gone);
  EXPECT_EQ(out.response.substr(0, 20), "token endpoint: 400 ") << out.response;
  EXPECT_NE(out.response.find("invalid_grant"), std::string::npos) << out.response;
  EXPECT_TRUE(OfKind(sink.Records(), "message").empty());
}

TEST(Fcm, TokenEndpointOutageIsTransient) {
  TempDir dir;
  FcmSink sink(dir.path(), Answers(R"({"token_answers":[503,200]})"));
  auto fcm = MakeFcmProvider(Settings(sink), 10);

  const PushOutcome out = fcm->Send(Device("a"), Notification());
  EXPECT_EQ(out.outcome, Delivery::Outcome::kTransient);
  EXPECT_EQ(out.response.substr(0, 20), "token endpoint: 503 ") << out.response;
  // Nothing was cached: the next send fetches a token and goes through.
  EXPECT_EQ(fcm->Send(Device("a"), Notification()).outcome, Delivery::Outcome::kSent);
  EXPECT_EQ(OfKind(sink.Records(), "token").size(), 2u);
}

TEST(Fcm, AssertionSignedWithAnotherKeyIsRefused) {
  TempDir dir;
  FcmSink sink(dir.path(), Answers());
  FcmSettings s = Settings(sink);
  s.private_key = cdp::testing::GenerateRsaKeyPair().private_pem;
  auto fcm = MakeFcmProvider(s, 10);

  const PushOutcome out = fcm->Send(Device("a"), Notification());

  EXPECT_EQ(out.outcome, Delivery::Outcome::kPermanent);
  const auto records = sink.Records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].at("error"), "bad signature");
}

TEST(Fcm, UnusablePrivateKeyIsPermanentWithoutARequest) {
  TempDir dir;
  FcmSink sink(dir.path(), Answers());
  FcmSettings s = Settings(sink);
  s.private_key = "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n";
  auto fcm = MakeFcmProvider(s, 10);

  const PushOutcome out = fcm->Send(Device("a"), Notification());

  EXPECT_EQ(out.outcome, Delivery::Outcome::kPermanent);
  EXPECT_NE(out.response.find("private key"), std::string::npos) << out.response;
  EXPECT_TRUE(sink.Records().empty());
}

TEST(Fcm, UnreachableServiceIsTransient) {
  FcmSettings s;
  s.project_id = "acme-app";
  s.client_email = TestAccount();
  s.private_key = ServiceAccountKey().private_pem;
  s.token_uri = "http://127.0.0.1:1/token";  // nothing listens on port 1
  s.base_url = "http://127.0.0.1:1";
  auto fcm = MakeFcmProvider(s, 5);

  const PushOutcome out = fcm->Send(Device("a"), Notification());

  EXPECT_EQ(out.outcome, Delivery::Outcome::kTransient);
  EXPECT_FALSE(out.gone);
}

TEST(Fcm, DataThatIsNotAnObjectOrAMissingTokenIsPermanentWithoutARequest) {
  TempDir dir;
  FcmSink sink(dir.path(), Answers());
  auto fcm = MakeFcmProvider(Settings(sink), 10);
  PushNotification n = Notification();
  n.data = "[1,2]";

  const PushOutcome bad_data = fcm->Send(Device("a"), n);
  EXPECT_EQ(bad_data.outcome, Delivery::Outcome::kPermanent);
  EXPECT_FALSE(bad_data.gone);
  const PushOutcome no_token = fcm->Send(Device(""), Notification());
  EXPECT_EQ(no_token.outcome, Delivery::Outcome::kPermanent);
  EXPECT_TRUE(no_token.gone);
  EXPECT_TRUE(sink.Records().empty());
}

}  // namespace
}  // namespace cdp::delivery
