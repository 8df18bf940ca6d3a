// End-to-end tests of push: the real binary registers browsers and devices through the Push
// API and delivers to loopback push services that check what the real ones check — Web
// Push (VAPID signature, aes128gcm decrypted with the browser's key), FCM v1 (service-account
// token exchange, bearer token) and APNs (HTTP/2, ES256 provider token, apns-* headers).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <string>

#include "integration/campaign_server.h"
#include "support/server_process.h"
#include "support/sinks.h"
#include "support/test_keys.h"

namespace cdp::testing {
namespace {

namespace json = boost::json;

class PushServer : public CampaignServer {
 protected:
  std::string Subscribe(const json::object& body) {
    auto d = Ok("push/subscribe", json::serialize(body));
    return d.is_object() ? std::string(d.at("subscription_id").as_string()) : "";
  }
  std::string SubscribeBrowser(const std::string& user, const WebPushSink& sink,
                               const std::string& path, const WebPushBrowserKeys& keys) {
    return Subscribe({{"userId", user},
                      {"platform", "web"},
                      {"subscription",
                       {{"endpoint", sink.Origin() + path},
                        {"keys", {{"p256dh", keys.p256dh}, {"auth", keys.auth}}}}}});
  }
  std::string Launch(const std::string& path, const json::object& body) {
    auto d = Ok(path, json::serialize(body));
    return d.is_object() ? std::string(d.at("campaign_id").as_string()) : "";
  }
  // The records of `sink` by the value of `key` in each.
  static std::map<std::string, std::vector<json::object>> By(const std::vector<json::value>& rs,
                                                             const char* key) {
    std::map<std::string, std::vector<json::object>> out;
    for (const auto& r : rs) out[std::string(r.at(key).as_string())].push_back(r.as_object());
    return out;
  }
};

TEST_F(PushServer, BroadcastsEncryptedPersonalizedWebPushAndDropsGoneBrowsers) {
  std::map<std::string, WebPushBrowserKeys> browsers;
  for (const char* path : {"/push/ann-1", "/push/ann-2", "/push/bob", "/push/cy"})
    browsers[path] = NewWebPushBrowserKeys();
  json::object subscribers;
  for (const auto& [path, keys] : browsers)
    subscribers[path] = {{"private_key", keys.private_key}, {"auth", keys.auth}};
  WebPushSink sink(dir.path(), json::serialize(json::object{
                                   {"subscribers", subscribers},
                                   {"answers", {{"/push/bob", {410}}, {"/push/cy", {429, 201}}}}}));
  Users(R"([{"userId":"ann","firstName":"Ann"},{"userId":"bob"},{"userId":"cy"},
            {"userId":"dee","firstName":"Dee"}])");
  auto channel = Ok("channel/push", R"({"web":{"vapid_subject":"mailto:ops@brand.test"}})");
  const std::string vapid = std::string(channel.at("web").at("vapid_public_key").as_string());
  EXPECT_EQ(Ok("channel/push/vapid", "{}").at("public_key"), vapid.c_str());
  const std::string ann1 = SubscribeBrowser("ann", sink, "/push/ann-1", browsers["/push/ann-1"]);
  SubscribeBrowser("ann", sink, "/push/ann-2", browsers["/push/ann-2"]);
  const std::string bob = SubscribeBrowser("bob", sink, "/push/bob", browsers["/push/bob"]);
  SubscribeBrowser("cy", sink, "/push/cy", browsers["/push/cy"]);
  // Registering a browser again keeps its subscription.
  EXPECT_EQ(SubscribeBrowser("ann", sink, "/push/ann-1", browsers["/push/ann-1"]), ann1);

  const std::string id =
      Launch("web/broadcast/all", {{"title", "Hi {{firstName | default: \"there\"}}"},
                                   {"message", "Sale for {{userId}}"},
                                   {"url", "https://shop.example/sale"},
                                   {"data", {{"coupon", "SPRING"}}},
                                   {"tracking", false}});
  auto done = WaitStatus(id, "sent");
  // dee has no browser: a broadcast to all web subscribers does not target her.
  EXPECT_EQ(done.at("counts"), Counts(3, 2, 1, 0)) << json::serialize(done);
  EXPECT_EQ(done.at("channel"), "web");

