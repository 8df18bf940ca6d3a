// End-to-end tests of durability: what a 200 promises survives a clean restart and a
// kill -9 right after it, on the same storage.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "support/json_match.h"
#include "support/server_process.h"

namespace cdp::testing {
namespace {

namespace json = boost::json;

class Durability : public ::testing::Test {
 protected:
  // A client of the server as it runs now (its port changes on each restart).
  HttpResponse Call(const std::string& path, const std::string& body) {
    HttpClient client(s.server.port());
    return client.Call(s.brand, path, body);
  }
  HttpResponse Get(const std::string& user_id) {
    return Call("/api/v1/user/userData", fmt::format(R"({{"userId":"{}"}})", user_id));
  }

  TestServer s;
};

TEST_F(Durability, ACleanRestartKeepsTheData) {
  ASSERT_EQ(s.Call("/api/v1/user/create",
                   R"({"userId":"kept","email":"k@example.com","attributes":{"plan":"gold"}})")
                .status,
            200);
  EXPECT_EQ(s.server.Terminate(), 0);
  s.server.Restart();
  auto u = Get("kept");
  ASSERT_EQ(u.status, 200) << u.body;
  EXPECT_TRUE(JsonContains(R"({"email":"k@example.com","attributes":{"plan":"gold"}})", u.Data()));
}

TEST_F(Durability, ACleanStopLogsStoppedLast) {
  ASSERT_EQ(s.client.Get("/healthz").status, 200);
  EXPECT_EQ(s.server.Terminate(), 0);
  std::string log = s.server.Log();
  while (!log.empty() && log.back() == '\n') log.pop_back();
  std::string last_line = log.substr(log.rfind('\n') + 1);
  EXPECT_TRUE(last_line.ends_with(" stopped")) << log;
}

TEST_F(Durability, KillNineRightAfterTheLast200KeepsEveryWrite) {
  constexpr int kUsers = 40;
  for (int i = 0; i < kUsers; ++i) {
    ASSERT_EQ(s.Call("/api/v1/user/create",
                     fmt::format(R"({{"userId":"u{}","attributes":{{"i":{}}}}})", i, i))
                  .status,
              200);
  }
  s.server.Kill();
  s.server.Restart();
  for (int i = 0; i < kUsers; ++i) {
    auto u = Get(fmt::format("u{}", i));
    ASSERT_EQ(u.status, 200) << "u" << i << " was acknowledged but lost";
    EXPECT_EQ(u.Data().at("attributes").at("i"), json::value(i));
  }
}

TEST_F(Durability, KillNineRightAfterABatchKeepsTheWholeBatch) {
  std::string body = R"({"nv":[)";
  for (int i = 0; i < 100; ++i) body += fmt::format(R"({}{{"userId":"b{}"}})", i ? "," : "", i);
  ASSERT_EQ(s.Call("/api/v1/user/create", body + "]}").status, 200);
  s.server.Kill();
  s.server.Restart();
  for (int i = 0; i < 100; ++i) EXPECT_EQ(Get(fmt::format("b{}", i)).status, 200) << i;
}

TEST_F(Durability, KillNineRightAfterAnUpdateKeepsTheMergedProfile) {
  ASSERT_EQ(s.Call("/api/v1/user/create",
                   R"({"userId":"m","email":"m@example.com","attributes":{"a":1}})")
                .status,
            200);
  ASSERT_EQ(s.Call("/api/v1/user/create", R"({"userId":"m","attributes":{"b":2}})").status, 200);
  s.server.Kill();
  s.server.Restart();
  auto u = Get("m");
  ASSERT_EQ(u.status, 200) << u.body;
  EXPECT_TRUE(JsonContains(R"({"email":"m@example.com","attributes":{"a":1,"b":2}})", u.Data()));
}

TEST_F(Durability, KillNineRightAfterADeleteKeepsTheUserDeleted) {
  ASSERT_EQ(s.Call("/api/v1/user/create", R"({"userId":"gone"})").status, 200);
  ASSERT_EQ(s.Call("/api/v1/user/delete", R"({"userId":"gone"})").status, 200);
  s.server.Kill();
  s.server.Restart();
  EXPECT_EQ(Get("gone").status, 404);
}

TEST_F(Durability, AnAttributesTypeSurvivesARestart) {
  ASSERT_EQ(s.Call("/api/v1/user/create", R"({"userId":"t","attributes":{"spent":1.5}})").status,
            200);
  s.server.Kill();
  s.server.Restart();
  auto r = Call("/api/v1/user/create", R"({"userId":"t2","attributes":{"spent":"lots"}})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.Message().find("attribute 'spent' was first stored as a number"), std::string::npos)
      << r.body;
}

TEST_F(Durability, ARevokedKeyStaysRevokedAfterARestart) {
  auto r = RunCdp([&] {
    std::vector<std::string> args = {"key",      "revoke", "--brand",
                                     s.brand.id, "--key",  s.brand.key.substr(0, 12)};
    args.insert(args.end(), s.storage.begin(), s.storage.end());
    return args;
  }());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  s.server.Restart();
  EXPECT_EQ(Get("anyone").status, 401);
}

}  // namespace
}  // namespace cdp::testing
