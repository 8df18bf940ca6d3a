// End-to-end tests of the dashboard's operators and sessions (docs/dashboard.md): the
// `cdp operator` commands, signing in and out, the cookie, and the admission of calls to
// /dashboard/api/... (session, CSRF token, origin, viewers, brands, sign-in limits).
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "support/server_process.h"

namespace cdp::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kPassword = "correct horse battery";

struct Session {
  std::string cookie;  // "cdp_session=..."
  std::string csrf;
};

// The cookie pair ("cdp_session=VALUE") of a Set-Cookie header.
std::string CookiePair(const std::string& set_cookie) {
  return set_cookie.substr(0, set_cookie.find(';'));
}

// A server (with `flags` after the storage arguments) on a fresh store with one brand, and
// the dashboard's calls.
struct DashboardServer : TestServer {
  explicit DashboardServer(const std::vector<std::string>& flags = {})
      : TestServer(flags, "Acme") {}

  CommandResult Cdp(std::vector<std::string> args, std::optional<std::string> input = {}) {
    args.insert(args.end(), storage.begin(), storage.end());
    return RunCdp(args, input);
  }
  // `cdp operator create`, which must succeed.
  void AddOperator(const std::string& email, const std::string& role = "editor",
                   const std::string& brand_id = "") {
    auto r = Cdp({"operator", "create", "--brand", brand_id.empty() ? brand.id : brand_id,
                  "--email", email, "--role", role, "--password-stdin"},
                 std::string(kPassword) + "\n");
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  HttpResponse Login(const std::string& email, const std::string& password,
                     std::map<std::string, std::string> headers = {}) {
    headers.emplace("Content-Type", "application/json");
    return client.Send("POST", "/dashboard/api/session/login",
                       json::serialize(json::object{{"email", email}, {"password", password}}),
                       headers);
  }
  // Signs in, which must succeed.
  Session SignIn(const std::string& email) {
    auto r = Login(email, kPassword);
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status != 200) return {};
    return Session{CookiePair(r.headers["set-cookie"]),
                   std::string(r.Data().at("csrf_token").as_string())};
  }
  // A dashboard call with the session's cookie and CSRF token (and `headers` over them).
  HttpResponse Call(const Session& session, const std::string& path, const std::string& body,
                    std::map<std::string, std::string> headers = {}) {
    headers.emplace("Content-Type", "application/json");
    headers.emplace("Cookie", session.cookie);
    headers.emplace("X-CSRF-Token", session.csrf);
    for (auto it = headers.begin(); it != headers.end();)
      it = it->second.empty() ? headers.erase(it) : std::next(it);
    return client.Send("POST", path, body, headers);
  }
  HttpResponse Current(const std::string& cookie) {
    std::map<std::string, std::string> headers;
    if (!cookie.empty()) headers["Cookie"] = cookie;
    return client.Send("GET", "/dashboard/api/session", "", headers);
  }
  std::string OwnOrigin() const { return fmt::format("http://127.0.0.1:{}", server.port()); }
};

class DashboardAuth : public ::testing::Test {
 protected:
  DashboardServer d;
};

TEST_F(DashboardAuth, SignInAnswersTheSessionAndSetsAStrictHttpOnlyCookie) {
  d.AddOperator("Ada@Example.com");
  auto r = d.Login("ada@example.COM", kPassword);
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string cookie = r.headers["set-cookie"];
  EXPECT_THAT(cookie,
              ::testing::MatchesRegex("cdp_session=[0-9a-f]{64}; Path=/dashboard; Max-Age=604800; "
                                      "HttpOnly; SameSite=Strict"));
  EXPECT_EQ(r.Data().at("operator"), json::parse(R"({"email":"ada@example.com","role":"editor"})"));
  EXPECT_EQ(r.Data().at("brand"),
            (json::value(json::object{{"id", d.brand.id}, {"name", "Acme"}})));
  EXPECT_EQ(r.Data().at("csrf_token").as_string().size(), 32u);
  EXPECT_TRUE(r.Data().at("expires_at").is_string());
}

TEST_F(DashboardAuth, AMirroredReadWorksWithTheCookieAndTheCsrfToken) {
  d.AddOperator("ada@example.com");
  ASSERT_EQ(d.client
                .Call(d.brand, "/api/v1/segment/create",
                      R"({"name":"All","rules":{"attribute":"gender","op":"eq","value":"x"}})")
                .status,
            200);
  Session s = d.SignIn("ada@example.com");
  auto r = d.Call(s, "/dashboard/api/v1/segment/list", "{}");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Data().at("segments").as_array().size(), 1u);
  auto current = d.Current(s.cookie);
  ASSERT_EQ(current.status, 200) << current.body;
  EXPECT_EQ(current.Data().at("csrf_token"), json::value(s.csrf));
}

