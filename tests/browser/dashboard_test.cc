// The dashboard in a real browser: Debian's chromium, driven by playwright-core
// (tests/browser/package.json, pinned by its package-lock.json and installed by scripts/setup), against the
// real binary on loopback with a real SMTP sink. The browser side is dashboard.mjs beside this file;
// this side seeds the data, reads the sink, and opens and clicks a message as a recipient.
// Skipped, loudly, when chromium or the npm packages are absent (ctest label "browser").
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <ctime>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "support/server_process.h"
#include "support/sinks.h"

namespace cdp::testing {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

const std::string kBrowserDir = std::string(CDP_TEST_SUPPORT_DIR) + "/../browser";
constexpr const char* kPassword = "correct horse battery";

std::string Chromium() {
  const char* env = std::getenv("CDP_CHROMIUM");
  return env ? env : "/usr/bin/chromium";
}

// Why the browser tests cannot run here, or "".
std::string MissingPart() {
  if (!fs::exists(Chromium()))
    return Chromium() + " is missing (Debian's chromium package; scripts/setup installs it)";
  if (!fs::exists(kBrowserDir + "/node_modules/playwright-core"))
    return "tests/browser/node_modules is missing (scripts/setup runs npm ci --prefix tests/browser)";
  return "";
}

class DashboardInBrowser : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string missing = MissingPart(); !missing.empty()) {
      std::fprintf(stderr,
                   "\n*** BROWSER TESTS SKIPPED: %s. The dashboard is NOT tested. ***\n\n",
                   missing.c_str());
      GTEST_SKIP() << missing;
    }
  }

  void Operator(const Brand& brand, const std::string& email, const std::string& role) {
    std::vector<std::string> args = {"operator", "create", "--brand", brand.id, "--email", email,
                                     "--role", role, "--password-stdin"};
    args.insert(args.end(), storage.args.begin(), storage.args.end());
    auto r = RunCdp(args, std::string(kPassword) + "\n");
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  json::value Ok(const Brand& brand, const std::string& path, const std::string& body) {
    auto r = client.Call(brand, "/api/v1/" + path, body);
    EXPECT_EQ(r.status, 200) << path << " " << r.body;
    return r.Data();
  }

  // Five profiles (three female, two of whom bought something) and their events over the
  // last days; the email channel goes to the sink.
  void Seed() {
    auto d = Ok(a, "user/create", R"({"nv":[
      {"userId":"u1","email":"ada@example.com","firstName":"Ada","gender":"female","email_opt_in":1,
       "attributes":{"plan":"pro"}},
      {"userId":"u2","email":"grace@example.com","firstName":"Grace","gender":"female","email_opt_in":1},
      {"userId":"u3","email":"hedy@example.com","firstName":"Hedy","gender":"female","email_opt_in":1},
      {"userId":"u4","email":"alan@example.com","firstName":"Alan","gender":"male","email_opt_in":1},
      {"userId":"u5","mobile":"+14155550100","firstName":"Linus","gender":"male"}]})");
    ASSERT_EQ(d.at("failed"), 0) << json::serialize(d);
    const auto day = [](int days_ago) {
      const std::time_t t = std::time(nullptr) - 86400L * days_ago;
      std::tm tm{};
      gmtime_r(&t, &tm);
      char buf[32];
      std::strftime(buf, sizeof buf, "\"%Y-%m-%dT%H:%M:%S+0000\"", &tm);
      return std::string(buf);
    };
    std::string events;
    const char* kWho[] = {"u1", "u2", "u3", "u4", "u5"};
    for (int i = 0; i < 20; ++i) {
      if (!events.empty()) events += ",";
      events.append(fmt::format(R"({{"userId":"{}","event":"page_view","event_time":{},
                                     "attributes":{{"path":"/p{}"}}}})",
                                kWho[i % 5], day(i % 12), i));
    }
    events.append(fmt::format(R"(,{{"userId":"u1","event":"purchase","event_time":{},
                                   "attributes":{{"sku":"A-1","value":42}}}})",
                              day(2)));
    events.append(fmt::format(R"(,{{"userId":"u2","event":"purchase","event_time":{}}})", day(1)));
    events.append(fmt::format(R"(,{{"userId":"u4","event":"purchase","event_time":{}}})", day(3)));
    d = Ok(a, "event/create", "{\"nv\":[" + events + "]}");
    Ok(a, "channel/email",
       fmt::format(R"({{"host":"127.0.0.1","port":{},"security":"none","from":"news@acme.test"}})",
                   sink.port()));
  }

  // Runs one phase of dashboard.mjs; its last line of output, parsed.
  json::value Browse(const std::string& phase, const std::string& campaign_id = "") {
    json::object config{
        {"url", fmt::format("http://127.0.0.1:{}", server.port())},
        {"shots", shots_dir},
        {"brand_a", {{"editor", "editor@acme.test"}, {"viewer", "viewer@acme.test"},
                     {"password", kPassword}}},
        {"brand_b", {{"editor", "editor@other.test"}, {"password", kPassword}}},
        {"campaign_id", campaign_id}};
    const std::string file = dir.path() + "/config.json";
    std::ofstream(file) << json::serialize(config);
    const std::string log = dir.path() + "/" + phase + ".log";
    const std::string cmd = fmt::format("node {}/dashboard.mjs --phase {} --config {} > {} 2>&1",
                                        kBrowserDir, phase, file, log);
    const int rc = std::system(cmd.c_str());
    std::ifstream in(log);
    std::string line, last, all;
    while (std::getline(in, line)) {
      all += line + "\n";
      if (!line.empty()) last = line;
    }
    EXPECT_EQ(rc, 0) << all << "\nserver log:\n" << server.Log().substr(0, 20000);
    if (rc != 0) return nullptr;
    return json::parse(last);
  }

  TempDir dir;
  TestStorage storage = FreshStorage(dir.path());
  Brand a = CreateBrand(storage.args, "Acme");
  Brand b = CreateBrand(storage.args, "Other");
  SmtpSink sink{dir.path()};
  ServerProcess server{storage.args, dir.path() + "/server.log"};
  HttpClient client{server.port()};
  // Screenshots go to CDP_SCREENSHOTS (docs/screenshots to refresh the docs), else the
  // test's own folder.
  std::string shots_dir =
      std::getenv("CDP_SCREENSHOTS") ? std::getenv("CDP_SCREENSHOTS") : dir.path() + "/shots";
};

