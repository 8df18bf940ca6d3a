// End-to-end tests of brands and their keys: isolation between brands, and the admin
// commands (`cdp brand create`, `cdp key rotate|revoke|list`) acting on a running server.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "support/json_match.h"
#include "support/server_process.h"

namespace cdp::testing {
namespace {

namespace json = boost::json;

constexpr const char* kInvalidAuth =
    R"({"response":{"status":"error","message":"Invalid auth","data":null}})";

class BrandIsolation : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(
        s.Call("/api/v1/user/create", R"({"userId":"private","email":"p@example.com"})").status,
        200);
    other_ = CreateBrand(s.storage, "other");
  }
  HttpResponse AsOther(const std::string& path, const std::string& body) {
    return s.client.Call(other_, path, body);
  }

  TestServer s;
  Brand other_;
};

TEST_F(BrandIsolation, AnotherBrandsKeyCannotReadAUser) {
  auto r = AsOther("/api/v1/user/userData", R"({"userId":"private"})");
  EXPECT_EQ(r.status, 404);
  EXPECT_TRUE(JsonContains(R"({"response":{"status":"error","message":"~'private'"}})", r.json));
  EXPECT_EQ(r.body.find("p@example.com"), std::string::npos);
}

TEST_F(BrandIsolation, AnotherBrandsKeyCannotDeleteAUser) {
  EXPECT_EQ(AsOther("/api/v1/user/delete", R"({"userId":"private"})").status, 404);
  auto r = s.Call("/api/v1/user/userData", R"({"userId":"private"})");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Data().at("email"), json::value("p@example.com"));
}

TEST_F(BrandIsolation, AnotherBrandsWriteOfTheSameUserIdMakesItsOwnProfile) {
  ASSERT_EQ(
      AsOther("/api/v1/user/create", R"({"userId":"private","email":"o@example.com"})").status,
      200);
  EXPECT_EQ(s.Call("/api/v1/user/userData", R"({"userId":"private"})").Data().at("email"),
            json::value("p@example.com"));
  EXPECT_EQ(AsOther("/api/v1/user/userData", R"({"userId":"private"})").Data().at("email"),
            json::value("o@example.com"));
}

TEST_F(BrandIsolation, ABrandIdWithAnotherBrandsKeyIsInvalidAuth) {
  Brand mixed{s.brand.id, other_.key};
  auto r = s.client.Call(mixed, "/api/v1/user/userData", R"({"userId":"private"})");
  EXPECT_EQ(r.status, 401);
  EXPECT_TRUE(JsonContains(kInvalidAuth, r.json));
  Brand reversed{other_.id, s.brand.key};
  EXPECT_EQ(s.client.Call(reversed, "/api/v1/user/create", R"({"userId":"x"})").status, 401);
}

// Key changes made by the admin commands reach a running server; it caches a brand's keys
// for 1 s, so the tests poll.
class BrandKeys : public ::testing::Test {
 protected:
  // The status of userData with `brand`'s credentials once it is `want`, polling for up to
  // 5 s; the last status seen otherwise. 404 means authenticated (the user is unknown).
  int EventuallyStatus(const Brand& brand, int want) {
    int got = 0;
    for (int i = 0; i < 50; ++i) {
      got = s.client.Call(brand, "/api/v1/user/userData", R"({"userId":"nobody"})").status;
      if (got == want) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return got;
  }
  CommandResult Cdp(std::vector<std::string> args) {
    args.insert(args.end(), s.storage.begin(), s.storage.end());
    return RunCdp(args);
  }
  // `cdp key rotate --json` (plus `extra`): the new key.
  Brand Rotate(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"key", "rotate", "--brand", s.brand.id, "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = Cdp(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    json::value v = json::parse(r.out);
    EXPECT_EQ(v.at("brand_id"), json::value(s.brand.id));
    return Brand{s.brand.id, std::string(v.at("api_key").as_string())};
  }

  TestServer s;
};

TEST_F(BrandKeys, ARotatedKeyWorksOnTheRunningServerAndTheOldOneStillDoes) {
  Brand rotated = Rotate();
  EXPECT_NE(rotated.key, s.brand.key);
  EXPECT_EQ(EventuallyStatus(rotated, 404), 404);
  EXPECT_EQ(s.client.Call(s.brand, "/api/v1/user/create", R"({"userId":"old-key"})").status, 200);
  EXPECT_EQ(s.client.Call(rotated, "/api/v1/user/userData", R"({"userId":"old-key"})").status, 200);
}

TEST_F(BrandKeys, ARevokedKeyIsInvalidAuthOnTheRunningServer) {
  ASSERT_EQ(EventuallyStatus(s.brand, 404), 404);  // cached as valid first
  auto r = Cdp({"key", "revoke", "--brand", s.brand.id, "--key", s.brand.key.substr(0, 12)});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "revoked the key starting with " + s.brand.key.substr(0, 12) + "\n");
  EXPECT_EQ(EventuallyStatus(s.brand, 401), 401);
  auto refused = s.client.Call(s.brand, "/api/v1/user/create", R"({"userId":"after"})");
  EXPECT_EQ(refused.status, 401);
  EXPECT_TRUE(JsonContains(kInvalidAuth, refused.json));
}

