// campaigns::Engine with a channel factory of the test's own: what a campaign sends reaches
// the senders the factory made, rendered for each recipient, and is recorded as sent.
#include "campaigns/engine.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <chrono>
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

#include "campaigns/tracking.h"
#include "core/clock.h"
#include "delivery/channel.h"
#include "store/sqlite/sqlite_store.h"

namespace cdp::campaigns {
namespace {

// Records every message its senders are given, and the channels it was asked for.
class CapturingFactory final : public delivery::ChannelFactory {
 public:
  Result<delivery::Channel> Make(std::string_view name, const boost::json::object& settings,
                                 const delivery::VapidKeysSource&) const override {
    std::lock_guard lock(mu_);
    asked_.emplace_back(name);
    settings_ = boost::json::serialize(settings);
    delivery::Channel channel;
    channel.pace.connections = 1;
    channel.make_sender = [this] { return std::make_unique<CapturingSender>(*this); };
    return channel;
  }

  std::vector<delivery::Outgoing> sent() const {
    std::lock_guard lock(mu_);
    return sent_;
  }
  std::vector<std::string> asked() const {
    std::lock_guard lock(mu_);
    return asked_;
  }
  std::string settings() const {
    std::lock_guard lock(mu_);
    return settings_;
  }

 private:
  class CapturingSender final : public delivery::Sender {
   public:
    explicit CapturingSender(const CapturingFactory& f) : f_(f) {}
    delivery::Delivery Send(const delivery::Outgoing& m) override {
      std::lock_guard lock(f_.mu_);
      f_.sent_.push_back(m);
      return {delivery::Delivery::Outcome::kSent, "250 ok"};
    }

   private:
    const CapturingFactory& f_;
  };

  mutable std::mutex mu_;
  mutable std::vector<delivery::Outgoing> sent_;
  mutable std::vector<std::string> asked_;
  mutable std::string settings_;
};

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("cdp-engine-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    store::SqliteOptions options;
    options.data_dir = dir_.string();
    auto opened = store::OpenSqliteStore(options);
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    store_ = std::move(opened).value();
    const int64_t now = clock_.NowMicros();
    store::ApiKey key;
    key.brand_id = "b1";
    key.prefix = "k";
    key.hash = "h";
    key.created_at = now;
    store::AuditEntry audit;
    audit.at = now;
    audit.actor = "test";
    audit.action = "brand.create";
    ASSERT_TRUE(store_->CreateBrand({"b1", "Brand", now}, key, audit).ok());
    ASSERT_TRUE(store_->PutChannel("b1", "email", R"({"host":"smtp.test"})", now).ok());
    std::vector<store::ProfileWrite> writes(1);
    writes[0].patch.user_id = "u1";
    writes[0].patch[profiles::Field::kEmail] = "ada@example.com";
    writes[0].patch[profiles::Field::kFirstName] = "Ada";
    writes[0].patch[profiles::Field::kEmailOptIn] = 1;
    auto upserted = store_->UpsertProfiles("b1", std::move(writes), now);
    ASSERT_TRUE(upserted.ok() && (*upserted)[0].ok());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::filesystem::path dir_;
  SystemClock clock_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(EngineTest, SendsThroughTheSendersOfTheFactoryItIsHanded) {
  const int64_t now = clock_.NowMicros();
  store::Campaign c;
  c.brand_id = "b1";
  c.id = "cmp_1";
  c.name = "hello";
  c.channel = "email";
  c.target = R"({"user_ids":["u1"]})";
  c.content = R"({"subject":"Hi {{firstName}}","text":"Hello","from":"news@brand.test"})";
  c.options = R"({"tracking":false})";
  c.status = std::string(store::kCampaignSending);
  c.send_at = now;
  c.created_at = c.updated_at = now;
  ASSERT_TRUE(store_->CreateCampaign(c).ok());

  const Links links("0123456789abcdef0123456789abcdef", "http://127.0.0.1:1");
  CapturingFactory factory;
  EngineOptions options;
  options.poll = std::chrono::milliseconds(20);
  Engine engine(*store_, clock_, links, factory, options);
  engine.Start();
  store::MessageCounts counts;
  for (int i = 0; i < 500 && counts.sent == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    auto got = store_->CountMessages("b1", "cmp_1");
    ASSERT_TRUE(got.ok());
    counts = *got;
  }
  engine.Stop();

  EXPECT_EQ(counts.sent, 1);
  EXPECT_EQ(factory.asked(), std::vector<std::string>{"email"});
  EXPECT_EQ(factory.settings(), R"({"host":"smtp.test"})");
  auto sent = factory.sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].to, "ada@example.com");
  EXPECT_EQ(sent[0].subject, "Hi Ada");
  EXPECT_EQ(sent[0].from, "news@brand.test");
}

}  // namespace
}  // namespace cdp::campaigns
