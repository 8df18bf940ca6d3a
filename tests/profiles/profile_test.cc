// profiles/profile: applying a validated patch to a stored profile, folding an identified
// anonymous profile into a known one, and the type names used for attribute consistency.
#include "profiles/profile.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace cdp::profiles {
namespace {

namespace json = boost::json;

Profile Stored() {
  Profile p;
  p.user_id = "u";
  p[Field::kEmail] = "a@example.com";
  p[Field::kCompany] = "Acme";
  p.attributes["plan"] = "gold";
  p.attributes["seats"] = 3;
  return p;
}

TEST(ApplyPatch, KeepsAFieldThePatchDoesNotName) {
  Profile p = Stored();
  ApplyPatch(ProfilePatch{}, p);
  EXPECT_EQ(p[Field::kEmail], "a@example.com");
}

TEST(ApplyPatch, ReplacesAFieldThePatchSets) {
  Profile p = Stored();
  ProfilePatch patch;
  patch[Field::kEmail] = "b@example.com";
  ApplyPatch(patch, p);
  EXPECT_EQ(p[Field::kEmail], "b@example.com");
}

TEST(ApplyPatch, ClearsAFieldThePatchSetsToNull) {
  Profile p = Stored();
  ProfilePatch patch;
  patch[Field::kCompany] = json::value(nullptr);
  ApplyPatch(patch, p);
  EXPECT_TRUE(p[Field::kCompany].is_null());
}

TEST(ApplyPatch, KeepsAttributesThePatchDoesNotName) {
  Profile p = Stored();
  ProfilePatch patch;
  patch.attributes["new"] = true;
  ApplyPatch(patch, p);
  EXPECT_EQ(p.attributes, (json::object{{"plan", "gold"}, {"seats", 3}, {"new", true}}));
}

TEST(ApplyPatch, ReplacesAnAttributeThePatchSets) {
  Profile p = Stored();
  ProfilePatch patch;
  patch.attributes["seats"] = 4;
  ApplyPatch(patch, p);
  EXPECT_EQ(p.attributes.at("seats"), json::value(4));
}

TEST(ApplyPatch, RemovesAnAttributeThePatchSetsToNull) {
  Profile p = Stored();
  ProfilePatch patch;
  patch.attributes["plan"] = nullptr;
  ApplyPatch(patch, p);
  EXPECT_FALSE(p.attributes.contains("plan"));
}

TEST(ApplyPatch, IgnoresANullForAnAttributeThatIsNotThere) {
  Profile p = Stored();
  ProfilePatch patch;
  patch.attributes["never-set"] = nullptr;
  ApplyPatch(patch, p);
  EXPECT_FALSE(p.attributes.contains("never-set"));
}

TEST(ApplyPatch, LeavesTheIdentifiersToTheCaller) {
  Profile p = Stored();
  ProfilePatch patch;
  patch.user_id = "other";
  patch.anonymous_id = "anon";
  ApplyPatch(patch, p);
  EXPECT_EQ(p.user_id, std::optional<std::string>("u"));
  EXPECT_FALSE(p.anonymous_id);
}

TEST(FoldProfile, KeepsTheKnownProfilesFields) {
  Profile known = Stored();
  Profile anonymous;
  anonymous[Field::kEmail] = "other@example.com";
  FoldProfile(anonymous, known);
  EXPECT_EQ(known[Field::kEmail], "a@example.com");
}

TEST(FoldProfile, FillsFieldsTheKnownProfileLacks) {
  Profile known = Stored();
  Profile anonymous;
  anonymous[Field::kFirstName] = "Ann";
  FoldProfile(anonymous, known);
  EXPECT_EQ(known[Field::kFirstName], "Ann");
}

TEST(FoldProfile, KeepsTheKnownProfilesAttributesAndAddsTheOthers) {
  Profile known = Stored();
  Profile anonymous;
  anonymous.attributes["plan"] = "free";
  anonymous.attributes["source"] = "ad";
  FoldProfile(anonymous, known);
  EXPECT_EQ(known.attributes, (json::object{{"plan", "gold"}, {"seats", 3}, {"source", "ad"}}));
}

TEST(FoldProfile, TakesTheEarlierCreationTime) {
  Profile known = Stored();
  known.created_at = 200;
  Profile anonymous;
  anonymous.created_at = 100;
  FoldProfile(anonymous, known);
  EXPECT_EQ(known.created_at, 100);
}

TEST(FoldProfile, KeepsTheKnownProfilesIdentifiers) {
  Profile known = Stored();
  known.id = 7;
  Profile anonymous;
  anonymous.id = 9;
  anonymous.anonymous_id = "anon";
  FoldProfile(anonymous, known);
  EXPECT_EQ(known.id, 7);
  EXPECT_EQ(known.user_id, std::optional<std::string>("u"));
  EXPECT_FALSE(known.anonymous_id);
}

TEST(AttributeType, NamesStrings) { EXPECT_EQ(AttributeType(json::value("x")), "string"); }

TEST(AttributeType, NamesIntegersAndDecimalsAlikeAsNumbers) {
  EXPECT_EQ(AttributeType(json::value(1)), "number");
  EXPECT_EQ(AttributeType(json::value(1u)), "number");
  EXPECT_EQ(AttributeType(json::value(461.93)), "number");
}

TEST(AttributeType, NamesBooleans) { EXPECT_EQ(AttributeType(json::value(true)), "boolean"); }

TEST(AttributeType, NamesObjectsAndArrays) {
  EXPECT_EQ(AttributeType(json::object{}), "object");
  EXPECT_EQ(AttributeType(json::array{}), "array");
}

TEST(AttributeType, GivesNullNoType) { EXPECT_EQ(AttributeType(json::value(nullptr)), ""); }

TEST(Fields, ListsEveryFieldInFieldOrderWithItsOutputName) {
  ASSERT_EQ(Fields().size(), kFieldCount);
  for (size_t i = 0; i < kFieldCount; ++i) EXPECT_EQ(static_cast<size_t>(Fields()[i].field), i);
  EXPECT_EQ(InfoFor(Field::kBirthDate).name, "birthDate");
  EXPECT_EQ(InfoFor(Field::kSmsOptIn).name, "sms_opt_in");
}

TEST(Fields, MarksOnlyTheOptInsAsIntegers) {
  for (const auto& info : Fields()) {
    bool opt_in = info.field == Field::kEmailOptIn || info.field == Field::kSmsOptIn ||
                  info.field == Field::kWhatsappOptIn;
    EXPECT_EQ(info.is_integer, opt_in) << info.name;
  }
}

}  // namespace
}  // namespace cdp::profiles
