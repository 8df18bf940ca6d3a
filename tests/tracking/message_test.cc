#include "tracking/message.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/time.h"
#include "profiles/profile.h"

namespace cdp::tracking {
namespace {

namespace json = boost::json;
using profiles::Field;

constexpr int64_t kNow = 1'780'000'000'000'000;  // received_at

Result<Message> Parse(std::string_view text, Type type,
                      std::optional<int64_t> batch_sent_at = std::nullopt) {
  json::value v = json::parse(text);
  return ParseMessage(v.as_object(), type, kNow, batch_sent_at, text.size());
}

int64_t At(std::string_view iso) { return ParseTimestamp(iso)->micros; }

TEST(TrackingMessage, IdentifyMapsStandardTraitsAndKeepsTheRestAsCustom) {
  auto m = Parse(R"({"userId":"u1","anonymousId":"a1","traits":{"email":"ada@example.com",
      "firstName":"Ada","last_name":"Lovelace","company":{"name":"Analytical"},
      "birthday":"1815-12-10T00:00:00.000Z","plan":"pro","seats":3}})",
                 Type::kIdentify);
  ASSERT_TRUE(m.ok()) << m.status().message();
  const auto& who = m->event.profile;
  EXPECT_TRUE(m->event.name.empty());  // a profile write only
  EXPECT_EQ(*who.user_id, "u1");
  EXPECT_EQ(*who.anonymous_id, "a1");
  EXPECT_EQ(who[Field::kEmail]->as_string(), "ada@example.com");
  EXPECT_EQ(who[Field::kFirstName]->as_string(), "Ada");
  EXPECT_EQ(who[Field::kLastName]->as_string(), "Lovelace");
  EXPECT_EQ(who[Field::kCompany]->as_string(), "Analytical");
  EXPECT_EQ(who[Field::kBirthDate]->as_string(), "1815-12-10");
  EXPECT_EQ(who.attributes.at("plan").as_string(), "pro");
  EXPECT_EQ(who.attributes.at("seats").as_int64(), 3);
  EXPECT_TRUE(m->event.has_profile_fields);
  EXPECT_TRUE(m->dropped.empty());
}

TEST(TrackingMessage, AnInvalidStandardTraitIsDroppedWithItsReasonAndTheRestKept) {
  auto m = Parse(R"({"userId":"u1","traits":{"email":"not an email","phone":"+14155550100",
      "name":"Ada"}})",
                 Type::kIdentify);
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_FALSE(m->event.profile[Field::kEmail].has_value());
  EXPECT_EQ(m->event.profile[Field::kMobile]->as_string(), "+14155550100");
  EXPECT_EQ(m->event.profile[Field::kName]->as_string(), "Ada");
  ASSERT_EQ(m->dropped.size(), 1u);
  EXPECT_NE(m->dropped[0].find("traits.email"), std::string::npos) << m->dropped[0];
}

TEST(TrackingMessage, TrackKeepsPropertiesContextAndAnExplicitTimestamp) {
  auto m = Parse(R"({"type":"track","userId":"u1","event":"Order Completed","messageId":"m-1",
      "properties":{"revenue":42.5,"currency":"EUR"},
      "context":{"ip":"203.0.113.9","library":{"name":"analytics.js","version":"2"}},
      "timestamp":"2026-05-01T12:00:00.000Z","originalTimestamp":"2020-01-01T00:00:00Z"})",
                 Type::kTrack);
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->event.name, "Order Completed");
  EXPECT_EQ(*m->event.message_id, "m-1");
  EXPECT_EQ(m->event.time, At("2026-05-01T12:00:00Z"));
  auto attrs = json::parse(m->event.attributes_json).as_object();
  EXPECT_EQ(attrs.at("currency").as_string(), "EUR");
  EXPECT_NE(m->event.context_json.find("203.0.113.9"), std::string::npos);
  EXPECT_EQ(m->event.sdk_id, 1);
  EXPECT_FALSE(m->event.has_profile_fields);
}

