// Store conformance: events stored out of time order (a backfill) are found by any time
// window, including windows that start or end at a week's edge (SQLite groups its events
// index by week, see store/sqlite/event_index.h) or one microsecond either side of it.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <vector>

#include "store/store_conformance.h"

namespace cdp::store::conformance {
namespace {

constexpr int64_t kWeek = 7 * 86'400'000'000LL;
constexpr int64_t kDay = 86'400'000'000LL;
// A week's edge a little before kNow, whichever weekday kNow is.
constexpr int64_t kEdge = (kNow / kWeek - 2) * kWeek;

class StoreEventTimes : public StoreTest {
 protected:
  // Events of "buy" at the edges of three weeks and one microsecond either side, and at
  // random times over ten weeks, appended in a shuffled order over several batches: the
  // i-th time is user u(i % 7)'s.
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    std::mt19937_64 rng(7);
    for (int w = -1; w <= 1; ++w)
      for (int64_t d : {-1, 0, 1}) times_.push_back(kEdge + w * kWeek + d);
    for (int i = 0; i < 60; ++i)
      times_.push_back(kEdge - 5 * kWeek + static_cast<int64_t>(rng() % (10 * kWeek)));
    std::shuffle(times_.begin(), times_.end(), rng);
    std::vector<events::Event> batch;
    for (size_t i = 0; i < times_.size(); ++i) {
      batch.push_back(MakeEvent(User(fmt::format("u{}", i % 7)), "buy", times_[i]));
      if (batch.size() < 10 && i + 1 < times_.size()) continue;
      Append("brand-a", std::move(batch));
      batch.clear();
    }
  }

  // The stored times in [from, to) and their distinct users, counted here.
  events::EventCounts Expected(int64_t from, int64_t to) const {
    events::EventCounts out{0, 0};
    std::set<size_t> users;
    for (size_t i = 0; i < times_.size(); ++i) {
      if (times_[i] < from || times_[i] >= to) continue;
      ++out.events;
      users.insert(i % 7);
    }
    out.profiles = static_cast<int64_t>(users.size());
    return out;
  }

  events::EventQuery Window(int64_t from, int64_t to) const {
    events::EventQuery q;
    q.name = "buy";
    q.from = from;
    q.to = to;
    q.limit = 100;
    return q;
  }

  // Windows whose ends fall on each edge, one microsecond off it, and inside weeks.
  std::vector<std::pair<int64_t, int64_t>> Windows() const {
    std::vector<int64_t> ends;
    for (int w = -2; w <= 2; ++w)
      for (int64_t d : {int64_t{-1}, int64_t{0}, int64_t{1}, kDay})
        ends.push_back(kEdge + w * kWeek + d);
    std::vector<std::pair<int64_t, int64_t>> out;
    for (int64_t from : ends)
      for (int64_t to : ends)
        if (from < to) out.emplace_back(from, to);
    return out;
  }

  std::vector<int64_t> times_;
};

TEST_P(StoreEventTimes, CountsBackfilledEventsInEveryWindowAtAndAroundWeekEdges) {
  for (auto [from, to] : Windows()) {
    auto got = store_->CountEvents("brand-a", Window(from, to));
    ASSERT_TRUE(got.ok()) << got.status().message();
    const auto want = Expected(from, to);
    EXPECT_EQ(got->events, want.events) << "window " << from - kEdge << " .. " << to - kEdge;
    EXPECT_EQ(got->profiles, want.profiles) << "window " << from - kEdge << " .. " << to - kEdge;
  }
}

TEST_P(StoreEventTimes, ListsTheUsersOfBackfilledEventsWithTheirCountsAndTimes) {
  for (auto [from, to] : Windows()) {
    auto page = store_->QueryEventUsers("brand-a", Window(from, to));
    ASSERT_TRUE(page.ok()) << page.status().message();
    std::map<std::string, events::EventUser> want;
    for (size_t i = 0; i < times_.size(); ++i) {
      if (times_[i] < from || times_[i] >= to) continue;
      auto& u = want[fmt::format("u{}", i % 7)];
      u.first = u.count ? std::min(u.first, times_[i]) : times_[i];
      u.last = u.count ? std::max(u.last, times_[i]) : times_[i];
      ++u.count;
    }
    ASSERT_EQ(page->users.size(), want.size()) << from - kEdge << " .. " << to - kEdge;
    for (const auto& u : page->users) {
      const auto& w = want.at(*u.profile.user_id);
      EXPECT_EQ(u.count, w.count);
      EXPECT_EQ(u.first, w.first);
      EXPECT_EQ(u.last, w.last);
    }
  }
}

TEST_P(StoreEventTimes, CountsBackfilledEventsPerDayAcrossWeekEdges) {
  const int64_t from = kEdge - kWeek - 1;
  const int64_t to = kEdge + kWeek + 1;
  const int64_t origin = from - kDay / 2;
  auto days = store_->CountEventsPerDay("brand-a", from, to, origin);
  ASSERT_TRUE(days.ok()) << days.status().message();
  std::map<int64_t, int64_t> want;
  for (int64_t t : times_)
    if (t >= from && t < to) ++want[(t - origin) / kDay];
  std::map<int64_t, int64_t> got;
  for (const auto& d : *days) got[d.day] = d.count;
  EXPECT_EQ(got, want);
}

TEST_P(StoreEventTimes, ListsAProfilesBackfilledEventsNewestFirst) {
  auto who = Get("brand-a", UserKey("u3"));
  std::vector<int64_t> want;
  for (size_t i = 0; i < times_.size(); ++i)
    if (i % 7 == 3) want.push_back(times_[i]);
  std::sort(want.rbegin(), want.rend());
  std::vector<int64_t> got;
  std::optional<EventPosition> before;
  for (int pages = 0; pages < 10; ++pages) {
    auto page = store_->ListProfileEvents("brand-a", who.id, before, 3);
    ASSERT_TRUE(page.ok()) << page.status().message();
    for (const auto& e : *page) got.push_back(e.time);
    if (page->size() < 3) break;
    before = EventPosition{page->back().time, page->back().id};
  }
  EXPECT_EQ(got, want);
}

INSTANTIATE_CONFORMANCE(StoreEventTimes);

}  // namespace
}  // namespace cdp::store::conformance
