// End-to-end tests of tracking, unsubscribe, bounces, delivery receipts and the Reporting
// API: a campaign goes out to real sinks on loopback, the test acts as the recipients' mail
// clients (fetching the pixel, following links, one-click unsubscribing) and as the mail
// system and SMS carrier (bounce reports, receipts), then reads the reports.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cctype>
#include <map>
#include <string>
#include <vector>

#include "core/base64.h"
#include "integration/campaign_server.h"
#include "support/server_process.h"
#include "support/sinks.h"

namespace cdp::testing {
namespace {

namespace json = boost::json;
using std::chrono::seconds;

// The path (and query) of an absolute URL this server made.
std::string PathOf(const std::string& url) {
  const size_t scheme = url.find("://");
  const size_t slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  return slash == std::string::npos ? "/" : url.substr(slash);
}

// Every value of `attribute` (src, href; matched case-insensitively) in `html`, in order.
std::vector<std::string> Urls(const std::string& html, const std::string& attribute) {
  std::string lower = html;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::vector<std::string> out;
  for (size_t at = 0; (at = lower.find(attribute, at)) != std::string::npos;) {
    size_t i = at + attribute.size();
    at = i;
    while (i < html.size() && html[i] == ' ') ++i;
    if (i >= html.size() || html[i] != '=') continue;
    ++i;
    while (i < html.size() && html[i] == ' ') ++i;
    if (i >= html.size() || (html[i] != '"' && html[i] != '\'')) continue;
    const size_t close = html.find(html[i], i + 1);
    if (close == std::string::npos) break;
    out.push_back(html.substr(i + 1, close - i - 1));
    at = close;
  }
  return out;
}

std::vector<std::string> With(const std::vector<std::string>& urls, const std::string& part) {
  std::vector<std::string> out;
  for (const auto& u : urls)
    if (u.find(part) != std::string::npos) out.push_back(u);
  return out;
}

class Reports : public CampaignServer {
 protected:
  json::value Report(const std::string& id) {
    return Ok("report/campaign", fmt::format(R"({{"campaign_id":"{}"}})", id));
  }
  int64_t OptIn(const std::string& user) {
    auto d = Ok("user/userData", fmt::format(R"({{"userId":"{}"}})", user));
    const json::value* v = d.is_object() ? d.as_object().if_contains("email_opt_in") : nullptr;
    return v && v->is_int64() ? v->as_int64() : -1;
  }
  // Sends an email campaign to ann, bob and cat and returns its id and their mail.
  std::map<std::string, json::object> SendEmail(std::string* id, const std::string& extra = "") {
    Users(R"([{"userId":"ann","email":"ann@x.test","email_opt_in":1},
              {"userId":"bob","email":"bob@x.test","email_opt_in":1},
              {"userId":"cat","email":"cat@x.test","email_opt_in":1}])");
    EmailChannel(*smtp_);
    auto d = Ok("campaign/create", fmt::format(R"J({{"name":"sale","channel":"email",
          "target":{{"user_ids":["ann","bob","cat"]}},
          "content":{{"subject":"Sale","text":"Hi {{{{userId}}}}",
            "html":"<html><body><p>Hi</p><a class=\"b\" href=\"https://shop.test/sale?x=1&amp;y=2\">Sale</a> <A HREF='https://shop.test/other'>Other</A> <a href=\"mailto:help@brand.test\">Mail</a></body></html>"}}{}}})J",
                                               extra));
    *id = std::string(d.at("campaign_id").as_string());
    Ok("campaign/send", fmt::format(R"({{"campaign_id":"{}"}})", *id));
    EXPECT_EQ(WaitStatus(*id, "sent").at("status"), "sent");
    std::map<std::string, json::object> mail;
    for (const auto& r : smtp_->WaitFor(3, seconds(10)))
      mail[std::string(r.at("to").at(0).as_string())] = r.as_object();
    return mail;
  }
  static std::string Html(const json::object& mail) {
    return std::string(mail.at("html").as_string());
  }

  std::unique_ptr<SmtpSink> smtp_ = std::make_unique<SmtpSink>(dir.path());
};

