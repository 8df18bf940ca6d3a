// campaigns/engine: a campaign's sending through the channel the engine's ChannelFactory
// makes, over a real (SQLite) store, with the factory and its sender replaced by fakes.
#include "campaigns/engine.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "auth/keys.h"
#include "campaigns/tracking.h"
#include "delivery/channel.h"
#include "profiles/profile_input.h"
#include "support/server_process.h"
#include "support/sqlite_test_store.h"

namespace cdp::campaigns {
namespace {

namespace json = boost::json;

// What the engine handed to the channel: the channels it asked for and every message sent.
struct Sent {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> channels;  // "name settings-json", one per Make
  std::vector<delivery::Outgoing> messages;

  // The messages sent so far, once there are at least `n` (or after `timeout`).
  std::vector<delivery::Outgoing> WaitFor(size_t n, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu);
    cv.wait_for(lock, timeout, [&] { return messages.size() >= n; });
    return messages;
  }
};

class RecordingSender final : public delivery::Sender {
 public:
  explicit RecordingSender(Sent& sent) : sent_(sent) {}
  delivery::Delivery Send(const delivery::Outgoing& m) override {
    std::lock_guard lock(sent_.mu);
    sent_.messages.push_back(m);
    sent_.cv.notify_all();
    return {delivery::Delivery::Outcome::kSent, "250 recorded"};
  }

 private:
  Sent& sent_;
};

class RecordingChannels final : public delivery::ChannelFactory {
 public:
  explicit RecordingChannels(Sent& sent) : sent_(sent) {}
  Result<delivery::Channel> Make(std::string_view name, const json::object& settings,
                                 const delivery::VapidKeysSource&) const override {
    {
      std::lock_guard lock(sent_.mu);
      sent_.channels.push_back(std::string(name) + " " + json::serialize(settings));
    }
    delivery::Channel ch;
    ch.pace.connections = 1;
    ch.make_sender = [this] { return std::make_unique<RecordingSender>(sent_); };
    return ch;
  }

 private:
  Sent& sent_;
};

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = testing::OpenSqliteTestStore(dir_.path());
    const int64_t now = clock_.NowMicros();
    ASSERT_TRUE(store_
                    ->CreateBrand(store::Brand{"brand", "B", now},
                                  auth::IssueKey("brand", now).record,
                                  store::AuditEntry{0, now, "test", "test", "", "", "{}"})
                    .ok());
  }

  void AddUser(const std::string& json_text) {
    auto patch = profiles::ParseProfileInput(json::parse(json_text).as_object());
    ASSERT_TRUE(patch.ok()) << patch.status().message();
    std::vector<store::ProfileWrite> writes;
    writes.push_back(store::ProfileWrite{std::move(patch).value()});
    auto written = store_->UpsertProfiles("brand", std::move(writes), clock_.NowMicros());
    ASSERT_TRUE(written.ok()) << written.status().message();
    ASSERT_TRUE(written->at(0).ok()) << written->at(0).message();
  }

  // A campaign that is due now.
  void Schedule(const std::string& id, const std::string& channel, const std::string& target,
                const std::string& content) {
    store::Campaign c;
    c.brand_id = "brand";
    c.id = id;
    c.name = id;
    c.channel = channel;
    c.target = target;
    c.content = content;
    c.status = std::string(store::kCampaignScheduled);
    c.created_at = c.updated_at = clock_.NowMicros();
    c.send_at = c.created_at - 1;
    ASSERT_TRUE(store_->CreateCampaign(c).ok());
  }

  // The campaign's status once it is no longer sending (or after 10 s).
  std::string WaitUntilSent(const std::string& id) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (;;) {
      auto c = store_->GetCampaign("brand", id);
      if (!c.ok()) return c.status().message();
      if (c->status == store::kCampaignSent || std::chrono::steady_clock::now() > deadline)
        return c->status;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  SystemClock clock_;
  Links links_{"link-key", "https://cdp.example"};
  Sent sent_;
  RecordingChannels channels_{sent_};
};

EngineOptions Quick() {
  EngineOptions options;
  options.poll = std::chrono::milliseconds(10);
  return options;
}

TEST_F(EngineTest, SendsACampaignThroughTheSenderOfTheChannelItsFactoryMakes) {
  AddUser(R"({"userId":"ann","email":"ann@example.com","email_opt_in":1})");
  ASSERT_TRUE(
      store_->PutChannel("brand", "email", R"({"host":"smtp.example"})", clock_.NowMicros()).ok());
  Schedule("c1", "email", R"({"user_ids":["ann"]})",
           R"({"subject":"Hello","text":"Hi there","from":"news@example.com"})");
  Engine engine(*store_, clock_, links_, channels_, Quick());
  engine.Start();
  auto messages = sent_.WaitFor(1, std::chrono::seconds(10));
  EXPECT_EQ(WaitUntilSent("c1"), store::kCampaignSent);
  engine.Stop();

  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].to, "ann@example.com");
  EXPECT_EQ(messages[0].from, "news@example.com");
  EXPECT_EQ(messages[0].subject, "Hello");
  EXPECT_TRUE(messages[0].text.starts_with("Hi there")) << messages[0].text;
  EXPECT_EQ(sent_.channels, std::vector<std::string>{R"(email {"host":"smtp.example"})"});
  auto counts = store_->CountMessages("brand", "c1");
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->sent, 1);
}

TEST_F(EngineTest, DoesNotAskTheFactoryForAChannelTheBrandHasNotConfigured) {
  AddUser(R"({"userId":"ann","mobile":"+919899999991","sms_opt_in":1})");
  Schedule("c2", "sms", R"({"user_ids":["ann"]})", R"({"text":"Hi"})");
  Engine engine(*store_, clock_, links_, channels_, Quick());
  engine.Start();
  EXPECT_EQ(WaitUntilSent("c2"), store::kCampaignSent);
  engine.Stop();

  EXPECT_TRUE(sent_.channels.empty());
  EXPECT_TRUE(sent_.messages.empty());
  auto counts = store_->CountMessages("brand", "c2");
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->failed, 1) << "refused: the sms channel is not configured";
}

}  // namespace
}  // namespace cdp::campaigns
