#include "events/event_input.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/time.h"

namespace cdp::events {
namespace {

namespace json = boost::json;
constexpr int64_t kNow = 1700000000LL * 1000000;

Result<Event> Parse(const char* text) { return ParseEvent(json::parse(text).as_object(), kNow); }

TEST(EventInput, UsesTheServerTimeWhenNoneIsSent) {
  auto e = Parse(R"({"userId":"u","event_name":"x"})");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->time, kNow);
  EXPECT_FALSE(e->clamped);
}

TEST(EventInput, ClampsTimesMoreThanADayAhead) {
  auto e = Parse(R"({"userId":"u","event_name":"x","event_time":"2099-01-01T00:00:00Z"})");
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(e->clamped);
  EXPECT_EQ(e->time, kNow);
  auto soon = ParseEvent(json::object{{"userId", "u"},
                                      {"event_name", "x"},
                                      {"event_time", FormatTimestamp(kNow + 3600LL * 1000000)}},
                         kNow);
  ASSERT_TRUE(soon.ok());
  EXPECT_FALSE(soon->clamped);
}

TEST(EventInput, ExplainsEachRejection) {
  EXPECT_EQ(Parse(R"({"userId":"u"})").status().message(),
            "event_name: required, a non-empty string");
  EXPECT_EQ(Parse(R"({"event_name":"x"})").status().message(),
            "Error: userId and anonymousId cannot be empty.");
  EXPECT_NE(
      Parse(R"({"userId":"u","event_name":"x","sdk_id":4})").status().message().find("sdk_id"),
      std::string::npos);
  EXPECT_NE(Parse(R"({"userId":"u","event_name":"x","ltv":"1"})").status().message().find("ltv"),
            std::string::npos);
  EXPECT_NE(Parse(R"({"userId":"u","event_name":"x","colour":"red"})")
                .status()
                .message()
                .find("unknown field"),
            std::string::npos);
  EXPECT_NE(Parse(R"({"userId":"u","event_name":"x","context":{"page":"home"}})")
                .status()
                .message()
                .find("context.page"),
            std::string::npos);
  std::string long_name(50, 'e');
  EXPECT_FALSE(ParseEvent(json::object{{"userId", "u"}, {"event_name", long_name}}, kNow).ok());
}

TEST(EventInput, CarriesUserParamsAsProfileFields) {
  auto e = Parse(
      R"({"userId":"u","event_name":"x","user_params":{"name":"Ann","mobile":"+919899999999"}})");
  ASSERT_TRUE(e.ok()) << e.status().message();
  EXPECT_TRUE(e->has_profile_fields);
  EXPECT_EQ(e->profile[profiles::Field::kName], json::value("Ann"));
}

Result<UserEventParts> Split(const char* text) {
  return SplitUserEvent(json::parse(text).as_object());
}

TEST(UserEventSplit, TakesTheNestedFormAsItsTwoObjects) {
  auto p = Split(R"({"user":{"userId":"u","email":"a@b.c"},"event":{"event_name":"x"}})");
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_FALSE(p->flat);
  EXPECT_EQ(p->user, json::parse(R"({"userId":"u","email":"a@b.c"})").as_object());
  EXPECT_EQ(p->event, json::parse(R"({"event_name":"x"})").as_object());
}

TEST(UserEventSplit, SplitsTheFlatFormIntoUserAndEvent) {
  auto p =
      Split(R"({"userId":"u9","anonymous_id":"a-1","email":"x@y.z","first_name":"N","smsOptIn":1,)"
            R"("user_attributes":{"plan":"gold"},"event_name":"signup","event_time":"2024-01-01",)"
            R"("ltv":2,"messageId":"m","sdk_id":1,"attributes":{"source":"ad"},"context":{},)"
            R"("user_params":{"name":"N"}})");
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_TRUE(p->flat);
  EXPECT_EQ(p->user, json::parse(R"({"userId":"u9","anonymous_id":"a-1","email":"x@y.z",)"
                                 R"("first_name":"N","smsOptIn":1,)"
                                 R"("user_attributes":{"plan":"gold"}})")
                         .as_object());
  EXPECT_EQ(p->event, json::parse(R"({"event_name":"signup","event_time":"2024-01-01","ltv":2,)"
                                  R"("messageId":"m","sdk_id":1,"attributes":{"source":"ad"},)"
                                  R"("context":{},"user_params":{"name":"N"}})")
                          .as_object());
}

TEST(UserEventSplit, TakesEventAsAStringForTheEventName) {
  auto p = Split(R"({"userId":"u","event":"signup"})");
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_TRUE(p->flat);
  EXPECT_EQ(p->event, json::parse(R"({"event":"signup"})").as_object());
}

TEST(UserEventSplit, RefusesAnUnknownKeyInTheFlatFormByName) {
  EXPECT_EQ(Split(R"({"userId":"u","event_name":"x","plan":"gold"})").status().message(),
            "unknown field 'plan'; event attributes go inside \"attributes\", the user's custom "
            "attributes inside \"user_attributes\"");
}

TEST(UserEventSplit, RefusesAHalfNestedForm) {
  for (const char* body : {R"({"user":{"userId":"u"}})", R"({"event":{"event_name":"x"}})",
                           R"({"user":"u","event":{"event_name":"x"}})",
                           R"({"user":{"userId":"u"},"event":{},"ltv":1})",
                           R"({"userId":"u","event":{"event_name":"x"}})"}) {
    auto p = Split(body);
    ASSERT_FALSE(p.ok()) << body;
    EXPECT_EQ(p.status().code(), Code::kInvalidArgument);
    EXPECT_TRUE(p.status().message().starts_with("body must be {\"user\"")) << body;
  }
}

TEST(EventQuery, MakesABareEndDateInclusiveOfItsDay) {
  auto q = ParseEventQuery(
      json::parse(R"({"event_name":"x","start_date":"2022-03-01","end_date":"2022-03-31"})")
          .as_object(),
      kNow);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(FormatTimestamp(q->from), "2022-03-01T00:00:00Z");
  EXPECT_EQ(FormatTimestamp(q->to), "2022-04-01T00:00:00Z");
}

TEST(EventQuery, BoundsTheBatchSize) {
  EXPECT_FALSE(
      ParseEventQuery(json::parse(R"({"event_name":"x","batch_size":1001})").as_object(), kNow)
          .ok());
  EXPECT_FALSE(
      ParseEventQuery(json::parse(R"({"event_name":"x","batch_size":0})").as_object(), kNow).ok());
}

TEST(EventCursor, RoundTripsAndRejectsForgeries) {
  auto back = DecodeCursor(EncodeCursor(123456));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, 123456);
  EXPECT_FALSE(DecodeCursor("123").ok());
  EXPECT_FALSE(DecodeCursor("c1.zz").ok());
  EXPECT_FALSE(DecodeCursor("c1.ffffffffffffffff").ok());  // would overflow
}

}  // namespace
}  // namespace cdp::events