TEST_F(Reports, CountsOpensClicksUnsubscribesBouncesAndConversionsAsRecipientsAct) {
  std::string id;
  auto mail = SendEmail(&id, R"(,"conversion":{"event_name":"purchase","within_days":7})");
  ASSERT_EQ(mail.size(), 3u);
  const std::string base = fmt::format("http://127.0.0.1:{}/", server.port());

  // Each mail: its links rewritten to signed redirects (mailto: left alone), one pixel, and
  // the same unsubscribe URL in the body and in the RFC 8058 headers.
  std::map<std::string, std::vector<std::string>> clicks;
  std::map<std::string, std::string> pixel, unsubscribe;
  for (auto& [to, m] : mail) {
    const std::string html = Html(m);
    auto hrefs = Urls(html, "href");
    clicks[to] = With(hrefs, base + "t/c/");
    ASSERT_EQ(clicks[to].size(), 2u) << html;
    EXPECT_EQ(With(hrefs, "mailto:help@brand.test").size(), 1u) << html;
    EXPECT_EQ(html.find("shop.test"), std::string::npos) << html;
    auto images = With(Urls(html, "src"), base + "t/o/");
    ASSERT_EQ(images.size(), 1u) << html;
    pixel[to] = images[0];
    auto unsub = With(hrefs, base + "u/");
    ASSERT_EQ(unsub.size(), 1u) << html;
    unsubscribe[to] = unsub[0];
    EXPECT_EQ(m.at("list_unsubscribe"), ("<" + unsub[0] + ">").c_str());
    EXPECT_EQ(m.at("list_unsubscribe_post"), "List-Unsubscribe=One-Click");
    EXPECT_NE(std::string(m.at("text").as_string()).find("Unsubscribe: " + unsub[0]),
              std::string::npos);
  }
  EXPECT_NE(pixel["ann@x.test"], pixel["bob@x.test"]);

  // ann opens twice and clicks Sale three times and Other once; bob opens and clicks Sale.
  for (int i = 0; i < 2; ++i) {
    auto r = client.Get(PathOf(pixel["ann@x.test"]));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.headers["content-type"], "image/gif");
    EXPECT_EQ(r.body.substr(0, 6), "GIF89a");
  }
  EXPECT_EQ(client.Get(PathOf(pixel["bob@x.test"])).status, 200);
  for (int i = 0; i < 3; ++i) {
    auto r = client.Get(PathOf(clicks["ann@x.test"][0]));
    EXPECT_EQ(r.status, 302);
    EXPECT_EQ(r.headers["location"], "https://shop.test/sale?x=1&y=2");
  }
  auto other = client.Get(PathOf(clicks["ann@x.test"][1]));
  EXPECT_EQ(other.status, 302);
  EXPECT_EQ(other.headers["location"], "https://shop.test/other");
  EXPECT_EQ(client.Get(PathOf(clicks["bob@x.test"][0])).status, 302);

  // cat: the page behind the link does not unsubscribe; the one-click POST does.
  auto page = client.Get(PathOf(unsubscribe["cat@x.test"]));
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("<form method=\"post\""), std::string::npos) << page.body;
  EXPECT_EQ(OptIn("cat"), 1);
  auto unsub = client.Post(PathOf(unsubscribe["cat@x.test"]), "List-Unsubscribe=One-Click",
                           {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(unsub.status, 200) << unsub.body;
  EXPECT_EQ(OptIn("cat"), 0);

  // bob's mail bounces (a DSN's fields); ann buys within the window.
  auto bounce = Ok("message/bounce",
                   fmt::format(R"({{"type":"bounce","message_id":"{}","recipient":"bob@x.test",
                                   "action":"failed","status":"5.1.1",
                                   "diagnostic_code":"smtp; 550 5.1.1 mailbox unknown"}})",
                               std::string(mail["bob@x.test"].at("message_id").as_string())));
  EXPECT_EQ(bounce.at("recorded"), "bounce");
  EXPECT_EQ(OptIn("bob"), 2);
  Ok("event/track", R"({"userID":"ann","event_name":"purchase","ltv":10})");
  Ok("event/track", R"({"userID":"bob","event_name":"browse"})");

  auto report = Report(id);
  for (auto [key, want] :
       std::initializer_list<std::pair<const char*, int64_t>>{{"targeted", 3},
                                                              {"skipped", 0},
                                                              {"sent", 3},
                                                              {"delivered", 2},
                                                              {"failed", 0},
                                                              {"bounced", 1},
                                                              {"complained", 0},
                                                              {"unsubscribed", 1},
                                                              {"opens", 3},
                                                              {"unique_opens", 2},
                                                              {"clicks", 5},
                                                              {"unique_clicks", 2},
                                                              {"conversions", 1}})
    EXPECT_EQ(report.at(key), want) << key << ": " << json::serialize(report);
  EXPECT_EQ(report.at("rates").at("open_rate"), 1.0);
  EXPECT_EQ(report.at("rates").at("bounce_rate"), 0.3333);
  EXPECT_EQ(report.at("rates").at("conversion_rate"), 0.5);
  EXPECT_EQ(report.at("top_links"),
            json::parse(R"([{"url":"https://shop.test/sale?x=1&y=2","clicks":4,"unique_clicks":2},
                            {"url":"https://shop.test/other","clicks":1,"unique_clicks":1}])"));

  // A complaint is counted apart from bounces and opts the user out.
  auto complaint =
      Ok("message/bounce",
         fmt::format(R"({{"type":"complaint","message_id":"{}","feedback_type":"abuse"}})",
                     std::string(mail["ann@x.test"].at("message_id").as_string())));
  EXPECT_EQ(complaint.at("recorded"), "complaint");
  EXPECT_EQ(OptIn("ann"), 0);
  report = Report(id);
  EXPECT_EQ(report.at("complained"), 1);
  EXPECT_EQ(report.at("bounced"), 1);
}

