// Store conformance: campaigns, their claims by sending nodes, and per-recipient messages.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "store/store_conformance.h"

namespace cdp::store::conformance {
namespace {

class StoreCampaigns : public StoreTest {
 protected:
  static Campaign Draft(std::string brand, std::string id) {
    Campaign c;
    c.brand_id = std::move(brand);
    c.id = std::move(id);
    c.name = "n";
    c.channel = "email";
    c.target = R"({"user_ids":["a"]})";
    c.content = R"({"subject":"s","text":"t"})";
    c.status = std::string(kCampaignDraft);
    c.created_at = c.updated_at = kNow;
    return c;
  }
  static Message Queued(int64_t profile_id, int64_t due = kNow) {
    Message m;
    m.profile_id = profile_id;
    m.user_id = "u" + std::to_string(profile_id);
    m.status = std::string(kMessageQueued);
    m.address = m.user_id + "@x.test";
    m.next_attempt_at = due;
    m.updated_at = kNow;
    return m;
  }
  // A draft campaign of brand-a with one message sent at kNow to each user (who must exist).
  void SentTo(std::string_view campaign, const std::vector<std::string>& users) {
    ASSERT_TRUE(store_->CreateCampaign(Draft("brand-a", std::string(campaign))).ok());
    std::vector<Message> sent;
    for (const auto& u : users) {
      sent.push_back(Queued(Get("brand-a", UserKey(u)).id));
      sent.back().status = std::string(kMessageSent);
    }
    ASSERT_TRUE(store_->AddMessages("brand-a", campaign, sent).ok());
  }
  std::vector<std::string> Claim(std::string_view node, int64_t now) {
    auto claimed = store_->ClaimCampaigns(node, now, now + 30'000'000);
    EXPECT_TRUE(claimed.ok()) << claimed.status().message();
    std::vector<std::string> ids;
    if (claimed.ok())
      for (const auto& c : *claimed) ids.push_back(c.id);
    return ids;
  }
};

TEST_P(StoreCampaigns, SavesOnlyFromTheExpectedStatus) {
  Campaign c = Draft("brand-a", "c1");
  ASSERT_TRUE(store_->CreateCampaign(c).ok());
  c.status = std::string(kCampaignSending);
  c.send_at = kNow;
  ASSERT_TRUE(store_->SaveCampaign(c, {kCampaignDraft, kCampaignScheduled}).ok());
  c.status = std::string(kCampaignScheduled);
  Status again = store_->SaveCampaign(c, {kCampaignDraft, kCampaignScheduled});
  EXPECT_EQ(again.code(), Code::kFailedPrecondition);
  EXPECT_EQ(again.message(), "campaign 'c1' is sending");
  auto stored = store_->GetCampaign("brand-a", "c1");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->status, kCampaignSending);
  EXPECT_EQ(stored->send_at, kNow);
  EXPECT_EQ(store_->GetCampaign("brand-b", "c1").status().code(), Code::kNotFound);
  EXPECT_EQ(store_->SaveCampaign(Draft("brand-b", "c1"), {kCampaignDraft}).code(), Code::kNotFound);
}

TEST_P(StoreCampaigns, ClaimsDueWorkOnceAndHoldsItForTheLease) {
  Campaign due = Draft("brand-a", "due");
  due.status = std::string(kCampaignScheduled);
  due.send_at = kNow - 1;
  Campaign later = Draft("brand-b", "later");
  later.status = std::string(kCampaignScheduled);
  later.send_at = kNow + 60'000'000;
  ASSERT_TRUE(store_->CreateCampaign(due).ok());
  ASSERT_TRUE(store_->CreateCampaign(later).ok());
  ASSERT_TRUE(store_->CreateCampaign(Draft("brand-a", "draft")).ok());

  EXPECT_EQ(Claim("n1", kNow), std::vector<std::string>{"due"});
  EXPECT_EQ(store_->GetCampaign("brand-a", "due")->status, kCampaignSending);
  EXPECT_EQ(store_->GetCampaign("brand-a", "due")->started_at, kNow);
  EXPECT_TRUE(Claim("n2", kNow + 1'000'000).empty()) << "n1's lease still holds";
  EXPECT_EQ(Claim("n1", kNow + 1'000'000), std::vector<std::string>{"due"}) << "renewed";
  EXPECT_EQ(Claim("n2", kNow + 32'000'000), std::vector<std::string>{"due"}) << "expired";
  auto both = Claim("n2", kNow + 61'000'000);
  std::sort(both.begin(), both.end());
  EXPECT_EQ(both, (std::vector<std::string>{"due", "later"}));
}

TEST_P(StoreCampaigns, KeepsOneMessagePerRecipientAndCountsThem) {
  ASSERT_TRUE(store_->CreateCampaign(Draft("brand-a", "c")).ok());
  ASSERT_TRUE(store_->AddMessages("brand-a", "c", {Queued(1), Queued(2), Queued(3)}).ok());
  Message sent = Queued(1);
  sent.status = std::string(kMessageSent);
  sent.attempts = 1;
  ASSERT_TRUE(store_->RecordMessages("brand-a", "c", {sent}).ok());
  // A resumed run adding the same recipients again changes nothing.
  ASSERT_TRUE(store_->AddMessages("brand-a", "c", {Queued(1), Queued(2), Queued(4)}).ok());
  auto counts = store_->CountMessages("brand-a", "c");
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->sent, 1);
  EXPECT_EQ(counts->queued, 3);
  EXPECT_EQ(counts->targeted(), 4);
  EXPECT_EQ(store_->CountMessages("brand-b", "c")->targeted(), 0);
}

