// core/time: the timestamp forms the API accepts (ParseTimestamp) and the one it prints
// (FormatTimestamp).
#include "core/time.h"

#include <gtest/gtest.h>

#include <string>

namespace cdp {
namespace {

constexpr int64_t kMicrosPerDay = 86400LL * 1000000;

// The instant `text` names, printed back as UTC; "unparsed" when it is refused.
std::string AsUtc(const char* text) {
  auto t = ParseTimestamp(text);
  return t ? FormatTimestamp(t->micros) : "unparsed";
}

// --- Accepted forms -------------------------------------------------------------------

TEST(TimestampParser, ReadsABareDateAsMidnightUtc) {
  auto t = ParseTimestamp("2022-03-01");
  ASSERT_TRUE(t);
  EXPECT_TRUE(t->date_only);
  EXPECT_EQ(t->micros, DaysFromCivil(2022, 3, 1) * kMicrosPerDay);
  EXPECT_EQ(FormatTimestamp(t->micros), "2022-03-01T00:00:00Z");
}

TEST(TimestampParser, DoesNotMarkATimeOfDayAsDateOnly) {
  auto t = ParseTimestamp("2022-03-01T00:00");
  ASSERT_TRUE(t);
  EXPECT_FALSE(t->date_only);
}

TEST(TimestampParser, AcceptsHoursAndMinutesWithoutSeconds) {
  EXPECT_EQ(AsUtc("2022-03-01T10:05"), "2022-03-01T10:05:00Z");
}

TEST(TimestampParser, AcceptsSeconds) {
  EXPECT_EQ(AsUtc("2022-03-01T10:05:09"), "2022-03-01T10:05:09Z");
}

TEST(TimestampParser, AcceptsFractionalSeconds) {
  EXPECT_EQ(AsUtc("2013-01-26T07:31:15.25Z"), "2013-01-26T07:31:15.250Z");
}

TEST(TimestampParser, KeepsFractionsToTheMicrosecond) {
  auto t = ParseTimestamp("1970-01-01T00:00:00.123456Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->micros, 123456);
}

TEST(TimestampParser, TruncatesFractionDigitsBeyondMicroseconds) {
  auto t = ParseTimestamp("1970-01-01T00:00:00.1234569Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->micros, 123456);
}

TEST(TimestampParser, TreatsAMissingOffsetAsUtc) {
  EXPECT_EQ(ParseTimestamp("2022-03-01T10:00:00")->micros,
            ParseTimestamp("2022-03-01T10:00:00Z")->micros);
}

TEST(TimestampParser, AcceptsZ) {
  EXPECT_EQ(AsUtc("2022-03-01T10:00:00Z"), "2022-03-01T10:00:00Z");
}

TEST(TimestampParser, AcceptsALowerCaseZ) {
  EXPECT_EQ(AsUtc("2022-03-01T10:00:00z"), "2022-03-01T10:00:00Z");
}

TEST(TimestampParser, AcceptsTheSeedsOffsetWithoutSecondsOrColon) {
  EXPECT_EQ(AsUtc("2013-01-26T07:31+0000"), "2013-01-26T07:31:00Z");
}

TEST(TimestampParser, AcceptsAnOffsetWithAColon) {
  EXPECT_EQ(AsUtc("2013-01-26T13:01:15+05:30"), "2013-01-26T07:31:15Z");
}

TEST(TimestampParser, AcceptsAnOffsetOfWholeHours) {
  EXPECT_EQ(AsUtc("2013-01-26T08:31:15+01"), "2013-01-26T07:31:15Z");
}

TEST(TimestampParser, ShiftsANegativeOffsetForwardToUtc) {
  EXPECT_EQ(AsUtc("1986-08-19T15:45:00-0800"), "1986-08-19T23:45:00Z");
}

TEST(TimestampParser, CrossesMidnightWhenShiftingToUtc) {
  EXPECT_EQ(AsUtc("2022-12-31T23:30:00-0100"), "2023-01-01T00:30:00Z");
}

TEST(TimestampParser, KeepsTheCalendarDateAsWrittenBeforeTheOffset) {
  auto t = ParseTimestamp("2022-12-31T23:30:00-0100");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->year, 2022);
  EXPECT_EQ(t->month, 12);
  EXPECT_EQ(t->day, 31);
}

TEST(TimestampParser, AcceptsASpaceInsteadOfT) {
  EXPECT_EQ(AsUtc("2022-03-01 10:00:00"), "2022-03-01T10:00:00Z");
}

TEST(TimestampParser, ReadsDatesBeforeTheEpoch) {
  EXPECT_EQ(ParseTimestamp("1969-12-31T23:59:59Z")->micros, -1000000);
}

// --- Refused forms ---------------------------------------------------------------------

TEST(TimestampParser, RejectsFebruaryThirtieth) { EXPECT_FALSE(ParseTimestamp("2023-02-30")); }

TEST(TimestampParser, RejectsTheThirtyFirstOfApril) { EXPECT_FALSE(ParseTimestamp("2023-04-31")); }

TEST(TimestampParser, RejectsMonthThirteen) { EXPECT_FALSE(ParseTimestamp("2022-13-01")); }

TEST(TimestampParser, RejectsMonthZero) { EXPECT_FALSE(ParseTimestamp("2022-00-01")); }

TEST(TimestampParser, RejectsDayZero) { EXPECT_FALSE(ParseTimestamp("2022-01-00")); }

TEST(TimestampParser, RejectsYearZero) { EXPECT_FALSE(ParseTimestamp("0000-01-01")); }

TEST(TimestampParser, RejectsHourTwentyFour) { EXPECT_FALSE(ParseTimestamp("2022-03-01T24:00")); }

TEST(TimestampParser, RejectsMinuteSixty) { EXPECT_FALSE(ParseTimestamp("2022-03-01T10:60")); }

TEST(TimestampParser, RejectsSecondSixty) { EXPECT_FALSE(ParseTimestamp("2022-03-01T10:00:60")); }

TEST(TimestampParser, RejectsGarbage) { EXPECT_FALSE(ParseTimestamp("yesterday")); }

TEST(TimestampParser, RejectsAnEmptyString) { EXPECT_FALSE(ParseTimestamp("")); }

TEST(TimestampParser, RejectsDayFirstDates) { EXPECT_FALSE(ParseTimestamp("26/01/2013")); }

TEST(TimestampParser, RejectsUnpaddedMonthAndDay) { EXPECT_FALSE(ParseTimestamp("2022-3-1")); }

TEST(TimestampParser, RejectsTextAfterTheOffset) {
  EXPECT_FALSE(ParseTimestamp("2022-03-01T10:00:00Zjunk"));
}

TEST(TimestampParser, RejectsTextAfterADate) { EXPECT_FALSE(ParseTimestamp("2022-03-01 ")); }

TEST(TimestampParser, RejectsADateFollowedOnlyByT) { EXPECT_FALSE(ParseTimestamp("2022-03-01T")); }

TEST(TimestampParser, RejectsAnHourWithoutMinutes) {
  EXPECT_FALSE(ParseTimestamp("2022-03-01T10"));
}

TEST(TimestampParser, RejectsAnotherSeparatorThanTOrSpace) {
  EXPECT_FALSE(ParseTimestamp("2022-03-01X10:00"));
}

TEST(TimestampParser, RejectsADecimalPointWithoutDigits) {
  EXPECT_FALSE(ParseTimestamp("2022-03-01T10:00:00.Z"));
}

TEST(TimestampParser, RejectsAnIncompleteOffset) {
  EXPECT_FALSE(ParseTimestamp("2022-03-01T10:00:00+05:"));
}

TEST(TimestampParser, RejectsAnOffsetBeyondEighteenHours) {
  EXPECT_FALSE(ParseTimestamp("2022-03-01T10:00:00+19:00"));
}

TEST(TimestampParser, RejectsOffsetMinutesBeyondFiftyNine) {
  EXPECT_FALSE(ParseTimestamp("2022-03-01T10:00:00+05:60"));
}

// Found by fuzz/timestamp: such timestamps named instants in year 0 or 10000, which
// FormatTimestamp printed as text that this parser refuses ("10000-01-01T11:59:59.999Z").
TEST(TimestampParser, RejectsAnOffsetThatCarriesTheInstantBeforeYearOne) {
  EXPECT_FALSE(ParseTimestamp("0001-01-01T00:00:00+01:00"));
}

TEST(TimestampParser, RejectsAnOffsetThatCarriesTheInstantPastYear9999) {
  EXPECT_FALSE(ParseTimestamp("9999-12-31T23:59:59.9999-12"));
}

TEST(TimestampParser, AcceptsTheFirstAndLastInstantsItCanPrint) {
  EXPECT_EQ(AsUtc("0001-01-01T01:00:00+01:00"), "0001-01-01T00:00:00Z");
  EXPECT_EQ(AsUtc("9999-12-31T23:59:59.999999Z"), "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(AsUtc("9999-12-31T12:00:00-11:59"), "9999-12-31T23:59:00Z");
}

// --- Leap years ------------------------------------------------------------------------

TEST(TimestampParser, AcceptsFebruaryTwentyNinthOfALeapYear) {
  EXPECT_EQ(AsUtc("2024-02-29"), "2024-02-29T00:00:00Z");
}

TEST(TimestampParser, AcceptsFebruaryTwentyNinthOfACenturyDivisibleBy400) {
  EXPECT_EQ(AsUtc("2000-02-29"), "2000-02-29T00:00:00Z");
}

TEST(TimestampParser, RejectsFebruaryTwentyNinthOfACenturyNotDivisibleBy400) {
  EXPECT_FALSE(ParseTimestamp("1900-02-29"));
}

TEST(TimestampParser, RejectsFebruaryTwentyNinthOfACommonYear) {
  EXPECT_FALSE(ParseTimestamp("2023-02-29"));
}

TEST(CalendarDate, CountsDaysFromTheEpoch) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(1969, 12, 31), -1);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11017);
}

TEST(CalendarDate, CountsTheLeapDayOfALeapYear) {
  EXPECT_EQ(DaysFromCivil(2024, 3, 1) - DaysFromCivil(2024, 2, 28), 2);
  EXPECT_EQ(DaysFromCivil(2023, 3, 1) - DaysFromCivil(2023, 2, 28), 1);
}

// --- Formatting ------------------------------------------------------------------------

TEST(TimestampFormatter, PrintsTheEpoch) { EXPECT_EQ(FormatTimestamp(0), "1970-01-01T00:00:00Z"); }

TEST(TimestampFormatter, PrintsMillisecondsWhenThereAreSome) {
  EXPECT_EQ(FormatTimestamp(1500), "1970-01-01T00:00:00.001Z");
}

TEST(TimestampFormatter, OmitsMillisecondsOnAWholeSecond) {
  EXPECT_EQ(FormatTimestamp(1000000), "1970-01-01T00:00:01Z");
}

TEST(TimestampFormatter, OmitsLessThanAMillisecond) {
  EXPECT_EQ(FormatTimestamp(999), "1970-01-01T00:00:00Z");
}

TEST(TimestampFormatter, PrintsInstantsBeforeTheEpoch) {
  EXPECT_EQ(FormatTimestamp(-1000), "1969-12-31T23:59:59.999Z");
}

TEST(TimestampFormatter, RoundTripsWhatItPrints) {
  for (const char* text : {"2024-02-29T23:59:59.999Z", "2013-01-26T07:31:00Z",
                           "1999-12-31T00:00:00.001Z", "9999-12-31T23:59:59Z"}) {
    auto t = ParseTimestamp(text);
    ASSERT_TRUE(t) << text;
    EXPECT_EQ(FormatTimestamp(t->micros), text);
  }
}

}  // namespace
}  // namespace cdp