  auto by_path = By(sink.Records(), "path");
  for (const auto& [path, records] : by_path)
    for (const auto& r : records) {
      EXPECT_EQ(r.at("vapid_ok"), true) << path << ": " << json::serialize(r);
      EXPECT_EQ(r.at("vapid_key"), vapid.c_str());
      EXPECT_EQ(r.at("content_encoding"), "aes128gcm");
    }
  ASSERT_EQ(by_path["/push/ann-1"].size(), 1u);
  ASSERT_EQ(by_path["/push/ann-2"].size(), 1u);
  const json::object& payload = by_path["/push/ann-1"][0].at("payload").as_object();
  EXPECT_EQ(payload.at("title"), "Hi Ann");
  EXPECT_EQ(payload.at("body"), "Sale for ann");
  EXPECT_EQ(payload.at("url"), "https://shop.example/sale");
  EXPECT_EQ(payload.at("data"), (json::object{{"coupon", "SPRING"}}));
  EXPECT_EQ(by_path["/push/bob"][0].at("payload").at("title"), "Hi there");
  // cy's push service said 429 once: retried, delivered once.
  ASSERT_EQ(by_path["/push/cy"].size(), 2u);
  EXPECT_EQ(by_path["/push/cy"][0].at("status"), 429);
  EXPECT_EQ(by_path["/push/cy"][1].at("status"), 201);
  // bob's browser is gone (410): his subscription was removed.
  EXPECT_EQ(Call("push/unsubscribe", fmt::format(R"({{"subscription_id":"{}"}})", bob)).status,
            404);
  EXPECT_EQ(Call("push/unsubscribe", fmt::format(R"({{"subscription_id":"{}"}})", ann1)).status,
            200);
}

TEST_F(PushServer, SendsToOneUserOrOneSubscriptionAndSkipsUsersWithout) {
  std::map<std::string, WebPushBrowserKeys> browsers{{"/push/a", NewWebPushBrowserKeys()},
                                                     {"/push/b", NewWebPushBrowserKeys()}};
  json::object subscribers;
  for (const auto& [path, keys] : browsers)
    subscribers[path] = {{"private_key", keys.private_key}, {"auth", keys.auth}};
  WebPushSink sink(dir.path(), json::serialize(json::object{{"subscribers", subscribers}}));
  Ok("channel/push", R"({"web":{"vapid_subject":"https://brand.test/contact"}})");
  SubscribeBrowser("ann", sink, "/push/a", browsers["/push/a"]);
  const std::string second = SubscribeBrowser("ann", sink, "/push/b", browsers["/push/b"]);
  Users(R"([{"userId":"nobrowser"}])");

  const std::string one = Launch("web/send", {{"userId", "ann"},
                                              {"title", "T"},
                                              {"message", "M"},
                                              {"url", "https://shop.example/a"},
                                              {"subscription_id", second}});
  EXPECT_EQ(WaitStatus(one, "sent").at("counts"), Counts(1, 1, 0, 0));
  auto records = sink.Records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].at("path"), "/push/b");
  // Tracking is on by default: the url is a signed click link that counts and redirects.
  const std::string url(records[0].at("payload").at("url").as_string());
  ASSERT_TRUE(url.starts_with(fmt::format("http://127.0.0.1:{}/t/c/", server.port()))) << url;
  auto click = client.Get(url.substr(url.find("/t/c/")));
  EXPECT_EQ(click.status, 302);
  EXPECT_EQ(click.headers["location"], "https://shop.example/a");
  auto report = Ok("report/campaign", fmt::format(R"({{"campaign_id":"{}"}})", one));
  EXPECT_EQ(report.at("clicks"), 1) << json::serialize(report);

  const std::string none =
      Launch("web/send", {{"userId", "nobrowser"}, {"title", "T"}, {"message", "M"}});
  EXPECT_EQ(WaitStatus(none, "sent").at("counts"), Counts(1, 0, 0, 1));
  auto skipped = Ok("report/campaign", fmt::format(R"({{"campaign_id":"{}"}})", none));
  EXPECT_NE(json::serialize(skipped).find("no web push subscription"), std::string::npos)
      << json::serialize(skipped);
  EXPECT_EQ(sink.Records().size(), 1u);
}

