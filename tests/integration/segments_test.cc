// End-to-end tests of the Segment API: saving, validating, counting and listing members
// through the real binary over HTTP (operator semantics at scale are checked against a brute
// force in segments_random_test.cc).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <set>
#include <string>

#include "support/server_process.h"

namespace cdp::testing {
namespace {

namespace json = boost::json;

constexpr int64_t kDay = 24LL * 3600 * 1000000;

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Instant(int64_t micros) {
  std::time_t t = micros / 1000000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

class SegmentApi : public ::testing::Test {
 protected:
  TestServer s;

  void Users(const std::string& nv) {
    auto r = s.Call("/api/v1/user/create", fmt::format(R"({{"nv":{}}})", nv));
    ASSERT_EQ(r.status, 200) << r.body;
    ASSERT_EQ(r.Data().at("failed"), 0) << r.body;
  }
  void Events(const std::string& nv) {
    auto r = s.Call("/api/v1/event/create", fmt::format(R"({{"nv":{}}})", nv));
    ASSERT_EQ(r.status, 200) << r.body;
    ASSERT_EQ(r.Data().at("failed"), 0) << r.body;
  }
  int64_t Count(const std::string& rules) {
    auto r = s.Call("/api/v1/segment/count", fmt::format(R"({{"rules":{}}})", rules));
    EXPECT_EQ(r.status, 200) << rules << "\n" << r.body;
    return r.status == 200 ? r.Data().at("count").to_number<int64_t>() : -1;
  }
  // The userIds of the members, paging `batch` at a time.
  std::multiset<std::string> Members(const std::string& selector, int batch) {
    std::multiset<std::string> ids;
    std::string cursor;
    for (int pages = 0; pages < 1000; ++pages) {
      std::string body =
          fmt::format(R"({{{},"batch_size":{}{}}})", selector, batch,
                      cursor.empty() ? "" : fmt::format(R"(,"cursor":"{}")", cursor));
      auto r = s.Call("/api/v1/segment/users", body);
      EXPECT_EQ(r.status, 200) << r.body;
      if (r.status != 200) break;
      const auto& users = r.Data().at("users").as_array();
      EXPECT_LE(users.size(), static_cast<size_t>(batch));
      for (const auto& u : users) ids.insert(std::string(u.at("userId").as_string()));
      const auto* next = r.Data().as_object().if_contains("next_cursor");
      if (!next) break;
      cursor = std::string(next->as_string());
    }
    return ids;
  }
};

TEST_F(SegmentApi, SavesListsUpdatesAndDeletesASegment) {
  Users(R"([{"userId":"a","gender":"female"},{"userId":"b","gender":"male"}])");
  auto created =
      s.Call("/api/v1/segment/create",
             R"({"name":"Women","rules":{"attribute":"gender","op":"eq","value":"female"}})");
  ASSERT_EQ(created.status, 200) << created.body;
  const std::string id(created.Data().at("segment_id").as_string());
  EXPECT_TRUE(id.starts_with("seg_")) << id;
  const std::string by_id = fmt::format(R"({{"segment_id":"{}"}})", id);

  auto got = s.Call("/api/v1/segment/get", by_id);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.Data().at("name"), "Women");
  EXPECT_EQ(got.Data().at("rules").at("value"), "female");
  EXPECT_EQ(s.Call("/api/v1/segment/count", by_id).Data().at("count"), 1);

  auto updated = s.Call(
      "/api/v1/segment/update",
      fmt::format(
          R"({{"segment_id":"{}","name":"Men","rules":{{"attribute":"gender","op":"eq","value":"male"}}}})",
          id));
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(updated.Data().at("name"), "Men");
  EXPECT_EQ(Members(fmt::format(R"("segment_id":"{}")", id), 10), std::multiset<std::string>{"b"});

  auto list = s.Call("/api/v1/segment/list", "{}");
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.Data().at("segments").as_array().size(), 1u);
  EXPECT_EQ(list.Data().at("segments").at(0).at("segment_id"), json::value(id));

