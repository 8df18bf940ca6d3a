// End-to-end tests of the User API and of brand keys: the real binary over HTTP.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "support/server_process.h"

namespace cdp::testing {
namespace {

namespace json = boost::json;

class UserApi : public ::testing::Test {
 protected:
  TestServer s;

  HttpResponse Create(const std::string& body) { return s.Call("/api/v1/user/create", body); }
  HttpResponse Get(const std::string& user_id) {
    return s.Call("/api/v1/user/userData", fmt::format(R"({{"userId":"{}"}})", user_id));
  }
  // The message of a single-user create that must fail with 400.
  std::string Rejection(const std::string& body) {
    auto r = Create(body);
    EXPECT_EQ(r.status, 400) << body << " -> " << r.body;
    EXPECT_EQ(r.EnvelopeStatus(), "error");
    return r.Message();
  }
};

TEST_F(UserApi, CreatesAUserFromTheSeedsBatchShapeAndReadsItBack) {
  auto r = Create(
      R"({"nv":[{"userID":"1234","user_attributes":{"name":"John","email":"john@example.com","mobile":"+919899999999"}}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.EnvelopeStatus(), "success");
  EXPECT_EQ(r.Data().at("saved"), json::value(1));
  auto u = Get("1234");
  ASSERT_EQ(u.status, 200) << u.body;
  EXPECT_EQ(u.Data().at("name"), json::value("John"));
  EXPECT_EQ(u.Data().at("email"), json::value("john@example.com"));
  EXPECT_EQ(u.Data().at("mobile"), json::value("+919899999999"));
}

TEST_F(UserApi, AcceptsTheFlatShapeWithCustomAttributes) {
  ASSERT_EQ(
      Create(
          R"({"userId":"michaelclark","firstName":"Michael","lastName":"Clark",)"
          R"("birthDate":"1986-08-19T15:45:00-0800","email":"m@example.com","company":"Alphabet Inc.",)"
          R"("attributes":{"Twitter username":"@michaelclark86","Dollars spent":461.93,"Points earned":78732}})")
          .status,
      200);
  auto u = Get("michaelclark");
  EXPECT_EQ(u.Data().at("firstName"), json::value("Michael"));
  EXPECT_EQ(u.Data().at("birthDate"), json::value("1986-08-19"));
  EXPECT_EQ(u.Data().at("attributes").at("Dollars spent"), json::value(461.93));
  EXPECT_EQ(u.Data().at("attributes").at("Points earned"), json::value(78732));
}

TEST_F(UserApi, AcceptsEveryDocumentedSpellingOfAField) {
  ASSERT_EQ(
      Create(R"({"user_id":"a","first_name":"Ann","birth_date":"1990-01-02","email_opt_in":"1"})")
          .status,
      200);
  ASSERT_EQ(
      Create(R"({"userID":"b","firstName":"Bea","birthDate":"1991-02-03","sms_opt_in":2})").status,
      200);
  EXPECT_EQ(Get("a").Data().at("firstName"), json::value("Ann"));
  EXPECT_EQ(Get("a").Data().at("email_opt_in"), json::value(1));
  EXPECT_EQ(Get("b").Data().at("birthDate"), json::value("1991-02-03"));
  EXPECT_EQ(Get("b").Data().at("sms_opt_in"), json::value(2));
}

TEST_F(UserApi, SaysExactlyWhatIsWrongWithAUser) {
  EXPECT_EQ(Rejection(R"({"firstName":"x"})"), "Error: userId and anonymousId cannot be empty.");
  EXPECT_EQ(Rejection(fmt::format(R"({{"userId":"{}"}})", std::string(101, 'u'))),
            "userId: must be at most 100 characters, got 101");
  EXPECT_NE(Rejection(R"({"userId":"u","gender":"robot"})")
                .find("gender: must be one of male, female, other"),
            std::string::npos);
  EXPECT_NE(Rejection(R"({"userId":"u","birthDate":"2023-02-30"})").find("birthDate"),
            std::string::npos);
  EXPECT_NE(Rejection(R"({"userId":"u","mobile":"12345"})").find("E.164"), std::string::npos);
  EXPECT_NE(Rejection(R"({"userId":"u","email":"not-an-email"})").find("email"), std::string::npos);
  EXPECT_NE(Rejection(R"({"userId":"u","whatsapp_opt_in":3})").find("must be 0, 1 or 2"),
            std::string::npos);
  EXPECT_NE(Rejection(R"({"userId":"u","favourite":"x"})").find("unknown field 'favourite'"),
            std::string::npos);
  EXPECT_NE(
      Rejection(fmt::format(R"({{"userId":"u","attributes":{{"{}":1}}}})", std::string(50, 'a')))
          .find("less than 50 characters"),
      std::string::npos);
  EXPECT_NE(Rejection(fmt::format(R"({{"userId":"u","attributes":{{"bio":"{}"}}}})",
                                  std::string(1000, 'b')))
                .find("less than 1000 characters"),
            std::string::npos);
}

TEST_F(UserApi, AcceptsTheLongestValuesTheRulesAllow) {
  EXPECT_EQ(Create(fmt::format(R"({{"userId":"{}","attributes":{{"{}":"{}"}}}})",
                               std::string(100, 'u'), std::string(49, 'a'), std::string(999, 'b')))
                .status,
            200);
}

TEST_F(UserApi, KeepsAnAttributesTypeForTheBrand) {
  ASSERT_EQ(Create(R"({"userId":"u1","attributes":{"Dollars spent":461.93}})").status, 200);
  std::string message = Rejection(R"({"userId":"u2","attributes":{"Dollars spent":"a lot"}})");
  EXPECT_NE(message.find("'Dollars spent' was first stored as a number"), std::string::npos)
      << message;
}

TEST_F(UserApi, AnUpdateKeepsWhatItDoesNotSend) {
  ASSERT_EQ(
      Create(
          R"({"userId":"u","email":"a@example.com","company":"Acme","attributes":{"plan":"gold","seats":3}})")
          .status,
      200);
  ASSERT_EQ(Create(R"({"userId":"u","company":null,"attributes":{"seats":4}})").status, 200);
  auto u = Get("u").Data();
  EXPECT_EQ(u.at("email"), json::value("a@example.com"));
  EXPECT_TRUE(u.at("company").is_null());
  EXPECT_EQ(u.at("attributes").at("plan"), json::value("gold"));
  EXPECT_EQ(u.at("attributes").at("seats"), json::value(4));
}

TEST_F(UserApi, ABatchSavesValidUsersAndReportsInvalidOnesByIndex) {
  auto r = Create(R"({"nv":[{"userId":"ok1"},{"userId":"bad","gender":"x"},{"userId":"ok2"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Data().at("saved"), json::value(2));
  const auto& errors = r.Data().at("errors").as_array();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].at("index"), json::value(1));
  EXPECT_NE(std::string(errors[0].at("message").as_string()).find("nv[1]: gender"),
            std::string::npos);
  EXPECT_EQ(Get("ok2").status, 200);
  EXPECT_EQ(Get("bad").status, 404);
}

TEST_F(UserApi, RejectsABatchOfOneHundredAndOneUsers) {
  std::string body = R"({"nv":[)";
  for (int i = 0; i < 101; ++i) body += fmt::format(R"({}{{"userId":"u{}"}})", i ? "," : "", i);
  body += "]}";
  auto r = Create(body);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Message(), "nv: at most 100 users per call, got 101");
  EXPECT_EQ(Get("u0").status, 404);
  EXPECT_EQ(Create(R"({"nv":[]})").status, 400);
}

TEST_F(UserApi, AnswersTheSeedsMalformedBodyWithTheParsePosition) {
  auto r = Create(
      R"({"nv":[{"userID":"1234"",user_attributes":{name:'John', email:'john@example.com', mobile:'+919899999999'}}]})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.Message().find("malformed JSON at line 1, column 24"), std::string::npos)
      << r.Message();
}

TEST_F(UserApi, AnUnknownUserIsANotFoundError) {
  auto r = Get("nobody");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.EnvelopeStatus(), "error");
}

TEST_F(UserApi, DeleteRemovesTheUser) {
  ASSERT_EQ(Create(R"({"userId":"gone"})").status, 200);
  auto r = s.Call("/api/v1/user/delete", R"({"userId":"gone"})");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Get("gone").status, 404);
  EXPECT_EQ(s.Call("/api/v1/user/delete", R"({"userId":"gone"})").status, 404);
}