TEST_F(PushServer, SendsThroughFcmWithAServiceAccountTokenAndDropsUnregisteredTokens) {
  const KeyPair account = GenerateRsaKeyPair();
  const std::string email = "push@test-project.iam.gserviceaccount.com";
  FcmSink sink(dir.path(), json::serialize(json::object{{"public_key", account.public_pem},
                                                        {"client_email", email},
                                                        {"unregistered", {"tok-gone"}}}));
  Ok("channel/push", json::serialize(json::object{{"android",
                                                   {{"project_id", "test-project"},
                                                    {"base_url", sink.base_url()},
                                                    {"service_account",
                                                     {{"type", "service_account"},
                                                      {"client_email", email},
                                                      {"private_key", account.private_pem},
                                                      {"token_uri", sink.token_uri()}}}}}}));
  Users(R"([{"userId":"ann","firstName":"Ann"},{"userId":"bob"}])");
  Subscribe({{"userId", "ann"}, {"platform", "android"}, {"token", "tok-ann"}});
  const std::string gone =
      Subscribe({{"userId", "bob"}, {"platform", "android"}, {"token", "tok-gone"}});
  const std::string id = Launch("android/broadcast/all", {{"title", "Hello {{firstName}}"},
                                                          {"message", "Your order shipped"},
                                                          {"image", "https://cdn.test/i.png"},
                                                          {"data", {{"order", 42}}},
                                                          {"tracking", false}});
  EXPECT_EQ(WaitStatus(id, "sent").at("counts"), Counts(2, 1, 1, 0));
  std::vector<json::object> messages;
  int tokens = 0;
  for (const auto& r : sink.Records()) {
    if (r.at("kind") == "token") {
      ++tokens;
      EXPECT_EQ(r.at("ok"), true) << json::serialize(r);
    } else {
      messages.push_back(r.as_object());
    }
  }
  EXPECT_EQ(tokens, 1);
  ASSERT_EQ(messages.size(), 2u);
  for (const auto& m : messages) {
    EXPECT_EQ(m.at("path"), "/v1/projects/test-project/messages:send");
    EXPECT_EQ(m.at("authorization_ok"), true);
    const json::object& msg = m.at("message").at("message").as_object();
    if (msg.at("token") != "tok-ann") continue;
    EXPECT_EQ(msg.at("notification"), (json::object{{"title", "Hello Ann"},
                                                    {"body", "Your order shipped"},
                                                    {"image", "https://cdn.test/i.png"}}));
    EXPECT_EQ(msg.at("data").at("order"), "42");
  }
  EXPECT_EQ(Call("push/unsubscribe", fmt::format(R"({{"subscription_id":"{}"}})", gone)).status,
            404);
}

TEST_F(PushServer, SendsToASegmentThroughApnsOverHttp2) {
  const KeyPair key = GenerateP256KeyPair();
  ApnsSink sink(dir.path(),
                json::serialize(json::object{{"public_key", key.public_pem},
                                             {"key_id", "KEY1234567"},
                                             {"team_id", "TEAM123456"},
                                             {"topic", "com.brand.app"},
                                             {"answers", {{std::string(64, 'b'), {503, 200}}}}}));
  Ok("channel/push", json::serialize(json::object{{"ios",
                                                   {{"team_id", "TEAM123456"},
                                                    {"key_id", "KEY1234567"},
                                                    {"private_key", key.private_pem},
                                                    {"topic", "com.brand.app"},
                                                    {"base_url", sink.base_url()}}}}));
  Users(R"([{"userId":"ann","firstName":"Ann","attributes":{"plan":"gold"}},
            {"userId":"bob","attributes":{"plan":"gold"}},
            {"userId":"cy","attributes":{"plan":"free"}}])");
  Subscribe({{"userId", "ann"}, {"platform", "ios"}, {"token", std::string(64, 'a')}});
  Subscribe({{"userId", "bob"}, {"platform", "ios"}, {"token", std::string(64, 'b')}});
  Subscribe({{"userId", "cy"}, {"platform", "ios"}, {"token", std::string(64, 'c')}});
  auto segment = Ok("segment/create", R"({"name":"gold","rules":
      {"attribute":"attributes.plan","op":"eq","value":"gold"}})");
  const std::string id =
      Launch("ios/broadcast/segment", {{"segment_id", segment.at("segment_id")},
                                       {"title", "Gold perks, {{firstName | default: \"friend\"}}"},
                                       {"message", "Inside"}});
  EXPECT_EQ(WaitStatus(id, "sent").at("counts"), Counts(2, 2, 0, 0));
  auto by_token = By(sink.Records(), "device_token");
  EXPECT_FALSE(by_token.contains(std::string(64, 'c')));
  ASSERT_EQ(by_token[std::string(64, 'a')].size(), 1u);
  ASSERT_EQ(by_token[std::string(64, 'b')].size(), 2u);  // 503, then 200
  const json::object& ann = by_token[std::string(64, 'a')][0];
  EXPECT_EQ(ann.at("jwt_ok"), true) << json::serialize(ann);
  EXPECT_EQ(ann.at("headers").at("apns-topic"), "com.brand.app");
  EXPECT_EQ(ann.at("headers").at("apns-push-type"), "alert");
  EXPECT_EQ(ann.at("payload").at("aps").at("alert"),
            (json::object{{"title", "Gold perks, Ann"}, {"body", "Inside"}}));
  EXPECT_EQ(by_token[std::string(64, 'b')][1].at("payload").at("aps").at("alert").at("title"),
            "Gold perks, friend");
}

