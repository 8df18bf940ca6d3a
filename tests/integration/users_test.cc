// End-to-end tests of the User API that need more than one request per case: full batches,
// concurrent writers, racing updates. Single requests and their answers are the
// declarative cases in tests/api/user_*.cases.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "support/json_match.h"
#include "support/server_process.h"

namespace cdp::testing {
namespace {

namespace json = boost::json;

class UserApi : public ::testing::Test {
 protected:
  TestServer s;

  HttpResponse Create(const std::string& body) { return s.Call("/api/v1/user/create", body); }
  HttpResponse Get(const std::string& user_id) {
    return s.Call("/api/v1/user/userData", fmt::format(R"({{"userId":"{}"}})", user_id));
  }
};

// {"nv":[{"userId":"<prefix>0","attributes":{"n":0}}, ...]} with `count` users.
std::string Batch(const std::string& prefix, int count) {
  std::string body = R"({"nv":[)";
  for (int i = 0; i < count; ++i)
    body +=
        fmt::format(R"({}{{"userId":"{}{}","attributes":{{"n":{}}}}})", i ? "," : "", prefix, i, i);
  return body + "]}";
}

// {"userID":..,"user_attributes":{..,"attributes":{..}}} stores the inner object's keys as
// custom attributes, exactly as the flat shape's top-level "attributes" does.
TEST_F(UserApi, AttributesInsideUserAttributesAreStoredLikeTopLevelAttributes) {
  ASSERT_EQ(
      Create(R"({"userId":"flat","name":"Ann","attributes":{"plan":"gold","seats":3}})").status,
      200);
  ASSERT_EQ(Create(R"({"nv":[{"userID":"nested","user_attributes":{"name":"Ann",)"
                   R"("attributes":{"plan":"gold","seats":3}}}]})")
                .status,
            200);
  auto flat = Get("flat");
  auto nested = Get("nested");
  ASSERT_EQ(nested.status, 200) << nested.body;
  EXPECT_EQ(nested.Data().at("attributes"), flat.Data().at("attributes")) << nested.body;
  EXPECT_EQ(nested.Data().at("attributes"), json::parse(R"({"plan":"gold","seats":3})"));
  EXPECT_EQ(nested.Data().at("name"), json::value("Ann"));

  // Updates merge key by key, and null removes one, from inside user_attributes too.
  ASSERT_EQ(Create(R"({"userID":"nested","user_attributes":{"tier":"b",)"
                   R"("attributes":{"seats":null,"vip":true}}})")
                .status,
            200);
  EXPECT_EQ(Get("nested").Data().at("attributes"),
            json::parse(R"({"plan":"gold","tier":"b","vip":true})"));

  // A conflict is refused by name and changes nothing.
  auto conflict = Create(
      R"({"userID":"nested","user_attributes":{"plan":"silver","attributes":{"plan":"bronze"}}})");
  EXPECT_EQ(conflict.status, 400);
  EXPECT_EQ(conflict.Message(),
            "user_attributes.attributes.plan: given twice with different values "
            "(also in user_attributes)");
  EXPECT_EQ(Get("nested").Data().at("attributes"),
            json::parse(R"({"plan":"gold","tier":"b","vip":true})"));
}

// The profile of /user_event/create reads user_attributes.attributes the same way.
TEST_F(UserApi, UserEventCreateTakesAttributesInsideUserAttributes) {
  auto r = s.Call("/api/v1/user_event/create",
                  R"({"user":{"userId":"ue","user_attributes":{"attributes":{"plan":"gold"}}},)"
                  R"("event":{"event_name":"signup"}})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Get("ue").Data().at("attributes"), json::parse(R"({"plan":"gold"})"));
}

TEST_F(UserApi, ABatchOfOneHundredUsersIsStoredWhole) {
  auto r = Create(Batch("u", 100));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(JsonContains(
      R"({"response":{"status":"success","message":"100 users saved","data":{"saved":100,"failed":0,"errors":[]}}})",
      r.json));
  for (int i = 0; i < 100; ++i) {
    auto u = Get(fmt::format("u{}", i));
    ASSERT_EQ(u.status, 200) << u.body;
    EXPECT_EQ(u.Data().at("attributes").at("n"), json::value(i));
  }
}

TEST_F(UserApi, ABatchOfOneHundredAndOneUsersStoresNoneOfThem) {
  auto r = Create(Batch("u", 101));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Message(), "nv: at most 100 users per call, got 101");
  for (int i : {0, 50, 100}) EXPECT_EQ(Get(fmt::format("u{}", i)).status, 404) << i;
}

TEST_F(UserApi, ABatchReportsEveryInvalidUserByIndexAndStoresTheRest) {
  std::string body = R"({"nv":[)";
  for (int i = 0; i < 10; ++i) {
    // Every third user has an invalid gender.
    body += fmt::format(R"({}{{"userId":"u{}","gender":"{}"}})", i ? "," : "", i,
                        i % 3 == 0 ? "robot" : "other");
  }
  auto r = Create(body + "]}");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Message(), "6 of 10 users saved; 4 rejected, see data.errors");
  const auto& errors = r.Data().at("errors").as_array();
  ASSERT_EQ(errors.size(), 4u);
  for (size_t e = 0; e < errors.size(); ++e) {
    int index = static_cast<int>(3 * e);
    EXPECT_TRUE(JsonContains(
        fmt::format(
            R"({{"index":{0},"userId":"u{0}",)"
            R"("message":"nv[{0}]: gender: must be one of male, female, other, got \"robot\""}})",
            index),
        errors[e]));
  }
  for (int i = 0; i < 10; ++i) EXPECT_EQ(Get(fmt::format("u{}", i)).status, i % 3 ? 200 : 404) << i;
}

