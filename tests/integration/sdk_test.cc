// End-to-end tests of the tracking API (/v1) with the real SDKs from npm (tests/sdk, pinned
// by its package-lock.json and installed by scripts/setup): Segment's analytics-node and
// RudderStack's node SDK send every call type to the real binary with a source's write key,
// and the test reads the result back through /api/v1. Also what a browser sends (text/plain,
// the key in the body, CORS), and what the API refuses.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <stdexcept>
#include <thread>

#include "support/gzip.h"
#include "support/server_process.h"

namespace cdp::testing {
namespace {

namespace json = boost::json;

const std::string kSdkDir = std::string(CDP_TEST_SUPPORT_DIR) + "/../sdk";

std::string BasicAuth(const std::string& key) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const std::string in = key + ":";
  std::string out;
  for (size_t i = 0; i < in.size(); i += 3) {
    uint32_t n = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) n |= static_cast<unsigned char>(in[i + 1]) << 8;
    if (i + 2 < in.size()) n |= static_cast<unsigned char>(in[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += i + 2 < in.size() ? kAlphabet[n & 63] : '=';
  }
  return "Basic " + out;
}


const char* kScenario = R"([
  {"type": "identify", "userId": "u1", "anonymousId": "a1",
   "traits": {"email": "ada@example.com", "firstName": "Ada", "plan": "pro"}},
  {"type": "track", "userId": "u1", "event": "Order Completed",
   "properties": {"order_id": "o-1", "revenue": 42.5}, "messageId": "fixed-msg-1",
   "timestamp": "2024-05-01T12:00:00.000Z"},
  {"type": "track", "anonymousId": "a2", "event": "Signed Up", "properties": {"source": "ad"}},
  {"type": "page", "userId": "u1", "name": "Pricing", "category": "Docs",
   "properties": {"path": "/pricing"}},
  {"type": "screen", "userId": "u1", "name": "Home"},
  {"type": "group", "userId": "u1", "groupId": "g1", "traits": {"employees": 12}},
  {"type": "identify", "userId": "u2", "traits": {"email": "bob@example.com"}},
  {"type": "alias", "userId": "u2", "previousId": "a2"}
])";

class TrackingApi : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<std::string> args = {"source", "create", "--brand", s.brand.id, "--name", "web",
                                     "--json"};
    args.insert(args.end(), s.storage.begin(), s.storage.end());
    auto r = RunCdp(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    json::value v = json::parse(r.out);
    source_id_ = std::string(v.at("source_id").as_string());
    write_key_ = std::string(v.at("write_key").as_string());
  }

  // Sends `scenario` (a JSON array of calls) through the SDK; the SDK's own exit status.
  int RunSdk(const std::string& sdk, const std::string& scenario, int flush_at = 5,
             uint16_t port = 0) {
    const std::string file = s.dir.path() + "/" + sdk + "-scenario.json";
    std::ofstream(file) << scenario;
    const std::string log = s.dir.path() + "/" + sdk + ".log";
    const std::string cmd = fmt::format(
        "node {}/send.mjs --sdk {} --url http://127.0.0.1:{} --write-key {} --scenario {} "
        "--flush-at {} > {} 2>&1",
        kSdkDir, sdk, port ? port : s.server.port(), write_key_, file, flush_at, log);
    int rc = std::system(cmd.c_str());
    if (rc != 0) {
      std::ifstream in(log);
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      ADD_FAILURE() << sdk << " failed: " << text;
    }
    return rc;
  }

  HttpResponse Track(const std::string& path, const std::string& body,
                     std::map<std::string, std::string> headers = {}) {
    if (!headers.contains("Authorization") && !headers.contains("none"))
      headers["Authorization"] = BasicAuth(write_key_);
    headers.erase("none");
    if (!headers.contains("Content-Type")) headers["Content-Type"] = "application/json";
    return s.client.Send("POST", path, body, headers);
  }

  json::object User(const std::string& user_id) {
    auto r = s.Call("/api/v1/user/userData", fmt::format(R"({{"userId":"{}"}})", user_id));
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? r.Data().as_object() : json::object();
  }
  int64_t Events(const std::string& name) {
    auto r = s.Call("/api/v1/event/count", fmt::format(R"({{"event_name":"{}"}})", name));
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? r.Data().at("events").to_number<int64_t>() : -1;
  }

  // The source's calls in its debugger, newest first, once the call log has written them
  // (every second).
  json::array DebuggerCalls() {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    auto r = s.Call("/api/v1/source/debugger", fmt::format(R"({{"source_id":"{}"}})", source_id_));
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? r.Data().at("calls").as_array() : json::array();
  }

  void ExpectScenarioStored() {
    json::object u1 = User("u1");
    EXPECT_EQ(u1.at("email"), json::value("ada@example.com"));
    EXPECT_EQ(u1.at("firstName"), json::value("Ada"));
    EXPECT_EQ(u1.at("anonymousId"), json::value("a1"));
    EXPECT_EQ(u1.at("attributes").at("plan"), json::value("pro"));
    EXPECT_EQ(u1.at("attributes").at("groupId"), json::value("g1"));
    EXPECT_EQ(u1.at("attributes").at("groupTraits").at("employees"), json::value(12));
    EXPECT_EQ(Events("Order Completed"), 1);
    EXPECT_EQ(Events("page"), 1);
    EXPECT_EQ(Events("screen"), 1);
    // The alias merged a2's profile, and its event, into u2.
    json::object u2 = User("u2");
    EXPECT_EQ(u2.at("email"), json::value("bob@example.com"));
    EXPECT_EQ(u2.at("anonymousId"), json::value("a2"));
    auto signed_up = s.Call("/api/v1/event/get", R"({"event_name":"Signed Up"})");
    ASSERT_EQ(signed_up.status, 200) << signed_up.body;
    ASSERT_EQ(signed_up.Data().at("users").as_array().size(), 1u);
    EXPECT_EQ(signed_up.Data().at("users").at(0).at("userId"), json::value("u2"));
  }

  TestServer s;
  std::string source_id_, write_key_;
};