TEST_P(StoreCampaigns, HandsOutDueMessagesWithTheirProfiles) {
  Put("brand-a", User("u1"));
  const int64_t id = Get("brand-a", UserKey("u1")).id;
  ASSERT_TRUE(store_->CreateCampaign(Draft("brand-a", "c")).ok());
  ASSERT_TRUE(
      store_
          ->AddMessages("brand-a", "c",
                        {Queued(id, kNow + 5), Queued(-1, kNow), Queued(id + 1000, kNow + 99)})
          .ok());
  auto pending = store_->PendingMessages("brand-a", "c", kNow + 10, 10);
  ASSERT_TRUE(pending.ok()) << pending.status().message();
  ASSERT_EQ(pending->size(), 2u);
  EXPECT_EQ((*pending)[0].message.profile_id, -1);  // due first
  EXPECT_FALSE((*pending)[0].profile.has_value());
  EXPECT_EQ((*pending)[1].message.profile_id, id);
  ASSERT_TRUE((*pending)[1].profile.has_value());
  EXPECT_EQ((*pending)[1].profile->user_id, "u1");
  EXPECT_EQ(store_->PendingMessages("brand-a", "c", kNow + 100, 1)->size(), 1u);
}

TEST_P(StoreCampaigns, CancellingSkipsTheQueuedMessages) {
  Campaign c = Draft("brand-a", "c");
  c.status = std::string(kCampaignSending);
  ASSERT_TRUE(store_->CreateCampaign(c).ok());
  Message sent = Queued(1);
  sent.status = std::string(kMessageSent);
  ASSERT_TRUE(store_->AddMessages("brand-a", "c", {sent, Queued(2), Queued(3)}).ok());
  c.status = std::string(kCampaignCancelled);
  ASSERT_TRUE(store_->SaveCampaign(c, {kCampaignSending}).ok());
  auto counts = store_->CountMessages("brand-a", "c");
  EXPECT_EQ(counts->sent, 1);
  EXPECT_EQ(counts->skipped, 2);
  EXPECT_TRUE(store_->PendingMessages("brand-a", "c", kNow, 10)->empty());
}

TEST_P(StoreCampaigns, KeepsChannelSettingsPerBrand) {
  ASSERT_TRUE(store_->PutChannel("brand-a", "email", R"({"host":"a"})", kNow).ok());
  ASSERT_TRUE(store_->PutChannel("brand-a", "email", R"({"host":"b"})", kNow).ok());
  EXPECT_EQ(*store_->GetChannel("brand-a", "email").value(), R"({"host":"b"})");
  EXPECT_FALSE(store_->GetChannel("brand-b", "email")->has_value());
  EXPECT_FALSE(store_->GetChannel("brand-a", "sms")->has_value());
  Reopen();
  EXPECT_EQ(*store_->GetChannel("brand-a", "email").value(), R"({"host":"b"})");
}

TEST_P(StoreCampaigns, RecordsFeedbackWithItsEffectsOnTheMessageAndTheRecipient) {
  for (const char* u : {"u1", "u2", "u3"}) {
    auto patch = User(u);
    patch[profiles::Field::kEmailOptIn] = boost::json::value(1);
    Put("brand-a", patch);
  }
  SentTo("c", {"u1", "u2", "u3"});
  auto id = [&](const char* u) { return Get("brand-a", UserKey(u)).id; };
  auto record = [&](const char* u, std::string_view kind, std::string detail = "") {
    return store_->RecordFeedback("brand-a", {"c", id(u), std::string(kind), detail, kNow + 1});
  };
  auto opt_in = [&](const char* u) {
    return Get("brand-a", UserKey(u))[profiles::Field::kEmailOptIn];
  };
  ASSERT_TRUE(record("u1", kFeedbackOpen).ok());
  ASSERT_TRUE(record("u1", kFeedbackOpen).ok());
  ASSERT_TRUE(record("u1", kFeedbackClick, "https://a.test/").ok());
  ASSERT_TRUE(record("u2", kFeedbackClick, "https://a.test/").ok());
  ASSERT_TRUE(record("u2", kFeedbackClick, "https://b.test/").ok());
  ASSERT_TRUE(record("u2", kFeedbackBounce, "5.1.1").ok());
  ASSERT_TRUE(record("u3", kFeedbackUnsubscribe).ok());
  EXPECT_EQ(opt_in("u1"), 1);
  EXPECT_EQ(opt_in("u2"), 2);
  EXPECT_EQ(opt_in("u3"), 0);
  // Another brand, or a recipient the campaign never had: nothing to record.
  EXPECT_EQ(store_->RecordFeedback("brand-b", {"c", id("u1"), "open", "", kNow}).code(),
            Code::kNotFound);
  EXPECT_EQ(store_->RecordFeedback("brand-a", {"c", id("u1") + 1000, "open", "", kNow}).code(),
            Code::kNotFound);

  auto a = store_->GetCampaignActivity("brand-a", "c", std::nullopt, 1);
  ASSERT_TRUE(a.ok()) << a.status().message();
  std::map<std::string, int64_t> by_delivery;
  for (const auto& m : a->messages) by_delivery[m.status + "/" + m.delivery] += m.count;
  EXPECT_EQ(by_delivery, (std::map<std::string, int64_t>{{"sent/", 2}, {"sent/bounced", 1}}));
  std::map<std::string, std::pair<int64_t, int64_t>> kinds;
  for (const auto& k : a->feedback) kinds[k.kind] = {k.total, k.unique};
  EXPECT_EQ(kinds,
            (std::map<std::string, std::pair<int64_t, int64_t>>{
                {"open", {2, 1}}, {"click", {3, 2}}, {"bounce", {1, 1}}, {"unsubscribe", {1, 1}}}));
  ASSERT_EQ(a->top_links.size(), 1u);
  EXPECT_EQ(a->top_links[0].url, "https://a.test/");
  EXPECT_EQ(a->top_links[0].total, 2);
  EXPECT_EQ(a->top_links[0].unique, 2);
}