TEST_F(Reports, RefusesForgedAndTamperedLinksWithoutRedirecting) {
  std::string id;
  auto mail = SendEmail(&id);
  ASSERT_EQ(mail.size(), 3u);
  const std::string base = fmt::format("http://127.0.0.1:{}/", server.port());
  const std::string click = With(Urls(Html(mail["ann@x.test"]), "href"), base + "t/c/").at(0);
  const std::string token = click.substr((base + "t/c/").size());
  const size_t dot = token.find('.');
  ASSERT_NE(dot, std::string::npos);

  std::vector<std::string> forged = {
      "/t/c/" + token.substr(0, dot) + "." + std::string(token.size() - dot - 1, 'A'),
      "/t/c/" + std::string(1, token[0] == 'A' ? 'B' : 'A') + token.substr(1),
      "/t/c/" + token.substr(0, dot),
      "/t/c/garbage",
      "/t/c/" + token + "x",
  };
  // The signature of the real link on another URL.
  const std::string evil = "c\n" + std::string(brand.id) + "\n" + id + "\n1\nhttps://evil.test/";
  forged.push_back("/t/c/" + Base64Url(evil) + token.substr(dot));
  // A valid open or unsubscribe token is not a click token.
  const std::string open = With(Urls(Html(mail["ann@x.test"]), "src"), base + "t/o/").at(0);
  forged.push_back("/t/c/" + open.substr((base + "t/o/").size()));
  for (const auto& path : forged) {
    auto r = client.Get(path);
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(r.headers.count("location"), 0u) << path;
  }
  EXPECT_EQ(client.Post("/u/" + token, "", {}).status, 404);
  EXPECT_EQ(client.Get("/t/o/" + token).status, 404);

  // Another brand cannot report on this brand's messages.
  Brand other = CreateBrand(fresh.args, "other");
  auto r = client.Call(other, "/api/v1/message/bounce",
                       fmt::format(R"({{"type":"bounce","message_id":"{}"}})",
                                   std::string(mail["ann@x.test"].at("message_id").as_string())));
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_EQ(
      client.Call(other, "/api/v1/report/campaign", fmt::format(R"({{"campaign_id":"{}"}})", id))
          .status,
      404);

  auto report = Report(id);
  EXPECT_EQ(report.at("clicks"), 0);
  EXPECT_EQ(report.at("opens"), 0);
  EXPECT_EQ(report.at("bounced"), 0);
  EXPECT_EQ(OptIn("ann"), 1);
}

