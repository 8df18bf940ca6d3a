// profiles/identity: what an upsert does with the profiles its ids name (the rules both
// storage backends apply), and first-write-wins attribute typing.
#include "profiles/identity.h"

#include <gtest/gtest.h>

namespace cdp::profiles {
namespace {

constexpr int64_t kNow = 1'000'000;

Profile Known(int64_t id, std::string user_id) {
  Profile p;
  p.id = id;
  p.user_id = std::move(user_id);
  p.created_at = 500;
  return p;
}

Profile Anonymous(int64_t id, std::string anonymous_id, int64_t created_at = 100) {
  Profile p;
  p.id = id;
  p.anonymous_id = std::move(anonymous_id);
  p.created_at = created_at;
  return p;
}

ProfilePatch Patch(std::optional<std::string> user_id, std::optional<std::string> anonymous_id) {
  ProfilePatch patch;
  patch.user_id = std::move(user_id);
  patch.anonymous_id = std::move(anonymous_id);
  return patch;
}

TEST(ResolveIdentity, AnUnknownIdMakesANewProfileCreatedNow) {
  auto r = ResolveIdentity(Patch("u1", std::nullopt), std::nullopt, std::nullopt, kNow);
  EXPECT_EQ(r.profile.id, 0);
  EXPECT_EQ(r.profile.user_id, "u1");
  EXPECT_EQ(r.profile.created_at, kNow);
  EXPECT_EQ(r.profile.updated_at, kNow);
  EXPECT_FALSE(r.identified);
  EXPECT_FALSE(r.merged);
}

TEST(ResolveIdentity, OnlyAnAnonymousIdUpdatesThatProfile) {
  ProfilePatch patch = Patch(std::nullopt, "a1");
  patch[Field::kCompany] = "Acme";
  auto r = ResolveIdentity(patch, std::nullopt, Anonymous(7, "a1"), kNow);
  EXPECT_EQ(r.profile.id, 7);
  EXPECT_FALSE(r.profile.user_id);
  EXPECT_EQ(r.profile[Field::kCompany], "Acme");
  EXPECT_EQ(r.profile.created_at, 100);
}

TEST(ResolveIdentity, AUserIdWithNoProfileIdentifiesTheAnonymousOne) {
  auto r = ResolveIdentity(Patch("u1", "a1"), std::nullopt, Anonymous(7, "a1"), kNow);
  EXPECT_EQ(r.profile.id, 7);
  EXPECT_EQ(r.profile.user_id, "u1");
  EXPECT_EQ(r.profile.anonymous_id, "a1");
  EXPECT_TRUE(r.identified);
  EXPECT_FALSE(r.merged);
}

TEST(ResolveIdentity, AKnownUserTakesInAnAnonymousProfileOnceKeepingItsOwnFields) {
  Profile user = Known(3, "u1");
  user[Field::kEmail] = "known@example.com";
  Profile anon = Anonymous(7, "a1", /*created_at=*/100);
  anon[Field::kEmail] = "anon@example.com";
  anon[Field::kCompany] = "Acme";
  auto r = ResolveIdentity(Patch("u1", "a1"), user, anon, kNow);
  EXPECT_EQ(r.profile.id, 3);
  ASSERT_TRUE(r.merged);
  EXPECT_EQ(*r.merged, 7);
  EXPECT_EQ(r.profile[Field::kEmail], "known@example.com");
  EXPECT_EQ(r.profile[Field::kCompany], "Acme");
  EXPECT_EQ(r.profile.created_at, 100);  // the earlier one
  EXPECT_EQ(r.profile.anonymous_id, "a1");
}

TEST(ResolveIdentity, AnAnonymousIdOfAnotherKnownUserStaysWithThem) {
  Profile other = Anonymous(7, "a1");
  other.user_id = "someone-else";
  auto r = ResolveIdentity(Patch("u1", "a1"), Known(3, "u1"), other, kNow);
  EXPECT_EQ(r.profile.id, 3);
  EXPECT_FALSE(r.merged);
  EXPECT_FALSE(r.identified);
  EXPECT_FALSE(r.profile.anonymous_id);
}

TEST(ResolveIdentity, BothIdsOnOneProfileIsAPlainUpdate) {
  Profile p = Known(3, "u1");
  p.anonymous_id = "a1";
  auto r = ResolveIdentity(Patch("u1", "a1"), p, p, kNow);
  EXPECT_EQ(r.profile.id, 3);
  EXPECT_FALSE(r.merged);
  EXPECT_FALSE(r.identified);
}

TEST(CheckAttributeType, TheFirstTypeStoredWins) {
  EXPECT_TRUE(CheckAttributeType("plan", "", "string").ok());
  EXPECT_TRUE(CheckAttributeType("plan", "string", "string").ok());
  Status st = CheckAttributeType("plan", "string", "number");
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_NE(st.message().find("attribute 'plan' was first stored as a string"), std::string::npos)
      << st.message();
}

TEST(CheckAttributeType, NullHasNoTypeAndIsAlwaysAccepted) {
  EXPECT_TRUE(CheckAttributeType("plan", "string", "").ok());
}

}  // namespace
}  // namespace cdp::profiles
