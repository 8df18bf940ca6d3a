#include "segments/rule.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/time.h"

namespace cdp::segments {
namespace {

namespace json = boost::json;

AttributeTypes Types() {
  AttributeTypes t;
  t.profile["Dollars spent"] = "number";
  t.profile["plan"] = "string";
  t.profile["vip"] = "boolean";
  t.profile["tags"] = "array";
  t.event["sku"] = "string";
  t.event["amount"] = "number";
  return t;
}

Result<Node> Parse(std::string_view text) { return ParseRule(json::parse(text), Types()); }

std::string Error(std::string_view text) {
  auto r = Parse(text);
  EXPECT_FALSE(r.ok()) << text;
  return r.ok() ? "" : r.status().message();
}

TEST(ParseRule, AcceptsTheDocumentedExample) {
  auto r = Parse(R"({"all": [
    {"attribute": "gender", "op": "eq", "value": "female"},
    {"attribute": "attributes.Dollars spent", "op": "gt", "value": 100},
    {"event": "purchase", "op": "at_least", "count": 2, "within_days": 30,
     "where": [{"attribute": "sku", "op": "starts_with", "value": "A"}]},
    {"not": {"event": "refund", "op": "did"}},
    {"any": [{"reachable": "email"}, {"reachable": "sms"}]}]})");
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->kind, Node::Kind::kAll);
  ASSERT_EQ(r->children.size(), 5u);
  const Node& spent = r->children[1];
  EXPECT_EQ(spent.attribute.attribute.source, AttributeRef::Source::kProfileAttribute);
  EXPECT_EQ(spent.attribute.attribute.type, ValueType::kNumber);
  const EventCondition& e = r->children[2].event;
  EXPECT_EQ(e.op, EventOp::kAtLeast);
  EXPECT_EQ(e.count, 2);
  EXPECT_EQ(e.within_days, 30);
  ASSERT_EQ(e.where.size(), 1u);
  EXPECT_EQ(e.where[0].attribute.source, AttributeRef::Source::kEventAttribute);
  EXPECT_EQ(r->children[3].kind, Node::Kind::kNot);
  EXPECT_EQ(r->children[4].children[1].channel, Channel::kSms);
}

TEST(ParseRule, NamesWhereAnErrorIs) {
  EXPECT_EQ(Error(R"({"all":[{"attribute":"gender","op":"eq","value":"f"},
                              {"attribute":"gender","op":"bigger","value":1}]})")
                .substr(0, 48),
            "rules.all[1].op: unknown operator 'bigger'; one ");
  EXPECT_EQ(Error(R"({"any":[{"not":{"event":"x","op":"at_least"}}]})"),
            "rules.any[0].not.count: missing; at_least needs a count");
}

TEST(ParseRule, RejectsTypeMismatchesAtSave) {
  EXPECT_EQ(Error(R"({"attribute":"attributes.Dollars spent","op":"gt","value":"abc"})"),
            "rules.value: 'attributes.Dollars spent' is a number; gt needs a number, got a "
            "string");
  EXPECT_EQ(Error(R"({"attribute":"attributes.Dollars spent","op":"contains","value":"1"})"),
            "rules.op: contains needs a string attribute; 'attributes.Dollars spent' is a number");
  EXPECT_EQ(Error(R"({"attribute":"attributes.vip","op":"gt","value":true})"),
            "rules.op: gt does not apply to 'attributes.vip', a boolean");
  EXPECT_EQ(Error(R"({"attribute":"birth_date","op":"gt","value":"yesterday"})"),
            "rules.value: 'yesterday' is not a date (use e.g. 2024-05-01 or 2024-05-01T10:00:00Z)");
  EXPECT_EQ(Error(R"({"attribute":"attributes.tags","op":"exists"})"),
            "rules.attribute: 'attributes.tags' holds array values; conditions compare strings, "
            "numbers and booleans");
  EXPECT_EQ(Error(R"({"event":"buy","op":"did","where":[{"attribute":"amount","op":"eq",
                      "value":"ten"}]})"),
            "rules.where[0].value: 'amount' is a number; eq needs a number, got a string");
}

