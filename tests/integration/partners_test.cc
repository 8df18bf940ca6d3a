// End-to-end tests of partner access (docs/access.md): a partner app registered with
// `cdp partner create` goes through the OAuth 2.0 authorization-code flow with PKCE as a real
// client would (consent page, the brand's approval, code exchange, refresh, revocation), then
// calls /api/v1 with its bearer token within the scopes granted. Also: key rotation with a
// grace period, keys' last use, and the audit log of it all.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <boost/url.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/base64.h"
#include "core/ids.h"
#include "support/server_process.h"

namespace cdp::testing {
namespace {

namespace json = boost::json;

constexpr const char* kRedirect = "https://partner.example/callback";
constexpr const char* kCount = R"({"event_name":"open"})";  // a users:read call

struct Client {
  std::string id, secret;
};

// application/x-www-form-urlencoded, as an OAuth client sends.
std::string Form(const std::map<std::string, std::string>& fields) {
  boost::urls::url u;
  for (const auto& [k, v] : fields) u.params().append({k, v});
  return std::string(u.encoded_query());
}

std::map<std::string, std::string> Query(const std::string& location) {
  std::map<std::string, std::string> out;
  auto url = boost::urls::parse_uri(location);
  if (!url) return out;
  for (const auto& p : url->params()) out[p.key] = p.value;
  return out;
}

class Partners : public ::testing::Test {
 protected:
  TempDir dir;
  TestStorage fresh = FreshStorage(dir.path());
  Brand brand = CreateBrand(fresh.args, "brand");
  Brand other = CreateBrand(fresh.args, "other");
  ServerProcess server{fresh.args, dir.path() + "/server.log"};
  std::unique_ptr<HttpClient> client = std::make_unique<HttpClient>(server.port());
  const std::string verifier = RandomHex(32);  // 64 characters of [0-9a-f]
  const std::string challenge = Base64Url(Sha256(verifier));

  HttpClient& http() { return *client; }

  CommandResult Cdp(std::vector<std::string> args) {
    args.insert(args.end(), fresh.args.begin(), fresh.args.end());
    return RunCdp(args);
  }

