// End-to-end tests of the HTTP layer: limits, errors every endpoint shares, shutdown.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "support/json_match.h"
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

// `json` padded with trailing spaces (still valid JSON) to exactly `size` bytes.
std::string PaddedTo(std::string json, size_t size) {
  json.resize(size, ' ');
  return json;
}

TEST_F(Server, ABodyOfExactlyOneMebibyteIsAccepted) {
  auto r = s.Call("/api/v1/user/create", PaddedTo(R"({"userId":"big"})", 1024 * 1024));
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(Server, ABodyOneByteOverOneMebibyteIs413InTheEnvelope) {
  auto r = s.Call("/api/v1/user/create", PaddedTo(R"({"userId":"big"})", 1024 * 1024 + 1));
  EXPECT_EQ(r.status, 413);
  EXPECT_TRUE(JsonContains(
      R"({"response":{"status":"error","message":"request body exceeds 1048576 bytes"}})", r.json));
  EXPECT_EQ(s.Call("/api/v1/user/userData", R"({"userId":"big"})").status, 404);
}

TEST_F(Server, AChunkedBodyOverOneMebibyteIs413) {
  std::string chunk(64 * 1024, ' ');
  std::string raw = fmt::format(
      "POST /api/v1/user/create HTTP/1.1\r\nHost: x\r\nx-brand-id: {}\r\nx-api-key: {}\r\n"
      "content-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n",
      s.brand.id, s.brand.key);
  for (int i = 0; i < 17; ++i) raw += fmt::format("{:x}\r\n{}\r\n", chunk.size(), chunk);
  raw += "0\r\n\r\n";
  std::string reply = s.client.Raw(raw);
  EXPECT_TRUE(reply.starts_with("HTTP/1.1 413")) << reply.substr(0, 200);
}

TEST_F(Server, HeadersOverSixteenKibibytesAre431InTheEnvelope) {
  std::string raw =
      "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20 * 1024, 'a') + "\r\n\r\n";
  std::string reply = s.client.Raw(raw);
  EXPECT_TRUE(reply.starts_with("HTTP/1.1 431")) << reply.substr(0, 200);
  EXPECT_NE(reply.find(R"("message":"request headers exceed 16384 bytes","status":"error")"),
            std::string::npos)
      << reply;
  EXPECT_EQ(s.client.Get("/healthz").status, 200);
}

TEST_F(Server, GarbageIsABadRequestNotACrash) {
  std::string reply = s.client.Raw("NOT HTTP AT ALL\r\n\r\n");
  EXPECT_TRUE(reply.starts_with("HTTP/1.1 400")) << reply.substr(0, 200);
  EXPECT_NE(reply.find("malformed HTTP request"), std::string::npos) << reply;
  EXPECT_EQ(s.client.Get("/healthz").status, 200);
}

TEST_F(Server, TwoContentLengthsAreABadRequest) {
  std::string reply = s.client.Raw(
      "POST /api/v1/user/create HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
      "Content-Length: 4\r\n\r\n{}{}");
  EXPECT_TRUE(reply.starts_with("HTTP/1.1 400")) << reply.substr(0, 200);
}

TEST_F(Server, AnswersPipelinedRequestsInOrderOnOneConnection) {
  std::string request = fmt::format(
      "POST /api/v1/user/create HTTP/1.1\r\nHost: x\r\nx-brand-id: {}\r\nx-api-key: {}\r\n"
      "content-type: application/json\r\ncontent-length: {{}}\r\n\r\n{{}}",
      s.brand.id, s.brand.key);
  std::string raw;
  for (std::string body : {R"({"userId":"p1"})", R"({"userId":"p2","gender":"x"})"})
    raw += fmt::format(fmt::runtime(request), body.size(), body);
  raw += "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  std::string reply = s.client.Raw(raw);
  size_t first = reply.find("HTTP/1.1 200"), second = reply.find("HTTP/1.1 400"),
         third = reply.find("HTTP/1.1 200", first + 1);
  ASSERT_NE(first, std::string::npos) << reply;
  ASSERT_NE(second, std::string::npos) << reply;
  ASSERT_NE(third, std::string::npos) << reply;
  EXPECT_LT(first, second);
  EXPECT_LT(second, third);
  EXPECT_NE(reply.find("1 user saved"), std::string::npos) << reply;
  EXPECT_NE(reply.find("gender: must be one of male, female, other"), std::string::npos) << reply;
}

TEST_F(Server, ConnectionCloseIsHonoured) {
  std::string reply = s.client.Raw("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(reply.starts_with("HTTP/1.1 200")) << reply;
  EXPECT_NE(reply.find("Connection: close"), std::string::npos) << reply;
}

TEST_F(Server, KeepsAConnectionAliveAcrossRequests) {
  for (int i = 0; i < 20; ++i) {
    auto r = s.Call("/api/v1/user/create", fmt::format(R"({{"userId":"k{}"}})", i));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.headers.count("connection"), 0u) << "HTTP/1.1 keeps alive by default";
  }
}

TEST_F(Server, LogsOneLinePerRequest) {
  ASSERT_EQ(s.client.Get("/healthz").status, 200);
  ASSERT_EQ(s.server.Terminate(), 0);
  std::string log = s.server.Log();
  EXPECT_NE(log.find("method=GET path=/healthz status=200"), std::string::npos) << log;
}

// What top -H or perf shows of a busy server: each stage by its own name.
TEST_F(Server, NamesItsThreadsByStage) {
  std::vector<std::string> stages = {"cdp-http-0", "cdp-writer"};
  if (!s.fresh.database) stages.insert(stages.end(), {"cdp-log-sync", "cdp-checkpoint"});  // SQLite
  auto names = [&] {
    std::set<std::string> out;
    for (const auto& task :
         std::filesystem::directory_iterator(fmt::format("/proc/{}/task", s.server.pid()))) {
      std::ifstream comm(task.path() / "comm");
      std::string name;
      std::getline(comm, name);
      out.insert(name);
    }
    return out;
  };
  auto all_named = [&](const std::set<std::string>& seen) {
    return std::all_of(stages.begin(), stages.end(),
                       [&](const std::string& stage) { return seen.contains(stage); });
  };
  // A thread names itself when it starts, which may come just after the server listens.
  std::set<std::string> seen = names();
  for (int i = 0; i < 100 && !all_named(seen); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    seen = names();
  }
  EXPECT_TRUE(all_named(seen)) << fmt::format("{}", fmt::join(seen, ", "));
}

// Writers that keep sending until the server goes away, and SIGTERM in their midst.
class ServerShutdown : public ::testing::Test {
 protected:
  struct Writer {
    std::vector<int> acknowledged;  // the i of each request answered 200
    std::vector<std::string> other_answers;
    std::string ended_with;  // why the writer stopped: the client's error
  };

  // kWriters writers post body(w, i) to `path` in a loop on their own connections; once
  // kBeforeStop requests are answered, the server gets SIGTERM. Returns its exit status.
  int WriteUntilTerminated(const std::string& path, std::function<std::string(int, int)> body) {
    constexpr int kWriters = 6, kBeforeStop = 60, kMaxEach = 5000;
    std::atomic<int> answered = 0;
    std::vector<std::thread> threads;
    writers_.resize(kWriters);
    for (int w = 0; w < kWriters; ++w) {
      threads.emplace_back([&, w] {
        HttpClient client(s.server.port());
        for (int i = 0; i < kMaxEach; ++i) {
          try {
            auto r = client.Call(s.brand, path, body(w, i));
            if (r.status == 200) {
              writers_[w].acknowledged.push_back(i);
            } else {
              writers_[w].other_answers.push_back(std::to_string(r.status) + " " + r.body);
            }
            ++answered;
          } catch (const std::exception& e) {
            writers_[w].ended_with = e.what();  // refused or closed: the server is gone
            return;
          }
        }
      });
    }
    while (answered < kBeforeStop) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    int status = s.server.Terminate();
    for (auto& t : threads) t.join();
    return status;
  }

  TestServer s;
  std::vector<Writer> writers_;
};

TEST_F(ServerShutdown, SigtermDuringUserWritesAnswersEachRequestAndExitsZero) {
  int status = WriteUntilTerminated("/api/v1/user/create", [](int w, int i) {
    return fmt::format(R"({{"userId":"w{}-{}"}})", w, i);
  });
  EXPECT_EQ(status, 0) << s.server.Log();
  for (const auto& w : writers_) {
    EXPECT_TRUE(w.other_answers.empty()) << w.other_answers.front();
    EXPECT_FALSE(w.ended_with.empty()) << "a writer sent everything before the server stopped";
  }
  std::string log = s.server.Log();
  while (!log.empty() && log.back() == '\n') log.pop_back();
  EXPECT_TRUE(log.substr(log.rfind('\n') + 1).ends_with(" stopped")) << log;
}

TEST_F(ServerShutdown, SigtermLosesNoAcknowledgedUser) {
  ASSERT_EQ(WriteUntilTerminated(
                "/api/v1/user/create",
                [](int w, int i) { return fmt::format(R"({{"userId":"w{}-{}"}})", w, i); }),
            0);
  s.server.Restart();
  HttpClient client(s.server.port());
  for (size_t w = 0; w < writers_.size(); ++w) {
    for (int i : writers_[w].acknowledged) {
      EXPECT_EQ(
          client
              .Call(s.brand, "/api/v1/user/userData", fmt::format(R"({{"userId":"w{}-{}"}})", w, i))
              .status,
          200)
          << "w" << w << "-" << i << " was acknowledged but is missing";
    }
  }
}

TEST_F(ServerShutdown, SigtermStoresExactlyTheAcknowledgedEvents) {
  ASSERT_EQ(WriteUntilTerminated(
                "/api/v1/event/track",
                [](int w, int i) {
                  return fmt::format(R"({{"userId":"u{}","event_name":"e","messageId":"m{}-{}"}})",
                                     w, w, i);
                }),
            0);
  int64_t acknowledged = 0;
  for (const auto& w : writers_) acknowledged += static_cast<int64_t>(w.acknowledged.size());
  s.server.Restart();
  HttpClient client(s.server.port());
  auto r = client.Call(s.brand, "/api/v1/event/count", R"({"event_name":"e"})");
  ASSERT_EQ(r.status, 200) << r.body;
  // Not fewer (an acknowledged event lost) and not more (an event stored, its answer dropped).
  EXPECT_EQ(r.Data().at("events").to_number<int64_t>(), acknowledged);
}

}  // namespace
}  // namespace cdp::testing