TEST(ParseRule, RejectsMalformedNodes) {
  EXPECT_EQ(Error("[]"), "rules: must be an object: a condition, or all/any/not of conditions");
  EXPECT_EQ(Error("{}"), "rules: must have one of all, any, not, attribute, event, reachable");
  EXPECT_EQ(Error(R"({"all":[],"any":[]})").substr(0, 31), "rules: has both 'all' and 'any'");
  EXPECT_EQ(Error(R"({"all":{}})"), "rules.all: must be an array");
  EXPECT_EQ(Error(R"({"attribute":"gender","op":"eq","value":"f","x":1})"),
            "rules: unknown key 'x' (this node takes attribute, op, value)");
  EXPECT_EQ(Error(R"({"attribute":"shoe_size","op":"exists"})").substr(0, 46),
            "rules.attribute: unknown attribute 'shoe_size'");
  EXPECT_EQ(Error(R"({"attribute":"gender","op":"exists","value":"f"})"),
            "rules.value: exists takes no value");
  EXPECT_EQ(Error(R"({"attribute":"gender","op":"eq"})"), "rules.value: missing; eq needs a value");
  EXPECT_EQ(Error(R"({"attribute":"gender","op":"in","value":[]})"),
            "rules.value: in needs an array of 1 to 1000 values");
  EXPECT_EQ(
      Error(R"({"attribute":"created_at","op":"between","value":["2024-02-01","2024-01-01"]})"),
      "rules.value: low is greater than high");
  EXPECT_EQ(Error(R"({"reachable":"pigeon"})"),
            "rules.reachable: must be one of email, sms, whatsapp");
}

TEST(ParseRule, RejectsBadEventConditions) {
  EXPECT_EQ(Error(R"({"event":"buy","op":"did","count":2})"),
            "rules.count: only at_least, at_most and exactly take a count");
  EXPECT_EQ(Error(R"({"event":"buy","op":"at_least","count":-1})"),
            "rules.count: must be a whole number from 0 to 1000000000");
  EXPECT_EQ(Error(R"({"event":"buy","op":"at_least","count":1.5})"),
            "rules.count: must be a whole number from 0 to 1000000000");
  EXPECT_EQ(Error(R"({"event":"buy","op":"did","within_days":7,"from":"2024-01-01"})"),
            "rules: a window is within_days or from/to, not both");
  EXPECT_EQ(Error(R"({"event":"buy","op":"last_more_than_days_ago","days":3,"within_days":7})"),
            "rules: last_more_than_days_ago looks at all time; it takes no window");
  EXPECT_EQ(Error(R"({"event":"buy","op":"last_more_than_days_ago"})"),
            "rules.days: missing; last_more_than_days_ago needs days");
  EXPECT_EQ(Error(R"({"event":"buy","op":"did","from":"2024-02-01","to":"2024-01-01"})"),
            "rules.to: is before from");
  EXPECT_EQ(Error(R"({"event":"","op":"did"})"),
            "rules.event: must be an event name of 1 to 49 characters");
  EXPECT_EQ(Error(R"({"event":"buy"})").substr(0, 19), "rules.op: missing; ");
}

TEST(ParseRule, RejectsRulesNestedTooDeeply) {
  std::string deep = R"({"attribute":"gender","op":"exists"})";
  for (int i = 0; i < 40; ++i) deep = R"({"not":)" + deep + "}";
  auto r = ParseRule(json::parse(deep, {}, {.max_depth = 100}), Types());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("rules nest too deeply"), std::string::npos);
}

TEST(ParseRule, ReadsAWholeDayForABareToDate) {
  auto r = Parse(R"({"event":"buy","op":"did","from":"2024-01-01","to":"2024-01-31"})");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->event.from, ParseTimestamp("2024-01-01")->micros);
  EXPECT_EQ(r->event.to, ParseTimestamp("2024-02-01")->micros);
}

TEST(ParseRule, AcceptsAnAttributeTheBrandHasNotStoredYetAsAbsent) {
  auto r = Parse(R"({"attribute":"attributes.shoe size","op":"gt","value":40})");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->attribute.attribute.absent);
  EXPECT_EQ(r->attribute.attribute.type, ValueType::kNumber);
}

TEST(ParseRule, AcceptsBothSpellingsOfStandardFields) {
  for (auto name : {"birth_date", "birthDate"}) {
    auto r = ParseRule(json::value{{"attribute", name}, {"op", "within_next_days"}, {"value", 7}},
                       Types());
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->attribute.attribute.name, "birth_date");
    EXPECT_EQ(r->attribute.attribute.type, ValueType::kDay);
  }
}

}  // namespace
}  // namespace cdp::segments