  Client CreatePartner(const std::string& name = "Acme Analytics") {
    auto r = Cdp({"partner", "create", name, "--redirect-uri", kRedirect, "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto v = json::parse(r.out).as_object();
    return Client{std::string(v["client_id"].as_string()),
                  std::string(v["client_secret"].as_string())};
  }

  std::map<std::string, std::string> AuthorizeFields(const Client& c, const std::string& scope) {
    return {{"response_type", "code"},
            {"client_id", c.id},
            {"redirect_uri", kRedirect},
            {"scope", scope},
            {"state", "xyz 1"},
            {"code_challenge", challenge},
            {"code_challenge_method", "S256"}};
  }

  // The brand approves (authenticated by its key headers); the redirect carries the code.
  HttpResponse Approve(const Client& c, const std::string& scope, const Brand& as) {
    auto fields = AuthorizeFields(c, scope);
    fields["decision"] = "approve";
    return http().Send("POST", "/oauth/authorize", Form(fields),
                       {{"Content-Type", "application/x-www-form-urlencoded"},
                        {"x-brand-id", as.id},
                        {"x-api-key", as.key}});
  }

  HttpResponse Token(const Client& c, std::map<std::string, std::string> fields) {
    return http().Send("POST", "/oauth/token", Form(fields),
                       {{"Content-Type", "application/x-www-form-urlencoded"},
                        {"Authorization", "Basic " + Base64(c.id + ":" + c.secret)}});
  }

  // The whole flow: tokens for `scope` on `brand`.
  json::object Grant(const Client& c, const std::string& scope) {
    auto approved = Approve(c, scope, brand);
    EXPECT_EQ(approved.status, 302) << approved.body;
    auto code = Query(approved.headers["location"])["code"];
    auto tokens = Token(c, {{"grant_type", "authorization_code"},
                            {"code", code},
                            {"redirect_uri", kRedirect},
                            {"code_verifier", verifier}});
    EXPECT_EQ(tokens.status, 200) << tokens.body;
    return tokens.json.is_object() ? tokens.json.as_object() : json::object();
  }

  HttpResponse WithToken(const std::string& token, const std::string& path,
                         const std::string& body) {
    return http().Send(
        "POST", "/api/v1/" + path, body,
        {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token}});
  }

  static std::string Str(const json::object& o, const char* key) {
    auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
  }
};

TEST_F(Partners, ShowsTheBrandWhatTheAppAsksForOnTheConsentPage) {
  auto c = CreatePartner("Acme <Analytics>");
  auto page = http().Get("/oauth/authorize?" + Form(AuthorizeFields(c, "users:read events:write")));
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_NE(page.headers["content-type"].find("text/html"), std::string::npos);
  EXPECT_NE(page.body.find("Acme &lt;Analytics&gt;"), std::string::npos) << "escaped";
  EXPECT_NE(page.body.find("users:read"), std::string::npos);
  EXPECT_NE(page.body.find("events:write"), std::string::npos);
  EXPECT_EQ(page.body.find("reports:read"), std::string::npos) << "only what is asked";
  EXPECT_NE(page.body.find(kRedirect), std::string::npos);
  EXPECT_EQ(page.headers["x-frame-options"], "DENY");
}

TEST_F(Partners, RunsTheAuthorizationCodeFlowAndCallsTheApiWithTheToken) {
  auto c = CreatePartner();
  auto approved = Approve(c, "users:write users:read", brand);
  ASSERT_EQ(approved.status, 302) << approved.body;
  auto location = approved.headers["location"];
  ASSERT_TRUE(location.starts_with(std::string(kRedirect) + "?")) << location;
  auto q = Query(location);
  EXPECT_EQ(q["state"], "xyz 1");
  ASSERT_FALSE(q["code"].empty());

  auto tokens = Token(c, {{"grant_type", "authorization_code"},
                          {"code", q["code"]},
                          {"redirect_uri", kRedirect},
                          {"code_verifier", verifier}});
  ASSERT_EQ(tokens.status, 200) << tokens.body;
  EXPECT_EQ(tokens.headers["cache-control"], "no-store");
  auto t = tokens.json.as_object();
  EXPECT_EQ(Str(t, "token_type"), "Bearer");
  EXPECT_EQ(t["expires_in"].as_int64(), 3600);
  EXPECT_EQ(Str(t, "scope"), "users:read users:write");
  const std::string access = Str(t, "access_token");

  auto created = WithToken(access, "user/create",
                           R"({"nv":[{"userID":"u1","user_attributes":{"name":"Ann"}}]})");
  ASSERT_EQ(created.status, 200) << created.body;
  auto read = WithToken(access, "user/userData", R"({"userID":"u1"})");
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_NE(read.body.find("Ann"), std::string::npos);
  // The data is the granting brand's: its own key sees it, another brand does not.
  EXPECT_EQ(http().Call(brand, "/api/v1/user/userData", R"({"userID":"u1"})").status, 200);
  EXPECT_EQ(http().Call(other, "/api/v1/user/userData", R"({"userID":"u1"})").status, 404);
}

TEST_F(Partners, RefusesCallsOutsideTheGrantedScopesWith403) {
  auto c = CreatePartner();
  auto t = Grant(c, "events:write");
  const std::string access = Str(t, "access_token");
  auto tracked =
      WithToken(access, "event/track", R"({"userID":"u1","event":"signup","attributes":{}})");
  EXPECT_EQ(tracked.status, 200) << tracked.body;
  for (const char* path : {"user/create", "user/userData", "segment/list", "report/campaigns"}) {
    auto refused = WithToken(access, path, "{}");
    EXPECT_EQ(refused.status, 403) << path << refused.body;
    EXPECT_EQ(refused.EnvelopeStatus(), "error");
    EXPECT_NE(refused.Message().find("scope"), std::string::npos) << refused.Message();
  }
}

TEST_F(Partners, RefusesBadTokensAndTokensForAnotherBrandHeader) {
  auto c = CreatePartner();
  const std::string access = Str(Grant(c, "users:read"), "access_token");
  EXPECT_EQ(WithToken("cdp_at_forged", "user/count", kCount).status, 401);
  auto other_brand = http().Send("POST", "/api/v1/user/count", kCount,
                                 {{"Authorization", "Bearer " + access}, {"x-brand-id", other.id}});
  EXPECT_EQ(other_brand.status, 401) << other_brand.body;
  auto basic = http().Send("POST", "/api/v1/user/count", kCount, {{"Authorization", "Basic eDp5"}});
  EXPECT_EQ(basic.status, 401);
  // A brand's key wins over an Authorization header a proxy may have added.
  auto proxied = http().Send(
      "POST", "/api/v1/user/count", kCount,
      {{"Authorization", "Basic eDp5"}, {"x-brand-id", brand.id}, {"x-api-key", brand.key}});
  EXPECT_EQ(proxied.status, 200) << proxied.body;
}

TEST_F(Partners, RejectsAWrongVerifierAReplayedCodeAndRevokesWhatTheCodeGave) {
  auto c = CreatePartner();
  auto approved = Approve(c, "users:read", brand);
  auto code = Query(approved.headers["location"])["code"];
  auto wrong = Token(c, {{"grant_type", "authorization_code"},
                         {"code", code},
                         {"code_verifier", std::string(verifier.rbegin(), verifier.rend())}});
  EXPECT_EQ(wrong.status, 400);
  EXPECT_EQ(Str(wrong.json.as_object(), "error"), "invalid_grant");
  EXPECT_EQ(wrong.EnvelopeStatus(), "error") << "the envelope comes along";

  auto first =
      Token(c, {{"grant_type", "authorization_code"}, {"code", code}, {"code_verifier", verifier}});
  ASSERT_EQ(first.status, 200) << first.body;
  const std::string access = Str(first.json.as_object(), "access_token");
  ASSERT_EQ(WithToken(access, "user/count", kCount).status, 200);
  auto replay =
      Token(c, {{"grant_type", "authorization_code"}, {"code", code}, {"code_verifier", verifier}});
  EXPECT_EQ(replay.status, 400);
  EXPECT_EQ(Str(replay.json.as_object(), "error"), "invalid_grant");
  EXPECT_EQ(WithToken(access, "user/count", kCount).status, 401) << "the leaked code's tokens die";
}

TEST_F(Partners, AuthenticatesTheClientAndNeverRedirectsToAnUnregisteredUri) {
  auto c = CreatePartner();
  auto approved = Approve(c, "users:read", brand);
  auto code = Query(approved.headers["location"])["code"];
  auto bad_secret = http().Send(
      "POST", "/oauth/token",
      Form({{"grant_type", "authorization_code"}, {"code", code}, {"code_verifier", verifier}}),
      {{"Content-Type", "application/x-www-form-urlencoded"},
       {"Authorization", "Basic " + Base64(c.id + ":wrong")}});
  EXPECT_EQ(bad_secret.status, 401);
  EXPECT_EQ(Str(bad_secret.json.as_object(), "error"), "invalid_client");

  auto fields = AuthorizeFields(c, "users:read");
  fields["redirect_uri"] = "https://evil.example/steal";
  auto page = http().Get("/oauth/authorize?" + Form(fields));
  EXPECT_EQ(page.status, 400);
  EXPECT_TRUE(page.headers["location"].empty());

  fields = AuthorizeFields(c, "users:read");
  fields.erase("code_challenge");  // PKCE is required: the error goes back to the app
  page = http().Get("/oauth/authorize?" + Form(fields));
  EXPECT_EQ(page.status, 302);
  auto q = Query(page.headers["location"]);
  EXPECT_EQ(q["error"], "invalid_request");
  EXPECT_EQ(q["state"], "xyz 1");
}

TEST_F(Partners, SendsADenialBackAndRefusesAWrongBrandKey) {
  auto c = CreatePartner();
  auto fields = AuthorizeFields(c, "users:read");
  fields["decision"] = "deny";
  auto denied = http().Send("POST", "/oauth/authorize", Form(fields),
                            {{"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_EQ(denied.status, 302);
  EXPECT_EQ(Query(denied.headers["location"])["error"], "access_denied");

  fields["decision"] = "approve";
  fields["brand_id"] = brand.id;
  fields["api_key"] = other.key;
  auto wrong = http().Send("POST", "/oauth/authorize", Form(fields),
                           {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(wrong.status, 401);
  EXPECT_TRUE(wrong.headers["location"].empty());
}

TEST_F(Partners, RotatesRefreshTokensAndRevokesTheGrantWhenAnOldOneComesBack) {
  auto c = CreatePartner();
  auto first = Grant(c, "users:read users:write");
  auto refreshed = Token(c, {{"grant_type", "refresh_token"},
                             {"refresh_token", Str(first, "refresh_token")},
                             {"scope", "users:read"}});
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  auto second = refreshed.json.as_object();
  EXPECT_EQ(Str(second, "scope"), "users:read") << "narrowed on request";
  EXPECT_NE(Str(second, "refresh_token"), Str(first, "refresh_token"));
  const std::string access = Str(second, "access_token");
  EXPECT_EQ(WithToken(access, "user/count", kCount).status, 200);
  EXPECT_EQ(WithToken(access, "user/create", R"({"nv":[{"userID":"x"}]})").status, 403);

  auto widen = Token(c, {{"grant_type", "refresh_token"},
                         {"refresh_token", Str(second, "refresh_token")},
                         {"scope", "reports:read"}});
  EXPECT_EQ(widen.status, 400);
  EXPECT_EQ(Str(widen.json.as_object(), "error"), "invalid_scope");

  auto reused =
      Token(c, {{"grant_type", "refresh_token"}, {"refresh_token", Str(first, "refresh_token")}});
  EXPECT_EQ(reused.status, 400);
  EXPECT_EQ(Str(reused.json.as_object(), "error"), "invalid_grant");
  EXPECT_EQ(WithToken(access, "user/count", kCount).status, 401) << "the whole grant is revoked";
  auto after =
      Token(c, {{"grant_type", "refresh_token"}, {"refresh_token", Str(second, "refresh_token")}});
  EXPECT_EQ(after.status, 400);
}

TEST_F(Partners, StopsATokenAtOnceWhenTheBrandRevokesThePartner) {
  auto c = CreatePartner();
  const std::string access = Str(Grant(c, "users:read"), "access_token");
  ASSERT_EQ(WithToken(access, "user/count", kCount).status, 200);
  auto revoked = http().Send("POST", "/oauth/revoke", Form({{"client_id", c.id}}),
                             {{"Content-Type", "application/x-www-form-urlencoded"},
                              {"x-brand-id", brand.id},
                              {"x-api-key", brand.key}});
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_EQ(revoked.Data().at("revoked_grants").as_int64(), 1);
  EXPECT_EQ(WithToken(access, "user/count", kCount).status, 401);
}

TEST_F(Partners, LetsTheAppRevokeItsOwnTokenAsRfc7009Says) {
  auto c = CreatePartner();
  auto t = Grant(c, "users:read");
  auto revoked = http().Send("POST", "/oauth/revoke", Form({{"token", Str(t, "refresh_token")}}),
                             {{"Content-Type", "application/x-www-form-urlencoded"},
                              {"Authorization", "Basic " + Base64(c.id + ":" + c.secret)}});
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_EQ(WithToken(Str(t, "access_token"), "user/count", kCount).status, 401);
  // Another app cannot revoke it, and an unknown token is not an error.
  auto d = CreatePartner("Other app");
  auto t2 = Grant(c, "users:read");
  auto foreign = http().Send("POST", "/oauth/revoke", Form({{"token", Str(t2, "access_token")}}),
                             {{"Content-Type", "application/x-www-form-urlencoded"},
                              {"Authorization", "Basic " + Base64(d.id + ":" + d.secret)}});
  EXPECT_EQ(foreign.status, 200);
  EXPECT_EQ(WithToken(Str(t2, "access_token"), "user/count", kCount).status, 200);
}

TEST_F(Partners, ListsGrantsAndDeletingAnAppRevokesEverything) {
  auto c = CreatePartner();
  const std::string access = Str(Grant(c, "users:read reports:read"), "access_token");
  auto listed = Cdp({"partner", "list", "--brand", brand.id, "--json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  auto grants = json::parse(listed.out).as_array();
  ASSERT_EQ(grants.size(), 1u);
  EXPECT_EQ(grants[0].at("client_id").as_string(), c.id);
  EXPECT_EQ(grants[0].at("scopes").as_string(), "users:read reports:read");

  ASSERT_EQ(Cdp({"partner", "delete", "--client-id", c.id}).exit_code, 0);
  // Another process revoked it: this node's token cache holds it for at most a second.
  HttpResponse r;
  for (int i = 0; i < 40; ++i) {
    r = WithToken(access, "user/count", kCount);
    if (r.status == 401) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(json::parse(Cdp({"partner", "list", "--json"}).out).as_array().size(), 0u);
}

TEST_F(Partners, KeepsARotatedOutKeyWorkingThroughItsGracePeriod) {
  auto rotated = Cdp({"key", "rotate", "--brand", brand.id, "--grace", "1h", "--json"});
  ASSERT_EQ(rotated.exit_code, 0) << rotated.err;
  Brand fresh_key{brand.id, std::string(json::parse(rotated.out).at("api_key").as_string())};
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // the key cache's TTL
  EXPECT_EQ(http().Call(brand, "/api/v1/user/count", kCount).status, 200) << "old key, in grace";
  EXPECT_EQ(http().Call(fresh_key, "/api/v1/user/count", kCount).status, 200);
  auto keys = json::parse(Cdp({"key", "list", "--brand", brand.id, "--json"}).out).as_array();
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_TRUE(keys[0].at("active").as_bool());
  EXPECT_FALSE(keys[0].at("revoked_at").is_null()) << "stops at the end of the grace period";
  EXPECT_TRUE(keys[1].at("revoked_at").is_null());

  ASSERT_EQ(Cdp({"key", "rotate", "--brand", brand.id, "--revoke-old"}).exit_code, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_EQ(http().Call(brand, "/api/v1/user/count", kCount).status, 401);
  EXPECT_EQ(http().Call(fresh_key, "/api/v1/user/count", kCount).status, 401);
  EXPECT_NE(Cdp({"key", "rotate", "--brand", brand.id, "--grace", "1 fortnight"}).exit_code, 0);
}

TEST_F(Partners, RecordsKeysLastUseAndAuditsEveryChange) {
  ASSERT_EQ(http().Call(brand, "/api/v1/user/count", kCount).status, 200);
  ASSERT_EQ(server.Terminate(), 0);  // last uses are written at the latest on shutdown
  auto keys = json::parse(Cdp({"key", "list", "--brand", brand.id, "--json"}).out).as_array();
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_FALSE(keys[0].at("last_used_at").is_null());
  auto other_keys = json::parse(Cdp({"key", "list", "--brand", other.id, "--json"}).out);
  EXPECT_TRUE(other_keys.as_array()[0].at("last_used_at").is_null());

  server.Restart();
  client = std::make_unique<HttpClient>(server.port());
  auto c = CreatePartner();
  auto t = Grant(c, "users:read");
  ASSERT_FALSE(Str(t, "access_token").empty());
  ASSERT_EQ(Cdp({"partner", "revoke", "--brand", brand.id, "--client-id", c.id}).exit_code, 0);
  ASSERT_EQ(Cdp({"brand", "limits", "--brand", brand.id, "--group", "users", "--per-minute", "7"})
                .exit_code,
            0);

  auto log = Cdp({"audit", "--brand", brand.id, "--json"});
  ASSERT_EQ(log.exit_code, 0) << log.err;
  std::vector<std::string> actions;
  const json::value entries = json::parse(log.out);
  for (const auto& e : entries.as_array()) {
    actions.emplace_back(e.at("action").as_string());
    EXPECT_EQ(e.at("brand_id").as_string(), brand.id) << "only the brand's entries";
  }
  // Newest first.
  // (`--group all` at creation: one entry per API group.)
  std::vector<std::string> expected = {"brand.limits", "partner.revoke", "partner.grant",
                                       "brand.limits", "brand.limits",   "brand.limits",
                                       "brand.limits", "brand.limits",   "brand.create"};
  EXPECT_EQ(actions, expected);
  auto all = json::parse(Cdp({"audit", "--json", "--limit", "1000"}).out).as_array();
  bool partner_created = false;
  for (const auto& e : all)
    if (e.at("action") == "partner.create" && e.at("target").as_string() == c.id)
      partner_created = true;
  EXPECT_TRUE(partner_created);
  auto grant = entries.as_array()[2].as_object();
  EXPECT_TRUE(grant.at("actor").as_string().starts_with("key:cdp_")) << "approved by the key";
  EXPECT_EQ(grant.at("target").as_string(), c.id);
}

TEST_F(Partners, AnswersHostileOAuthRequestsWithClearErrors) {
  auto c = CreatePartner();
  const std::string basic = "Basic " + Base64(c.id + ":" + c.secret);
  const std::string form = "application/x-www-form-urlencoded";
  struct Case {
    std::string body;
    std::map<std::string, std::string> headers;
    int status;
    std::string error;
  };
  const std::vector<Case> cases = {
      {"grant_type=refresh_token&grant_type=authorization_code",
       {{"Content-Type", form}, {"Authorization", basic}},
       400,
       "invalid_request"},
      {R"({"grant_type":"authorization_code"})",
       {{"Content-Type", "application/json"}, {"Authorization", basic}},
       400,
       "invalid_request"},
      {"grant_type=%zz",
       {{"Content-Type", form}, {"Authorization", basic}},
       400,
       "invalid_request"},
      {std::string("grant_type=refresh_token\0&refresh_token=x", 41),
       {{"Content-Type", form}, {"Authorization", basic}},
       400,
       "invalid_request"},
      {"grant_type=password&username=a&password=b",
       {{"Content-Type", form}, {"Authorization", basic}},
       400,
       "unsupported_grant_type"},
      {"grant_type=authorization_code&code=x%00y&code_verifier=" + verifier,
       {{"Content-Type", form}, {"Authorization", basic}},
       400,
       "invalid_grant"},
      {"grant_type=refresh_token&refresh_token=" + std::string(5000, 'r'),
       {{"Content-Type", form}, {"Authorization", basic}},
       400,
       "invalid_grant"},
      {Form({{"grant_type", "authorization_code"},
             {"code", "1';DROP TABLE oauth_tokens;--"},
             {"code_verifier", verifier}}),
       {{"Content-Type", form}, {"Authorization", basic}},
       400,
       "invalid_grant"},
      {"grant_type=authorization_code&code=a b",
       {{"Content-Type", form}, {"Authorization", basic}},
       400,
       "invalid_request"},
      {"grant_type=refresh_token",
       {{"Content-Type", form}, {"Authorization", "Basic !!!"}},
       401,
       "invalid_client"},
      {"grant_type=refresh_token&client_secret=" + c.secret,
       {{"Content-Type", form}, {"Authorization", basic}},
       400,
       "invalid_request"},
      {"grant_type=refresh_token&client_id=" + c.id,
       {{"Content-Type", form}},
       401,
       "invalid_client"},
  };
  for (const auto& k : cases) {
    auto r = http().Send("POST", "/oauth/token", k.body, k.headers);
    EXPECT_EQ(r.status, k.status) << k.body << " -> " << r.body;
    ASSERT_TRUE(r.json.is_object()) << k.body;
    EXPECT_EQ(Str(r.json.as_object(), "error"), k.error) << k.body;
    EXPECT_EQ(r.EnvelopeStatus(), "error") << k.body;
  }
  EXPECT_EQ(http().Get("/oauth/authorize?client_id=%zz").status, 400);
  EXPECT_EQ(http().Get("/oauth/authorize?client_id=a&client_id=b").status, 400);
  EXPECT_EQ(WithToken(std::string(300, 't'), "user/count", kCount).status, 401);
  // Still up, and the flow still works.
  EXPECT_FALSE(Str(Grant(c, "users:read"), "access_token").empty());
}

}  // namespace
}  // namespace cdp::testing
