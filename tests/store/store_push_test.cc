// Store conformance: push subscriptions — registration and take-over of an address,
// deletion by id or address, listing per profile and platform, subscriber pages, and
// subscriptions following their profile through a merge and a deletion.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/store_conformance.h"

namespace cdp::store::conformance {
namespace {

class StorePush : public StoreTest {
 protected:
  int64_t ProfileId(std::string_view brand, const profiles::ProfileKey& key) {
    return Get(brand, key).id;
  }
  std::string Save(std::string_view brand, std::string id, int64_t profile, std::string platform,
                   std::string address, std::string p256dh = "", int64_t at = kNow) {
    Subscription s{std::move(id),
                   profile,
                   std::move(platform),
                   std::move(address),
                   std::move(p256dh),
                   "auth",
                   at,
                   at};
    auto saved = store_->SaveSubscription(brand, s);
    EXPECT_TRUE(saved.ok()) << saved.status().message();
    return saved.ok() ? *saved : "";
  }
  std::vector<std::string> Addresses(std::string_view brand, int64_t profile,
                                     std::string_view platform) {
    auto subs = store_->ListSubscriptions(brand, profile, platform);
    EXPECT_TRUE(subs.ok()) << subs.status().message();
    std::vector<std::string> out;
    if (subs.ok())
      for (const auto& s : *subs) out.push_back(s.address);
    return out;
  }
};

TEST_P(StorePush, ListsAProfilesSubscriptionsOfOnePlatformOldestFirst) {
  Put("brand-a", User("alice"));
  const int64_t alice = ProfileId("brand-a", UserKey("alice"));
  EXPECT_EQ(Save("brand-a", "sub_1", alice, "web", "https://push.example/1", "key1"), "sub_1");
  Save("brand-a", "sub_2", alice, "android", "fcm-token");
  Save("brand-a", "sub_3", alice, "web", "https://push.example/0", "key0", kNow + 1);
  EXPECT_EQ(Addresses("brand-a", alice, "web"),
            (std::vector<std::string>{"https://push.example/1", "https://push.example/0"}));
  EXPECT_EQ(Addresses("brand-a", alice, "android"), (std::vector<std::string>{"fcm-token"}));
  EXPECT_TRUE(Addresses("brand-a", alice, "ios").empty());
  auto subs = store_->ListSubscriptions("brand-a", alice, "web");
  ASSERT_TRUE(subs.ok());
  EXPECT_EQ((*subs)[0].id, "sub_1");
  EXPECT_EQ((*subs)[0].p256dh, "key1");
  EXPECT_EQ((*subs)[0].auth, "auth");
  EXPECT_EQ((*subs)[0].profile_id, alice);
}

TEST_P(StorePush, ARegisteredAddressMovesToTheNewProfileKeepingItsId) {
  Put("brand-a", User("alice"));
  Put("brand-a", User("bob"));
  const int64_t alice = ProfileId("brand-a", UserKey("alice"));
  const int64_t bob = ProfileId("brand-a", UserKey("bob"));
  Save("brand-a", "sub_1", alice, "web", "https://push.example/1", "old");
  EXPECT_EQ(Save("brand-a", "sub_9", bob, "web", "https://push.example/1", "new", kNow + 5),
            "sub_1");
  EXPECT_TRUE(Addresses("brand-a", alice, "web").empty());
  auto subs = store_->ListSubscriptions("brand-a", bob, "web");
  ASSERT_TRUE(subs.ok());
  ASSERT_EQ(subs->size(), 1u);
  EXPECT_EQ((*subs)[0].p256dh, "new");
  EXPECT_EQ((*subs)[0].created_at, kNow);
  EXPECT_EQ((*subs)[0].updated_at, kNow + 5);
  // The same address on another platform or brand is another subscription.
  EXPECT_EQ(Save("brand-a", "sub_2", bob, "android", "https://push.example/1"), "sub_2");
  Put("brand-b", User("bob"));
  EXPECT_EQ(Save("brand-b", "sub_3", ProfileId("brand-b", UserKey("bob")), "web",
                 "https://push.example/1"),
            "sub_3");
}

TEST_P(StorePush, DeletesByIdOrByAddressWithinTheBrandOnly) {
  Put("brand-a", User("alice"));
  const int64_t alice = ProfileId("brand-a", UserKey("alice"));
  Save("brand-a", "sub_1", alice, "web", "https://push.example/1");
  Save("brand-a", "sub_2", alice, "ios", "abcd");
  EXPECT_EQ(store_->DeleteSubscription("brand-b", "sub_1", "", "").code(), Code::kNotFound);
  EXPECT_EQ(store_->DeleteSubscription("brand-a", "", "android", "abcd").code(), Code::kNotFound);
  EXPECT_TRUE(store_->DeleteSubscription("brand-a", "sub_1", "", "").ok());
  EXPECT_TRUE(store_->DeleteSubscription("brand-a", "", "ios", "abcd").ok());
  EXPECT_EQ(store_->DeleteSubscription("brand-a", "sub_1", "", "").code(), Code::kNotFound);
  EXPECT_TRUE(Addresses("brand-a", alice, "web").empty());
  EXPECT_TRUE(Addresses("brand-a", alice, "ios").empty());
}

TEST_P(StorePush, PagesSubscribersOfAPlatformInIdOrderOncePerProfile) {
  std::vector<int64_t> web;
  for (int i = 0; i < 5; ++i) {
    const std::string uid = "u" + std::to_string(i);
    Put("brand-a", User(uid));
    const int64_t id = ProfileId("brand-a", UserKey(uid));
    if (i % 2 == 0) {
      Save("brand-a", "sub_w" + std::to_string(i), id, "web", "https://p/" + uid);
      Save("brand-a", "sub_x" + std::to_string(i), id, "web", "https://q/" + uid);
      web.push_back(id);
    } else {
      Save("brand-a", "sub_a" + std::to_string(i), id, "android", "t" + uid);
    }
  }
  std::vector<int64_t> seen;
  int64_t after = 0;
  for (int pages = 0; pages < 10; ++pages) {
    auto page = store_->Subscribers("brand-a", "web", after, 2);
    ASSERT_TRUE(page.ok()) << page.status().message();
    for (const auto& p : page->profiles) seen.push_back(p.id);
    if (!page->next_after) break;
    after = *page->next_after;
  }
  EXPECT_EQ(seen, web);
  auto other = store_->Subscribers("brand-b", "web", 0, 10);
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other->profiles.empty());
}

TEST_P(StorePush, SubscriptionsFollowAMergeAndGoWithTheirProfile) {
  Put("brand-a", User("alice"));
  Put("brand-a", Anonymous("anon-1"));
  const int64_t anon = ProfileId("brand-a", AnonymousKey("anon-1"));
  Save("brand-a", "sub_1", anon, "web", "https://push.example/1");
  Put("brand-a", Both("alice", "anon-1"));
  const int64_t alice = ProfileId("brand-a", UserKey("alice"));
  EXPECT_EQ(Addresses("brand-a", alice, "web"),
            (std::vector<std::string>{"https://push.example/1"}));
  ASSERT_TRUE(store_->DeleteProfile("brand-a", UserKey("alice")).ok());
  EXPECT_TRUE(Addresses("brand-a", alice, "web").empty());
  EXPECT_EQ(store_->DeleteSubscription("brand-a", "sub_1", "", "").code(), Code::kNotFound);
}

INSTANTIATE_CONFORMANCE(StorePush);

}  // namespace
}  // namespace cdp::store::conformance
