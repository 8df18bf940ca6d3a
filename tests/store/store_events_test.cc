// Store conformance: events, as far as the store keeps them (idempotency, paging, counts,
// deletion and brand isolation).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "store/store_conformance.h"

namespace cdp::store::conformance {
namespace {

class StoreEvents : public StoreTest {};

TEST_P(StoreEvents, CountsStoredEventsAndTheirProfiles) {
  Append("brand-a", {MakeEvent(User("u1"), "e", kNow), MakeEvent(User("u1"), "e", kNow + 1),
                     MakeEvent(User("u2"), "e", kNow)});
  auto counts = Count("brand-a", "e");
  EXPECT_EQ(counts.events, 3);
  EXPECT_EQ(counts.profiles, 2);
}

TEST_P(StoreEvents, CreatesTheProfileOfAnEventsUser) {
  Append("brand-a", {MakeEvent(User("new"), "e", kNow)});
  EXPECT_TRUE(store_->GetProfile("brand-a", UserKey("new")).ok());
}

TEST_P(StoreEvents, DeletingAProfileDeletesItsEvents) {
  Append("brand-a", {MakeEvent(User("u1"), "e", kNow), MakeEvent(User("u1"), "e", kNow + 1),
                     MakeEvent(User("u2"), "e", kNow)});
  ASSERT_TRUE(store_->DeleteProfile("brand-a", UserKey("u1")).ok());
  auto counts = Count("brand-a", "e");
  EXPECT_EQ(counts.events, 1);
  EXPECT_EQ(counts.profiles, 1);
}

TEST_P(StoreEvents, DeletingAnAnonymousProfileDeletesItsEvents) {
  Append("brand-a", {MakeEvent(Anonymous("a1"), "e", kNow)});
  ASSERT_TRUE(store_->DeleteProfile("brand-a", AnonymousKey("a1")).ok());
  EXPECT_EQ(Count("brand-a", "e").events, 0);
}

TEST_P(StoreEvents, KeepsBrandsEventsApart) {
  Append("brand-a", {MakeEvent(User("same"), "e", kNow)});
  EXPECT_EQ(Count("brand-b", "e").events, 0);
}

TEST_P(StoreEvents, StoresAnEventWithAMessageIdOnce) {
  auto first = Append(
      "brand-a", {MakeEvent(User("u"), "e", kNow, "m1"), MakeEvent(User("u"), "e", kNow, "m1")});
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].outcome, events::EventOutcome::kStored);
  EXPECT_EQ(first[1].outcome, events::EventOutcome::kDuplicate);
  EXPECT_EQ(Count("brand-a", "e").events, 1);
}

TEST_P(StoreEvents, RecognisesARetriedMessageIdAsADuplicate) {
  Append("brand-a", {MakeEvent(User("u"), "e", kNow, "m1")});
  auto retry = Append("brand-a", {MakeEvent(User("u"), "e", kNow, "m1")});
  ASSERT_EQ(retry.size(), 1u);
  EXPECT_EQ(retry[0].outcome, events::EventOutcome::kDuplicate);
}

TEST_P(StoreEvents, KeepsMessageIdsPerBrand) {
  Append("brand-a", {MakeEvent(User("u"), "e", kNow, "m1")});
  auto other = Append("brand-b", {MakeEvent(User("u"), "e", kNow, "m1")});
  ASSERT_EQ(other.size(), 1u);
  EXPECT_EQ(other[0].outcome, events::EventOutcome::kStored);
}

// As StoreIdentity.LeavesAnAnonymousIdWithTheUserItAlreadyBelongsTo, for an event's user.
TEST_P(StoreEvents, StoresTheOtherEventsOfABatchWhenOneNamesAnotherUsersAnonymousId) {
  Put("brand-a", Both("alice", "anon-1"));
  auto r = store_->AppendEvents(
      "brand-a", {MakeEvent(User("u1"), "e", kNow), MakeEvent(Both("bob", "anon-1"), "e", kNow)},
      kNow);
  ASSERT_TRUE(r.ok()) << "the whole batch failed: " << r.status().message();
  EXPECT_TRUE((*r)[0].status.ok()) << (*r)[0].status.message();
  EXPECT_TRUE((*r)[1].status.ok()) << (*r)[1].status.message();
  EXPECT_EQ(Count("brand-a", "e").events, 2);
}

TEST_P(StoreEvents, PagesEventUsersInAStableOrderWithTheirCounts) {
  std::vector<events::Event> evs;
  for (int u = 0; u < 25; ++u)
    for (int k = 0; k <= u % 3; ++k)
      evs.push_back(MakeEvent(User(fmt::format("u{}", u)), "buy", kNow + k));
  Append("brand-a", std::move(evs));
  events::EventQuery q;
  q.name = "buy";
  q.from = kNow;
  q.to = kNow + 10;
  q.limit = 10;
  std::set<std::string> seen;
  int64_t total = 0;
  int pages = 0;
  for (; pages < 5; ++pages) {
    auto r = store_->QueryEventUsers("brand-a", q);
    ASSERT_TRUE(r.ok()) << r.status().message();
    for (const auto& u : r->users) {
      EXPECT_TRUE(seen.insert(*u.profile.user_id).second);
      total += u.count;
      EXPECT_EQ(u.first, kNow);
    }
    if (!r->next_after) break;
    q.after_profile = *r->next_after;
  }
  EXPECT_EQ(pages, 2);  // 10 + 10 + 5, the last page without a cursor
  EXPECT_EQ(seen.size(), 25u);
  EXPECT_EQ(total, Count("brand-a", "buy").events);
}

// A read must not pin its connection to an old snapshot: every read after a write sees it.
TEST_P(StoreEvents, ReadsAfterAWriteSeeItWhateverWasReadBefore) {
  Put("brand-a", User("reader"));
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(store_->GetProfile("brand-a", UserKey("reader")).ok());
    Append("brand-a", {MakeEvent(User("reader"), "seen", kNow + i)});
    events::EventQuery q;
    q.name = "seen";
    q.from = kNow;
    q.to = kNow + 10;
    auto page = store_->QueryEventUsers("brand-a", q);
    ASSERT_TRUE(page.ok());
    ASSERT_EQ(page->users.size(), 1u);
    EXPECT_EQ(page->users[0].count, i + 1);
  }
}

INSTANTIATE_CONFORMANCE(StoreEvents);

}  // namespace
}  // namespace cdp::store::conformance