TEST_F(DashboardAuth, OperatorCommandsCreateListResetAndRemove) {
  d.AddOperator("ada@example.com");
  d.AddOperator("vic@example.com", "viewer");
  auto list = d.Cdp({"operator", "list", "--brand", d.brand.id, "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  json::array ops = json::parse(list.out).as_array();
  ASSERT_EQ(ops.size(), 2u);
  EXPECT_EQ(ops[0].at("email"), "ada@example.com");
  EXPECT_EQ(ops[0].at("role"), "editor");
  EXPECT_EQ(ops[1].at("role"), "viewer");

  auto reset = d.Cdp({"operator", "reset", "--email", "Ada@example.com", "--password-stdin"},
                     "another long passphrase\n");
  ASSERT_EQ(reset.exit_code, 0) << reset.err;
  EXPECT_EQ(d.Login("ada@example.com", kPassword).status, 401);
  EXPECT_EQ(d.Login("ada@example.com", "another long passphrase").status, 200);

  auto removed = d.Cdp({"operator", "remove", "--email", "vic@example.com"});
  ASSERT_EQ(removed.exit_code, 0) << removed.err;
  list = d.Cdp({"operator", "list", "--brand", d.brand.id, "--json"});
  EXPECT_EQ(json::parse(list.out).as_array().size(), 1u);
  auto audit = d.Cdp({"audit", "--brand", d.brand.id, "--json"});
  EXPECT_THAT(audit.out, HasSubstr("operator.create"));
  EXPECT_THAT(audit.out, HasSubstr("operator.reset"));
  EXPECT_THAT(audit.out, HasSubstr("operator.remove"));
}

TEST_F(DashboardAuth, OperatorCommandsSayWhatIsWrong) {
  auto create = [&](const std::string& brand, const std::string& email, const std::string& role,
                    const std::string& password) {
    return d.Cdp({"operator", "create", "--brand", brand, "--email", email, "--role", role,
                  "--password-stdin"},
                 password + "\n");
  };
  auto r = create("nope", "ada@example.com", "editor", kPassword);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "error: no brand nope\n");
  r = create(d.brand.id, "ada@example.com", "editor", "too short");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "error: a password must have 10 to 1024 bytes, this one has 9\n");
  r = create(d.brand.id, "ada@example.com", "owner", kPassword);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "error: role must be editor or viewer, got 'owner'\n");
  r = create(d.brand.id, "not-an-email", "editor", kPassword);
  EXPECT_EQ(r.exit_code, 2);
  d.AddOperator("ada@example.com");
  r = create(d.brand.id, "ADA@example.com", "editor", kPassword);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "error: an operator with the email ada@example.com exists already\n");
  r = d.Cdp({"operator", "remove", "--email", "bob@example.com"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "error: no operator has the email bob@example.com\n");
}

TEST_F(DashboardAuth, AWrongPasswordAndAnUnknownEmailGetTheSame401) {
  d.AddOperator("ada@example.com");
  auto wrong = d.Login("ada@example.com", "not the passphrase");
  auto unknown = d.Login("bob@example.com", kPassword);
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(wrong.body, unknown.body);
  EXPECT_EQ(wrong.Message(), "wrong email or password");
  EXPECT_EQ(wrong.headers.count("set-cookie"), 0u);
}

