#include "campaigns/template.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "campaigns/campaign.h"

namespace cdp::campaigns {
namespace {

using profiles::Field;

profiles::Profile Ann() {
  profiles::Profile p;
  p.user_id = "ann";
  p[Field::kFirstName] = "Ann";
  p[Field::kEmail] = "ann@x.test";
  p[Field::kEmailOptIn] = int64_t{1};
  p.attributes = {{"plan", "pro"}, {"seats", 3}, {"vip", true}, {"bio", "<b>&'\""}};
  return p;
}

std::string Render(std::string_view text, const profiles::Profile& p, bool html = false) {
  auto t = Template::Parse(text, "t");
  EXPECT_TRUE(t.ok()) << t.status().message();
  return t.ok() ? t->Render(p, html) : "";
}

TEST(Template, FillsFieldsAttributesAndTheUserId) {
  EXPECT_EQ(Render("Hi {{firstName}} ({{ userId }}), {{attributes.plan}} x{{attributes.seats}} "
                   "{{attributes.vip}}",
                   Ann()),
            "Hi Ann (ann), pro x3 true");
  EXPECT_EQ(Render("no tags at all", Ann()), "no tags at all");
  EXPECT_EQ(Render("}} alone is text", Ann()), "}} alone is text");
}

TEST(Template, UsesTheFallbackOnlyForMissingOrEmptyValues) {
  profiles::Profile p = Ann();
  p[Field::kLastName] = "";
  EXPECT_EQ(Render(R"({{ lastName | default: "friend" }})", p), "friend");
  EXPECT_EQ(Render(R"({{ company | default: 'your team' }})", p), "your team");
  EXPECT_EQ(Render(R"({{ firstName | default: "friend" }})", p), "Ann");
  EXPECT_EQ(Render("[{{ company }}]", p), "[]");
}

TEST(Template, EscapesValuesButNotTheAuthorsMarkupInHtml) {
  EXPECT_EQ(Render("<i>{{attributes.bio}}</i>", Ann(), true), "<i>&lt;b&gt;&amp;&#39;&quot;</i>");
  EXPECT_EQ(Render("<i>{{attributes.bio}}</i>", Ann(), false), "<i><b>&'\"</i>");
}

TEST(Template, NamesThePositionOfEachError) {
  auto unclosed = Template::Parse("Hello {{firstName", "content.subject");
  EXPECT_EQ(unclosed.status().message(),
            "content.subject: '{{' at position 7 is not closed by '}}'");
  auto nested = Template::Parse("{{a {{firstName}}", "x");
  EXPECT_EQ(nested.status().code(), Code::kInvalidArgument);
  EXPECT_NE(nested.status().message().find("position 1"), std::string::npos);
  auto unknown = Template::Parse("ok {{ frstName }}", "content.html");
  EXPECT_NE(unknown.status().message().find("content.html: unknown tag 'frstName' at position 4"),
            std::string::npos)
      << unknown.status().message();
  EXPECT_FALSE(Template::Parse("{{attributes.}}", "x").ok());
  EXPECT_FALSE(Template::Parse("{{firstName | upcase}}", "x").ok());
  EXPECT_FALSE(Template::Parse(R"({{firstName | default: "a"b"}})", "x").ok());
  EXPECT_FALSE(Template::Parse(R"({{firstName | default: "unterminated}})", "x").ok());
}

TEST(Reachability, NeedsTheOptInAndAnAddress) {
  profiles::Profile p = Ann();
  EXPECT_EQ(Unreachable("email", p), std::nullopt);
  EXPECT_EQ(Unreachable("sms", p), "sms_opt_in is not 1");
  p[Field::kSmsOptIn] = int64_t{1};
  EXPECT_EQ(Unreachable("sms", p), "no mobile");
  p[Field::kEmailOptIn] = int64_t{0};
  EXPECT_EQ(Unreachable("email", p), "email_opt_in is not 1");
  p[Field::kEmailOptIn] = int64_t{1};
  p[Field::kEmail] = nullptr;
  EXPECT_EQ(Unreachable("email", p), "no email");
}

TEST(CampaignContent, RequiresWhatEachChannelSends) {
  auto parse = [](std::string_view channel, std::string_view json) {
    return ParseContent(channel, boost::json::parse(json));
  };
  EXPECT_TRUE(parse("email", R"({"subject":"s","html":"<p>h</p>"})").ok());
  EXPECT_EQ(parse("email", R"({"html":"h"})").status().message(),
            "content.subject: required for email");
  EXPECT_EQ(parse("email", R"({"subject":"s"})").status().message(),
            "content: email needs html or text (or both)");
  EXPECT_EQ(parse("email", R"({"subject":"s","text":"t","from":"nobody"})").status().message(),
            "content.from: must be an email address");
  EXPECT_TRUE(parse("sms", R"({"text":"t"})").ok());
  EXPECT_FALSE(parse("sms", R"({"text":"t","subject":"s"})").ok());
  EXPECT_FALSE(parse("sms", R"({})").ok());
}

TEST(CampaignTarget, TakesASegmentOrDistinctUserIds) {
  auto t = ParseTarget(boost::json::parse(R"({"user_ids":["a","b","a"]})"));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->user_ids, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(ParseTarget(boost::json::parse(R"({"segment_id":"seg_1"})"))->segment_id, "seg_1");
  EXPECT_FALSE(ParseTarget(boost::json::parse(R"({"segment_id":"s","user_ids":["a"]})")).ok());
  EXPECT_FALSE(ParseTarget(boost::json::parse(R"({"user_ids":[]})")).ok());
  EXPECT_FALSE(ParseTarget(boost::json::parse(R"({"user_ids":[1]})")).ok());
  EXPECT_FALSE(ParseTarget(boost::json::parse(R"([])")).ok());
}

}  // namespace
}  // namespace cdp::campaigns
