// Store conformance: the segment index (store/segment_index.h) counts what is committed at
// the time of the call, whatever wrote it and in whichever order the writes committed: after
// it was built, a profile that gains or loses an attribute, a new event, a deleted profile,
// another store on the same PostgreSQL database (another node), a transaction that commits
// after a later one, and a memory budget too small to keep a brand.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "segments/rule.h"
#include "store/postgres/pg_conn.h"
#include "store/postgres/segment_rows.h"
#include "store/store_conformance.h"

namespace cdp::store::conformance {
namespace {

namespace json = boost::json;

constexpr const char* kPro = R"({"attribute":"attributes.plan","op":"eq","value":"pro"})";
constexpr const char* kBought = R"({"event":"buy","op":"at_least","count":1})";

class StoreSegmentIndex : public StoreTest {
 protected:
  int64_t Segment(Store& store, std::string_view brand, const char* rule) {
    auto types = store.GetAttributeTypes(brand);
    EXPECT_TRUE(types.ok()) << types.status().message();
    auto node =
        segments::ParseRule(json::parse(rule), types.ok() ? *types : segments::AttributeTypes{});
    EXPECT_TRUE(node.ok()) << node.status().message();
    if (!node.ok()) return -1;
    auto n = store.CountSegment(brand, *node, kNow);
    EXPECT_TRUE(n.ok()) << n.status().message();
    return n.ok() ? *n : -1;
  }
  int64_t Segment(std::string_view brand, const char* rule) {
    return Segment(*store_, brand, rule);
  }

  static profiles::ProfilePatch WithPlan(std::string user, std::string plan) {
    profiles::ProfilePatch p = User(std::move(user));
    p.attributes["plan"] = plan;
    return p;
  }