// The path of the first link in `html` whose path starts with `/what/`, up to the quote,
// space or '>' that ends it ("" when there is none).
std::string LinkPath(const std::string& html, const std::string& what) {
  const size_t at = html.find("/" + what + "/");
  if (at == std::string::npos) return "";
  return html.substr(at, html.find_first_of("\"' >", at) - at);
}

TEST_F(DashboardInBrowser, OperatorsFindUsersBuildSegmentsAndSendCampaignsAndReadReports) {
  Operator(a, "editor@acme.test", "editor");
  Operator(a, "viewer@acme.test", "viewer");
  Operator(b, "editor@other.test", "editor");
  Seed();

  json::value out = Browse("main");
  ASSERT_TRUE(out.is_object());
  const std::string campaign_id(out.at("campaign_id").as_string());

  // The two members of the segment got the mail, rendered for each.
  auto mails = sink.WaitFor(2, std::chrono::seconds(30));
  ASSERT_EQ(mails.size(), 2u);
  std::set<std::string> to;
  for (const auto& m : mails) to.insert(std::string(m.at("to").at(0).as_string()));
  EXPECT_EQ(to, (std::set<std::string>{"ada@example.com", "grace@example.com"}));
  const json::value* ada = nullptr;
  for (const auto& m : mails)
    if (m.at("to").at(0).as_string() == "ada@example.com") ada = &m;
  ASSERT_NE(ada, nullptr);
  EXPECT_EQ(ada->at("subject").as_string(), "Hi Ada");

  // Ada opens it and clicks its link.
  const std::string html(ada->at("html").as_string());
  const std::string open = LinkPath(html, "t/o"), click = LinkPath(html, "t/c");
  ASSERT_FALSE(open.empty()) << html;
  ASSERT_FALSE(click.empty()) << html;
  EXPECT_EQ(client.Get(open).status, 200);
  EXPECT_EQ(client.Get(click).status, 302);

  Browse("report", campaign_id);
}

}  // namespace
}  // namespace cdp::testing