TEST_F(TrackingApi, SegmentsNodeSdkSendsEveryCallType) {
  ASSERT_EQ(RunSdk("segment", kScenario), 0);
  ExpectScenarioStored();
}

TEST_F(TrackingApi, RudderStacksGzippingNodeSdkSendsEveryCallType) {
  ASSERT_EQ(RunSdk("rudderstack", kScenario), 0);
  ExpectScenarioStored();
}

TEST_F(TrackingApi, SdkRetriesOfTheSameMessagesAreStoredOnce) {
  const char* one = R"([{"type":"track","userId":"u9","event":"Retried","messageId":"m-9"}])";
  ASSERT_EQ(RunSdk("segment", one), 0);
  ASSERT_EQ(RunSdk("rudderstack", one), 0);  // the same messageId again, gzipped
  EXPECT_EQ(Events("Retried"), 1);
  // A whole batch sent twice, as an SDK does after a lost answer.
  const std::string batch =
      R"({"batch":[{"type":"track","userId":"u9","event":"Twice","messageId":"t-1"},
                  {"type":"track","userId":"u9","event":"Twice","messageId":"t-2"}]})";
  EXPECT_EQ(Track("/v1/batch", batch).status, 200);
  EXPECT_EQ(Track("/v1/batch", Gzip(batch), {{"Content-Encoding", "gzip"}}).status, 200);
  EXPECT_EQ(Events("Twice"), 2);
}

// A proxy that forwards each call to the server but loses the first answer: the SDK sees a
// 503 for a batch the server stored, and retries it (tests/sdk/lossy_proxy.py).
class LossyProxy {
 public:
  LossyProxy(const std::string& dir, uint16_t upstream) : dir_(dir) {
    const std::string cmd = fmt::format(
        "/usr/bin/python3 {}/lossy_proxy.py {} --lose 1 > {}/proxy.port 2> {}/proxy.log & "
        "echo $! > {}/proxy.pid",
        kSdkDir, upstream, dir, dir, dir);
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("cannot start the proxy");
    for (int i = 0; i < 100 && port_ == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      std::ifstream in(dir + "/proxy.port");
      int port = 0;
      if (in >> port) port_ = static_cast<uint16_t>(port);
    }
    if (port_ == 0) throw std::runtime_error("the proxy printed no port");
  }
  ~LossyProxy() {
    std::ifstream in(dir_ + "/proxy.pid");
    int pid = 0;
    if (in >> pid && pid > 0) std::system(fmt::format("kill {}", pid).c_str());
  }
  uint16_t port() const { return port_; }
  // How many calls reached the server.
  int Forwarded() const {
    std::ifstream in(dir_ + "/proxy.log");
    int n = 0;
    for (std::string line; std::getline(in, line);) n += line.starts_with("forwarded");
    return n;
  }