TEST_F(DashboardAuth, SignInNeedsAJsonBodyFromThisOrigin) {
  d.AddOperator("ada@example.com");
  auto form =
      d.client.Send("POST", "/dashboard/api/session/login", "email=ada%40example.com&password=x",
                    {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(form.status, 415);
  auto foreign = d.Login("ada@example.com", kPassword, {{"Origin", "https://evil.example"}});
  EXPECT_EQ(foreign.status, 403);
  EXPECT_EQ(foreign.headers.count("set-cookie"), 0u);
  EXPECT_EQ(d.Login("ada@example.com", kPassword, {{"Origin", d.OwnOrigin()}}).status, 200);
}

TEST_F(DashboardAuth, TheSessionIsReadWithTheCookieOnly) {
  d.AddOperator("ada@example.com", "viewer");
  Session s = d.SignIn("ada@example.com");
  auto r = d.Current(s.cookie);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Data().at("operator").at("role"), "viewer");
  EXPECT_EQ(r.Data().at("csrf_token"), json::value(s.csrf));
  EXPECT_EQ(d.Current("").status, 401);
  EXPECT_EQ(d.Current("cdp_session=" + std::string(64, '0')).status, 401);
}

TEST_F(DashboardAuth, AMirroredCallNeedsTheCsrfTokenTheOriginAndTheCookie) {
  d.AddOperator("ada@example.com");
  Session s = d.SignIn("ada@example.com");
  const std::string path = "/dashboard/api/v1/segment/list";
  EXPECT_EQ(d.Call(s, path, "{}", {{"Origin", d.OwnOrigin()}}).status, 200);
  auto missing = d.Call(s, path, "{}", {{"X-CSRF-Token", ""}});
  EXPECT_EQ(missing.status, 403);
  EXPECT_EQ(missing.Message(), "CSRF token missing or wrong");
  EXPECT_EQ(d.Call(s, path, "{}", {{"X-CSRF-Token", std::string(32, 'a')}}).status, 403);
  auto foreign = d.Call(s, path, "{}", {{"Origin", "https://evil.example"}});
  EXPECT_EQ(foreign.status, 403);
  EXPECT_EQ(foreign.Message(), "requests from another origin are refused");
  auto anonymous = d.Call(s, path, "{}", {{"Cookie", ""}});
  EXPECT_EQ(anonymous.status, 401);
  // The brand's key stands for nothing here, and the tracking API is not mirrored.
  auto keyed = d.client.Send("POST", path, "{}",
                             {{"Content-Type", "application/json"},
                              {"x-brand-id", d.brand.id},
                              {"x-api-key", d.brand.key}});
  EXPECT_EQ(keyed.status, 401);
  EXPECT_EQ(d.Call(s, "/dashboard/api/v1/batch", "{}").status, 404);
}

TEST_F(DashboardAuth, AnEditorSendsEventsThroughTheMirror) {
  d.AddOperator("ada@example.com");
  Session s = d.SignIn("ada@example.com");
  auto r = d.Call(s, "/dashboard/api/v1/event/create",
                  R"({"nv":[{"userId":"u1","event_name":"signup"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Data().at("stored"), 1);
  auto count = d.client.Call(d.brand, "/api/v1/event/count", R"({"event_name":"signup"})");
  EXPECT_EQ(count.status, 200) << count.body;
  EXPECT_THAT(count.body, HasSubstr("1"));
}

TEST_F(DashboardAuth, TheServerRefusesAViewersChangesAndAnswersItsReads) {
  d.AddOperator("vic@example.com", "viewer");
  Session s = d.SignIn("vic@example.com");
  for (const char* path : {"/dashboard/api/v1/segment/create", "/dashboard/api/v1/campaign/create",
                           "/dashboard/api/operator/create"}) {
    auto r = d.Call(s, path, R"({"name":"x","email":"eve@example.com","password":"0123456789"})");
    EXPECT_EQ(r.status, 403) << path << ": " << r.body;
    EXPECT_EQ(r.Message(), "viewers cannot change anything") << path;
  }
  auto segments = d.Call(s, "/dashboard/api/v1/segment/list", "{}");
  ASSERT_EQ(segments.status, 200) << segments.body;
  EXPECT_EQ(segments.Data().at("segments").as_array().size(), 0u);
  auto campaigns = d.Call(s, "/dashboard/api/v1/campaign/list", "{}");
  ASSERT_EQ(campaigns.status, 200) << campaigns.body;
  EXPECT_THAT(campaigns.body, Not(HasSubstr("\"x\"")));
  auto ops = d.Call(s, "/dashboard/api/operator/list", "{}");
  ASSERT_EQ(ops.status, 200) << ops.body;
  EXPECT_EQ(ops.Data().at("operators").as_array().size(), 1u);
  EXPECT_EQ(d.Call(s, "/dashboard/api/v1/report/campaigns", "{}").status, 200);
}

TEST_F(DashboardAuth, AnEditorManagesTheBrandsOperatorsButCannotRemoveItself) {
  d.AddOperator("ada@example.com");
  Session s = d.SignIn("ada@example.com");
  auto created = d.Call(s, "/dashboard/api/operator/create",
                        R"({"email":"Vic@example.com","password":"0123456789","role":"viewer"})");
  ASSERT_EQ(created.status, 200) << created.body;
  EXPECT_EQ(created.Data().at("email"), "vic@example.com");
  auto taken = d.Call(s, "/dashboard/api/operator/create",
                      R"({"email":"vic@example.com","password":"0123456789"})");
  EXPECT_EQ(taken.status, 409);
  auto self = d.Call(s, "/dashboard/api/operator/remove", R"({"email":"ada@example.com"})");
  EXPECT_EQ(self.status, 400);
  EXPECT_EQ(self.Message(), "email: you cannot remove yourself");
  auto removed = d.Call(s, "/dashboard/api/operator/remove", R"({"email":"vic@example.com"})");
  EXPECT_EQ(removed.status, 200) << removed.body;
  auto audit = d.Cdp({"audit", "--brand", d.brand.id, "--json"});
  EXPECT_THAT(audit.out, HasSubstr("operator:ada@example.com"));
}

TEST_F(DashboardAuth, AnOperatorSeesOnlyItsOwnBrand) {
  auto created =
      d.client.Call(d.brand, "/api/v1/segment/create",
                    R"({"name":"A's","rules":{"attribute":"gender","op":"eq","value":"x"}})");
  ASSERT_EQ(created.status, 200) << created.body;
  const std::string id(created.Data().at("segment_id").as_string());
  Brand other = CreateBrand(d.storage, "Other");
  d.AddOperator("bea@example.com", "editor", other.id);
  d.AddOperator("ada@example.com");
  Session s = d.SignIn("bea@example.com");
  auto got =
      d.Call(s, "/dashboard/api/v1/segment/get", fmt::format(R"({{"segment_id":"{}"}})", id));
  EXPECT_EQ(got.status, 404) << got.body;
  auto list = d.Call(s, "/dashboard/api/v1/segment/list", "{}");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.Data().at("segments").as_array().size(), 0u);
  auto ops = d.Call(s, "/dashboard/api/operator/list", "{}");
  EXPECT_THAT(ops.body, Not(HasSubstr("ada@example.com")));
  EXPECT_EQ(d.Call(s, "/dashboard/api/operator/remove", R"({"email":"ada@example.com"})").status,
            404);
}

TEST_F(DashboardAuth, ACookieHeldBeforeSignInIsNeverTheSessionsId) {
  d.AddOperator("ada@example.com");
  const std::string planted = "cdp_session=" + std::string(64, 'a');
  auto r = d.Login("ada@example.com", kPassword, {{"Cookie", planted}});
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(CookiePair(r.headers["set-cookie"]), planted);
  EXPECT_EQ(d.Current(planted).status, 401);
  EXPECT_EQ(d.Current(CookiePair(r.headers["set-cookie"])).status, 200);
}

TEST_F(DashboardAuth, SignOutEndsTheSessionAndClearsTheCookie) {
  d.AddOperator("ada@example.com");
  Session s = d.SignIn("ada@example.com");
  auto r = d.Call(s, "/dashboard/api/session/logout", "{}");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers["set-cookie"],
            "cdp_session=; Path=/dashboard; Max-Age=0; HttpOnly; SameSite=Strict");
  EXPECT_EQ(d.Current(s.cookie).status, 401);
  EXPECT_EQ(d.Call(s, "/dashboard/api/v1/segment/list", "{}").status, 401);
}

TEST_F(DashboardAuth, ANewPasswordEndsTheOperatorsSessions) {
  d.AddOperator("ada@example.com");
  Session s = d.SignIn("ada@example.com");
  auto reset = d.Cdp({"operator", "reset", "--email", "ada@example.com", "--password-stdin"},
                     "another long passphrase\n");
  ASSERT_EQ(reset.exit_code, 0) << reset.err;
  EXPECT_EQ(d.Call(s, "/dashboard/api/v1/segment/list", "{}").status, 401);
}

TEST_F(DashboardAuth, TheEleventhSignInOfAMinuteIsRefusedEvenWithTheRightPassword) {
  d.AddOperator("ada@example.com");
  // The limits count per minute of the clock: start early in one, so that all 11 fall in it.
  const auto into_minute = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count() %
                           60;
  if (into_minute > 45) std::this_thread::sleep_for(std::chrono::seconds(61 - into_minute));
  for (int i = 0; i < 10; ++i) {
    auto r = d.Login("ada@example.com", "not the passphrase");
    ASSERT_EQ(r.status, 401) << r.body;
  }
  auto refused = d.Login("ada@example.com", kPassword);
  EXPECT_EQ(refused.status, 429) << refused.body;
  ASSERT_EQ(refused.headers.count("retry-after"), 1u);
  EXPECT_GE(std::stoi(refused.headers["retry-after"]), 1);
  EXPECT_LE(std::stoi(refused.headers["retry-after"]), 60);
  EXPECT_EQ(refused.headers.count("set-cookie"), 0u);
}

TEST(DashboardCookie, IsSecureWhenThePublicUrlIsHttps) {
  DashboardServer d({"--public-url", "https://cdp.example"});
  d.AddOperator("ada@example.com");
  auto r = d.Login("ada@example.com", kPassword, {{"Origin", "https://cdp.example"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.headers["set-cookie"], ::testing::EndsWith("; HttpOnly; SameSite=Strict; Secure"));
}

TEST(DashboardSession, EndsAfterItsIdleTime) {
  DashboardServer d({"--session-idle-seconds", "2"});
  d.AddOperator("ada@example.com");
  Session s = d.SignIn("ada@example.com");
  ASSERT_EQ(d.Call(s, "/dashboard/api/v1/segment/list", "{}").status, 200);
  std::this_thread::sleep_for(std::chrono::seconds(3));
  EXPECT_EQ(d.Call(s, "/dashboard/api/v1/segment/list", "{}").status, 401);
}

}  // namespace
}  // namespace cdp::testing
