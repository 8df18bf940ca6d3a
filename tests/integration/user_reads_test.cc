// End-to-end tests of the reads of one profile (docs/dashboard.md): its events and the
// campaign messages it got, both paged newest first, profile search and segment
// membership, each through the real binary, and each on both backends.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "integration/campaign_server.h"
#include "support/server_process.h"
#include "support/sinks.h"

namespace cdp::testing {
namespace {

namespace json = boost::json;
using std::chrono::seconds;

class UserReads : public CampaignServer {
 protected:
  void Track(const std::string& who, const std::string& name, const std::string& time,
             const std::string& extra = "") {
    Ok("event/track", fmt::format(R"({{{},"event_name":"{}","event_time":"{}"{}}})", who, name,
                                  time, extra));
  }
  // Every page of `path` for `who` with pages of `limit`, joined; fails on a page over it.
  std::vector<json::value> AllPages(const std::string& path, const std::string& key,
                                    const std::string& who, int limit) {
    std::vector<json::value> out;
    std::string cursor;
    for (int page = 0; page < 20; ++page) {
      auto d = Ok(path, fmt::format(R"({{{},"limit":{}{}}})", who, limit,
                                    cursor.empty() ? "" : ",\"cursor\":\"" + cursor + "\""));
      if (!d.is_object()) break;
      EXPECT_LE(d.at(key).as_array().size(), static_cast<size_t>(limit));
      for (const auto& v : d.at(key).as_array()) out.push_back(v);
      const json::value* next = d.as_object().if_contains("next_cursor");
      if (!next) break;
      cursor = std::string(next->as_string());
    }
    return out;
  }
  std::string ErrorOf(const std::string& path, const std::string& body, int status = 400) {
    auto r = Call(path, body);
    EXPECT_EQ(r.status, status) << path << " " << body << "\n" << r.body;
    return r.Message();
  }
};

TEST_F(UserReads, EventsComeNewestFirstWithMergedAnonymousOnesAndEachPageOnce) {
  Track(R"("anonymousId":"a-1")", "view", "2026-01-01T10:00:00Z",
        R"(,"attributes":{"page":"/home"},"context":{"ip":"10.0.0.1"})");
  Track(R"("anonymousId":"a-1")", "view", "2026-01-02T10:00:00.250Z");
  Track(R"("userID":"ann")", "purchase", "2026-01-03T10:00:00Z",
        R"(,"ltv":12.5,"messageId":"m-1")");
  Track(R"("userID":"ann")", "open", "2026-01-03T10:00:00Z");
  Track(R"("userID":"ann")", "close", "2026-01-04T10:00:00Z");
  Track(R"("userID":"bob")", "view", "2026-01-05T10:00:00Z");
  // ann is now also a-1: the anonymous profile merges into hers, with its events.
  Users(R"([{"userId":"ann","anonymousId":"a-1"}])");

  auto first = Ok("user/events", R"({"userId":"ann"})");
  ASSERT_TRUE(first.is_object());
  EXPECT_FALSE(first.as_object().contains("next_cursor"));
  const auto& events = first.at("events").as_array();
  ASSERT_EQ(events.size(), 5u) << json::serialize(first);
  // Same time: the later arrival first.
  const std::vector<std::pair<std::string, std::string>> want = {
      {"close", "2026-01-04T10:00:00Z"}, {"open", "2026-01-03T10:00:00Z"},
      {"purchase", "2026-01-03T10:00:00Z"}, {"view", "2026-01-02T10:00:00.250Z"},
      {"view", "2026-01-01T10:00:00Z"}};
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(events[i].at("event"), want[i].first.c_str()) << i;
    EXPECT_EQ(events[i].at("time"), want[i].second.c_str()) << i;
  }
  EXPECT_EQ(events[2].at("ltv").to_number<double>(), 12.5);
  EXPECT_EQ(events[2].at("message_id"), "m-1");
  EXPECT_EQ(events[4].at("attributes"), (json::object{{"page", "/home"}}));
  EXPECT_EQ(events[4].at("context").at("ip"), "10.0.0.1");
  EXPECT_FALSE(events[0].as_object().contains("ltv"));

