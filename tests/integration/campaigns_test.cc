// End-to-end tests of campaigns: the real binary sends through real servers on loopback (an
// SMTP sink on python3-aiosmtpd, an HTTP sink for the SMS provider) and is observed through
// what they receive and through /campaign/get.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <thread>

#include "integration/campaign_server.h"
#include "support/server_process.h"
#include "support/sinks.h"

namespace cdp::testing {
namespace {

namespace json = boost::json;
using std::chrono::seconds;

// The part of a mail body the campaign wrote: before the unsubscribe footer cdp appends
// (tests/integration/reports_test.cc checks the footer and tracking).
std::string Written(const json::value& body) {
  std::string s(body.as_string());
  for (const char* marker : {"<p style=\"font-size:12px", "\n\n--\nUnsubscribe: "})
    if (size_t at = s.find(marker); at != std::string::npos) s.resize(at);
  return s;
}

std::map<std::string, json::object> ByRecipient(const std::vector<json::value>& records) {
  std::map<std::string, json::object> out;
  for (const auto& r : records) out[std::string(r.at("to").at(0).as_string())] = r.as_object();
  return out;
}

TEST_F(CampaignServer, SendsPersonalizedEmailToASegmentsReachableMembers) {
  SmtpSink sink(dir.path());
  Users(R"([
    {"userId":"ann","firstName":"Ann","email":"ann@x.test","email_opt_in":1,"attributes":{"plan":"pro"}},
    {"userId":"bob","email":"bob@x.test","email_opt_in":1,"attributes":{"plan":"pro"}},
    {"userId":"eve","firstName":"<Eve & co>","email":"eve@x.test","email_opt_in":1,"attributes":{"plan":"pro"}},
    {"userId":"out","firstName":"Out","email":"out@x.test","email_opt_in":0,"attributes":{"plan":"pro"}},
    {"userId":"nomail","firstName":"No","email_opt_in":1,"attributes":{"plan":"pro"}},
    {"userId":"free","firstName":"Free","email":"free@x.test","email_opt_in":1,"attributes":{"plan":"free"}}])");
  auto seg =
      Ok("segment/create",
         R"({"name":"pro","rules":{"attribute":"attributes.plan","op":"eq","value":"pro"}})");
  EmailChannel(sink);
  std::string id =
      Create("email",
             fmt::format(R"({{"segment_id":"{}"}})", std::string(seg.at("segment_id").as_string())),
             R"J({"subject":"Hi {{ firstName | default: \"there\" }}",
          "html":"<p>Hello {{firstName | default: 'friend'}}, your plan: {{attributes.plan}}</p>",
          "text":"Hello {{firstName}} ({{userId}})","reply_to":"help@brand.test"})J");
  EXPECT_EQ(Get(id).at("status"), "draft");
  Ok("campaign/send", fmt::format(R"({{"campaign_id":"{}"}})", id));
  auto done = WaitStatus(id, "sent");
  EXPECT_EQ(done.at("counts"), Counts(5, 3, 0, 2)) << json::serialize(done);

  auto mail = ByRecipient(sink.Records());
  ASSERT_EQ(mail.size(), 3u);
  EXPECT_EQ(mail["ann@x.test"]["subject"], "Hi Ann");
  EXPECT_EQ(Written(mail["ann@x.test"]["html"]), "<p>Hello Ann, your plan: pro</p>");
  EXPECT_EQ(Written(mail["ann@x.test"]["text"]), "Hello Ann (ann)");
  EXPECT_EQ(mail["ann@x.test"]["from"], "news@brand.test");
  EXPECT_EQ(mail["ann@x.test"]["reply_to"], "help@brand.test");
  EXPECT_EQ(mail["bob@x.test"]["subject"], "Hi there");
  EXPECT_EQ(Written(mail["bob@x.test"]["html"]), "<p>Hello friend, your plan: pro</p>");
  EXPECT_EQ(Written(mail["bob@x.test"]["text"]), "Hello  (bob)");
  // User data is escaped in HTML, not in the subject or the text part.
  EXPECT_EQ(Written(mail["eve@x.test"]["html"]),
            "<p>Hello &lt;Eve &amp; co&gt;, your plan: pro</p>");
  EXPECT_EQ(mail["eve@x.test"]["subject"], "Hi <Eve & co>");
}

TEST_F(CampaignServer, RetriesA451UntilAcceptedAndRecordsA550AsFailed) {
  SmtpSink sink(dir.path(), R"({"later@x.test":[451,451,250],"gone@x.test":[550]})");
  Users(R"([{"userId":"later","email":"later@x.test","email_opt_in":1},
            {"userId":"gone","email":"gone@x.test","email_opt_in":1},
            {"userId":"fine","email":"fine@x.test","email_opt_in":1}])");
  EmailChannel(sink);
  std::string id = Create("email", R"({"user_ids":["later","gone","fine","nobody"]})",
                          R"({"subject":"s","text":"t"})");
  Ok("campaign/send", fmt::format(R"({{"campaign_id":"{}"}})", id));
  auto done = WaitStatus(id, "sent");
  EXPECT_EQ(done.at("counts"), Counts(4, 2, 1, 1)) << json::serialize(done);
  std::multiset<std::string> got;
  for (const auto& r : sink.Records()) got.insert(std::string(r.at("to").at(0).as_string()));
  EXPECT_EQ(got, (std::multiset<std::string>{"fine@x.test", "later@x.test"}));
}

TEST_F(CampaignServer, SendsSmsInTheTwilioFormatAndRetriesA503) {
  HttpSink sink(dir.path(), R"({"+919899999992":[503,201],"+919899999993":[400]})");
  Users(R"([{"userId":"a","firstName":"Ann","mobile":"+919899999991","sms_opt_in":1},
            {"userId":"b","mobile":"+919899999992","sms_opt_in":1},
            {"userId":"c","mobile":"+919899999993","sms_opt_in":1},
            {"userId":"d","mobile":"+919899999994"}])");
  Ok("channel/sms", fmt::format(R"({{"url":"http://127.0.0.1:{}","account_sid":"AC1",
                                    "auth_token":"tok","from":"+919899999990"}})",
                                sink.port()));
  std::string id = Create("sms", R"({"user_ids":["a","b","c","d"]})",
                          R"({"text":"Hi {{firstName | default: \"you\"}}"})");
  Ok("campaign/send", fmt::format(R"({{"campaign_id":"{}"}})", id));
  auto done = WaitStatus(id, "sent");
  EXPECT_EQ(done.at("counts"), Counts(4, 2, 1, 1)) << json::serialize(done);
  std::map<std::string, json::object> sms;
  for (const auto& r : sink.Records())
    sms[std::string(r.at("form").at("To").as_string())] = r.as_object();
  ASSERT_EQ(sms.size(), 2u);
  const auto& a = sms["+919899999991"];
  EXPECT_EQ(a.at("path"), "/2010-04-01/Accounts/AC1/Messages.json");
  EXPECT_EQ(a.at("authorization"), "Basic QUMxOnRvaw==");  // AC1:tok
  EXPECT_EQ(a.at("content_type"), "application/x-www-form-urlencoded");
  json::object form = a.at("form").as_object();
  // Delivery receipts come back to this server (tests/integration/reports_test.cc).
  EXPECT_TRUE(std::string(form["StatusCallback"].as_string())
                  .starts_with(fmt::format("http://127.0.0.1:{}/hooks/sms/", server.port())));
  form.erase("StatusCallback");
  EXPECT_EQ(form,
            (json::object{{"To", "+919899999991"}, {"From", "+919899999990"}, {"Body", "Hi Ann"}}));
  EXPECT_EQ(sms["+919899999992"].at("form").at("Body"), "Hi you");
}