  EXPECT_EQ(s.Call("/api/v1/segment/delete", by_id).status, 200);
  auto gone = s.Call("/api/v1/segment/get", by_id);
  EXPECT_EQ(gone.status, 404) << gone.body;
  EXPECT_EQ(gone.Message(), fmt::format("no segment '{}'", id));
  EXPECT_EQ(s.Call("/api/v1/segment/count", by_id).status, 404);
  EXPECT_EQ(s.Call("/api/v1/segment/delete", by_id).status, 404);
  EXPECT_EQ(s.Call("/api/v1/segment/list", "{}").Data().at("segments").as_array().size(), 0u);
}

TEST_F(SegmentApi, RefusesATakenNameAndABadRuleAtSave) {
  const std::string rules = R"({"attribute":"gender","op":"exists"})";
  ASSERT_EQ(
      s.Call("/api/v1/segment/create", fmt::format(R"({{"name":"x","rules":{}}})", rules)).status,
      200);
  auto taken = s.Call("/api/v1/segment/create", fmt::format(R"({{"name":"x","rules":{}}})", rules));
  EXPECT_EQ(taken.status, 409) << taken.body;
  EXPECT_EQ(taken.Message(), "a segment named 'x' exists");

  Users(R"([{"userId":"a","attributes":{"spent":10}}])");
  auto bad = s.Call(
      "/api/v1/segment/create",
      R"({"name":"y","rules":{"all":[{"attribute":"attributes.spent","op":"gt","value":"ten"}]}})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.Message(),
            "rules.all[0].value: 'attributes.spent' is a number; gt needs a number, got a string");
  EXPECT_EQ(s.Call("/api/v1/segment/list", "{}").Data().at("segments").as_array().size(), 1u)
      << "a refused segment must not be saved";
}

TEST_F(SegmentApi, KeepsEachBrandsSegmentsAndProfilesApart) {
  Users(R"([{"userId":"a","gender":"female"}])");
  auto created = s.Call("/api/v1/segment/create", R"({"name":"all","rules":{"all":[]}})");
  ASSERT_EQ(created.status, 200);
  const std::string id(created.Data().at("segment_id").as_string());

  Brand other = CreateBrand(s.storage, "other");
  auto call = [&](const std::string& path, const std::string& body) {
    return s.client.Call(other, path, body);
  };
  ASSERT_EQ(call("/api/v1/user/create", R"({"userId":"z"})").status, 200);
  EXPECT_EQ(call("/api/v1/segment/get", fmt::format(R"({{"segment_id":"{}"}})", id)).status, 404);
  EXPECT_EQ(call("/api/v1/segment/count", fmt::format(R"({{"segment_id":"{}"}})", id)).status, 404);
  EXPECT_EQ(call("/api/v1/segment/list", "{}").Data().at("segments").as_array().size(), 0u);
  EXPECT_EQ(call("/api/v1/segment/count", R"({"rules":{"all":[]}})").Data().at("count"), 1);
  EXPECT_EQ(call("/api/v1/segment/delete", fmt::format(R"({{"segment_id":"{}"}})", id)).status,
            404);
  EXPECT_EQ(Count(R"({"all":[]})"), 1);
}

TEST_F(SegmentApi, CountsUsersWithNoEventsInNotAndDidNot) {
  Users(R"([{"userId":"quiet"},{"userId":"buyer"},{"userId":"viewer"}])");
  Events(R"([{"userId":"buyer","event_name":"purchase"},{"userId":"viewer","event_name":"view"}])");
  EXPECT_EQ(Count(R"({"not":{"event":"purchase","op":"did"}})"), 2);
  EXPECT_EQ(Count(R"({"event":"purchase","op":"did_not"})"), 2);
  EXPECT_EQ(Count(R"({"event":"purchase","op":"at_most","count":0})"), 2);
  EXPECT_EQ(Count(R"({"event":"never","op":"did_not"})"), 3);
  EXPECT_EQ(Members(R"("rules":{"not":{"event":"purchase","op":"did"}})", 1),
            (std::multiset<std::string>{"quiet", "viewer"}));
}

TEST_F(SegmentApi, IncludesAnEventRightInsideAWindowAndNotOneJustOutside) {
  const int64_t now = NowMicros();
  // Event times have whole seconds and the server's clock runs on while the test does: a
  // minute each side of the D-day edge tells inside from outside without flaking.
  Users(R"([{"userId":"in"},{"userId":"out"}])");
  Events(fmt::format(R"([{{"userId":"in","event_name":"e","event_time":"{}"}},
                        {{"userId":"out","event_name":"e","event_time":"{}"}}])",
                     Instant(now - 7 * kDay + 60'000'000), Instant(now - 7 * kDay - 60'000'000)));
  EXPECT_EQ(Members(R"("rules":{"event":"e","op":"did","within_days":7})", 10),
            std::multiset<std::string>{"in"});
  EXPECT_EQ(Count(R"({"event":"e","op":"last_more_than_days_ago","days":7})"), 1);
  EXPECT_EQ(Members(R"("rules":{"event":"e","op":"last_more_than_days_ago","days":7})", 10),
            std::multiset<std::string>{"out"});
}

