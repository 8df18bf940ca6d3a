// The fixture of the campaign and report end-to-end tests: a real server with a brand, and
// helpers for the Campaign API.
#pragma once

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "support/server_process.h"
#include "support/sinks.h"

namespace cdp::testing {

// A server with a brand whose transient-failure retries start after 100 ms, under a fixed
// node name so that a restarted server takes its campaigns back at once on PostgreSQL too.
class CampaignServer : public ::testing::Test {
 protected:
  TempDir dir;
  TestStorage fresh = FreshStorage(dir.path());
  Brand brand = CreateBrand(fresh.args, "test");
  ServerProcess server{Args(), dir.path() + "/server.log"};
  HttpClient client{server.port()};

  std::vector<std::string> Args() {
    auto args = fresh.args;
    args.insert(args.end(), {"--retry-base-ms", "100", "--node", "test-node"});
    return args;
  }

  HttpResponse Call(const std::string& path, const std::string& body) {
    return client.Call(brand, "/api/v1/" + path, body);
  }
  boost::json::value Ok(const std::string& path, const std::string& body) {
    auto r = Call(path, body);
    EXPECT_EQ(r.status, 200) << path << " " << body << "\n" << r.body;
    return r.Data();
  }
  void Users(const std::string& nv) {
    auto d = Ok("user/create", fmt::format(R"({{"nv":{}}})", nv));
    ASSERT_EQ(d.at("failed"), 0) << boost::json::serialize(d);
  }
  void EmailChannel(const SinkProcess& sink, const std::string& extra = "") {
    Ok("channel/email", fmt::format(R"({{"host":"127.0.0.1","port":{},"security":"none",
                                        "from":"news@brand.test"{}}})",
                                    sink.port(), extra));
  }
  std::string Create(const std::string& channel, const std::string& target,
                     const std::string& content) {
    auto d = Ok("campaign/create",
                fmt::format(R"({{"name":"c","channel":"{}","target":{},"content":{}}})", channel,
                            target, content));
    return d.is_object() ? std::string(d.at("campaign_id").as_string()) : "";
  }
  boost::json::value Get(const std::string& id) {
    return Ok("campaign/get", fmt::format(R"({{"campaign_id":"{}"}})", id));
  }
  // Waits until the campaign reaches `status` (or 30 s pass) and returns it.
  boost::json::value WaitStatus(const std::string& id, const std::string& status) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    boost::json::value c;
    do {
      c = Get(id);
      if (c.is_object() && c.at("status") == status.c_str()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    } while (std::chrono::steady_clock::now() < deadline);
    return c;
  }
  static boost::json::value Counts(int64_t targeted, int64_t sent, int64_t failed,
                                   int64_t skipped) {
    return boost::json::object{{"targeted", targeted},
                               {"queued", 0},
                               {"sent", sent},
                               {"failed", failed},
                               {"skipped", skipped}};
  }
};

}  // namespace cdp::testing
