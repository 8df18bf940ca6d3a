// Store conformance: creating, updating, reading and deleting profiles; attribute types;
// brand isolation.
#include <gtest/gtest.h>

#include <string>

#include "store/store_conformance.h"

namespace cdp::store::conformance {
namespace {

namespace json = boost::json;
using profiles::Field;
using profiles::ProfilePatch;

class StoreProfiles : public StoreTest {
 protected:
  // u1 with an email, a company and two attributes.
  void PutFirstVersion() {
    ProfilePatch p = User("u1");
    p[Field::kEmail] = json::value("a@example.com");
    p[Field::kCompany] = json::value("Acme");
    p.attributes["plan"] = "gold";
    p.attributes["points"] = 10;
    Put("brand-a", std::move(p));
  }
};

TEST_P(StoreProfiles, CreatesAProfileWithItsFieldsAndAttributes) {
  PutFirstVersion();
  profiles::Profile p = Get("brand-a", UserKey("u1"));
  EXPECT_EQ(p.user_id, std::optional<std::string>("u1"));
  EXPECT_FALSE(p.anonymous_id);
  EXPECT_EQ(p[Field::kEmail], json::value("a@example.com"));
  EXPECT_EQ(p[Field::kCompany], json::value("Acme"));
  EXPECT_TRUE(p[Field::kName].is_null());
  EXPECT_EQ(p.attributes, (json::object{{"plan", "gold"}, {"points", 10}}));
}

TEST_P(StoreProfiles, StampsANewProfileWithItsCreationTime) {
  Put("brand-a", User("u1"), kNow + 7);
  profiles::Profile p = Get("brand-a", UserKey("u1"));
  EXPECT_EQ(p.created_at, kNow + 7);
  EXPECT_EQ(p.updated_at, kNow + 7);
}

TEST_P(StoreProfiles, StoresOptInsAsIntegers) {
  ProfilePatch patch = User("u1");
  patch[Field::kSmsOptIn] = json::value(2);
  Put("brand-a", std::move(patch));
  EXPECT_EQ(Get("brand-a", UserKey("u1"))[Field::kSmsOptIn], json::value(2));
}

TEST_P(StoreProfiles, StoresNestedAttributeValues) {
  ProfilePatch patch = User("u1");
  patch.attributes["address"] = json::object{{"city", "Pune"}, {"zip", 411001}};
  patch.attributes["tags"] = json::array{"a", "b"};
  Put("brand-a", std::move(patch));
  profiles::Profile p = Get("brand-a", UserKey("u1"));
  EXPECT_EQ(p.attributes.at("address"), (json::object{{"city", "Pune"}, {"zip", 411001}}));
  EXPECT_EQ(p.attributes.at("tags"), (json::array{"a", "b"}));
}

TEST_P(StoreProfiles, AnUpdateKeepsFieldsItDoesNotName) {
  PutFirstVersion();
  ProfilePatch second = User("u1");
  second[Field::kName] = json::value("Ann");
  Put("brand-a", std::move(second));
  profiles::Profile p = Get("brand-a", UserKey("u1"));
  EXPECT_EQ(p[Field::kName], json::value("Ann"));
  EXPECT_EQ(p[Field::kEmail], json::value("a@example.com"));
  EXPECT_EQ(p[Field::kCompany], json::value("Acme"));
}

TEST_P(StoreProfiles, AnUpdateClearsAFieldSetToNull) {
  PutFirstVersion();
  ProfilePatch second = User("u1");
  second[Field::kCompany] = json::value(nullptr);
  Put("brand-a", std::move(second));
  EXPECT_TRUE(Get("brand-a", UserKey("u1"))[Field::kCompany].is_null());
}

TEST_P(StoreProfiles, AnUpdateMergesAttributes) {
  PutFirstVersion();
  ProfilePatch second = User("u1");
  second.attributes["points"] = 11;
  second.attributes["tier"] = "silver";
  Put("brand-a", std::move(second));
  EXPECT_EQ(Get("brand-a", UserKey("u1")).attributes,
            (json::object{{"plan", "gold"}, {"points", 11}, {"tier", "silver"}}));
}

TEST_P(StoreProfiles, AnUpdateRemovesAnAttributeSetToNull) {
  PutFirstVersion();
  ProfilePatch second = User("u1");
  second.attributes["plan"] = nullptr;
  Put("brand-a", std::move(second));
  EXPECT_EQ(Get("brand-a", UserKey("u1")).attributes, (json::object{{"points", 10}}));
}

TEST_P(StoreProfiles, AnUpdateKeepsTheCreationTimeAndMovesTheUpdateTime) {
  Put("brand-a", User("u1"), kNow);
  Put("brand-a", User("u1"), kNow + 5);
  profiles::Profile p = Get("brand-a", UserKey("u1"));
  EXPECT_EQ(p.created_at, kNow);
  EXPECT_EQ(p.updated_at, kNow + 5);
}

TEST_P(StoreProfiles, AnUpdateKeepsTheProfilesInternalId) {
  Put("brand-a", User("u1"));
  int64_t id = Get("brand-a", UserKey("u1")).id;
  Put("brand-a", User("u1"));
  EXPECT_EQ(Get("brand-a", UserKey("u1")).id, id);
}

TEST_P(StoreProfiles, SavesEveryItemOfABatch) {
  auto results = Upsert("brand-a", {User("u1"), User("u2"), Anonymous("a3")});
  ASSERT_EQ(results.size(), 3u);
  for (const auto& st : results) EXPECT_TRUE(st.ok()) << st.message();
  EXPECT_TRUE(store_->GetProfile("brand-a", UserKey("u2")).ok());
  EXPECT_TRUE(store_->GetProfile("brand-a", AnonymousKey("a3")).ok());
}

TEST_P(StoreProfiles, AppliesRepeatedItemsOfOneBatchInOrder) {
  ProfilePatch first = User("u1");
  first[Field::kName] = json::value("First");
  ProfilePatch second = User("u1");
  second[Field::kName] = json::value("Second");
  Upsert("brand-a", {first, second});
  EXPECT_EQ(Get("brand-a", UserKey("u1"))[Field::kName], json::value("Second"));
}

// --- Attribute types ------------------------------------------------------------------------

TEST_P(StoreProfiles, RefusesAnAttributeOfAnotherTypeNamingIt) {
  ProfilePatch number = User("u1");
  number.attributes["Dollars spent"] = 461.93;
  Put("brand-a", std::move(number));
  ProfilePatch text = User("u2");
  text.attributes["Dollars spent"] = "lots";
  auto results = Upsert("brand-a", {text});
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].code(), Code::kInvalidArgument);
  EXPECT_EQ(results[0].message(),
            "attribute 'Dollars spent' was first stored as a number for this brand and cannot "
            "take a string value");
}

