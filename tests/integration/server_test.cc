// End-to-end tests of the HTTP layer: limits, errors every endpoint shares, shutdown.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "support/server_process.h"

namespace cdp::testing {
namespace {

namespace json = boost::json;

class Server : public ::testing::Test {
 protected:
  TestServer s;
};

TEST_F(Server, AnswersHealthz) {
  auto r = s.client.Get("/healthz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Data().at("status"), json::value("ok"));
}

TEST_F(Server, AnUnknownPathIsInvalidUrl) {
  auto r = s.Call("/api/v1/nothing", "{}");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.Message().find("Invalid URL"), std::string::npos);
  EXPECT_EQ(r.EnvelopeStatus(), "error");
}

TEST_F(Server, AWrongMethodIs405WithAllow) {
  auto r = s.client.Get("/api/v1/user/create");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.headers["allow"], "POST");
}

TEST_F(Server, ABodyThatIsNotJsonIs415) {
  auto r = s.client.Post(
      "/api/v1/user/create", "userId=u",
      {{"x-brand-id", s.brand.id}, {"x-api-key", s.brand.key}, {"content-type", "text/plain"}});
  EXPECT_EQ(r.status, 415);
  EXPECT_EQ(r.EnvelopeStatus(), "error");
}

TEST_F(Server, ABodyOverOneMebibyteIs413) {
  std::string body =
      R"({"userId":"u","attributes":{"x":")" + std::string(1100 * 1024, 'x') + "\"}}";
  auto r = s.Call("/api/v1/user/create", body);
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.EnvelopeStatus(), "error");
}

TEST_F(Server, HeadersOverSixteenKibibytesAre431) {
  std::string raw =
      "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20 * 1024, 'a') + "\r\n\r\n";
  std::string reply = s.client.Raw(raw);
  EXPECT_EQ(reply.rfind("HTTP/1.1 431", 0), 0u) << reply.substr(0, 100);
}

TEST_F(Server, GarbageIsABadRequestNotACrash) {
  std::string reply = s.client.Raw("NOT HTTP AT ALL\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 400", 0), 0u) << reply.substr(0, 100);
  EXPECT_EQ(s.client.Get("/healthz").status, 200);
}

TEST_F(Server, LogsOneLinePerRequest) {
  ASSERT_EQ(s.client.Get("/healthz").status, 200);
  ASSERT_EQ(s.server.Terminate(), 0);
  std::string log = s.server.Log();
  EXPECT_NE(log.find("method=GET path=/healthz status=200"), std::string::npos) << log;
}

TEST(ServerShutdown, SigtermAnswersRequestsInFlightAndExitsCleanly) {
  TestServer s;
  constexpr int kClients = 6, kRequests = 30;
  std::vector<std::future<int>> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.push_back(std::async(std::launch::async, [&, c] {
      HttpClient client(s.server.port());
      int answered = 0;
      for (int i = 0; i < kRequests; ++i) {
        try {
          auto r = client.Call(s.brand, "/api/v1/event/track",
                               fmt::format(R"({{"userId":"u{}","event_name":"e"}})", c));
          if (r.status != 200) break;
          ++answered;
        } catch (const std::exception&) {
          break;  // the server closed: no answer expected after that
        }
      }
      return answered;
    }));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(s.server.Terminate(), 0);
  int answered = 0;
  for (auto& c : clients) answered += c.get();
  std::string log = s.server.Log();
  EXPECT_NE(log.find("stopped"), std::string::npos) << log;
  // Every request that got a 200 was stored: restart and count.
  ServerProcess again(s.storage, s.dir.path() + "/again.log");
  HttpClient client(again.port());
  auto r = client.Call(s.brand, "/api/v1/event/count", R"({"event_name":"e"})");
  EXPECT_EQ(r.Data().at("events").to_number<int64_t>(), answered);
}

}  // namespace
}  // namespace cdp::testing