TEST_P(StoreCampaigns, CountsConversionsWithinTheWindowAfterTheSend) {
  Put("brand-a", User("u1"));
  Put("brand-a", User("u2"));
  Put("brand-a", User("u3"));
  SentTo("c", {"u1", "u2", "u3"});
  const int64_t day = 86'400'000'000;
  Append("brand-a", {MakeEvent(User("u1"), "buy", kNow + day),       // inside
                     MakeEvent(User("u1"), "buy", kNow + 2 * day),   // the same user again
                     MakeEvent(User("u2"), "buy", kNow - 1),         // before the send
                     MakeEvent(User("u3"), "buy", kNow + 8 * day),   // after the window
                     MakeEvent(User("u3"), "browse", kNow + day)});  // another event
  Append("brand-b", {MakeEvent(User("u2"), "buy", kNow + day)});     // another brand
  auto a = store_->GetCampaignActivity("brand-a", "c", Conversion{"buy", 7 * day}, 10);
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->conversions, 1);
}

TEST_P(StoreCampaigns, TimelineBucketsStatusesAndFeedback) {
  Put("brand-a", User("u1"));
  const int64_t id = Get("brand-a", UserKey("u1")).id;
  const int64_t hour = 3'600'000'000;
  const int64_t t0 = kNow / hour * hour;
  ASSERT_TRUE(store_->CreateCampaign(Draft("brand-a", "c")).ok());
  ASSERT_TRUE(store_->CreateCampaign(Draft("brand-a", "d")).ok());
  Message m = Queued(id);
  m.status = std::string(kMessageSent);
  m.updated_at = t0 + 10;
  Message skipped = Queued(-1);
  skipped.status = std::string(kMessageSkipped);
  skipped.updated_at = t0 + hour + 5;
  ASSERT_TRUE(store_->AddMessages("brand-a", "c", {m, skipped}).ok());
  ASSERT_TRUE(store_->AddMessages("brand-a", "d", {m}).ok());
  ASSERT_TRUE(store_->RecordFeedback("brand-a", {"c", id, "open", "", t0 + hour + 1}).ok());
  ASSERT_TRUE(store_->RecordFeedback("brand-a", {"c", id, "open", "", t0 + 2 * hour}).ok());

  auto points = store_->GetTimeline("brand-a", "c", t0, t0 + 2 * hour, hour);
  ASSERT_TRUE(points.ok()) << points.status().message();
  std::vector<std::tuple<int64_t, std::string, int64_t>> got;
  for (const auto& p : *points) got.emplace_back(p.bucket, p.kind, p.count);
  EXPECT_EQ(got, (std::vector<std::tuple<int64_t, std::string, int64_t>>{
                     {t0, "sent", 1}, {t0 + hour, "open", 1}, {t0 + hour, "skipped", 1}}));
  auto all = store_->GetTimeline("brand-a", "", t0, t0 + hour, hour);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].count, 2) << "campaigns c and d";
  EXPECT_TRUE(store_->GetTimeline("brand-b", "", t0, t0 + hour, hour)->empty());
}

TEST_P(StoreCampaigns, KeepsTheFirstSecretOfAName) {
  EXPECT_EQ(store_->GetOrCreateSecret("k", "first").value(), "first");
  EXPECT_EQ(store_->GetOrCreateSecret("k", "second").value(), "first");
  Reopen();
  EXPECT_EQ(store_->GetOrCreateSecret("k", "third").value(), "first");
  EXPECT_EQ(store_->GetOrCreateSecret("other", "x").value(), "x");
}

INSTANTIATE_CONFORMANCE(StoreCampaigns);

}  // namespace
}  // namespace cdp::store::conformance