TEST_F(UserApi, RejectsMissingOrWrongCredentials) {
  auto none = s.client.Post("/api/v1/user/create", R"({"userId":"u"})",
                            {{"content-type", "application/json"}});
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.Message(), "Invalid auth");
  Brand wrong{s.brand.id, "cdp_" + std::string(48, '0')};
  EXPECT_EQ(s.client.Call(wrong, "/api/v1/user/create", R"({"userId":"u"})").status, 401);
  Brand unknown{"0000000000000000", s.brand.key};
  EXPECT_EQ(s.client.Call(unknown, "/api/v1/user/create", R"({"userId":"u"})").status, 401);
}

TEST_F(UserApi, ABrandsKeyNeverReachesAnotherBrandsUsers) {
  ASSERT_EQ(Create(R"({"userId":"private","email":"p@example.com"})").status, 200);
  Brand other = CreateBrand(s.storage, "other");
  EXPECT_EQ(s.client.Call(other, "/api/v1/user/userData", R"({"userId":"private"})").status, 404);
  EXPECT_EQ(s.client.Call(other, "/api/v1/user/delete", R"({"userId":"private"})").status, 404);
  // The other brand's own user of the same id is a different profile.
  ASSERT_EQ(
      s.client.Call(other, "/api/v1/user/create", R"({"userId":"private","email":"x@example.com"})")
          .status,
      200);
  EXPECT_EQ(Get("private").Data().at("email"), json::value("p@example.com"));
  // A brand id with another brand's key is refused.
  Brand mixed{s.brand.id, other.key};
  EXPECT_EQ(s.client.Call(mixed, "/api/v1/user/userData", R"({"userId":"private"})").status, 401);
}

