// End-to-end tests of sources: the admin commands (`cdp source create|list|rotate|revoke|
// origins|debugger`) and the Sources API (/api/v1/source/list, /api/v1/source/debugger) on a
// running server.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "support/json_match.h"
#include "support/server_process.h"

namespace cdp::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

struct CreatedSource {
  std::string id;
  std::string key;
};

class Sources : public ::testing::Test {
 protected:
  CommandResult Cdp(std::vector<std::string> args) {
    args.insert(args.end(), s.storage.begin(), s.storage.end());
    return RunCdp(args);
  }
  // `cdp source create --json` on the test brand (plus `extra`).
  CreatedSource Create(const std::string& name, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"source", "create", "--brand", s.brand.id,
                                     "--name", name,     "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = Cdp(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    if (r.exit_code != 0) return {};
    json::value v = json::parse(r.out);
    return CreatedSource{std::string(v.at("source_id").as_string()),
                         std::string(v.at("write_key").as_string())};
  }
  // `cdp source list --json`: the brand's sources.
  json::array List() {
    auto r = Cdp({"source", "list", "--brand", s.brand.id, "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.exit_code == 0 ? json::parse(r.out).as_array() : json::array();
  }
  json::array Audit() {
    auto r = Cdp({"audit", "--brand", s.brand.id, "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.exit_code == 0 ? json::parse(r.out).as_array() : json::array();
  }
  HttpResponse Debugger(const std::string& body) { return s.Call("/api/v1/source/debugger", body); }

  TestServer s;
};

TEST_F(Sources, CreateWithJsonPrintsExactlyOneLineWithTheIdAndWriteKey) {
  auto r = Cdp({"source", "create", "--brand", s.brand.id, "--name", "Web", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out,
              MatchesRegex(R"(\{"source_id":"src_[0-9a-f]{16}","write_key":"wk_[0-9a-f]{48}"\})"
                           "\n"));
}

TEST_F(Sources, CreateWithoutJsonPrintsTheIdAndKeyOnce) {
  auto r = Cdp({"source", "create", "--brand", s.brand.id, "--name", "Web"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, MatchesRegex("source_id: src_[0-9a-f]{16}\nwrite_key: wk_[0-9a-f]{48}\n"));
  EXPECT_THAT(r.err, HasSubstr("it is not shown again"));
}

TEST_F(Sources, CreateOnAnUnknownBrandFails) {
  auto r = Cdp({"source", "create", "--brand", "nope", "--name", "Web", "--json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "error: no brand nope\n");
}

TEST_F(Sources, CreateRefusesAnOriginWithAPath) {
  auto r = Cdp({"source", "create", "--brand", s.brand.id, "--name", "Web", "--origin",
                "https://shop.example/cart"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "error: origin 'https://shop.example/cart' must be http(s)://host[:port], with no "
            "path\n");
  EXPECT_TRUE(List().empty());
}

TEST_F(Sources, ListShowsOriginsAndKeyPrefixesButNeverTheKey) {
  CreatedSource web = Create(
      "Web shop", {"--origin", "https://Shop.Example/", "--origin", "http://localhost:3000"});
  auto r = Cdp({"source", "list", "--brand", s.brand.id, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find(web.key), std::string::npos);
  json::value v = json::parse(r.out);
  EXPECT_TRUE(JsonContains(fmt::format(R"([{{"source_id":"{}","name":"Web shop",
      "allowed_origins":["https://shop.example","http://localhost:3000"],"revoked_at":null,
      "keys":[{{"prefix":"{}","active":true,"revoked_at":null}}]}}])",
                                       web.id, web.key.substr(0, 12)),
                           v));
  auto text = Cdp({"source", "list", "--brand", s.brand.id});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr(web.id + "  Web shop  created "));
  EXPECT_THAT(text.out, HasSubstr("origins: https://shop.example http://localhost:3000"));
  EXPECT_THAT(text.out, HasSubstr("  key " + web.key.substr(0, 12) + "...  created "));
}

TEST_F(Sources, RotateWithGraceKeepsTheOldKeyActiveUntilTheGraceEnds) {
  CreatedSource web = Create("Web");
  auto r = Cdp(
      {"source", "rotate", "--brand", s.brand.id, "--source", web.id, "--grace", "24h", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json::value v = json::parse(r.out);
  EXPECT_EQ(v.at("source_id"), json::value(web.id));
  std::string fresh(v.at("write_key").as_string());
  EXPECT_NE(fresh, web.key);
  json::array keys = List().at(0).at("keys").as_array();
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].at("active"), json::value(true));
  EXPECT_TRUE(keys[0].at("revoked_at").is_string());
  EXPECT_EQ(keys[1].at("prefix"), json::value(fresh.substr(0, 12)));
  EXPECT_TRUE(keys[1].at("revoked_at").is_null());
}

TEST_F(Sources, RotateWithRevokeOldStopsTheOldKeyAtOnce) {
  CreatedSource web = Create("Web");
  auto r = Cdp({"source", "rotate", "--brand", s.brand.id, "--source", web.id, "--revoke-old"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, MatchesRegex("source_id: src_[0-9a-f]{16}\nwrite_key: wk_[0-9a-f]{48}\n"));
  EXPECT_THAT(r.err, HasSubstr("Every other key of the source is revoked."));
  json::array keys = List().at(0).at("keys").as_array();
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].at("active"), json::value(false));
  EXPECT_EQ(keys[1].at("active"), json::value(true));
}

TEST_F(Sources, RotateRefusesGraceTogetherWithRevokeOld) {
  CreatedSource web = Create("Web");
  auto r = Cdp({"source", "rotate", "--brand", s.brand.id, "--source", web.id, "--revoke-old",
                "--grace", "1h"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(List().at(0).at("keys").as_array().size(), 1u);
}

TEST_F(Sources, RotateOnAnUnknownSourceIssuesNoKey) {
  auto r = Cdp({"source", "rotate", "--brand", s.brand.id, "--source", "src_nope", "--json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, fmt::format("error: brand {} has no source src_nope\n", s.brand.id));
}

TEST_F(Sources, RevokeStopsTheSourceAndEveryKeyAndRotationIsThenRefused) {
  CreatedSource web = Create("Web");
  auto r = Cdp({"source", "revoke", "--brand", s.brand.id, "--source", web.id});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json::value listed = List().at(0);
  EXPECT_TRUE(listed.at("revoked_at").is_string());
  EXPECT_EQ(listed.at("keys").at(0).at("active"), json::value(false));
  EXPECT_EQ(Cdp({"source", "rotate", "--brand", s.brand.id, "--source", web.id}).exit_code, 2);
}

TEST_F(Sources, OriginsAreReplacedAndClearedToAny) {
  CreatedSource web = Create("Web", {"--origin", "https://a.example"});
  auto r = Cdp({"source", "origins", "--brand", s.brand.id, "--source", web.id, "--origin",
                "https://b.example", "--origin", "https://c.example:8443"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(JsonContains(R"(["https://b.example","https://c.example:8443"])",
                           List().at(0).at("allowed_origins")));
  r = Cdp({"source", "origins", "--brand", s.brand.id, "--source", web.id});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("any origin"));
  EXPECT_TRUE(List().at(0).at("allowed_origins").as_array().empty());
}

TEST_F(Sources, EveryChangeIsAudited) {
  CreatedSource web = Create("Web");
  ASSERT_EQ(Cdp({"source", "rotate", "--brand", s.brand.id, "--source", web.id}).exit_code, 0);
  ASSERT_EQ(Cdp({"source", "origins", "--brand", s.brand.id, "--source", web.id, "--origin",
                 "https://a.example"})
                .exit_code,
            0);
  ASSERT_EQ(Cdp({"source", "revoke", "--brand", s.brand.id, "--source", web.id}).exit_code, 0);
  json::array audit = Audit();
  ASSERT_GE(audit.size(), 4u);
  EXPECT_TRUE(JsonContains(fmt::format(R"([
      {{"action":"source.revoke","target":"{0}","actor":"~cli:"}},
      {{"action":"source.origins","target":"{0}","detail":{{"allowed_origins":["https://a.example"]}}}},
      {{"action":"source.rotate","target":"{0}","detail":{{"others_stop_at":null}}}},
      {{"action":"source.create","target":"{0}","detail":{{"name":"Web"}}}}])",
                                       web.id),
                           json::array(audit.begin(), audit.begin() + 4)));
}

TEST_F(Sources, DebuggerCommandShowsNoCallsForANewSource) {
  CreatedSource web = Create("Web");
  auto r = Cdp({"source", "debugger", "--brand", s.brand.id, "--source", web.id, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "[]\n");
  r = Cdp({"source", "debugger", "--brand", s.brand.id, "--source", "src_nope"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, fmt::format("error: brand {} has no source src_nope\n", s.brand.id));
}

TEST_F(Sources, ListRouteAnswersTheBrandsSourcesWithoutKeys) {
  CreatedSource web = Create("Web", {"--origin", "https://a.example"});
  CreatedSource app = Create("App");
  ASSERT_EQ(Cdp({"source", "revoke", "--brand", s.brand.id, "--source", app.id}).exit_code, 0);
  auto r = s.Call("/api/v1/source/list", "{}");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(JsonContains(fmt::format(R"({{"response":{{"status":"success","data":{{"sources":[
      {{"id":"{}","name":"Web","allowed_origins":["https://a.example"],"revoked":false,
        "revoked_at":null}},
      {{"id":"{}","name":"App","allowed_origins":[],"revoked":true}}]}}}}}})",
                                       web.id, app.id),
                           r.json));
  EXPECT_TRUE(r.Data().at("sources").at(0).at("created_at").is_string());
  EXPECT_EQ(r.body.find("wk_"), std::string::npos);
  EXPECT_EQ(r.body.find("hash"), std::string::npos);
  EXPECT_EQ(r.body.find("prefix"), std::string::npos);
}

TEST_F(Sources, ListRouteShowsNothingOfAnotherBrand) {
  Create("Web");
  Brand other = CreateBrand(s.storage, "other");
  auto r = s.client.Call(other, "/api/v1/source/list", "{}");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(JsonContains(R"({"response":{"data":{"sources":[]}}})", r.json));
}

TEST_F(Sources, SourceRoutesNeedTheBrandsApiKey) {
  Brand wrong{s.brand.id, "cdp_wrong"};
  EXPECT_EQ(s.client.Call(wrong, "/api/v1/source/list", "{}").status, 401);
  EXPECT_EQ(s.client.Call(wrong, "/api/v1/source/debugger", R"({"source_id":"src_x"})").status,
            401);
}

TEST_F(Sources, DebuggerRouteAnswersAnEmptyListForANewSource) {
  CreatedSource web = Create("Web");
  auto r = Debugger(fmt::format(R"({{"source_id":"{}"}})", web.id));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(JsonContains(R"({"response":{"status":"success","data":{"calls":[]}}})", r.json));
  r = Debugger(fmt::format(R"({{"source_id":"{}","limit":1}})", web.id));
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(Sources, DebuggerRouteAnswers404ForAnUnknownOrAnotherBrandsSource) {
  auto r = Debugger(R"({"source_id":"src_nope"})");
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_TRUE(JsonContains(R"({"response":{"status":"error","message":"~has no source src_nope"}})",
                           r.json));
  CreatedSource web = Create("Web");
  Brand other = CreateBrand(s.storage, "other");
  EXPECT_EQ(
      s.client
          .Call(other, "/api/v1/source/debugger", fmt::format(R"({{"source_id":"{}"}})", web.id))
          .status,
      404);
}

TEST_F(Sources, DebuggerRouteRefusesABadLimitOrNoSourceId) {
  CreatedSource web = Create("Web");
  for (const char* limit : {"0", "101", "\"10\"", "1.5", "-1"}) {
    auto r = Debugger(fmt::format(R"({{"source_id":"{}","limit":{}}})", web.id, limit));
    EXPECT_EQ(r.status, 400) << limit << ": " << r.body;
    EXPECT_EQ(r.Message(), "limit: must be an integer from 1 to 100") << limit;
  }
  auto r = Debugger("{}");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_THAT(r.Message(), HasSubstr("source_id: required"));
}

}  // namespace
}  // namespace cdp::testing
