#include "segments/column.h"

#include <gtest/gtest.h>

#include "core/time.h"

namespace cdp::segments {
namespace {

int64_t At(const char* when) { return ParseTimestamp(when)->micros; }

AttributeCondition Condition(AttributeOp op, ValueType type, std::vector<Literal> values = {},
                             int64_t days = 0) {
  AttributeCondition c;
  c.attribute.type = type;
  c.op = op;
  c.values = std::move(values);
  c.days = days;
  return c;
}

// Which rows of `col` match, as a string of 0/1.
std::string Rows(const Column& col, const AttributeCondition& c, int64_t now) {
  Bits b = NewBits(col.size());
  col.Match(c, now, b);
  std::string out;
  for (size_t i = 0; i < col.size(); ++i) out += TestBit(b, i) ? '1' : '0';
  return out;
}

TEST(Column, MatchesBirthdaysAcrossTheYearEnd) {
  Column col;
  col.Resize(4);
  col.SetText(0, "1980-12-30");
  col.SetText(1, "1990-01-03");
  col.SetText(2, "1985-01-05");
  col.SetNull(3);
  auto c = Condition(AttributeOp::kWithinNextDays, ValueType::kDay, {}, 6);
  EXPECT_EQ(Rows(col, c, At("2026-12-29T23:00:00Z")), "1100");  // Dec 29 .. Jan 4
}

TEST(Column, GivesLeapDayBirthdaysTheTwentyEighthInOtherYears) {
  EXPECT_EQ(BirthdaysWithin(At("2027-02-27T12:00:00Z"), 1),
            (std::vector<std::string>{"02-27", "02-28", "02-29"}));
  EXPECT_EQ(BirthdaysWithin(At("2028-02-27T12:00:00Z"), 1),
            (std::vector<std::string>{"02-27", "02-28"}));
}

TEST(Column, KeepsBooleansNumbersAndTextsApart) {
  Column col;
  col.Resize(4);
  col.SetBool(0, true);
  col.SetNumber(1, 1);
  col.SetText(2, "1");
  col.SetNull(3);
  EXPECT_EQ(Rows(col, Condition(AttributeOp::kEq, ValueType::kBoolean, {true}), 0), "1000");
  EXPECT_EQ(Rows(col, Condition(AttributeOp::kEq, ValueType::kNumber, {1.0}), 0), "0100");
  EXPECT_EQ(Rows(col, Condition(AttributeOp::kEq, ValueType::kString, {std::string("1")}), 0),
            "0010");
  EXPECT_EQ(Rows(col, Condition(AttributeOp::kGt, ValueType::kNumber, {0.5}), 0), "0100");
  // neq and not_exists are the only conditions a missing value meets.
  EXPECT_EQ(Rows(col, Condition(AttributeOp::kNeq, ValueType::kNumber, {1.0}), 0), "1011");
  EXPECT_EQ(Rows(col, Condition(AttributeOp::kNotExists, ValueType::kNumber), 0), "0001");
  EXPECT_EQ(Rows(col, Condition(AttributeOp::kExists, ValueType::kNumber), 0), "1110");
}

TEST(Column, ComparesInstantsAndDateTextsByTheirOwnUnits) {
  const int64_t now = At("2026-11-23T12:00:00Z");
  Column instants;
  instants.Resize(3);
  instants.SetNumber(0, static_cast<double>(At("2026-11-16T12:00:00Z")));  // exactly 7 days
  instants.SetNumber(1, static_cast<double>(At("2026-11-16T11:59:59Z")));
  instants.SetNumber(2, static_cast<double>(At("2026-11-23T11:00:00Z")));
  EXPECT_EQ(
      Rows(instants, Condition(AttributeOp::kWithinLastDays, ValueType::kInstant, {}, 7), now),
      "101");
  EXPECT_EQ(
      Rows(instants, Condition(AttributeOp::kMoreThanDaysAgo, ValueType::kInstant, {}, 7), now),
      "010");
  Column texts;  // a custom attribute holding dates as text compares by day
  texts.Resize(3);
  texts.SetText(0, "2026-11-16");
  texts.SetText(1, "2026-11-15T23:59:59Z");
  texts.SetText(2, "2026-11-30");
  EXPECT_EQ(Rows(texts, Condition(AttributeOp::kWithinLastDays, ValueType::kString, {}, 7), now),
            "100");
  EXPECT_EQ(Rows(texts, Condition(AttributeOp::kWithinNextDays, ValueType::kString, {}, 7), now),
            "001");
}

TEST(Column, RunsTextConditionsOnEachDistinctText) {
  Column col;
  col.Resize(5);
  for (size_t i = 0; i < 5; ++i) col.SetText(i, i % 2 ? "female" : "male");
  EXPECT_EQ(
      Rows(col, Condition(AttributeOp::kStartsWith, ValueType::kString, {std::string("fe")}), 0),
      "01010");
  EXPECT_EQ(
      Rows(col, Condition(AttributeOp::kContains, ValueType::kString, {std::string("ale")}), 0),
      "11111");
  EXPECT_EQ(
      Rows(col,
           Condition(AttributeOp::kIn, ValueType::kString, {std::string("x"), std::string("male")}),
           0),
      "10101");
}

}  // namespace
}  // namespace cdp::segments