TEST(TrackingMessage, WithoutTimestampTheDeviceClockIsCorrectedBySentAt) {
  // The device's clock is an hour behind: it sent at 11:00:05 what happened at 11:00:00.
  const int64_t received = kNow;
  auto m = Parse(R"({"userId":"u1","event":"e","originalTimestamp":"2026-05-01T11:00:00Z",
      "sentAt":"2026-05-01T11:00:05Z"})",
                 Type::kTrack);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->event.time, received - 5'000'000);
  // The batch's sentAt stands in for a message's own.
  auto b = Parse(R"({"userId":"u1","event":"e","originalTimestamp":"2026-05-01T11:00:00Z"})",
                 Type::kTrack, At("2026-05-01T11:00:02Z"));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->event.time, received - 2'000'000);
  // Nothing to go by: the time it arrived.
  auto n = Parse(R"({"userId":"u1","event":"e"})", Type::kTrack);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->event.time, received);
}

TEST(TrackingMessage, ATimeMoreThanADayAheadIsClampedToReceipt) {
  auto m = Parse(R"({"userId":"u1","event":"e","timestamp":"2099-01-01T00:00:00Z"})",
                 Type::kTrack);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->event.time, kNow);
  EXPECT_TRUE(m->event.clamped);
}

TEST(TrackingMessage, PageAndScreenAreEventsWithTheirNameAndCategory) {
  auto p = Parse(R"({"anonymousId":"a1","name":"Pricing","category":"Docs",
      "properties":{"path":"/pricing"}})",
                 Type::kPage);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->event.name, "page");
  auto attrs = json::parse(p->event.attributes_json).as_object();
  EXPECT_EQ(attrs.at("name").as_string(), "Pricing");
  EXPECT_EQ(attrs.at("category").as_string(), "Docs");
  EXPECT_EQ(attrs.at("path").as_string(), "/pricing");
  auto s = Parse(R"({"userId":"u1","name":"Home"})", Type::kScreen);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->event.name, "screen");
}

TEST(TrackingMessage, GroupSetsTheProfilesGroupAndKeepsItsTraits) {
  auto g = Parse(R"({"userId":"u1","groupId":"acme","traits":{"plan":"enterprise"}})",
                 Type::kGroup);
  ASSERT_TRUE(g.ok());
  EXPECT_TRUE(g->event.name.empty());
  EXPECT_EQ(g->event.profile.attributes.at("groupId").as_string(), "acme");
  EXPECT_EQ(g->event.profile.attributes.at("groupTraits").at("plan").as_string(), "enterprise");
  EXPECT_FALSE(Parse(R"({"userId":"u1"})", Type::kGroup).ok());
}

TEST(TrackingMessage, AliasMergesPreviousIdIntoUserId) {
  auto a = Parse(R"({"userId":"u1","previousId":"a-old"})", Type::kAlias);
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->event.name.empty());
  EXPECT_EQ(*a->event.profile.user_id, "u1");
  EXPECT_EQ(*a->event.profile.anonymous_id, "a-old");
  EXPECT_FALSE(Parse(R"({"userId":"u1"})", Type::kAlias).ok());
}

TEST(TrackingMessage, InvalidMessagesNameWhatIsWrong) {
  auto none = Parse(R"({"event":"e"})", Type::kTrack);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("userId or an anonymousId"), std::string::npos);
  EXPECT_FALSE(Parse(R"({"userId":"u1"})", Type::kTrack).ok());  // no event name
  EXPECT_FALSE(Parse(R"({"userId":"u1","event":""})", Type::kTrack).ok());
  std::string big = R"({"userId":"u1","event":"e","properties":{"p":")" +
                    std::string(kMaxMessageBytes, 'x') + R"("}})";
  auto too_big = Parse(big, Type::kTrack);
  ASSERT_FALSE(too_big.ok());
  EXPECT_NE(too_big.status().message().find("at most"), std::string::npos);
}

TEST(TrackingMessage, NumericIdsAreTakenAsText) {
  auto m = Parse(R"({"userId":42,"event":"e"})", Type::kTrack);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(*m->event.profile.user_id, "42");
}

TEST(TrackingMessage, TypesByName) {
  for (Type t : {Type::kIdentify, Type::kTrack, Type::kPage, Type::kScreen, Type::kGroup,
                 Type::kAlias})
    EXPECT_EQ(TypeNamed(NameOf(t)), t);
  EXPECT_FALSE(TypeNamed("Track").has_value());
}

}  // namespace
}  // namespace cdp::tracking
