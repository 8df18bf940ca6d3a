#include "core/time.h"

#include <gtest/gtest.h>

namespace cdp {
namespace {

int64_t Micros(const char* text) {
  auto t = ParseTimestamp(text);
  EXPECT_TRUE(t.has_value()) << text;
  return t ? t->micros : 0;
}

TEST(TimestampParser, ReadsABareDateAsMidnightUtc) {
  auto t = ParseTimestamp("2022-03-01");
  ASSERT_TRUE(t);
  EXPECT_TRUE(t->date_only);
  EXPECT_EQ(FormatTimestamp(t->micros), "2022-03-01T00:00:00Z");
}

TEST(TimestampParser, AcceptsTheSeedsOffsetWithoutSecondsOrColon) {
  EXPECT_EQ(FormatTimestamp(Micros("2013-01-26T07:31+0000")), "2013-01-26T07:31:00Z");
}

TEST(TimestampParser, ShiftsOffsetsToUtc) {
  EXPECT_EQ(FormatTimestamp(Micros("1986-08-19T15:45:00-0800")), "1986-08-19T23:45:00Z");
  EXPECT_EQ(FormatTimestamp(Micros("2013-01-26T13:01:15+05:30")), "2013-01-26T07:31:15Z");
  EXPECT_EQ(FormatTimestamp(Micros("2013-01-26T08:31:15+01")), "2013-01-26T07:31:15Z");
}

TEST(TimestampParser, AcceptsASpaceSeparatorAndZ) {
  EXPECT_EQ(Micros("2022-03-01 10:00:00"), Micros("2022-03-01T10:00:00Z"));
}

TEST(TimestampParser, KeepsFractionalSeconds) {
  EXPECT_EQ(FormatTimestamp(Micros("2013-01-26T07:31:15.25Z")), "2013-01-26T07:31:15.250Z");
}

TEST(TimestampParser, RejectsImpossibleDatesTimesAndTrailingText) {
  for (const char* bad : {"2023-02-30", "2022-13-01", "2022-03-01T24:00", "2022-03-01T10:60",
                          "26/01/2013", "2022-03-01T10:00:00Zjunk", "", "2022-3-1"})
    EXPECT_FALSE(ParseTimestamp(bad)) << bad;
}

TEST(TimestampParser, KnowsLeapYears) {
  EXPECT_TRUE(ParseTimestamp("2024-02-29"));
  EXPECT_TRUE(ParseTimestamp("2000-02-29"));
  EXPECT_FALSE(ParseTimestamp("1900-02-29"));
  EXPECT_FALSE(ParseTimestamp("2023-02-29"));
}

TEST(TimestampFormatter, PrintsMillisecondsOnlyWhenThereAreSome) {
  EXPECT_EQ(FormatTimestamp(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatTimestamp(1500), "1970-01-01T00:00:00.001Z");
}

}  // namespace
}  // namespace cdp
