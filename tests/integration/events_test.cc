// End-to-end tests of the Event API: the real binary over HTTP.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "support/server_process.h"

namespace cdp::testing {
namespace {

namespace json = boost::json;

class EventApi : public ::testing::Test {
 protected:
  TestServer s;

  HttpResponse Count(const std::string& query) { return s.Call("/api/v1/event/count", query); }
  int64_t Events(const std::string& query) {
    return Count(query).Data().at("events").to_number<int64_t>();
  }
  int64_t Profiles(const std::string& query) {
    return Count(query).Data().at("profiles").to_number<int64_t>();
  }
  // The one user the query returns.
  json::object OnlyUser(const std::string& query) {
    auto r = s.Call("/api/v1/event/get", query);
    EXPECT_EQ(r.status, 200) << r.body;
    const auto& users = r.Data().at("users").as_array();
    EXPECT_EQ(users.size(), 1u) << r.body;
    return users.empty() ? json::object() : users[0].as_object();
  }
};

TEST_F(EventApi, StoresEachDocumentedTimestampFormInUtc) {
  struct Case {
    std::string sent, stored;
  };
  const std::vector<Case> cases = {
      {"2013-01-26T07:31+0000", "2013-01-26T07:31:00Z"},
      {"2013-01-26T07:31:15", "2013-01-26T07:31:15Z"},
      {"2013-01-26T07:31:15Z", "2013-01-26T07:31:15Z"},
      {"2013-01-26 07:31:15", "2013-01-26T07:31:15Z"},
      {"2013-01-26T13:01:15+0530", "2013-01-26T07:31:15Z"},
      {"2013-01-25T23:31:15-08:00", "2013-01-26T07:31:15Z"},
      {"2013-01-26T07:31:15.250Z", "2013-01-26T07:31:15.250Z"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    std::string name = fmt::format("form{}", i);
    auto r = s.Call("/api/v1/event/track",
                    fmt::format(R"({{"userId":"u{}","event_name":"{}","event_time":"{}"}})", i,
                                name, cases[i].sent));
    ASSERT_EQ(r.status, 200) << r.body;
    json::object u = OnlyUser(fmt::format(R"({{"event_name":"{}"}})", name));
    EXPECT_EQ(u["event"].at("first"), json::value(cases[i].stored)) << cases[i].sent;
  }
}

// The README's walk-through: a read between writes must not hide later writes.
TEST_F(EventApi, AnEventTrackedAfterReadingTheUserShowsInTheQuery) {
  ASSERT_EQ(s.Call("/api/v1/user/create",
                   R"({"nv":[{"userID":"1234","user_attributes":{"name":"John"}}]})")
                .status,
            200);
  ASSERT_EQ(s.Call("/api/v1/user/userData", R"({"userId":"1234"})").status, 200);
  ASSERT_EQ(
      s.Call("/api/v1/event/track",
             R"({"userId":"1234","event_name":"purchase","event_time":"2026-03-05T10:00:00+0530"})")
          .status,
      200);
  json::object u =
      OnlyUser(R"({"event_name":"purchase","start_date":"2026-03-01","end_date":"2026-03-31"})");
  EXPECT_EQ(u["name"], json::value("John"));
}

TEST_F(EventApi, RejectsAnUnparseableTimestampNamingTheField) {
  auto r =
      s.Call("/api/v1/event/track", R"({"userId":"u","event_name":"e","event_time":"26/01/2013"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.Message().find("event_time"), std::string::npos) << r.body;
}

TEST_F(EventApi, ClampsATimeMoreThanADayAheadAndSaysSo) {
  auto r =
      s.Call("/api/v1/event/create",
             R"({"nv":[{"userId":"u","event_name":"e","event_time":"2099-01-01T00:00:00Z"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto& clamped = r.Data().at("clamped").as_array();
  ASSERT_EQ(clamped.size(), 1u);
  EXPECT_EQ(clamped[0].at("index"), json::value(0));
  json::object u = OnlyUser(R"({"event_name":"e"})");
  EXPECT_LT(std::string(u["event"].at("first").as_string()), "2099");
}

TEST_F(EventApi, AnEventWithAKnownMessageIdIsAcknowledgedButNotStoredTwice) {
  const std::string batch = R"({"nv":[{"userId":"u1","event_name":"buy","messageId":"m1"},)"
                            R"({"userId":"u2","event_name":"buy","messageId":"m2"},)"
                            R"({"userId":"u3","event_name":"buy","messageId":"m3"}]})";
  auto first = s.Call("/api/v1/event/create", batch);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.Data().at("stored"), json::value(3));
  auto retry = s.Call("/api/v1/event/create", batch);
  ASSERT_EQ(retry.status, 200) << retry.body;
  EXPECT_EQ(retry.Data().at("stored"), json::value(0));
  EXPECT_EQ(retry.Data().at("duplicates"), json::value(3));
  EXPECT_EQ(Events(R"({"event_name":"buy"})"), 3);
}

TEST_F(EventApi, AnonymousEventsMoveToTheUserWhoIdentifiesOnce) {
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(
        s.Call("/api/v1/event/track", R"({"anonymousId":"anon-1","event_name":"view"})").status,
        200);
  const std::string identify =
      R"({"userId":"alice","anonymousId":"anon-1","email":"a@example.com"})";
  ASSERT_EQ(s.Call("/api/v1/user/create", identify).status, 200);
  ASSERT_EQ(s.Call("/api/v1/user/create", identify).status, 200);  // a retry changes nothing
  json::object u = OnlyUser(R"({"event_name":"view"})");
  EXPECT_EQ(u["userId"], json::value("alice"));
  EXPECT_EQ(u["event"].at("count"), json::value(3));
  EXPECT_EQ(Profiles(R"({"event_name":"view"})"), 1);
}

TEST_F(EventApi, AnAnonymousProfileMergesIntoAnExistingUserWithoutLosingOrDoublingEvents) {
  ASSERT_EQ(
      s.Call(
           "/api/v1/event/create",
           R"({"nv":[{"userId":"bob","event_name":"view"},{"userId":"bob","event_name":"view"},)"
           R"({"anonymousId":"anon-2","event_name":"view"},{"anonymousId":"anon-2","event_name":"view"},)"
           R"({"anonymousId":"anon-2","event_name":"view"}]})")
          .status,
      200);
  EXPECT_EQ(Profiles(R"({"event_name":"view"})"), 2);
  // An event naming both ids merges the anonymous profile into bob.
  ASSERT_EQ(s.Call("/api/v1/event/track",
                   R"({"userId":"bob","anonymousId":"anon-2","event_name":"login"})")
                .status,
            200);
  json::object u = OnlyUser(R"({"event_name":"view"})");
  EXPECT_EQ(u["userId"], json::value("bob"));
  EXPECT_EQ(u["event"].at("count"), json::value(5));
  // The anonymous id now resolves to bob.
  auto data = s.Call("/api/v1/user/userData", R"({"anonymousId":"anon-2"})");
  EXPECT_EQ(data.Data().at("userId"), json::value("bob"));
}

TEST_F(EventApi, EventsForAnUnknownUserCreateTheProfile) {
  ASSERT_EQ(
      s.Call(
           "/api/v1/event/track",
           R"({"userId":"new-user","event_name":"signup","user_params":{"email":"n@example.com"}})")
          .status,
      200);
  auto r = s.Call("/api/v1/user/userData", R"({"userId":"new-user"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Data().at("email"), json::value("n@example.com"));
}

TEST_F(EventApi, PagingThroughThousandsOfUsersReturnsEachExactlyOnce) {
  const int kUsers = 3000;
  for (int batch = 0; batch < kUsers / 1000; ++batch) {
    std::string body = R"({"nv":[)";
    for (int i = 0; i < 1000; ++i)
      body += fmt::format(
          R"({}{{"userId":"user-{}","event_name":"purchase","event_time":"2022-03-{:02}T10:00:00Z"}})",
          i ? "," : "", batch * 1000 + i, i % 28 + 1);
    body += "]}";
    auto r = s.Call("/api/v1/event/create", body);
    ASSERT_EQ(r.status, 200) << r.body.substr(0, 300);
    ASSERT_EQ(r.Data().at("stored"), json::value(1000));
  }
  std::set<std::string> seen;
  std::string cursor;
  int pages = 0;
  for (;;) {
    std::string q =
        R"({"event_name":"purchase","start_date":"2022-03-01","end_date":"2022-03-31","batch_size":500)";
    if (!cursor.empty()) q += fmt::format(R"(,"cursor":"{}")", cursor);
    q += "}";
    auto r = s.Call("/api/v1/event/get", q);
    ASSERT_EQ(r.status, 200) << r.body.substr(0, 300);
    ++pages;
    for (const auto& u : r.Data().at("users").as_array()) {
      auto [it, fresh] = seen.insert(std::string(u.at("userId").as_string()));
      EXPECT_TRUE(fresh) << "user returned twice: " << *it;
    }
    const auto* next = r.Data().as_object().if_contains("next_cursor");
    if (!next) break;
    cursor = std::string(next->as_string());
    ASSERT_LT(pages, 20);
  }
  EXPECT_EQ(seen.size(), static_cast<size_t>(kUsers));
  EXPECT_EQ(pages, kUsers / 500);
  auto counts =
      Count(R"({"event_name":"purchase","start_date":"2022-03-01","end_date":"2022-03-31"})");
  EXPECT_EQ(counts.Data().at("profiles"), json::value(kUsers));
  EXPECT_EQ(counts.Data().at("events"), json::value(kUsers));
}

TEST_F(EventApi, ABareEndDateCoversItsWholeDay) {
  ASSERT_EQ(s.Call("/api/v1/event/track",
                   R"({"userId":"u","event_name":"late","event_time":"2022-03-31T23:59:59Z"})")
                .status,
            200);
  EXPECT_EQ(Events(R"({"event_name":"late","start_date":"2022-03-01","end_date":"2022-03-31"})"),
            1);
  EXPECT_EQ(Events(R"({"event_name":"late","start_date":"2022-03-01","end_date":"2022-03-30"})"),
            0);
}

TEST_F(EventApi, CountsFilterOnEventAttributes) {
  ASSERT_EQ(s.Call("/api/v1/event/create",
                   R"({"nv":[{"userId":"a","event_name":"buy","attributes":{"sku":"A1","qty":2}},)"
                   R"({"userId":"b","event_name":"buy","attributes":{"sku":"B7","qty":2}}]})")
                .status,
            200);
  EXPECT_EQ(Events(R"({"event_name":"buy","attributes":{"sku":"A1"}})"), 1);
  EXPECT_EQ(Events(R"({"event_name":"buy","attributes":{"qty":2}})"), 2);
}

TEST_F(EventApi, ABatchStoresValidEventsAndListsInvalidOnesByIndex) {
  auto r = s.Call("/api/v1/event/create",
                  R"({"nv":[{"userId":"a","event_name":"ok"},{"userId":"b"},)"
                  R"({"event_name":"no-user"},{"userId":"c","event_name":"ok","sdk_id":9}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Data().at("stored"), json::value(1));
  const auto& errors = r.Data().at("errors").as_array();
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0].at("index"), json::value(1));
  EXPECT_NE(std::string(errors[0].at("message").as_string()).find("event_name"), std::string::npos);
  EXPECT_EQ(errors[1].at("index"), json::value(2));
  EXPECT_NE(std::string(errors[1].at("message").as_string())
                .find("userId and anonymousId cannot be empty"),
            std::string::npos);
  EXPECT_EQ(errors[2].at("index"), json::value(3));
  EXPECT_NE(std::string(errors[2].at("message").as_string()).find("sdk_id"), std::string::npos);
}

TEST_F(EventApi, ABatchOfOneThousandAndOneEventsIsRejected) {
  std::string body = R"({"nv":[)";
  for (int i = 0; i < 1001; ++i)
    body += fmt::format(R"({}{{"userId":"u","event_name":"e"}})", i ? "," : "");
  body += "]}";
  auto r = s.Call("/api/v1/event/create", body);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Message(), "nv: at most 1000 events per call, got 1001");
  EXPECT_EQ(Events(R"({"event_name":"e"})"), 0);
}

TEST_F(EventApi, UserEventCreateStoresBothOrNeither) {
  auto bad = s.Call(
      "/api/v1/user_event/create",
      R"({"user":{"userId":"carol","email":"c@example.com"},"event":{"event_time":"nope"}})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(s.Call("/api/v1/user/userData", R"({"userId":"carol"})").status, 404);
  auto good = s.Call(
      "/api/v1/user_event/create",
      R"({"user":{"userId":"carol","email":"c@example.com"},"event":{"event_name":"signup"}})");
  ASSERT_EQ(good.status, 200) << good.body;
  EXPECT_EQ(OnlyUser(R"({"event_name":"signup"})")["email"], json::value("c@example.com"));
}

// The flat form: identifiers, standard fields and user_attributes are the profile's;
// attributes, ltv, messageId and the rest are the event's.
TEST_F(EventApi, UserEventCreateSplitsTheFlatFormIntoProfileAndEvent) {
  auto r = s.Call("/api/v1/user_event/create",
                  R"({"userId":"u9","anonymousId":"a-1","email":"x@y.z","mobile":"+919899999999",)"
                  R"("user_attributes":{"company":"Acme","plan":"gold","attributes":{"seats":3}},)"
                  R"("event_name":"signup","event_time":"2024-05-02T10:00:00Z","ltv":12.5,)"
                  R"("messageId":"m-flat","attributes":{"source":"ad","campaign":"spring"}})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Data().at("stored"), json::value(1));

  auto user = s.Call("/api/v1/user/userData", R"({"userId":"u9"})");
  ASSERT_EQ(user.status, 200) << user.body;
  EXPECT_EQ(user.Data().at("anonymousId"), json::value("a-1"));
  EXPECT_EQ(user.Data().at("email"), json::value("x@y.z"));
  EXPECT_EQ(user.Data().at("mobile"), json::value("+919899999999"));
  EXPECT_EQ(user.Data().at("company"), json::value("Acme"));
  // The event's attributes did not become the user's.
  EXPECT_EQ(user.Data().at("attributes"), json::parse(R"({"plan":"gold","seats":3})"));

  const std::string window = R"("start_date":"2024-05-01","end_date":"2024-05-31")";
  json::object u = OnlyUser(R"({"event_name":"signup",)" + window +
                            R"(,"attributes":{"source":"ad","campaign":"spring"}})");
  EXPECT_EQ(u["userId"], json::value("u9"));
  EXPECT_EQ(u["event"].at("first"), json::value("2024-05-02T10:00:00Z"));
  EXPECT_EQ(Events(R"({"event_name":"signup",)" + window + R"(,"attributes":{"plan":"gold"}})"), 0);

  // The messageId is the event's: the same one again is a duplicate.
  auto again = s.Call("/api/v1/user_event/create",
                      R"({"userId":"u9","event_name":"signup","messageId":"m-flat"})");
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.Data().at("duplicates"), json::value(1));
  EXPECT_EQ(Events(R"({"event_name":"signup"})"), 1);
}

TEST_F(EventApi, UserEventCreateInTheFlatFormStoresBothOrNeither) {
  auto bad = s.Call("/api/v1/user_event/create",
                    R"({"userId":"fran","email":"f@example.com","event_time":"nope"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.Message(), "event_name: required, a non-empty string");
  auto unknown = s.Call("/api/v1/user_event/create",
                        R"({"userId":"fran","event_name":"signup","colour":"red"})");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_NE(unknown.Message().find("unknown field 'colour'"), std::string::npos);
  EXPECT_EQ(s.Call("/api/v1/user/userData", R"({"userId":"fran"})").status, 404);
  EXPECT_EQ(Events(R"({"event_name":"signup"})"), 0);
}

TEST_F(EventApi, DeletingAUserDeletesTheirEvents) {
  ASSERT_EQ(
      s.Call("/api/v1/event/create",
             R"({"nv":[{"userId":"dave","event_name":"x"},{"userId":"dave","event_name":"y"},)"
             R"({"userId":"erin","event_name":"x"}]})")
          .status,
      200);
  ASSERT_EQ(s.Call("/api/v1/user/delete", R"({"userId":"dave"})").status, 200);
  EXPECT_EQ(Events(R"({"event_name":"x"})"), 1);
  EXPECT_EQ(Events(R"({"event_name":"y"})"), 0);
}

TEST_F(EventApi, ABrandNeverSeesAnotherBrandsEvents) {
  ASSERT_EQ(s.Call("/api/v1/event/track", R"({"userId":"u","event_name":"secret"})").status, 200);
  Brand other = CreateBrand(s.storage, "other");
  auto r = s.client.Call(other, "/api/v1/event/count", R"({"event_name":"secret"})");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Data().at("events"), json::value(0));
  EXPECT_EQ(r.Data().at("profiles"), json::value(0));
}

TEST_F(EventApi, UserCountAndProfileAnswerLikeTheEventQueries) {
  ASSERT_EQ(s.Call("/api/v1/event/track", R"({"userId":"u","event_name":"open"})").status, 200);
  auto count = s.Call("/api/v1/user/count", R"({"event_name":"open"})");
  EXPECT_EQ(count.Data().at("profiles"), json::value(1));
  auto profile = s.Call("/api/v1/user/profile", R"({"event_name":"open"})");
  EXPECT_EQ(profile.Data().at("users").as_array().size(), 1u);
}

// Acknowledged writes survive SIGKILL: four clients write concurrently, the server is killed
// right after the last acknowledgement, and a restarted server has every event.
TEST(EventDurability, KillNineRightAfterAcknowledgedWritesLosesNone) {
  TempDir dir;
  std::vector<std::string> storage = {"--data", dir.path() + "/data"};
  Brand brand = CreateBrand(storage, "durable");
  constexpr int kThreads = 4, kPerThread = 50;
  std::atomic<int> acknowledged{0};
  {
    ServerProcess server(storage, dir.path() + "/server.log");
    std::vector<std::thread> writers;
    for (int t = 0; t < kThreads; ++t) {
      writers.emplace_back([&, t] {
        HttpClient client(server.port());
        for (int i = 0; i < kPerThread; ++i) {
          auto r = client.Call(
              brand, "/api/v1/event/track",
              fmt::format(R"({{"userId":"u{}","event_name":"tick","messageId":"{}-{}"}})", i, t,
                          i));
          if (r.status == 200) ++acknowledged;
        }
      });
    }
    for (auto& w : writers) w.join();
    server.Kill();
  }
  ASSERT_EQ(acknowledged.load(), kThreads * kPerThread);
  ServerProcess restarted(storage, dir.path() + "/server2.log");
  HttpClient client(restarted.port());
  auto r = client.Call(brand, "/api/v1/event/count", R"({"event_name":"tick"})");
  EXPECT_EQ(r.Data().at("events"), json::value(kThreads * kPerThread)) << r.body;
}

}  // namespace
}  // namespace cdp::testing