TEST_F(SegmentApi, ReadsFromAndToAsWholeDays) {
  Users(R"([{"userId":"a"},{"userId":"b"},{"userId":"c"}])");
  Events(R"([{"userId":"a","event_name":"e","event_time":"2024-03-01T00:00:00Z"},
             {"userId":"b","event_name":"e","event_time":"2024-03-10T23:59:59Z"},
             {"userId":"c","event_name":"e","event_time":"2024-03-11T00:00:00Z"}])");
  EXPECT_EQ(
      Members(R"("rules":{"event":"e","op":"did","from":"2024-03-01","to":"2024-03-10"})", 10),
      (std::multiset<std::string>{"a", "b"}));
}

TEST_F(SegmentApi, ReflectsAWriteMadeAMomentAgo) {
  Users(R"([{"userId":"a","gender":"male"}])");
  const std::string women = R"({"attribute":"gender","op":"eq","value":"female"})";
  const std::string buyers = R"({"event":"buy","op":"at_least","count":2})";
  EXPECT_EQ(Count(women), 0);
  EXPECT_EQ(Count(buyers), 0);
  Users(R"([{"userId":"a","gender":"female"},{"userId":"b","gender":"female"}])");
  EXPECT_EQ(Count(women), 2);
  Events(R"([{"userId":"a","event_name":"buy"},{"userId":"a","event_name":"buy"}])");
  EXPECT_EQ(Count(buyers), 1);
  ASSERT_EQ(s.Call("/api/v1/user/delete", R"({"userId":"a"})").status, 200);
  EXPECT_EQ(Count(women), 1);
  EXPECT_EQ(Count(buyers), 0);
}

TEST_F(SegmentApi, CountsAnIdentifiedAnonymousUsersEventsOnce) {
  Users(R"([{"userId":"known"}])");
  Events(R"([{"anonymousId":"anon","event_name":"view"},{"anonymousId":"anon","event_name":"view"},
             {"userId":"known","event_name":"view"}])");
  EXPECT_EQ(Count(R"({"event":"view","op":"did"})"), 2);
  Users(R"([{"userId":"known","anonymousId":"anon"}])");  // merges the anonymous profile
  EXPECT_EQ(Count(R"({"event":"view","op":"did"})"), 1);
  EXPECT_EQ(Count(R"({"event":"view","op":"exactly","count":3})"), 1);
  EXPECT_EQ(Count(R"({"all":[]})"), 1);
}

TEST_F(SegmentApi, PagesEachMemberExactlyOnce) {
  for (int part = 0; part < 3; ++part) {
    std::string batch = "[";
    for (int i = part * 100; i < part * 100 + 100; ++i)
      batch += fmt::format(R"({}{{"userId":"u{}","attributes":{{"n":{}}}}})",
                           i == part * 100 ? "" : ",", i, i);
    Users(batch + "]");
  }
  const std::string rules = R"({"attribute":"attributes.n","op":"gte","value":50})";
  auto ids = Members(fmt::format(R"("rules":{})", rules), 7);
  EXPECT_EQ(ids.size(), 250u);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 250u) << "a member came twice";
  EXPECT_EQ(Count(rules), 250);
}