TEST_F(UserApi, ConcurrentWritersAreAllStored) {
  constexpr int kThreads = 8, kUsersEach = 50;
  std::atomic<int> acknowledged = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      HttpClient client(s.server.port());
      for (int i = 0; i < kUsersEach; ++i) {
        auto r =
            client.Call(s.brand, "/api/v1/user/create",
                        fmt::format(R"({{"userId":"t{}-{}","attributes":{{"i":{}}}}})", t, i, i));
        if (r.status == 200) ++acknowledged;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(acknowledged, kThreads * kUsersEach);
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kUsersEach; ++i) {
      auto u = Get(fmt::format("t{}-{}", t, i));
      ASSERT_EQ(u.status, 200) << "t" << t << "-" << i << ": " << u.body;
      EXPECT_EQ(u.Data().at("attributes").at("i"), json::value(i));
    }
  }
}

TEST_F(UserApi, ConcurrentUpdatesOfOneUserKeepEveryAttribute) {
  ASSERT_EQ(Create(R"({"userId":"shared","email":"s@example.com"})").status, 200);
  constexpr int kThreads = 8, kUpdatesEach = 10;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      HttpClient client(s.server.port());
      for (int i = 0; i < kUpdatesEach; ++i) {
        EXPECT_EQ(
            client
                .Call(s.brand, "/api/v1/user/create",
                      fmt::format(R"({{"userId":"shared","attributes":{{"a{}-{}":true}}}})", t, i))
                .status,
            200);
      }
    });
  }
  for (auto& t : threads) t.join();
  auto u = Get("shared");
  ASSERT_EQ(u.status, 200) << u.body;
  EXPECT_EQ(u.Data().at("email"), json::value("s@example.com"));
  const auto& attributes = u.Data().at("attributes").as_object();
  EXPECT_EQ(attributes.size(), static_cast<size_t>(kThreads * kUpdatesEach)) << u.body;
  for (int t = 0; t < kThreads; ++t)
    for (int i = 0; i < kUpdatesEach; ++i)
      EXPECT_TRUE(attributes.contains(fmt::format("a{}-{}", t, i))) << t << "-" << i;
}

TEST_F(UserApi, RacingFirstWritesOfAnAttributeAgreeOnOneType) {
  // Half the writers send "score" as a number, half as a string, all at once: whichever
  // reaches the store first fixes the type, and every write of the other type is refused.
  constexpr int kThreads = 8, kWritesEach = 5;
  std::atomic<int> numbers_ok = 0, strings_ok = 0, numbers_refused = 0, strings_refused = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      HttpClient client(s.server.port());
      const bool number = t % 2 == 0;
      for (int i = 0; i < kWritesEach; ++i) {
        std::string value = number ? "1" : R"("one")";
        auto r = client.Call(
            s.brand, "/api/v1/user/create",
            fmt::format(R"({{"userId":"r{}-{}","attributes":{{"score":{}}}}})", t, i, value));
        if (r.status == 200) {
          ++(number ? numbers_ok : strings_ok);
        } else {
          EXPECT_EQ(r.status, 400) << r.body;
          EXPECT_NE(r.Message().find("attribute 'score' was first stored as a"), std::string::npos)
              << r.body;
          ++(number ? numbers_refused : strings_refused);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  constexpr int kEach = kThreads / 2 * kWritesEach;
  const bool numbers_won = numbers_ok > 0;
  EXPECT_EQ(numbers_ok, numbers_won ? kEach : 0);
  EXPECT_EQ(strings_ok, numbers_won ? 0 : kEach);
  EXPECT_EQ(numbers_refused, numbers_won ? 0 : kEach);
  EXPECT_EQ(strings_refused, numbers_won ? kEach : 0);
}

}  // namespace
}  // namespace cdp::testing