TEST_P(StoreProfiles, SavesTheOtherItemsOfABatchWithATypeConflict) {
  ProfilePatch number = User("u1");
  number.attributes["Dollars spent"] = 461.93;
  Put("brand-a", std::move(number));
  ProfilePatch text = User("u2");
  text.attributes["Dollars spent"] = "lots";
  auto results = Upsert("brand-a", {User("u3"), text, User("u4")});
  ASSERT_EQ(results.size(), 3u);
  EXPECT_TRUE(results[0].ok()) << results[0].message();
  EXPECT_EQ(results[1].code(), Code::kInvalidArgument);
  EXPECT_TRUE(results[2].ok()) << results[2].message();
  EXPECT_TRUE(store_->GetProfile("brand-a", UserKey("u3")).ok());
  EXPECT_EQ(store_->GetProfile("brand-a", UserKey("u2")).status().code(), Code::kNotFound);
  EXPECT_TRUE(store_->GetProfile("brand-a", UserKey("u4")).ok());
}

TEST_P(StoreProfiles, LeavesAProfileUntouchedWhenItsUpdateHasATypeConflict) {
  ProfilePatch first = User("u1");
  first[Field::kName] = json::value("Ann");
  first.attributes["points"] = 10;
  Put("brand-a", std::move(first));
  ProfilePatch bad = User("u1");
  bad[Field::kName] = json::value("Changed");
  bad.attributes["points"] = "ten";
  EXPECT_EQ(Upsert("brand-a", {bad})[0].code(), Code::kInvalidArgument);
  profiles::Profile p = Get("brand-a", UserKey("u1"));
  EXPECT_EQ(p[Field::kName], json::value("Ann"));
  EXPECT_EQ(p.attributes.at("points"), json::value(10));
}

TEST_P(StoreProfiles, ForgetsTheNewAttributeTypesOfARefusedItem) {
  ProfilePatch number = User("u1");
  number.attributes["points"] = 10;
  Put("brand-a", std::move(number));
  // Refused for "points"; its new attribute "color" must not keep the type it came with.
  ProfilePatch bad = User("u2");
  bad.attributes["color"] = "red";
  bad.attributes["points"] = "ten";
  EXPECT_EQ(Upsert("brand-a", {bad})[0].code(), Code::kInvalidArgument);
  ProfilePatch later = User("u3");
  later.attributes["color"] = 7;
  auto results = Upsert("brand-a", {later});
  EXPECT_TRUE(results[0].ok()) << results[0].message();
}

TEST_P(StoreProfiles, SeesATypeFirstStoredEarlierInTheSameBatch) {
  ProfilePatch number = User("u1");
  number.attributes["score"] = 1;
  ProfilePatch text = User("u2");
  text.attributes["score"] = "high";
  auto results = Upsert("brand-a", {number, text});
  ASSERT_EQ(results.size(), 2u);
  EXPECT_TRUE(results[0].ok()) << results[0].message();
  EXPECT_EQ(results[1].code(), Code::kInvalidArgument);
}