  // Pages of 2, then of 1: each event exactly once, in the same order.
  for (int limit : {2, 1}) {
    auto paged = AllPages("user/events", "events", R"("userId":"ann")", limit);
    ASSERT_EQ(paged.size(), 5u) << limit;
    for (size_t i = 0; i < paged.size(); ++i) EXPECT_EQ(paged[i], events[i]) << limit << " " << i;
  }
  // The anonymous id now names ann's profile.
  EXPECT_EQ(Ok("user/events", R"({"anonymousId":"a-1","limit":1})").at("events").at(0), events[0]);
}

TEST_F(UserReads, EventsRefuseBadRequestsAndOtherBrandsUsers) {
  Track(R"("userID":"ann")", "view", "2026-01-01T10:00:00Z");
  EXPECT_EQ(ErrorOf("user/events", R"({"limit":5})"), "userId is required");
  EXPECT_EQ(ErrorOf("user/events", R"({"userId":"ann","limit":0})"), "limit: must be 1..100");
  EXPECT_EQ(ErrorOf("user/events", R"({"userId":"ann","limit":101})"), "limit: must be 1..100");
  EXPECT_EQ(ErrorOf("user/events", R"({"userId":"ann","cursor":"nope"})"),
            "cursor: must be the next_cursor string of the previous page");
  EXPECT_EQ(ErrorOf("user/events", R"({"userId":"nobody"})", 404), "no user with userId 'nobody'");
  Brand other = CreateBrand(fresh.args, "other");
  for (const char* path : {"user/events", "user/messages", "user/segments", "push/list"}) {
    auto r = client.Call(other, std::string("/api/v1/") + path, R"({"userId":"ann"})");
    EXPECT_EQ(r.status, 404) << path << " " << r.body;
  }
  auto found = client.Call(other, "/api/v1/user/search", R"({"query":"ann"})");
  EXPECT_EQ(found.status, 200);
  EXPECT_EQ(found.Data().at("users"), json::array());
}

TEST_F(UserReads, MessagesShowEachCampaignWithItsDeliveryAndWhatHappenedAfter) {
  SmtpSink smtp(dir.path());
  EmailChannel(smtp);
  Users(R"([{"userId":"ann","email":"ann@x.test","email_opt_in":1},
            {"userId":"bob","email":"bob@x.test","email_opt_in":0}])");
  std::vector<std::string> ids;
  for (const char* name : {"first", "second"}) {
    auto d = Ok("campaign/create",
                fmt::format(R"({{"name":"{}","channel":"email","target":{{"user_ids":["ann","bob"]}},
                   "content":{{"subject":"Hi","html":"<a href=\"https://shop.test/x\">x</a>"}}}})",
                            name));
    ids.emplace_back(d.at("campaign_id").as_string());
    Ok("campaign/send", fmt::format(R"({{"campaign_id":"{}"}})", ids.back()));
    ASSERT_EQ(WaitStatus(ids.back(), "sent").at("status"), "sent");
  }
  // ann clicks the first campaign's link (its tracking redirect).
  auto mail = smtp.WaitFor(2, seconds(10));
  ASSERT_EQ(mail.size(), 2u);
  std::string click;
  for (const auto& m : mail) {
    const std::string html(m.at("html").as_string());
    const std::string mark = "/t/c/";
    const size_t at = html.find(mark);
    ASSERT_NE(at, std::string::npos) << html;
    const std::string path = html.substr(at, html.find('"', at) - at);
    if (std::string(m.at("message_id").as_string()).find(ids[0]) != std::string::npos) click = path;
  }
  ASSERT_FALSE(click.empty());
  EXPECT_EQ(client.Get(click).status, 302);

  auto d = Ok("user/messages", R"({"userId":"ann"})");
  const auto& messages = d.at("messages").as_array();
  ASSERT_EQ(messages.size(), 2u) << json::serialize(d);
  EXPECT_EQ(messages[0].at("campaign_id"), ids[1].c_str());
  EXPECT_EQ(messages[0].at("campaign_name"), "second");
  EXPECT_EQ(messages[0].at("feedback"), json::array());
  const auto& m = messages[1].as_object();
  EXPECT_EQ(m.at("campaign_id"), ids[0].c_str());
  EXPECT_EQ(m.at("channel"), "email");
  EXPECT_EQ(m.at("status"), "sent");
  EXPECT_EQ(m.at("address"), "ann@x.test");
  EXPECT_EQ(m.at("attempts"), 1);
  EXPECT_FALSE(m.contains("reason"));
  ASSERT_EQ(m.at("feedback").as_array().size(), 1u) << json::serialize(m);
  EXPECT_EQ(m.at("feedback").at(0).at("kind"), "click");
  EXPECT_EQ(m.at("feedback").at(0).at("detail"), "https://shop.test/x");

  // bob was skipped, with the reason; pages of one give each message once.
  auto bob = AllPages("user/messages", "messages", R"("userId":"bob")", 1);
  ASSERT_EQ(bob.size(), 2u);
  EXPECT_EQ(bob[0].at("status"), "skipped");
  EXPECT_EQ(bob[0].at("reason"), "email_opt_in is not 1");
  EXPECT_NE(bob[0].at("campaign_id"), bob[1].at("campaign_id"));
  EXPECT_EQ(ErrorOf("user/messages", R"({"userId":"ann","limit":101})"), "limit: must be 1..100");
}