TEST_F(Reports, TrackingCanBeTurnedOffButUnsubscribeStays) {
  std::string id;
  auto mail = SendEmail(&id, R"(,"tracking":false)");
  ASSERT_EQ(mail.size(), 3u);
  const std::string html = Html(mail["ann@x.test"]);
  EXPECT_NE(html.find(R"(href="https://shop.test/sale?x=1&amp;y=2")"), std::string::npos) << html;
  EXPECT_EQ(html.find("/t/o/"), std::string::npos) << html;
  EXPECT_EQ(html.find("/t/c/"), std::string::npos) << html;
  EXPECT_NE(html.find("/u/"), std::string::npos) << html;
  EXPECT_TRUE(mail["ann@x.test"].at("list_unsubscribe").is_string());
  EXPECT_EQ(Get(id).at("tracking"), false);
}

TEST_F(Reports, SmsDeliveryReceiptsMarkMessagesDeliveredOrFailed) {
  HttpSink sms(dir.path());
  Users(R"([{"userId":"a","mobile":"+919811111111","sms_opt_in":1},
            {"userId":"b","mobile":"+919822222222","sms_opt_in":1}])");
  Ok("channel/sms", fmt::format(R"({{"url":"http://127.0.0.1:{}","account_sid":"AC1",
                                    "auth_token":"tok","from":"+919899999990"}})",
                                sms.port()));
  std::string id = Create("sms", R"({"user_ids":["a","b"]})", R"({"text":"Hi"})");
  Ok("campaign/send", fmt::format(R"({{"campaign_id":"{}"}})", id));
  ASSERT_EQ(WaitStatus(id, "sent").at("status"), "sent");
  std::map<std::string, std::string> callback;
  for (const auto& r : sms.WaitFor(2, seconds(10)))
    callback[std::string(r.at("form").at("To").as_string())] =
        std::string(r.at("form").at("StatusCallback").as_string());
  ASSERT_EQ(callback.size(), 2u);
  const std::map<std::string, std::string> form = {
      {"Content-Type", "application/x-www-form-urlencoded"}};
  // Progress receipts change nothing; the final ones do.
  EXPECT_EQ(
      client.Post(PathOf(callback["+919811111111"]), "MessageSid=SM1&MessageStatus=sent", form)
          .status,
      204);
  EXPECT_EQ(
      client.Post(PathOf(callback["+919811111111"]), "MessageSid=SM1&MessageStatus=delivered", form)
          .status,
      204);
  EXPECT_EQ(client
                .Post(PathOf(callback["+919822222222"]),
                      "MessageSid=SM2&MessageStatus=undelivered&ErrorCode=30003", form)
                .status,
            204);
  EXPECT_EQ(client.Post(PathOf(callback["+919822222222"]), "MessageSid=SM2", form).status, 400);
  auto report = Report(id);
  EXPECT_EQ(report.at("sent"), 2);
  EXPECT_EQ(report.at("delivered"), 1);
  EXPECT_EQ(report.at("failed"), 1);
  EXPECT_EQ(report.at("rates").at("delivery_rate"), 0.5);
}

TEST_F(Reports, TimelineCampaignListAndCsv) {
  std::string id;
  auto mail = SendEmail(&id);
  ASSERT_EQ(mail.size(), 3u);
  const std::string open =
      With(Urls(Html(mail["bob@x.test"]), "src"), fmt::format("127.0.0.1:{}/t/o/", server.port()))
          .at(0);
  ASSERT_EQ(client.Get(PathOf(open)).status, 200);

  auto timeline =
      Ok("report/timeline", fmt::format(R"({{"campaign_id":"{}","interval":"hour"}})", id));
  int64_t sent = 0, opens = 0;
  for (const auto& p : timeline.at("points").as_array()) {
    sent += p.at("sent").as_int64();
    opens += p.at("opens").as_int64();
  }
  EXPECT_EQ(sent, 3);
  EXPECT_EQ(opens, 1);
  auto brand_wide = Ok("report/timeline", R"({"interval":"day"})");
  EXPECT_EQ(brand_wide.at("points").as_array().size(), 8u);  // the last 7 days and today

  auto list = Ok("report/campaigns", R"({"channel":"email"})");
  EXPECT_EQ(list.at("total"), 1);
  EXPECT_EQ(list.at("campaigns").at(0).at("campaign_id"), id.c_str());
  EXPECT_EQ(list.at("campaigns").at(0).at("unique_opens"), 1);
  EXPECT_EQ(Ok("report/campaigns", R"({"channel":"sms"})").at("total"), 0);
  EXPECT_EQ(Ok("report/campaigns", R"({"to":"2000-01-01"})").at("total"), 0);

  auto csv = Call("report/campaign", fmt::format(R"({{"campaign_id":"{}","format":"csv"}})", id));
  EXPECT_EQ(csv.status, 200);
  EXPECT_EQ(csv.headers["content-type"], "text/csv; charset=utf-8");
  EXPECT_EQ(csv.body.substr(0, csv.body.find("\r\n")).substr(0, 40),
            "campaign_id,name,channel,status,started_");
  EXPECT_NE(csv.body.find(id + ",sale,email,sent,"), std::string::npos) << csv.body;
  auto csv_timeline = Call("report/timeline", R"({"format":"csv"})");
  EXPECT_EQ(csv_timeline.body.substr(0, 10), "time,sent,");

  for (const char* bad :
       {R"({"interval":"week"})", R"({"format":"xml"})", R"({"from":"yesterday"})",
        R"({"from":"2020-01-01","interval":"hour"})", R"({"bogus":1})"}) {
    auto r = Call("report/timeline", bad);
    EXPECT_EQ(r.status, 400) << bad << " " << r.body;
    EXPECT_EQ(r.EnvelopeStatus(), "error");
  }
  EXPECT_EQ(Call("report/campaign", R"({"campaign_id":"cmp_nope"})").status, 404);
  EXPECT_EQ(Call("report/campaign", R"({})").status, 400);
}

}  // namespace
}  // namespace cdp::testing