TEST_F(BrandKeys, RevokingOneKeyLeavesTheBrandsOtherKeysWorking) {
  Brand rotated = Rotate();
  ASSERT_EQ(EventuallyStatus(rotated, 404), 404);
  auto r = Cdp({"key", "revoke", "--brand", s.brand.id, "--key", s.brand.key});  // the whole key
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(EventuallyStatus(s.brand, 401), 401);
  EXPECT_EQ(s.client.Call(rotated, "/api/v1/user/userData", R"({"userId":"nobody"})").status, 404);
}

TEST_F(BrandKeys, RotateWithRevokeOldLeavesOnlyTheNewKey) {
  Brand second = Rotate();
  Brand third = Rotate({"--revoke-old"});
  EXPECT_EQ(EventuallyStatus(s.brand, 401), 401);
  EXPECT_EQ(EventuallyStatus(second, 401), 401);
  EXPECT_EQ(EventuallyStatus(third, 404), 404);
}

TEST_F(BrandKeys, KeyListShowsPrefixesAndWhichAreRevoked) {
  Brand rotated = Rotate({"--revoke-old"});
  auto r = Cdp({"key", "list", "--brand", s.brand.id, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json::value keys = json::parse(r.out);
  ASSERT_TRUE(keys.is_array()) << r.out;
  ASSERT_EQ(keys.as_array().size(), 2u) << r.out;
  int revoked = 0;
  for (const auto& k : keys.as_array()) {
    std::string prefix(k.at("prefix").as_string());
    EXPECT_TRUE(s.brand.key.starts_with(prefix) || rotated.key.starts_with(prefix)) << prefix;
    if (!k.at("revoked_at").is_null()) {
      ++revoked;
      EXPECT_TRUE(s.brand.key.starts_with(prefix)) << "the old key is the revoked one";
    }
  }
  EXPECT_EQ(revoked, 1);
  EXPECT_EQ(r.out.find(rotated.key), std::string::npos) << "key list must not show secrets";
}

TEST_F(BrandKeys, RevokingAKeyTheBrandDoesNotHaveFails) {
  auto r = Cdp({"key", "revoke", "--brand", s.brand.id, "--key", "cdp_ffffffff"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("has no active key starting with 'cdp_ffffffff'"), std::string::npos)
      << r.err;
  EXPECT_EQ(EventuallyStatus(s.brand, 404), 404);
}

TEST_F(BrandKeys, RevokingWithTooShortAPrefixFails) {
  auto r = Cdp({"key", "revoke", "--brand", s.brand.id, "--key", "cdp_"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("at least 6 characters"), std::string::npos) << r.err;
  EXPECT_EQ(EventuallyStatus(s.brand, 404), 404);
}

TEST_F(BrandKeys, ABrandCreatedWhileTheServerRunsCanWriteAtOnce) {
  Brand late = CreateBrand(s.storage, "late");
  auto r = s.client.Call(late, "/api/v1/user/create", R"({"userId":"first"})");
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST(BrandCommands, CreateWithoutJsonPrintsTheBrandIdAndKeyLines) {
  TempDir dir;
  auto r = RunCdp({"brand", "create", "Acme", "--data", dir.path() + "/data"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.starts_with("brand_id: ")) << r.out;
  EXPECT_NE(r.out.find("\napi_key:  cdp_"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("it is not shown again"), std::string::npos) << r.err;
}

TEST(BrandCommands, CreateWithJsonPrintsOneLineForScripts) {
  TempDir dir;
  auto r = RunCdp({"brand", "create", "Acme", "--json", "--data", dir.path() + "/data"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_FALSE(r.out.empty());
  EXPECT_EQ(r.out.find('\n'), r.out.size() - 1) << r.out;
  json::value v = json::parse(r.out);
  std::string key(v.at("api_key").as_string());
  EXPECT_FALSE(v.at("brand_id").as_string().empty());
  // At least 128 random bits: 32 hex digits after the prefix.
  EXPECT_TRUE(key.starts_with("cdp_")) << key;
  EXPECT_GE(key.size(), 4u + 32u) << key;
}

TEST(BrandCommands, TwoBrandsGetDifferentIdsAndKeys) {
  TempDir dir;
  std::vector<std::string> storage = {"--data", dir.path() + "/data"};
  Brand a = CreateBrand(storage, "A"), b = CreateBrand(storage, "B");
  EXPECT_NE(a.id, b.id);
  EXPECT_NE(a.key, b.key);
}

TEST(BrandCommands, KeyListOnAnUnknownBrandFails) {
  TempDir dir;
  CreateBrand({"--data", dir.path() + "/data"}, "A");
  auto r = RunCdp({"key", "list", "--brand", "nope", "--data", dir.path() + "/data"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.err, "error: no brand nope\n");
}

TEST(BrandCommands, KeyRotateOnAnUnknownBrandIssuesNoKey) {
  TempDir dir;
  CreateBrand({"--data", dir.path() + "/data"}, "A");
  auto r = RunCdp({"key", "rotate", "--brand", "nope", "--json", "--data", dir.path() + "/data"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "error: no brand nope\n");
}

}  // namespace
}  // namespace cdp::testing