TEST_F(UserReads, SearchFindsExactIdsEmailsAndPhonesFirstThenUserIdPrefixes) {
  Users(R"([{"userId":"ann","email":"Ann@X.test","mobile":"+14155550101"},
            {"userId":"annabel"}, {"userId":"anna"}, {"userId":"bob"},
            {"anonymousId":"ann-device"}, {"userId":"zed","anonymousId":"ann"}])");
  auto ids = [&](const std::string& body) {
    std::vector<std::string> out;
    auto d = Ok("user/search", body);
    if (d.is_object())
      for (const auto& u : d.at("users").as_array())
        out.emplace_back(u.at("userId").is_string() ? u.at("userId").as_string()
                                                    : u.at("anonymousId").as_string());
    return out;
  };
  using V = std::vector<std::string>;
  // ann by userId, zed by its anonymousId "ann": exact, in profile order; then prefixes.
  EXPECT_EQ(ids(R"({"query":"ann"})"), (V{"ann", "zed", "anna", "annabel"}));
  EXPECT_EQ(ids(R"({"query":"ann","limit":2})"), (V{"ann", "zed"}));
  EXPECT_EQ(ids(R"({"query":"ann@x.TEST"})"), (V{"ann"}));
  EXPECT_EQ(ids(R"({"query":"+1 415-555-0101"})"), (V{"ann"}));
  EXPECT_EQ(ids(R"({"query":"ann-device"})"), (V{"ann-device"}));
  EXPECT_EQ(ids(R"({"query":"an"})"), V{});  // too short for prefixes
  auto one = Ok("user/search", R"({"query":"bob"})");
  EXPECT_EQ(one.at("users").at(0), Ok("user/userData", R"({"userId":"bob"})"));
  EXPECT_EQ(ErrorOf("user/search", R"({"query":""})"),
            "query: must be a string of 1 to 100 characters");
  EXPECT_EQ(ErrorOf("user/search", R"({"query":"ann","limit":0})"), "limit: must be 1..100");
}

TEST_F(UserReads, SegmentsListsTheSavedSegmentsTheProfileIsInNow) {
  Users(R"([{"userId":"ann","email":"ann@x.test"},{"userId":"bob"},{"anonymousId":"a-9"}])");
  Track(R"("userID":"ann")", "purchase", "2026-01-01T10:00:00Z");
  std::vector<std::string> seg;
  for (const char* s : {R"({"name":"buyers","rules":{"event":"purchase","op":"did"}})",
                        R"({"name":"everyone","rules":{"all":[]}})",
                        R"({"name":"with email","rules":{"attribute":"email","op":"exists"}})"})
    seg.emplace_back(Ok("segment/create", s).at("segment_id").as_string());
  auto names = [&](const std::string& who) {
    std::vector<std::string> out;
    auto d = Ok("user/segments", who);
    if (d.is_object())
      for (const auto& s : d.at("segments").as_array()) {
        out.emplace_back(s.at("name").as_string());
        EXPECT_TRUE(s.at("segment_id").is_string());
      }
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(names(R"({"userId":"ann"})"), (V{"buyers", "everyone", "with email"}));
  EXPECT_EQ(names(R"({"userId":"bob"})"), (V{"everyone"}));
  EXPECT_EQ(names(R"({"anonymousId":"a-9"})"), (V{"everyone"}));
  Track(R"("userID":"bob")", "purchase", "2026-01-02T10:00:00Z");
  EXPECT_EQ(names(R"({"userId":"bob"})"), (V{"buyers", "everyone"}));
  EXPECT_EQ(ErrorOf("user/segments", "{}"), "userId is required");
}

}  // namespace
}  // namespace cdp::testing