TEST_F(CampaignServer, AScheduledCampaignFiresAtItsTimeAndACancelledOneNever) {
  SmtpSink sink(dir.path());
  Users(R"([{"userId":"a","email":"a@x.test","email_opt_in":1}])");
  EmailChannel(sink);
  std::string fires = Create("email", R"({"user_ids":["a"]})", R"({"subject":"fires","text":"t"})");
  std::string cancelled =
      Create("email", R"({"user_ids":["a"]})", R"({"subject":"cancelled","text":"t"})");
  auto in = [](int s) {
    auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + seconds(s));
    std::tm tm{};
    gmtime_r(&t, &tm);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+0000", tm.tm_year + 1900, tm.tm_mon + 1,
                       tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  };
  Ok("campaign/schedule", fmt::format(R"({{"campaign_id":"{}","send_at":"{}"}})", fires, in(3)));
  Ok("campaign/schedule",
     fmt::format(R"({{"campaign_id":"{}","send_at":"{}"}})", cancelled, in(2)));
  EXPECT_EQ(Get(fires).at("status"), "scheduled");
  Ok("campaign/cancel", fmt::format(R"({{"campaign_id":"{}"}})", cancelled));
  EXPECT_TRUE(sink.Records().empty()) << "sent before its time";
  EXPECT_EQ(WaitStatus(fires, "sent").at("status"), "sent");
  auto records = sink.WaitFor(1, seconds(5));
  std::this_thread::sleep_for(seconds(1));  // the cancelled one was due a second earlier
  records = sink.Records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].at("subject"), "fires");
  EXPECT_EQ(Get(cancelled).at("status"), "cancelled");
}

