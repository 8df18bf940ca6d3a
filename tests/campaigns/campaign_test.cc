#include "campaigns/campaign.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace cdp::campaigns {
namespace {

namespace json = boost::json;

TEST(MessageId, RoundTripsWithOrWithoutAngleBrackets) {
  EXPECT_EQ(MessageId("cmp_ab", 42), "cmp_ab.42@cdp");
  for (const char* id : {"cmp_ab.42@cdp", "<cmp_ab.42@cdp>", " <cmp_ab.42@cdp> "}) {
    auto key = ParseMessageId(id);
    ASSERT_TRUE(key.has_value()) << id;
    EXPECT_EQ(key->campaign_id, "cmp_ab");
    EXPECT_EQ(key->profile_id, 42);
  }
  for (const char* bad : {"", "cmp_ab@cdp", "cmp_ab.@cdp", ".42@cdp", "cmp_ab.4x@cdp",
                          "cmp_ab.42@example.com", "<cmp_ab.42@cdp"})
    EXPECT_FALSE(ParseMessageId(bad).has_value()) << bad;
}

TEST(Options, DefaultsAndRoundTrip) {
  auto none = ParseOptions(json::object{});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->tracking);
  EXPECT_FALSE(none->conversion_event.has_value());
  auto full = ParseOptions(
      json::parse(R"({"tracking":false,"conversion":{"event_name":"buy","within_days":3}})"));
  ASSERT_TRUE(full.ok()) << full.status().message();
  EXPECT_EQ(OptionsToJson(*full),
            json::parse(R"({"tracking":false,"conversion":{"event_name":"buy","within_days":3}})"));
  EXPECT_EQ(ParseOptions(json::parse(R"({"conversion":{"event_name":"buy"}})"))->conversion_days,
            7);
}

TEST(Options, NamesWhatIsWrong) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"tracking":"yes"})", "tracking: must be true or false"},
      {R"({"conversion":"buy"})", "conversion: must be null or"},
      {R"({"conversion":{}})", "conversion.event_name: must be"},
      {R"({"conversion":{"event_name":"buy","within_days":0}})", "conversion.within_days: must"},
      {R"({"conversion":{"event_name":"buy","within_days":91}})", "conversion.within_days: must"},
      {R"({"conversion":{"event_name":"buy","days":1}})", "conversion: unknown field 'days'"},
  };
  for (const auto& [doc, message] : cases) {
    auto o = ParseOptions(json::parse(doc));
    ASSERT_FALSE(o.ok()) << doc;
    EXPECT_EQ(o.status().code(), Code::kInvalidArgument);
    EXPECT_TRUE(o.status().message().starts_with(message)) << o.status().message();
  }
}

}  // namespace
}  // namespace cdp::campaigns
