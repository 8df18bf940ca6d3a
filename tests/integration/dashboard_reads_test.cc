// End-to-end tests of the brand-wide reads the dashboard makes (docs/dashboard.md): a
// profile's push subscriptions, a message previewed for a profile, the overview report and
// the brand's own account, through the real binary on both backends.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "core/base64.h"
#include "integration/campaign_server.h"
#include "support/server_process.h"

namespace cdp::testing {
namespace {

namespace json = boost::json;

class DashboardReads : public CampaignServer {
 protected:
  std::string ErrorOf(const std::string& path, const std::string& body, int status = 400) {
    auto r = Call(path, body);
    EXPECT_EQ(r.status, status) << path << " " << body << "\n" << r.body;
    return r.Message();
  }
};

TEST_F(DashboardReads, PushListShowsOriginsAndTokenStartsOnly) {
  const std::string p256dh = Base64Url(std::string(1, '\x04') + std::string(64, 'k'));
  const std::string auth = Base64Url(std::string(16, 'a'));
  Ok("push/subscribe",
     json::serialize(json::object{
         {"userId", "ann"},
         {"platform", "web"},
         {"subscription",
          {{"endpoint", "https://fcm.googleapis.com/fcm/send/secret-path"},
           {"keys", {{"p256dh", p256dh}, {"auth", auth}}}}}}));
  Ok("push/subscribe", R"({"userId":"ann","platform":"android","token":"abcdefghijklmnop"})");

  auto d = Ok("push/list", R"({"userId":"ann"})");
  const auto& subs = d.at("subscriptions").as_array();
  ASSERT_EQ(subs.size(), 2u) << json::serialize(d);
  EXPECT_EQ(subs[0].at("platform"), "web");
  EXPECT_EQ(subs[0].at("endpoint"), "https://fcm.googleapis.com");
  EXPECT_TRUE(std::string(subs[0].at("subscription_id").as_string()).starts_with("sub_"));
  EXPECT_TRUE(subs[0].at("created_at").is_string());
  EXPECT_EQ(subs[1].at("platform"), "android");
  EXPECT_EQ(subs[1].at("token"), "abcdefgh\u2026");
  EXPECT_EQ(d.as_object().size(), 1u);
  EXPECT_EQ(json::serialize(d).find("secret-path"), std::string::npos);

  auto android = Ok("push/list", R"({"userId":"ann","platform":"android"})");
  EXPECT_EQ(android.at("subscriptions").as_array().size(), 1u);
  EXPECT_EQ(ErrorOf("push/list", R"({"userId":"ann","platform":"fax"})"),
            "platform: must be web, android or ios");
  EXPECT_EQ(ErrorOf("push/list", R"({"userId":"nobody"})", 404), "no user with userId 'nobody'");
}

TEST_F(DashboardReads, PreviewRendersAsTheEngineWouldAndSaysWhetherItWouldGo) {
  Users(R"([{"userId":"ann","email":"ann@x.test","email_opt_in":1,
             "attributes":{"note":"<b>Tom & Jerry</b>"}},
            {"userId":"bob","email":"bob@x.test","email_opt_in":0,"first_name":"Bob"}])");
  const std::string content =
      R"({"subject":"Hi {{ firstName | default: \"there\" }}",
          "html":"<p>{{ attributes.note }}</p><a href=\"https://shop.test/\">shop</a>",
          "text":"Hi {{ firstName | default: \"there\" }}"})";
  auto d = Ok("campaign/preview",
              fmt::format(R"({{"userId":"ann","channel":"email","content":{}}})", content));
  ASSERT_TRUE(d.is_object());
  EXPECT_EQ(d.at("channel"), "email");
  EXPECT_EQ(d.at("reachable"), true);
  EXPECT_FALSE(d.as_object().contains("reason"));
  const auto& r = d.at("rendered").as_object();
  EXPECT_EQ(r.at("subject"), "Hi there");
  EXPECT_EQ(r.at("to"), "ann@x.test");
  const std::string html(r.at("html").as_string());
  EXPECT_NE(html.find("<p>&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;</p>"), std::string::npos) << html;
  // Links as sent: the click redirect, the unsubscribe footer and the open pixel.
  EXPECT_NE(html.find("/t/c/"), std::string::npos) << html;
  EXPECT_NE(html.find("/u/"), std::string::npos) << html;
  EXPECT_NE(html.find("/t/o/"), std::string::npos) << html;
  EXPECT_TRUE(std::string(r.at("text").as_string()).starts_with("Hi there")) << r.at("text");