 private:
  std::string dir_;
  uint16_t port_ = 0;
};

TEST_F(TrackingApi, WhatAnSdkRetriesAfterALostAnswerIsStoredOnce) {
  const char* calls = R"([
    {"type":"track","userId":"u7","event":"Lost Answer","properties":{"n":1}},
    {"type":"track","userId":"u7","event":"Lost Answer","properties":{"n":2}}])";
  for (const std::string sdk : {"segment", "rudderstack"}) {
    std::filesystem::create_directories(s.dir.path() + "/" + sdk);
    LossyProxy proxy(s.dir.path() + "/" + sdk, s.server.port());
    ASSERT_EQ(RunSdk(sdk, calls, 5, proxy.port()), 0);
    EXPECT_GE(proxy.Forwarded(), 2) << sdk << " retried the batch whose answer was lost";
  }
  // Each SDK's two messages once, though each batch reached the server twice.
  EXPECT_EQ(Events("Lost Answer"), 4);
}

TEST_F(TrackingApi, ABrowsersTextPlainCallWithTheKeyInTheBodyIsStored) {
  const std::string body = fmt::format(
      R"({{"writeKey":"{}","type":"track","anonymousId":"anon-7","event":"Clicked",
          "properties":{{"button":"buy"}},"context":{{"page":{{"path":"/"}}}}}})",
      write_key_);
  auto r = Track("/v1/t", body,
                 {{"none", ""}, {"Content-Type", "text/plain"}, {"Origin", "https://shop.example"}});
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, R"({"success":true})");
  EXPECT_EQ(r.headers["access-control-allow-origin"], "https://shop.example");
  EXPECT_EQ(Events("Clicked"), 1);
  auto preflight = s.client.Send("OPTIONS", "/v1/batch", "",
                                 {{"Origin", "https://shop.example"},
                                  {"Access-Control-Request-Method", "POST"},
                                  {"Access-Control-Request-Headers", "content-type"}});
  EXPECT_EQ(preflight.status, 204);
  EXPECT_EQ(preflight.headers["access-control-allow-origin"], "https://shop.example");
  EXPECT_NE(preflight.headers["access-control-allow-methods"].find("POST"), std::string::npos);
}

TEST_F(TrackingApi, OnlyTheSourcesAllowedOriginsMaySendFromABrowser) {
  std::vector<std::string> args = {"source",   "origins", "--brand", s.brand.id, "--source",
                                   source_id_, "--origin", "https://shop.example"};
  args.insert(args.end(), s.storage.begin(), s.storage.end());
  ASSERT_EQ(RunCdp(args).exit_code, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));  // the key cache's life
  const std::string call = R"({"type":"track","userId":"u1","event":"Seen"})";
  EXPECT_EQ(Track("/v1/track", call, {{"Origin", "https://shop.example"}}).status, 200);
  EXPECT_EQ(Track("/v1/track", call, {{"Origin", "https://evil.example"}}).status, 403);
  EXPECT_EQ(Track("/v1/track", call).status, 200);  // a server, not a browser
  EXPECT_EQ(Events("Seen"), 2);
}

TEST_F(TrackingApi, AnalyticsJsLoadsItsSettingsFromTheServer) {
  auto r = s.client.Get("/v1/projects/" + write_key_ + "/settings");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto& segment_io = r.json.at("integrations").at("Segment.io");
  EXPECT_EQ(segment_io.at("apiKey"), json::value(write_key_));
  EXPECT_EQ(segment_io.at("apiHost"),
            json::value(fmt::format("127.0.0.1:{}/v1", s.server.port())));
  EXPECT_EQ(segment_io.at("protocol"), json::value("http"));
  EXPECT_EQ(s.client.Get("/v1/projects/wk_unknown/settings").status, 401);
}

TEST_F(TrackingApi, AWriteKeyNeverReads) {
  auto r = s.client.Send("POST", "/api/v1/user/userData", R"({"userId":"u1"})",
                         {{"x-brand-id", s.brand.id},
                          {"x-api-key", write_key_},
                          {"Content-Type", "application/json"}});
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.Message().find("write key"), std::string::npos) << r.body;
  auto basic = s.client.Send("POST", "/api/v1/event/count", R"({"event_name":"x"})",
                             {{"Authorization", BasicAuth(write_key_)},
                              {"Content-Type", "application/json"}});
  EXPECT_EQ(basic.status, 401);
}