TEST_F(PushServer, RefusesBadSubscriptionsAndKeepsBrandsApart) {
  auto error = [&](const std::string& path, const std::string& body) {
    auto r = Call(path, body);
    EXPECT_EQ(r.status, 400) << body << "\n" << r.body;
    return r.status == 400
               ? std::string(json::parse(r.body).at("response").at("message").as_string())
               : "";
  };
  EXPECT_EQ(error("push/subscribe", R"({"userId":"a","platform":"fax","token":"x"})"),
            "platform: must be web, android or ios");
  EXPECT_EQ(error("push/subscribe", R"({"platform":"android","token":"x"})"),
            "userId or anonymousId is required");
  EXPECT_EQ(error("push/subscribe", R"({"userId":"a","platform":"ios","token":"not-hex"})"),
            "token: must be the APNs device token in hex");
  EXPECT_EQ(error("push/subscribe",
                  R"({"userId":"a","platform":"web","subscription":{"endpoint":
                      "http://push.example/x","keys":{"p256dh":"AAAA","auth":"AAAA"}}})"),
            "subscription.endpoint: must be an https URL without a fragment");
  EXPECT_EQ(error("push/subscribe",
                  R"({"userId":"a","platform":"web","subscription":{"endpoint":
                      "https://push.example/x","keys":{"p256dh":"AAAA","auth":"AAAA"}}})"),
            "subscription.keys.p256dh: must be the browser's P-256 public key (base64url, 65 "
            "bytes)");
  EXPECT_EQ(error("web/send", R"({"userId":"a","message":"m"})"),
            "content.title: required for push");
  EXPECT_EQ(error("web/broadcast/segment", R"({"segment_id":"nope","title":"t","message":"m"})"),
            "target.segment_id: the brand has no segment 'nope'");
  EXPECT_EQ(error("campaign/create", R"({"name":"x","channel":"email","target":
                  {"subscribers":true},"content":{"subject":"s","text":"t"}})"),
            "target: subscribers and subscription_id are for push channels, not email");
  EXPECT_EQ(error("channel/push", R"({"ios":{"team_id":"T","key_id":"K","private_key":"x",
                                         "topic":"t"}})"),
            "ios.private_key: must be a PEM P-256 private key");

  // An anonymous visitor subscribes; another brand can neither see nor remove it.
  const std::string sub =
      Subscribe({{"anonymousId", "visitor-1"}, {"platform", "android"}, {"token", "tok-visitor"}});
  Brand other = CreateBrand(fresh.args, "other");
  auto theirs = client.Call(other, "/api/v1/push/unsubscribe",
                            fmt::format(R"({{"subscription_id":"{}"}})", sub));
  EXPECT_EQ(theirs.status, 404) << theirs.body;
  EXPECT_EQ(Ok("user/userData", R"({"anonymousId":"visitor-1"})").at("anonymousId"), "visitor-1");
  EXPECT_EQ(Call("push/unsubscribe", R"({"platform":"android","token":"tok-visitor"})").status,
            200);
  EXPECT_EQ(Call("push/unsubscribe", R"({"platform":"android","token":"tok-visitor"})").status,
            404);
}

TEST_F(PushServer, KeepsProviderKeysOutOfAnswers) {
  const KeyPair account = GenerateRsaKeyPair();
  const KeyPair apns = GenerateP256KeyPair();
  const std::string body = json::serialize(json::object{
      {"android",
       {{"project_id", "p"},
        {"service_account", {{"client_email", "a@p.iam"}, {"private_key", account.private_pem}}}}},
      {"ios",
       {{"team_id", "T"}, {"key_id", "K"}, {"private_key", apns.private_pem}, {"topic", "t"}}}});
  const std::string saved = json::serialize(Ok("channel/push", body));
  const std::string shown = json::serialize(Ok("channel/get", R"({"channel":"push"})"));
  for (const std::string& answer : {saved, shown}) {
    EXPECT_EQ(answer.find("PRIVATE KEY"), std::string::npos) << answer;
    EXPECT_NE(answer.find("\"private_key_set\":true"), std::string::npos) << answer;
  }
}

}  // namespace
}  // namespace cdp::testing