TEST_F(CampaignServer, ResumesAfterKillNineWithoutSendingAnyoneTwice) {
  SmtpSink sink(dir.path());
  constexpr int kUsers = 300;
  for (int from = 0; from < kUsers; from += 100) {
    std::string nv = "[";
    for (int i = from; i < from + 100; ++i)
      nv += fmt::format(R"({}{{"userId":"u{}","email":"u{}@x.test","email_opt_in":1}})",
                        i > from ? "," : "", i, i);
    Users(nv + "]");
  }
  // Paced so that the kill lands mid-send.
  EmailChannel(sink, R"(,"rate_per_second":150,"connections":2)");
  std::string ids = "[";
  for (int i = 0; i < kUsers; ++i) ids += fmt::format(R"({}"u{}")", i ? "," : "", i);
  std::string id = Create("email", R"({"user_ids":)" + ids + "]}", R"({"subject":"s","text":"t"})");
  Ok("campaign/send", fmt::format(R"({{"campaign_id":"{}"}})", id));
  auto before = sink.WaitFor(60, seconds(30));
  ASSERT_GE(before.size(), 60u);
  server.Kill();
  ASSERT_LT(sink.Records().size(), static_cast<size_t>(kUsers)) << "finished before the kill";
  server.Restart();
  client.~HttpClient();
  new (&client) HttpClient(server.port());
  auto done = WaitStatus(id, "sent");
  EXPECT_EQ(done.at("counts"), Counts(kUsers, kUsers, 0, 0)) << json::serialize(done);
  std::map<std::string, int> times;
  for (const auto& r : sink.Records()) ++times[std::string(r.at("to").at(0).as_string())];
  EXPECT_EQ(times.size(), static_cast<size_t>(kUsers));
  int again = 0;
  for (const auto& [to, n] : times) again += n - 1;
  // Only the message in flight at the kill and the ones sent before it whose outcomes were
  // not yet on disk may go out twice: at most 17 per connection (engine.h).
  EXPECT_LE(again, 34);
}

TEST_F(CampaignServer, RefusesBadCampaignsWithTheReason) {
  Users(R"([{"userId":"a","email":"a@x.test","email_opt_in":1}])");
  auto bad = [&](const std::string& path, const std::string& body, int status,
                 const std::string& message_part) {
    auto r = Call(path, body);
    EXPECT_EQ(r.status, status) << body << "\n" << r.body;
    EXPECT_NE(r.Message().find(message_part), std::string::npos) << r.Message();
  };
  const std::string users = R"("target":{"user_ids":["a"]})";
  bad("campaign/create",
      R"({"name":"x","channel":"email",)" + users +
          R"(,"content":{"subject":"Hi {{firstName","text":"t"}})",
      400, "content.subject: '{{' at position 4 is not closed");
  bad("campaign/create",
      R"({"name":"x","channel":"email",)" + users +
          R"(,"content":{"subject":"s","text":"{{ frstName }}"}})",
      400, "content.text: unknown tag 'frstName' at position 1");
  bad("campaign/create",
      R"({"name":"x","channel":"email",)" + users +
          R"(,"content":{"subject":"s","text":"{{ firstName | upper }}"}})",
      400, "must be | default:");
  bad("campaign/create", R"({"name":"x","channel":"fax",)" + users + R"(,"content":{"text":"t"}})",
      400, "channel: must be email, sms, web, android or ios");
  bad("campaign/create",
      R"({"name":"x","channel":"email","target":{"segment_id":"seg_nope"},"content":{"subject":"s","text":"t"}})",
      400, "no segment 'seg_nope'");
  bad("campaign/create", R"({"name":"x","channel":"sms",)" + users + R"(,"content":{"html":"t"}})",
      400, "unknown field 'html'");
  std::string id = Create("email", R"({"user_ids":["a"]})", R"({"subject":"s","text":"t"})");
  const std::string cid = fmt::format(R"("campaign_id":"{}")", id);
  bad("campaign/schedule", "{" + cid + R"(,"send_at":"2020-01-01T00:00:00Z"})", 400, "in the past");
  bad("campaign/schedule", "{" + cid + R"(,"send_at":"2099-01-01T00:00:00"})", 400,
      "with an offset");
  bad("campaign/cancel", "{" + cid + "}", 409, "is draft");
  bad("campaign/get", R"({"campaign_id":"cmp_nope"})", 404, "no campaign");
  // Another brand cannot see it.
  Brand other = CreateBrand(fresh.args, "other");
  auto r = client.Call(other, "/api/v1/campaign/get", "{" + cid + "}");
  EXPECT_EQ(r.status, 404) << r.body;
  // Sending without a configured channel fails each message, saying why.
  Ok("campaign/send", "{" + cid + "}");
  auto done = WaitStatus(id, "sent");
  EXPECT_EQ(done.at("counts"), Counts(1, 0, 1, 0)) << json::serialize(done);
  bad("campaign/update", "{" + cid + R"(,"name":"late"})", 409, "is sent");
}

TEST_F(CampaignServer, KeepsChannelSecretsOutOfAnswers) {
  auto saved = Ok("channel/email", R"({"host":"smtp.example.test","security":"tls",
                                       "username":"u","password":"p4ss","from":"a@b.test"})");
  EXPECT_EQ(saved.at("port"), 465);
  EXPECT_EQ(saved.at("password_set"), true);
  EXPECT_FALSE(saved.as_object().contains("password"));
  auto got = Ok("channel/get", R"({"channel":"email"})");
  EXPECT_EQ(got.at("host"), "smtp.example.test");
  EXPECT_EQ(json::serialize(got).find("p4ss"), std::string::npos);
  auto r = Call("channel/get", R"({"channel":"sms"})");
  EXPECT_EQ(r.status, 404) << r.body;
  r = Call("channel/email", R"({"host":"h","from":"a@b.test","security":"ssl"})");
  EXPECT_EQ(r.status, 400) << r.body;
}

}  // namespace
}  // namespace cdp::testing