  PostgresLocation* Postgres() { return dynamic_cast<PostgresLocation*>(location_.get()); }
};

TEST_P(StoreSegmentIndex, CountsFollowWritesMadeAfterTheIndexWasBuilt) {
  Put("brand-a", WithPlan("u1", "pro"));
  Put("brand-a", WithPlan("u2", "free"));
  EXPECT_EQ(Segment("brand-a", kPro), 1);
  EXPECT_EQ(Segment("brand-a", kBought), 0);

  Put("brand-a", WithPlan("u3", "pro"));   // a new profile
  Put("brand-a", WithPlan("u1", "free"));  // one leaves
  Put("brand-b", WithPlan("b1", "pro"));   // another brand's
  Append("brand-a", {MakeEvent(User("u2"), "buy", kNow - 1000)});
  Append("brand-a", {MakeEvent(User("u4"), "buy", kNow - 2000)});  // creates u4
  Append("brand-b", {MakeEvent(User("b1"), "buy", kNow - 1000)});
  EXPECT_EQ(Segment("brand-a", kPro), 1);
  EXPECT_EQ(Segment("brand-a", kBought), 2);
  EXPECT_EQ(Segment("brand-b", kPro), 1);

  ASSERT_TRUE(store_->DeleteProfile("brand-a", UserKey("u2")).ok());
  EXPECT_EQ(Segment("brand-a", kBought), 1);
  EXPECT_EQ(Segment("brand-a", R"({"not":{"event":"buy","op":"did"}})"), 2);  // u1, u3
}

TEST_P(StoreSegmentIndex, KeepsCountsRightWithABudgetTooSmallForOneBrand) {
  location_->segment_memory = 1;
  Reopen();
  Put("brand-a", WithPlan("u1", "pro"));
  Append("brand-a", {MakeEvent(User("u1"), "buy", kNow - 1000)});
  EXPECT_EQ(Segment("brand-a", kPro), 1);
  EXPECT_EQ(Segment("brand-a", kBought), 1);
  Put("brand-a", WithPlan("u2", "pro"));
  Put("brand-b", WithPlan("b1", "pro"));
  EXPECT_EQ(Segment("brand-a", kPro), 2);
  EXPECT_EQ(Segment("brand-b", kPro), 1);
  EXPECT_EQ(Segment("brand-a", kBought), 1);
}

TEST_P(StoreSegmentIndex, ANodeCountsWhatAnotherNodeWrote) {
  if (!Postgres()) GTEST_SKIP() << "one SQLite store per data folder";
  auto other = location_->Open();
  ASSERT_TRUE(other.ok()) << other.status().message();
  Put("brand-a", WithPlan("u1", "pro"));
  EXPECT_EQ(Segment("brand-a", kPro), 1);
  EXPECT_EQ(Segment("brand-a", kBought), 0);

  std::vector<ProfileWrite> writes;
  writes.push_back(ProfileWrite{WithPlan("u1", "free")});
  writes.push_back(ProfileWrite{WithPlan("u2", "pro")});
  ASSERT_TRUE((*other)->UpsertProfiles("brand-a", std::move(writes), kNow).ok());
  ASSERT_TRUE(
      (*other)->AppendEvents("brand-a", {MakeEvent(User("u2"), "buy", kNow - 5)}, kNow).ok());
  EXPECT_EQ(Segment("brand-a", kPro), 1);
  EXPECT_EQ(Segment("brand-a", kBought), 1);
  ASSERT_TRUE((*other)->DeleteProfile("brand-a", UserKey("u2")).ok());
  EXPECT_EQ(Segment("brand-a", kPro), 0);
  EXPECT_EQ(Segment("brand-a", kBought), 0);
}

// PostgreSQL commits concurrent transactions in any order: a transaction that began first
// and commits after a later one has already been counted must still be counted.
TEST_P(StoreSegmentIndex, CountsATransactionThatCommitsAfterALaterOne) {
  auto* pg = Postgres();
  if (!pg) GTEST_SKIP() << "SQLite has one writer: commits are in order";
  Put("brand-a", User("early"));
  Put("brand-a", User("late"));
  const int64_t early = Get("brand-a", UserKey("early")).id;
  EXPECT_EQ(Segment("brand-a", kBought), 0);

  auto conn = postgres::Conn::Open(pg->url());
  ASSERT_TRUE(conn.ok()) << conn.status().message();
  ASSERT_TRUE((*conn)->Run("BEGIN").ok());
  ASSERT_TRUE(
      (*conn)
          ->Run(fmt::format("INSERT INTO events (brand_id, profile_id, name, ts, received_at) "
                            "VALUES ('brand-a', {}, 'buy', {}, {})",
                            early, kNow - 10, kNow))
          .ok());
  Append("brand-a", {MakeEvent(User("late"), "buy", kNow - 20)});
  EXPECT_EQ(Segment("brand-a", kBought), 1);  // the open transaction is not visible yet
  ASSERT_TRUE((*conn)->Commit().ok());
  EXPECT_EQ(Segment("brand-a", kBought), 2);
}

// The feed keeps about an hour: a node whose index is older than what was pruned away
// builds it again rather than miss the pruned changes.
TEST_P(StoreSegmentIndex, BuildsAgainWhenTheChangesItNeedsWerePruned) {
  auto* pg = Postgres();
  if (!pg) GTEST_SKIP() << "SQLite's feed is in memory";
  Put("brand-a", WithPlan("u1", "pro"));
  EXPECT_EQ(Segment("brand-a", kPro), 1);
  Put("brand-a", WithPlan("u2", "pro"));

  auto conn = postgres::Conn::Open(pg->url());
  ASSERT_TRUE(conn.ok()) << conn.status().message();
  ASSERT_TRUE((*conn)->Run("UPDATE segment_changes SET at = now() - interval '2 hours'").ok());
  ASSERT_TRUE(postgres::PgSegmentRows::Prune(**conn).ok());
  auto left = (*conn)->ExecOnce("SELECT count(*) FROM segment_changes", postgres::Params());
  ASSERT_TRUE(left.ok()) << left.status().message();
  EXPECT_EQ(left->Int(0, 0), 0);

  EXPECT_EQ(Segment("brand-a", kPro), 2);
}

INSTANTIATE_CONFORMANCE(StoreSegmentIndex);

}  // namespace
}  // namespace cdp::store::conformance