  // A saved campaign, to a profile that has not opted in.
  const std::string id = Create("email", R"({"user_ids":["bob"]})", content);
  auto bob = Ok("campaign/preview", fmt::format(R"({{"userId":"bob","campaign_id":"{}"}})", id));
  EXPECT_EQ(bob.at("reachable"), false);
  EXPECT_EQ(bob.at("reason"), "email_opt_in is not 1");
  EXPECT_EQ(bob.at("rendered").at("subject"), "Hi Bob");

  // Template errors: exactly /campaign/create's.
  const std::string bad = R"({"subject":"Hi {{ nope }}","text":"x"})";
  const std::string create = ErrorOf(
      "campaign/create",
      fmt::format(R"({{"name":"x","channel":"email","target":{{"user_ids":["ann"]}},"content":{}}})",
                  bad));
  EXPECT_FALSE(create.empty());
  EXPECT_EQ(ErrorOf("campaign/preview",
                    fmt::format(R"({{"userId":"ann","channel":"email","content":{}}})", bad)),
            create);
  EXPECT_EQ(ErrorOf("campaign/preview", R"({"channel":"sms","content":{"text":"x"}})"),
            "userId is required");
  EXPECT_EQ(ErrorOf("campaign/preview",
                    R"({"userId":"ann","channel":"fax","content":{"text":"x"}})"),
            "channel: must be email, sms, web, android or ios");
  // Push: no subscription, no message.
  auto push = Ok("campaign/preview",
                 R"({"userId":"ann","channel":"web","content":{"title":"T {{ userId }}","message":"m"}})");
  EXPECT_EQ(push.at("rendered").at("title"), "T ann");
  EXPECT_EQ(push.at("reachable"), false);
  EXPECT_EQ(push.at("reason"), "no web push subscription");
}

// The path of the first URL in `html` that contains `what` ("/t/o/"), from it on.
std::string PathOf(const std::string& html, const std::string& what) {
  const size_t at = html.find(what);
  if (at == std::string::npos) return "";
  const size_t end = html.find_first_of("\"' >", at);
  return html.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

TEST_F(DashboardReads, APreviewsLinksCountNothingEvenForASentCampaign) {
  SmtpSink sink(dir.path());
  EmailChannel(sink);
  Users(R"([{"userId":"ann","email":"ann@x.test","email_opt_in":1}])");
  const std::string id = Create("email", R"({"user_ids":["ann"]})",
                                R"({"subject":"Hi","html":"<a href=\"https://shop.test/\">shop</a>"})");
  Ok("campaign/send", fmt::format(R"({{"campaign_id":"{}"}})", id));
  WaitStatus(id, "sent");
  auto mails = sink.WaitFor(1, std::chrono::seconds(10));
  ASSERT_EQ(mails.size(), 1u);

  auto preview = Ok("campaign/preview", fmt::format(R"({{"userId":"ann","campaign_id":"{}"}})", id));
  const std::string html(preview.at("rendered").at("html").as_string());
  const std::string pixel = PathOf(html, "/t/o/"), click = PathOf(html, "/t/c/");
  ASSERT_FALSE(pixel.empty()) << html;
  ASSERT_FALSE(click.empty()) << html;
  client.Get(pixel);
  client.Get(click);
  auto report = [&] { return Ok("report/campaign", fmt::format(R"({{"campaign_id":"{}"}})", id)); };
  EXPECT_EQ(report().at("opens"), 0);
  EXPECT_EQ(report().at("clicks"), 0);

  // The mail that was sent counts, as it should.
  EXPECT_EQ(client.Get(PathOf(std::string(mails[0].at("html").as_string()), "/t/o/")).status, 200);
  EXPECT_EQ(report().at("opens"), 1);
}

