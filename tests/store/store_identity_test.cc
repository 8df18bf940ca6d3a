// Store conformance: anonymous profiles, identifying them with a user id, and merging an
// anonymous profile into a known one when a write names both.
#include <gtest/gtest.h>

#include <string>

#include "store/store_conformance.h"

namespace cdp::store::conformance {
namespace {

namespace json = boost::json;
using profiles::Field;
using profiles::ProfilePatch;

class StoreIdentity : public StoreTest {
 protected:
  // Known user bob (email, plan) created at kNow, and anonymous anon-2 (another email, a
  // company, plan and source) created earlier, at kNow - 10.
  void PutKnownAndAnonymous() {
    ProfilePatch known = User("bob");
    known[Field::kEmail] = json::value("bob@example.com");
    known.attributes["plan"] = "gold";
    Put("brand-a", std::move(known), kNow);
    ProfilePatch anon = Anonymous("anon-2");
    anon[Field::kEmail] = json::value("other@example.com");
    anon[Field::kCompany] = json::value("Initech");
    anon.attributes["plan"] = "free";
    anon.attributes["source"] = "ad";
    Put("brand-a", std::move(anon), kNow - 10);
  }
};

TEST_P(StoreIdentity, FindsAnAnonymousProfileByItsAnonymousId) {
  ProfilePatch anon = Anonymous("anon-1");
  anon[Field::kName] = json::value("Visitor");
  Put("brand-a", std::move(anon));
  profiles::Profile p = Get("brand-a", AnonymousKey("anon-1"));
  EXPECT_EQ(p.anonymous_id, std::optional<std::string>("anon-1"));
  EXPECT_FALSE(p.user_id);
  EXPECT_EQ(p[Field::kName], json::value("Visitor"));
}

TEST_P(StoreIdentity, UpdatesAnAnonymousProfileByItsAnonymousId) {
  Put("brand-a", Anonymous("anon-1"));
  ProfilePatch again = Anonymous("anon-1");
  again.attributes["visits"] = 2;
  Put("brand-a", std::move(again));
  EXPECT_EQ(Get("brand-a", AnonymousKey("anon-1")).attributes, (json::object{{"visits", 2}}));
}

TEST_P(StoreIdentity, IdentifiesAnAnonymousProfileWhenAWriteNamesBothIds) {
  Put("brand-a", Anonymous("anon-1"));
  int64_t id = Get("brand-a", AnonymousKey("anon-1")).id;
  Put("brand-a", Both("alice", "anon-1"));
  profiles::Profile alice = Get("brand-a", UserKey("alice"));
  EXPECT_EQ(alice.id, id);
  EXPECT_EQ(alice.anonymous_id, std::optional<std::string>("anon-1"));
}

TEST_P(StoreIdentity, FindsAnIdentifiedProfileByItsAnonymousIdToo) {
  Put("brand-a", Anonymous("anon-1"));
  Put("brand-a", Both("alice", "anon-1"));
  EXPECT_EQ(Get("brand-a", AnonymousKey("anon-1")).user_id, std::optional<std::string>("alice"));
}

TEST_P(StoreIdentity, KeepsTheAnonymousProfilesDataWhenIdentifyingIt) {
  ProfilePatch anon = Anonymous("anon-1");
  anon[Field::kCompany] = json::value("Initech");
  anon.attributes["source"] = "ad";
  Put("brand-a", std::move(anon), kNow - 10);
  ProfilePatch identify = Both("alice", "anon-1");
  identify[Field::kName] = json::value("Alice");
  Put("brand-a", std::move(identify));
  profiles::Profile alice = Get("brand-a", UserKey("alice"));
  EXPECT_EQ(alice[Field::kCompany], json::value("Initech"));
  EXPECT_EQ(alice[Field::kName], json::value("Alice"));
  EXPECT_EQ(alice.attributes, (json::object{{"source", "ad"}}));
  EXPECT_EQ(alice.created_at, kNow - 10);
}

TEST_P(StoreIdentity, CreatesAProfileWithBothIdsWhenNeitherExists) {
  Put("brand-a", Both("carol", "anon-9"));
  EXPECT_EQ(Get("brand-a", UserKey("carol")).id, Get("brand-a", AnonymousKey("anon-9")).id);
}

TEST_P(StoreIdentity, GivesAKnownProfileWithoutAnAnonymousIdTheOneNamed) {
  Put("brand-a", User("dave"));
  Put("brand-a", Both("dave", "anon-d"));
  EXPECT_EQ(Get("brand-a", UserKey("dave")).anonymous_id, std::optional<std::string>("anon-d"));
}

TEST_P(StoreIdentity, MergesAnAnonymousAndAKnownProfileIntoOne) {
  PutKnownAndAnonymous();
  int64_t bob_id = Get("brand-a", UserKey("bob")).id;
  Put("brand-a", Both("bob", "anon-2"));
  profiles::Profile by_anonymous_id = Get("brand-a", AnonymousKey("anon-2"));
  EXPECT_EQ(by_anonymous_id.id, bob_id);
  EXPECT_EQ(by_anonymous_id.user_id, std::optional<std::string>("bob"));
}

TEST_P(StoreIdentity, KeepsTheKnownProfilesFieldsInAMerge) {
  PutKnownAndAnonymous();
  Put("brand-a", Both("bob", "anon-2"));
  EXPECT_EQ(Get("brand-a", UserKey("bob"))[Field::kEmail], json::value("bob@example.com"));
}

TEST_P(StoreIdentity, FillsTheKnownProfilesMissingFieldsInAMerge) {
  PutKnownAndAnonymous();
  Put("brand-a", Both("bob", "anon-2"));
  EXPECT_EQ(Get("brand-a", UserKey("bob"))[Field::kCompany], json::value("Initech"));
}

TEST_P(StoreIdentity, MergesAttributesWithTheKnownProfilesWinning) {
  PutKnownAndAnonymous();
  Put("brand-a", Both("bob", "anon-2"));
  EXPECT_EQ(Get("brand-a", UserKey("bob")).attributes,
            (json::object{{"plan", "gold"}, {"source", "ad"}}));
}

TEST_P(StoreIdentity, KeepsTheEarlierCreationTimeInAMerge) {
  PutKnownAndAnonymous();
  Put("brand-a", Both("bob", "anon-2"), kNow + 100);
  profiles::Profile bob = Get("brand-a", UserKey("bob"));
  EXPECT_EQ(bob.created_at, kNow - 10);
  EXPECT_EQ(bob.updated_at, kNow + 100);
}

TEST_P(StoreIdentity, AppliesTheMergingWritesOwnFieldsLast) {
  PutKnownAndAnonymous();
  ProfilePatch both = Both("bob", "anon-2");
  both[Field::kEmail] = json::value("new@example.com");
  Put("brand-a", std::move(both));
  EXPECT_EQ(Get("brand-a", UserKey("bob"))[Field::kEmail], json::value("new@example.com"));
}

TEST_P(StoreIdentity, MovesTheAnonymousProfilesEventsInAMerge) {
  PutKnownAndAnonymous();
  Append("brand-a", {MakeEvent(User("bob"), "view", kNow - 3),
                     MakeEvent(Anonymous("anon-2"), "view", kNow - 2),
                     MakeEvent(Anonymous("anon-2"), "view", kNow - 1)});
  ASSERT_EQ(Count("brand-a", "view").profiles, 2);
  Put("brand-a", Both("bob", "anon-2"));
  auto counts = Count("brand-a", "view");
  EXPECT_EQ(counts.profiles, 1);
  EXPECT_EQ(counts.events, 3);
}

// An anonymous id that already belongs to another known user stays with that user; a write
// naming it with a different user id must still save that user and the rest of its batch.
TEST_P(StoreIdentity, LeavesAnAnonymousIdWithTheUserItAlreadyBelongsTo) {
  Put("brand-a", Both("alice", "anon-1"));
  auto results = store_->UpsertProfiles(
      "brand-a", {ProfileWrite{User("before")}, ProfileWrite{Both("bob", "anon-1")}}, kNow);
  ASSERT_TRUE(results.ok()) << "the whole batch failed: " << results.status().message();
  EXPECT_TRUE((*results)[0].ok()) << (*results)[0].message();
  EXPECT_TRUE((*results)[1].ok()) << (*results)[1].message();
  EXPECT_TRUE(store_->GetProfile("brand-a", UserKey("before")).ok());
  EXPECT_TRUE(store_->GetProfile("brand-a", UserKey("bob")).ok());
  EXPECT_EQ(Get("brand-a", AnonymousKey("anon-1")).user_id, std::optional<std::string>("alice"));
}

TEST_P(StoreIdentity, KeepsAnonymousIdsPerBrand) {
  Put("brand-a", Both("alice", "anon-1"));
  Put("brand-b", Anonymous("anon-1"));
  EXPECT_FALSE(Get("brand-b", AnonymousKey("anon-1")).user_id);
}

INSTANTIATE_CONFORMANCE(StoreIdentity);

}  // namespace
}  // namespace cdp::store::conformance
