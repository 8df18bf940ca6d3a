// Store conformance: a batch of profile writes behaves as the same writes one after another,
// whatever the backend does to store it at once: repeated ids, new and existing users
// mixed, identities resolved within the batch, and a type conflict failing one item only.
#include <gtest/gtest.h>

#include <string>

#include "store/store_conformance.h"

namespace cdp::store::conformance {
namespace {

namespace json = boost::json;
using profiles::Field;
using profiles::ProfilePatch;

class StoreProfileBatches : public StoreTest {
 protected:
  static ProfilePatch Named(ProfilePatch p, std::string name) {
    p[Field::kName] = json::value(name);
    return p;
  }
  static ProfilePatch WithAttribute(ProfilePatch p, std::string name, json::value v) {
    p.attributes[name] = std::move(v);
    return p;
  }
  static void ExpectAllOk(const std::vector<Status>& results) {
    for (size_t i = 0; i < results.size(); ++i)
      EXPECT_TRUE(results[i].ok()) << i << ": " << results[i].message();
  }
};

TEST_P(StoreProfileBatches, CombinesTheWritesOfANewUserRepeatedInOneBatch) {
  ProfilePatch first = WithAttribute(Named(User("u1"), "Ann"), "plan", "gold");
  ProfilePatch second = User("u1");
  second[Field::kEmail] = json::value("ann@example.com");
  second.attributes["points"] = 3;
  ExpectAllOk(Upsert("brand-a", {first, User("u2"), second}));
  profiles::Profile p = Get("brand-a", UserKey("u1"));
  EXPECT_EQ(p[Field::kName], json::value("Ann"));
  EXPECT_EQ(p[Field::kEmail], json::value("ann@example.com"));
  EXPECT_EQ(p.attributes, (json::object{{"plan", "gold"}, {"points", 3}}));
  EXPECT_EQ(p.created_at, kNow);
  auto count = store_->CountProfiles("brand-a");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 2);
}

TEST_P(StoreProfileBatches, UpdatesExistingUsersAndCreatesNewOnesInOneBatch) {
  Put("brand-a", WithAttribute(Named(User("old"), "Old"), "plan", "free"));
  int64_t old_id = Get("brand-a", UserKey("old")).id;
  ProfilePatch update = WithAttribute(User("old"), "plan", "pro");
  update[Field::kCompany] = json::value("Acme");
  ExpectAllOk(Upsert("brand-a",
                     {Named(User("new-1"), "One"), update, Named(User("new-2"), "Two"),
                      Named(User("old"), "Renamed")},
                     kNow + 5));
  profiles::Profile old = Get("brand-a", UserKey("old"));
  EXPECT_EQ(old.id, old_id);
  EXPECT_EQ(old[Field::kName], json::value("Renamed"));
  EXPECT_EQ(old[Field::kCompany], json::value("Acme"));
  EXPECT_EQ(old.attributes, (json::object{{"plan", "pro"}}));
  EXPECT_EQ(old.created_at, kNow);
  EXPECT_EQ(old.updated_at, kNow + 5);
  EXPECT_EQ(Get("brand-a", UserKey("new-1"))[Field::kName], json::value("One"));
  EXPECT_EQ(Get("brand-a", UserKey("new-2"))[Field::kName], json::value("Two"));
  EXPECT_NE(Get("brand-a", UserKey("new-1")).id, Get("brand-a", UserKey("new-2")).id);
  auto count = store_->CountProfiles("brand-a");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 3);
}

TEST_P(StoreProfileBatches, IdentifiesAnAnonymousProfileCreatedEarlierInTheBatch) {
  ProfilePatch visitor = Anonymous("anon-1");
  visitor[Field::kEmail] = json::value("v@example.com");
  ExpectAllOk(Upsert("brand-a", {visitor, Both("alice", "anon-1"), Named(User("alice"), "A")}));
  profiles::Profile alice = Get("brand-a", UserKey("alice"));
  EXPECT_EQ(alice.anonymous_id, std::optional<std::string>("anon-1"));
  EXPECT_EQ(alice[Field::kEmail], json::value("v@example.com"));
  EXPECT_EQ(alice[Field::kName], json::value("A"));
  EXPECT_EQ(Get("brand-a", AnonymousKey("anon-1")).id, alice.id);
}

TEST_P(StoreProfileBatches, MergesAnAnonymousProfileIntoAUserCreatedEarlierInTheBatch) {
  ProfilePatch visitor = Anonymous("anon-1");
  visitor[Field::kCompany] = json::value("Initech");
  ExpectAllOk(Upsert("brand-a", {Named(User("bob"), "Bob"), visitor, Both("bob", "anon-1")}));
  profiles::Profile bob = Get("brand-a", UserKey("bob"));
  EXPECT_EQ(bob[Field::kName], json::value("Bob"));
  EXPECT_EQ(bob[Field::kCompany], json::value("Initech"));
  EXPECT_EQ(Get("brand-a", AnonymousKey("anon-1")).id, bob.id);
  auto count = store_->CountProfiles("brand-a");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 1);
}

TEST_P(StoreProfileBatches, FailsOnlyTheItemWithATypeConflictInTheMiddleOfABatch) {
  Put("brand-a", WithAttribute(User("u1"), "points", 1));
  ProfilePatch bad = WithAttribute(Named(User("u1"), "Changed"), "points", "ten");
  bad.attributes["color"] = "red";
  auto results = Upsert("brand-a", {WithAttribute(User("u1"), "points", 2), bad,
                                    WithAttribute(User("u2"), "color", 7), User("u3")});
  ASSERT_EQ(results.size(), 4u);
  EXPECT_TRUE(results[0].ok()) << results[0].message();
  EXPECT_EQ(results[1].code(), Code::kInvalidArgument);
  EXPECT_EQ(results[1].message(),
            "attribute 'points' was first stored as a number for this brand and cannot take a "
            "string value");
  // The refused item's new attribute "color" took no type: the next item gives it one.
  EXPECT_TRUE(results[2].ok()) << results[2].message();
  EXPECT_TRUE(results[3].ok()) << results[3].message();
  profiles::Profile u1 = Get("brand-a", UserKey("u1"));
  EXPECT_TRUE(u1[Field::kName].is_null());
  EXPECT_EQ(u1.attributes, (json::object{{"points", 2}}));
  auto types = store_->GetAttributeTypes("brand-a");
  ASSERT_TRUE(types.ok());
  EXPECT_EQ(types->profile.at("color"), "number");
}

TEST_P(StoreProfileBatches, RefusesTheSecondOfTwoNewTypesForOneAttributeInABatch) {
  auto results = Upsert("brand-a", {WithAttribute(User("u1"), "tier", "gold"),
                                    WithAttribute(User("u2"), "tier", 3), User("u2")});
  ASSERT_EQ(results.size(), 3u);
  EXPECT_TRUE(results[0].ok());
  EXPECT_EQ(results[1].code(), Code::kInvalidArgument);
  EXPECT_TRUE(results[2].ok());
  EXPECT_TRUE(Get("brand-a", UserKey("u2")).attributes.empty());
}

INSTANTIATE_CONFORMANCE(StoreProfileBatches);

}  // namespace
}  // namespace cdp::store::conformance