TEST_F(SegmentApi, MatchesReachabilityOnlyWithOptInAndAddress) {
  Users(R"([{"userId":"a","email":"a@x.com","email_opt_in":1},
            {"userId":"b","email":"b@x.com","email_opt_in":0},
            {"userId":"c","email_opt_in":1},
            {"userId":"d","mobile":"+919899999999","sms_opt_in":1,"whatsapp_opt_in":1},
            {"userId":"e","mobile":"+919899999998","sms_opt_in":2}])");
  EXPECT_EQ(Members(R"("rules":{"reachable":"email"})", 10), std::multiset<std::string>{"a"});
  EXPECT_EQ(Members(R"("rules":{"reachable":"sms"})", 10), std::multiset<std::string>{"d"});
  EXPECT_EQ(Members(R"("rules":{"reachable":"whatsapp"})", 10), std::multiset<std::string>{"d"});
}

TEST_F(SegmentApi, ComparesDatesOfCreationAndBirth) {
  Users(
      R"([{"userId":"old","birth_date":"1950-06-01"},{"userId":"young","birth_date":"2005-06-01"}])");
  EXPECT_EQ(Members(R"("rules":{"attribute":"birth_date","op":"lt","value":"1990-01-01"})", 10),
            std::multiset<std::string>{"old"});
  EXPECT_EQ(
      Count(R"({"attribute":"birth_date","op":"between","value":["2000-01-01","2010-12-31"]})"), 1);
  EXPECT_EQ(Count(R"({"attribute":"created_at","op":"within_last_days","value":1})"), 2);
  EXPECT_EQ(Count(R"({"attribute":"created_at","op":"more_than_days_ago","value":1})"), 0);
  EXPECT_EQ(Count(R"({"attribute":"created_at","op":"gt","value":"2020-01-01"})"), 2);
}

TEST_F(SegmentApi, FiltersEventsByTheirAttributes) {
  Users(R"([{"userId":"a"},{"userId":"b"}])");
  Events(R"([{"userId":"a","event_name":"buy","attributes":{"sku":"A1","amount":30}},
             {"userId":"a","event_name":"buy","attributes":{"sku":"A2","amount":"70"}},
             {"userId":"b","event_name":"buy","attributes":{"sku":"B1","amount":80}}])");
  EXPECT_EQ(Count(R"({"event":"buy","op":"at_least","count":2,
                      "where":[{"attribute":"sku","op":"starts_with","value":"A"}]})"),
            1);
  // "70" is a string: a number filter skips it.
  EXPECT_EQ(
      Members(
          R"("rules":{"event":"buy","op":"did","where":[{"attribute":"amount","op":"gt","value":50}]})",
          10),
      std::multiset<std::string>{"b"});
  EXPECT_EQ(Count(R"({"event":"buy","op":"did","where":[{"attribute":"amount","op":"exists"},
                                                         {"attribute":"sku","op":"eq","value":"A2"}]})"),
            1);
}

TEST_F(SegmentApi, RejectsMalformedCalls) {
  auto r = s.Call("/api/v1/segment/count", R"({"segment_id":"x","rules":{"all":[]}})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Message(), "give segment_id (a saved segment) or rules (a preview), not both");
  r = s.Call("/api/v1/segment/create", R"({"name":"n","rule":{"all":[]}})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Message(), "unknown field 'rule'; this call takes name, rules");
  r = s.Call("/api/v1/segment/users", R"({"rules":{"all":[]},"batch_size":1001})");
  EXPECT_EQ(r.status, 400);
  r = s.Call("/api/v1/segment/users", R"({"rules":{"all":[]},"cursor":"nope"})");
  EXPECT_EQ(r.status, 400);
  r = s.Call("/api/v1/segment/update", R"({"segment_id":"seg_x"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Message(), "nothing to update: give name and/or rules");
}

}  // namespace
}  // namespace cdp::testing