TEST_F(DashboardReads, OverviewCountsEventsPerUtcDayWithZerosAndListsActiveCampaigns) {
  Users(R"([{"userId":"ann"},{"userId":"bob"},{"userId":"cat"}])");
  for (const char* t : {"2026-01-01T00:00:00Z", "2026-01-01T23:59:59.999Z",
                        "2026-01-03T12:00:00Z", "2025-12-31T23:59:59Z", "2026-01-04T00:00:00Z"})
    Ok("event/track", fmt::format(R"({{"userID":"ann","event_name":"view","event_time":"{}"}})", t));
  const std::string later = Create("email", R"({"user_ids":["ann"]})", R"({"subject":"a","text":"b"})");
  Ok("campaign/schedule",
     fmt::format(R"({{"campaign_id":"{}","send_at":"2036-01-01T00:00:00Z"}})", later));
  const std::string sooner = Create("sms", R"({"user_ids":["ann"]})", R"({"text":"b"})");
  Ok("campaign/schedule",
     fmt::format(R"({{"campaign_id":"{}","send_at":"2035-01-01T00:00:00Z"}})", sooner));
  Create("email", R"({"user_ids":["ann"]})", R"({"subject":"draft","text":"b"})");

  auto d = Ok("report/overview", R"({"from":"2026-01-01","to":"2026-01-03"})");
  ASSERT_TRUE(d.is_object());
  EXPECT_EQ(d.at("from"), "2026-01-01T00:00:00Z");
  EXPECT_EQ(d.at("to"), "2026-01-04T00:00:00Z");
  EXPECT_EQ(d.at("profiles"), 3);
  EXPECT_EQ(d.at("events"), 3);
  EXPECT_EQ(d.at("events_per_day"), json::parse(R"([{"day":"2026-01-01","count":2},
      {"day":"2026-01-02","count":0},{"day":"2026-01-03","count":1}])"));
  EXPECT_EQ(d.at("messages"),
            json::parse(R"({"sent":0,"failed":0,"skipped":0,"queued":0})"));
  const auto& campaigns = d.at("campaigns").as_array();
  ASSERT_EQ(campaigns.size(), 2u) << json::serialize(d);
  EXPECT_EQ(campaigns[0].at("campaign_id"), sooner.c_str());
  EXPECT_EQ(campaigns[0].at("channel"), "sms");
  EXPECT_EQ(campaigns[0].at("status"), "scheduled");
  EXPECT_EQ(campaigns[0].at("send_at"), "2035-01-01T00:00:00Z");
  EXPECT_EQ(campaigns[1].at("campaign_id"), later.c_str());

  // A range that starts mid-day counts only its part of that day.
  auto part = Ok("report/overview",
                 R"({"from":"2026-01-01T12:00:00Z","to":"2026-01-02T12:00:00Z"})");
  EXPECT_EQ(part.at("events_per_day"), json::parse(R"([{"day":"2026-01-01","count":1},
      {"day":"2026-01-02","count":0}])"));
  // The default: the last 30 days up to now, 31 UTC days touched.
  auto recent = Ok("report/overview", "{}");
  EXPECT_EQ(recent.at("events_per_day").as_array().size(), 31u);
  EXPECT_EQ(recent.at("events"), 0);

  EXPECT_EQ(ErrorOf("report/overview", R"({"from":"2026-01-03","to":"2026-01-01"})"),
            "to: must be after from");
  EXPECT_EQ(ErrorOf("report/overview", R"({"from":"2025-01-01","to":"2026-01-02"})"),
            "from, to: at most 366 days apart");
  EXPECT_EQ(Call("report/overview", R"({"from":"2025-01-01","to":"2025-12-31"})").status, 200);
  EXPECT_EQ(ErrorOf("report/overview", R"({"from":"yesterday"})"),
            "from: must be a date (2026-11-01) or a timestamp (2026-11-01T10:00:00Z)");
}

TEST_F(DashboardReads, BrandGetShowsKeysWithoutHashesAndTheLimitsThatApply) {
  auto d = Ok("brand/get", "{}");
  ASSERT_TRUE(d.is_object());
  EXPECT_EQ(d.at("brand").at("id"), brand.id.c_str());
  EXPECT_EQ(d.at("brand").at("name"), "test");
  const auto& keys = d.at("keys").as_array();
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_TRUE(brand.key.starts_with(std::string(keys[0].at("prefix").as_string())));
  EXPECT_FALSE(keys[0].as_object().contains("revoked_at"));
  EXPECT_EQ(json::serialize(d).find("hash"), std::string::npos);
  // The test brand is unlimited in every group (its own 0), but for what it never set.
  const auto& limits = d.at("limits").as_array();
  ASSERT_EQ(limits.size(), 5u);
  EXPECT_EQ(limits[0], json::parse(R"({"group":"users","per_minute":0,"default":false})"));
  EXPECT_TRUE(ErrorOf("brand/get", R"({"x":1})").starts_with("unknown field 'x'"));
}

}  // namespace
}  // namespace cdp::testing