TEST_F(UserApi, ConcurrentWritersAreAllStored) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      HttpClient client(s.server.port());
      for (int i = 0; i < 25; ++i)
        EXPECT_EQ(
            client
                .Call(s.brand, "/api/v1/user/create", fmt::format(R"({{"userId":"t{}-{}"}})", t, i))
                .status,
            200);
    });
  }
  for (auto& t : threads) t.join();
  for (int t = 0; t < 8; ++t) EXPECT_EQ(Get(fmt::format("t{}-24", t)).status, 200);
}

TEST(UserDurability, ARestartKeepsTheData) {
  TempDir dir;
  std::vector<std::string> storage = {"--data", dir.path() + "/data"};
  Brand brand = CreateBrand(storage, "b");
  {
    ServerProcess server(storage, dir.path() + "/1.log");
    HttpClient client(server.port());
    ASSERT_EQ(client.Call(brand, "/api/v1/user/create", R"({"userId":"kept"})").status, 200);
    EXPECT_EQ(server.Terminate(), 0);
  }
  ServerProcess server(storage, dir.path() + "/2.log");
  HttpClient client(server.port());
  EXPECT_EQ(client.Call(brand, "/api/v1/user/userData", R"({"userId":"kept"})").status, 200);
}

TEST(UserDurability, KillNineAfterA200KeepsTheWrite) {
  TempDir dir;
  std::vector<std::string> storage = {"--data", dir.path() + "/data"};
  Brand brand = CreateBrand(storage, "b");
  constexpr int kUsers = 40;
  {
    ServerProcess server(storage, dir.path() + "/1.log");
    HttpClient client(server.port());
    for (int i = 0; i < kUsers; ++i)
      ASSERT_EQ(
          client.Call(brand, "/api/v1/user/create", fmt::format(R"({{"userId":"u{}"}})", i)).status,
          200);
    server.Kill();
  }
  ServerProcess server(storage, dir.path() + "/2.log");
  HttpClient client(server.port());
  for (int i = 0; i < kUsers; ++i)
    EXPECT_EQ(
        client.Call(brand, "/api/v1/user/userData", fmt::format(R"({{"userId":"u{}"}})", i)).status,
        200)
        << i;
}

// Key changes by the admin commands reach a running server (it caches keys for 1 s).
class BrandKeys : public ::testing::Test {
 protected:
  TestServer s;

  // Polls until the key gets `status` on userData, for up to 5 s.
  int EventuallyStatus(const Brand& brand, int status) {
    int got = 0;
    for (int i = 0; i < 50; ++i) {
      got = s.client.Call(brand, "/api/v1/user/userData", R"({"userId":"nobody"})").status;
      if (got == status) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return got;
  }
  std::vector<std::string> Args(std::vector<std::string> args) {
    args.insert(args.end(), s.storage.begin(), s.storage.end());
    return args;
  }
};

TEST_F(BrandKeys, RotationIssuesAWorkingKeyAndKeepsTheOldOne) {
  auto r = RunCdp(Args({"key", "rotate", "--brand", s.brand.id, "--json"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json::value v = json::parse(r.out);
  Brand rotated{s.brand.id, std::string(v.at("api_key").as_string())};
  EXPECT_NE(rotated.key, s.brand.key);
  EXPECT_EQ(EventuallyStatus(rotated, 404), 404);  // authenticated: the user is unknown
  EXPECT_EQ(EventuallyStatus(s.brand, 404), 404);
}

TEST_F(BrandKeys, ARevokedKeyStopsWorkingOnTheRunningServer) {
  ASSERT_EQ(EventuallyStatus(s.brand, 404), 404);
  auto r =
      RunCdp(Args({"key", "revoke", "--brand", s.brand.id, "--key", s.brand.key.substr(0, 12)}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(EventuallyStatus(s.brand, 401), 401);
}

TEST_F(BrandKeys, RotatingWithRevokeOldLeavesOnlyTheNewKey) {
  auto r = RunCdp(Args({"key", "rotate", "--brand", s.brand.id, "--revoke-old", "--json"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Brand rotated{s.brand.id, std::string(json::parse(r.out).at("api_key").as_string())};
  EXPECT_EQ(EventuallyStatus(s.brand, 401), 401);
  EXPECT_EQ(EventuallyStatus(rotated, 404), 404);
}

TEST(BrandCommands, CreatePrintsTheBrandIdAndKeyOnce) {
  TempDir dir;
  auto r = RunCdp({"brand", "create", "Acme", "--data", dir.path()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("brand_id: "), std::string::npos);
  EXPECT_NE(r.out.find("api_key:  cdp_"), std::string::npos);
  auto keys = RunCdp({"key", "list", "--brand", "nope", "--data", dir.path()});
  EXPECT_NE(keys.exit_code, 0);
}

}  // namespace
}  // namespace cdp::testing
