// End-to-end: a corpus of hostile requests (SQL-looking strings, NUL bytes, invalid UTF-8,
// huge numbers, deep nesting, duplicate keys, wrong types everywhere) replayed against every
// write endpoint. Each must get a clear 4xx in the error envelope, the server must stay up,
// and what the brand had stored must read back unchanged.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "support/server_process.h"

namespace cdp::testing {
namespace {

namespace json = boost::json;

struct Hostile {
  std::string path;
  std::string body;
};

std::string Nested(int depth) {
  return std::string(static_cast<size_t>(depth), '[') +
         std::string(static_cast<size_t>(depth), ']');
}

std::vector<Hostile> Corpus() {
  const std::string sql = R"(1'; DROP TABLE profiles; --)";
  const std::string nul = std::string("ab\0cd", 5);
  const std::string bad_utf8 = "\xc3\x28\xff\xfe";
  std::vector<Hostile> c = {
      // SQL-looking strings where the value is invalid anyway.
      {"user/create",
       fmt::format(R"({{"nv":[{{"userID":"u","user_attributes":{{"email":"{}"}}}}]}})", sql)},
      {"user/create",
       fmt::format(R"({{"nv":[{{"userID":"u","user_attributes":{{"mobile":"{}"}}}}]}})", sql)},
      {"event/track", fmt::format(R"({{"userID":"u","event_name":"e","event_time":"{}"}})", sql)},
      {"segment/create",
       fmt::format(R"({{"name":"s","rules":{{"attribute":"{}","op":"eq","value":1}}}})", sql)},
      {"segment/create",
       fmt::format(R"({{"name":"s","rules":{{"attribute":"email","op":"{}","value":1}}}})", sql)},
      {"campaign/create",
       fmt::format(
           R"({{"name":"c","channel":"{}","target":{{"user_ids":["u"]}},"content":{{"text":"t"}}}})",
           sql)},
      {"report/campaigns", fmt::format(R"({{"from":"{}"}})", sql)},
      // NUL bytes and invalid UTF-8, raw and escaped.
      {"user/create", "{\"nv\":[{\"userID\":\"" + nul + "\"}]}"},
      {"user/create", "{\"nv\":[{\"userID\":\"" + bad_utf8 + "\"}]}"},
      {"event/track", "{\"userID\":\"u\",\"event_name\":\"" + bad_utf8 + "\"}"},
      {"user/create", R"({"nv":[{"userID":"u\u0000v"}]})"},
      {"user/create", R"({"nv":[{"userID":"u\ud800"}]})"},
      {"segment/create", "{\"name\":\"" + nul + "\",\"rules\":{}}"},
      // Huge and odd numbers.
      {"event/track", R"({"userID":"u","event_name":"e","ltv":1e400})"},
      {"event/track", R"({"userID":"u","event_name":"e","ltv":"NaN"})"},
      {"event/track", R"({"userID":"u","event_name":"e","sdk_id":99999999999999999999999})"},
      {"user/create", R"({"nv":[{"userID":"u","user_attributes":{"email_opt_in":1e308}}]})"},
      {"segment/users", R"({"rules":{"attribute":"email","op":"exists"},"batch_size":-1})"},
      {"report/campaigns", R"({"batch_size":1e20})"},
      // Deep nesting.
      {"user/create", "{\"nv\":" + Nested(10000) + "}"},
      {"event/track",
       "{\"userID\":\"u\",\"event_name\":\"e\",\"attributes\":{\"a\":" + Nested(200) + "}}"},
      {"segment/create",
       R"({"name":"s","rules":)" + std::string(300, '{') + std::string(300, '}') + "}"},
      // Duplicate keys: ambiguous, refused.
      {"user/create", R"({"nv":[{"userID":"u"}],"nv":[{"userID":"v"}]})"},
      {"event/track", R"({"userID":"u","userID":"v","event_name":"e"})"},
      // Wrong types everywhere.
      {"user/create", R"({"nv":{"userID":"u"}})"},
      {"user/create", R"({"nv":[{"userID":"u","user_attributes":[]}]})"},
      {"user/create", R"({"nv":[null]})"},
      {"event/create", R"({"nv":[{"userID":"u","event_name":["e"]}]})"},
      {"event/track", R"({"userID":"u","event_name":"e","attributes":"a"})"},
      {"user_event/create", R"({"userID":true})"},
      {"segment/create", R"({"name":5,"rules":{}})"},
      {"campaign/create", R"({"name":"c","channel":"email","target":"everyone","content":{}})"},
      {"campaign/schedule", R"({"campaign_id":["x"],"send_at":5})"},
      {"channel/email", R"({"host":["h"],"port":"25"})"},
      {"message/bounce", R"({"type":"bounce","message_id":{"id":1}})"},
      {"report/timeline", R"({"interval":3600})"},
      // Not JSON at all.
      {"user/create", "{\"nv\":[{\"userID\":\"u\"}"},
      {"event/track", "\xef\xbb\xbf{}garbage"},
      {"campaign/create", ""},
  };
  // Every write endpoint with a body of the wrong JSON type.
  for (const char* path :
       {"user/create", "event/create", "event/track", "user_event/create", "segment/create",
        "campaign/create", "channel/sms", "message/bounce", "report/campaign"})
    for (const char* body : {"[]", "\"x\"", "42", "null", "true"}) c.push_back({path, body});
  return c;
}

class HostileInput : public ::testing::Test {
 protected:
  TempDir dir;
  TestStorage fresh = FreshStorage(dir.path());
  Brand brand = CreateBrand(fresh.args, "hostile");
  ServerProcess server{fresh.args, dir.path() + "/server.log"};
  HttpClient client{server.port()};

  json::value Read(const std::string& path, const std::string& body) {
    auto r = client.Call(brand, "/api/v1/" + path, body);
    EXPECT_EQ(r.status, 200) << path << " " << r.body;
    return r.Data();
  }
  // What the brand has stored, as its API answers.
  json::array Snapshot() {
    return json::array{
        Read("user/userData", R"({"userId":"u"})"),
        Read("event/count",
             R"({"event_name":"e","start_date":"2000-01-01","end_date":"2100-01-01"})"),
        Read("segment/list", "{}"),
        Read("campaign/list", "{}"),
    };
  }
};

TEST_F(HostileInput, EveryRequestGetsAClear4xxAndNothingChanges) {
  auto seeded = client.Call(brand, "/api/v1/user/create",
                            R"({"nv":[{"userID":"u","user_attributes":{"email":"u@x.test"}}]})");
  ASSERT_EQ(seeded.status, 200) << seeded.body;
  ASSERT_EQ(client
                .Call(brand, "/api/v1/event/track",
                      R"({"userID":"u","event_name":"e","event_time":"2026-01-01T00:00:00Z"})")
                .status,
            200);
  const json::array before = Snapshot();

  for (const Hostile& h : Corpus()) {
    auto r = client.Call(brand, "/api/v1/" + h.path, h.body);
    const std::string shown = h.path + " " + json::serialize(json::string(h.body.substr(0, 200)));
    EXPECT_GE(r.status, 400) << shown << "\n" << r.body;
    EXPECT_LT(r.status, 500) << shown << "\n" << r.body;
    EXPECT_EQ(r.EnvelopeStatus(), "error") << shown << "\n" << r.body;
    EXPECT_FALSE(r.Message().empty()) << shown;
    // A batch answers 200 with per-item errors; none of these may have stored an item.
  }
  EXPECT_EQ(client.Get("/healthz").status, 200);
  EXPECT_EQ(Snapshot(), before);
}

}  // namespace
}  // namespace cdp::testing