TEST_F(TrackingApi, BadRevokedOrMissingKeysAre401) {
  const std::string call = R"({"type":"track","userId":"u1","event":"e"})";
  EXPECT_EQ(Track("/v1/track", call, {{"Authorization", BasicAuth("wk_nope")}}).status, 401);
  EXPECT_EQ(Track("/v1/track", call, {{"none", ""}}).status, 401);
  ASSERT_EQ(Track("/v1/track", call).status, 200);
  std::vector<std::string> args = {"source", "revoke", "--brand", s.brand.id, "--source",
                                   source_id_};
  args.insert(args.end(), s.storage.begin(), s.storage.end());
  ASSERT_EQ(RunCdp(args).exit_code, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  EXPECT_EQ(Track("/v1/track", call).status, 401);
}

TEST_F(TrackingApi, AGzipBombAndOversizedBatchesAreRefused) {
  std::string huge = R"({"batch":[{"type":"track","userId":"u","event":"e","properties":{"p":")" +
                     std::string(20 * 1024 * 1024, 'a') + R"("}}]})";
  auto bomb = Track("/v1/batch", Gzip(huge), {{"Content-Encoding", "gzip"}});
  EXPECT_EQ(bomb.status, 413) << bomb.body;
  EXPECT_EQ(Track("/v1/batch", "{not json").status, 400);
  EXPECT_EQ(Track("/v1/batch", Gzip("x") + "junk", {{"Content-Encoding", "gzip"}}).status, 400);
  std::string many = R"({"batch":[)";
  for (int i = 0; i < 2501; ++i) many += R"({"type":"track","userId":"u","event":"e"},)";
  many.back() = ']';
  many += "}";
  EXPECT_EQ(Track("/v1/batch", many).status, 413);
  // Each is in the source's debugger, with why.
  const json::array list = DebuggerCalls();
  ASSERT_EQ(list.size(), 4u) << json::serialize(list);
  EXPECT_EQ(list[3].at("status"), json::value(413));
  EXPECT_NE(json::serialize(list[3].at("detail")).find("inflates"), std::string::npos)
      << json::serialize(list[3]);
}

TEST_F(TrackingApi, InvalidMessagesOfABatchAreDroppedAndTheRestStored) {
  auto r = Track("/v1/batch", R"({"batch":[
      {"type":"track","userId":"u1","event":"Kept"},
      {"type":"track","event":"No ids"},
      {"type":"nonsense","userId":"u1"},
      {"type":"identify","userId":"u1","traits":{"email":"not-an-email","plan":"pro"}}]})");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Events("Kept"), 1);
  EXPECT_EQ(User("u1").at("attributes").at("plan"), json::value("pro"));
  // A lone invalid call is a 400 that says why.
  auto lone = Track("/v1/track", R"({"type":"track","event":"No ids"})");
  EXPECT_EQ(lone.status, 400);
  EXPECT_NE(lone.Message().find("userId"), std::string::npos) << lone.body;
  // The debugger shows why.
  const json::array list = DebuggerCalls();
  ASSERT_EQ(list.size(), 2u) << json::serialize(list);
  EXPECT_EQ(list[0].at("status"), json::value(400));
  EXPECT_EQ(list[1].at("accepted"), json::value(2));
  EXPECT_EQ(list[1].at("rejected"), json::value(2));
  EXPECT_NE(json::serialize(list[1].at("detail")).find("traits.email"), std::string::npos)
      << json::serialize(list[1]);
  // A lone call the store refuses (plan was a string, now a number) is a 400 too; in a
  // batch the same message is dropped and the batch a 200.
  const std::string conflict = R"({"type":"identify","userId":"u1","traits":{"plan":5}})";
  auto refused = Track("/v1/identify", conflict);
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_NE(refused.Message().find("plan"), std::string::npos) << refused.body;
  EXPECT_EQ(Track("/v1/batch", R"({"batch":[)" + conflict + "]}").status, 200);
  EXPECT_EQ(User("u1").at("attributes").at("plan"), json::value("pro"));
}

}  // namespace
}  // namespace cdp::testing