TEST_P(StoreProfiles, TreatsIntegersAndDecimalsAsOneType) {
  ProfilePatch integer = User("u1");
  integer.attributes["spent"] = 10;
  Put("brand-a", std::move(integer));
  ProfilePatch decimal = User("u2");
  decimal.attributes["spent"] = 10.5;
  EXPECT_TRUE(Upsert("brand-a", {decimal})[0].ok());
}

TEST_P(StoreProfiles, KeepsAttributeTypesPerBrand) {
  ProfilePatch number = User("u1");
  number.attributes["Dollars spent"] = 461.93;
  Put("brand-a", std::move(number));
  ProfilePatch text = User("u1");
  text.attributes["Dollars spent"] = "lots";
  auto results = Upsert("brand-b", {text});
  EXPECT_TRUE(results[0].ok()) << results[0].message();
}

// --- Brand isolation ------------------------------------------------------------------------

TEST_P(StoreProfiles, KeepsTheSameUserIdInTwoBrandsAsTwoProfiles) {
  ProfilePatch in_a = User("same");
  in_a[Field::kName] = json::value("Of A");
  Put("brand-a", std::move(in_a));
  ProfilePatch in_b = User("same");
  in_b[Field::kName] = json::value("Of B");
  Put("brand-b", std::move(in_b));
  EXPECT_EQ(Get("brand-a", UserKey("same"))[Field::kName], json::value("Of A"));
  EXPECT_EQ(Get("brand-b", UserKey("same"))[Field::kName], json::value("Of B"));
}

TEST_P(StoreProfiles, DoesNotFindAProfileThroughAnotherBrand) {
  Put("brand-a", User("mine"));
  auto p = store_->GetProfile("brand-b", UserKey("mine"));
  EXPECT_EQ(p.status().code(), Code::kNotFound);
  EXPECT_EQ(p.status().message(), "no user with userId 'mine'");
}

TEST_P(StoreProfiles, DoesNotDeleteAProfileThroughAnotherBrand) {
  Put("brand-a", User("mine"));
  EXPECT_EQ(store_->DeleteProfile("brand-b", UserKey("mine")).code(), Code::kNotFound);
  EXPECT_TRUE(store_->GetProfile("brand-a", UserKey("mine")).ok());
}

// --- Reading and deleting -------------------------------------------------------------------

TEST_P(StoreProfiles, AnswersNotFoundForAnUnknownUserId) {
  auto p = store_->GetProfile("brand-a", UserKey("ghost"));
  EXPECT_EQ(p.status().code(), Code::kNotFound);
  EXPECT_EQ(p.status().message(), "no user with userId 'ghost'");
}

TEST_P(StoreProfiles, AnswersNotFoundForAnUnknownAnonymousId) {
  auto p = store_->GetProfile("brand-a", AnonymousKey("ghost"));
  EXPECT_EQ(p.status().code(), Code::kNotFound);
  EXPECT_EQ(p.status().message(), "no user with anonymousId 'ghost'");
}

TEST_P(StoreProfiles, ForgetsADeletedProfile) {
  Put("brand-a", User("u1"));
  ASSERT_TRUE(store_->DeleteProfile("brand-a", UserKey("u1")).ok());
  EXPECT_EQ(store_->GetProfile("brand-a", UserKey("u1")).status().code(), Code::kNotFound);
}

TEST_P(StoreProfiles, DeletesOnlyTheNamedProfile) {
  Upsert("brand-a", {User("u1"), User("u2")});
  ASSERT_TRUE(store_->DeleteProfile("brand-a", UserKey("u1")).ok());
  EXPECT_TRUE(store_->GetProfile("brand-a", UserKey("u2")).ok());
}

TEST_P(StoreProfiles, DeletesAProfileByItsAnonymousId) {
  Put("brand-a", Anonymous("anon"));
  ASSERT_TRUE(store_->DeleteProfile("brand-a", AnonymousKey("anon")).ok());
  EXPECT_EQ(store_->GetProfile("brand-a", AnonymousKey("anon")).status().code(), Code::kNotFound);
}

TEST_P(StoreProfiles, AnswersNotFoundWhenDeletingAnUnknownProfile) {
  Status st = store_->DeleteProfile("brand-a", UserKey("ghost"));
  EXPECT_EQ(st.code(), Code::kNotFound);
  EXPECT_EQ(st.message(), "no user with userId 'ghost'");
}

TEST_P(StoreProfiles, StartsAfreshWhenADeletedUserIdIsWrittenAgain) {
  PutFirstVersion();
  ASSERT_TRUE(store_->DeleteProfile("brand-a", UserKey("u1")).ok());
  Put("brand-a", User("u1"), kNow + 9);
  profiles::Profile p = Get("brand-a", UserKey("u1"));
  EXPECT_TRUE(p[Field::kEmail].is_null());
  EXPECT_TRUE(p.attributes.empty());
  EXPECT_EQ(p.created_at, kNow + 9);
}

INSTANTIATE_CONFORMANCE(StoreProfiles);

}  // namespace
}  // namespace cdp::store::conformance
