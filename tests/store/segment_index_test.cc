// The segment index's memory budget (store/segment_index.h): beyond it the least recently
// used brand is dropped, a brand larger than the budget alone is dropped after each
// evaluation, and counts stay right either way. Runs the index over a real SQLite database.
#include "store/segment_index.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "auth/keys.h"
#include "store/sqlite/change_log.h"
#include "store/sqlite/segment_rows.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store_conformance.h"
#include "support/server_process.h"

namespace cdp::store {
namespace {

constexpr int64_t kNow = conformance::kNow;

class SegmentIndexBudget : public ::testing::Test {
 protected:
  void SetUp() override {
    SqliteOptions options;
    options.data_dir = dir_.path() + "/data";
    auto store = OpenSqliteStore(options);
    ASSERT_TRUE(store.ok()) << store.status().message();
    // brand-a has 300 profiles on the plan "pro", brand-b 100.
    for (auto [brand, n] : {std::pair{"brand-a", 300}, std::pair{"brand-b", 100}}) {
      auto key = auth::IssueKey(brand, kNow);
      ASSERT_TRUE((*store)
                      ->CreateBrand(Brand{brand, brand, kNow}, key.record, conformance::TestAudit())
                      .ok());
      std::vector<ProfileWrite> writes;
      for (int i = 0; i < n; ++i) {
        profiles::ProfilePatch p;
        p.user_id = fmt::format("u{}", i);
        p.attributes["plan"] = "pro";
        writes.push_back(ProfileWrite{std::move(p)});
      }
      ASSERT_TRUE((*store)->UpsertProfiles(brand, std::move(writes), kNow).ok());
    }
    auto types = (*store)->GetAttributeTypes("brand-a");
    ASSERT_TRUE(types.ok());
    auto rule = segments::ParseRule(
        boost::json::parse(R"({"attribute":"attributes.plan","op":"eq","value":"pro"})"), *types);
    ASSERT_TRUE(rule.ok()) << rule.status().message();
    rule_ = *rule;
    store->reset();
    auto db = sqlite::Db::Open(options.data_dir + "/cdp.db");
    ASSERT_TRUE(db.ok()) << db.status().message();
    db_ = std::move(db).value();
  }

  int64_t Count(SegmentIndex& index, std::string_view brand) {
    sqlite::SqliteSegmentRows rows(*db_, log_, brand);
    auto n = index.Count(rows, brand, rule_, kNow);
    EXPECT_TRUE(n.ok()) << n.status().message();
    return n.ok() ? *n : -1;
  }

  testing::TempDir dir_;
  std::unique_ptr<sqlite::Db> db_;
  sqlite::ChangeLog log_;
  segments::Node rule_;
};

TEST_F(SegmentIndexBudget, DropsTheLeastRecentlyUsedBrandBeyondTheBudget) {
  SegmentIndex unlimited;
  ASSERT_EQ(Count(unlimited, "brand-a"), 300);
  const size_t a = unlimited.TotalBytes();
  ASSERT_EQ(Count(unlimited, "brand-b"), 100);
  const size_t b = unlimited.TotalBytes() - a;
  ASSERT_GT(a, b);
  EXPECT_EQ(unlimited.evictions(), 0u);

  // Room for brand-a, or for brand-b, not for both.
  SegmentIndex index(a + b / 2);
  EXPECT_EQ(Count(index, "brand-a"), 300);
  EXPECT_EQ(Count(index, "brand-b"), 100);  // brand-a was used less recently: dropped
  EXPECT_EQ(index.evictions(), 1u);
  EXPECT_EQ(index.TotalBytes(), b);
  EXPECT_EQ(Count(index, "brand-b"), 100);  // fits: nothing dropped
  EXPECT_EQ(index.evictions(), 1u);
  EXPECT_EQ(Count(index, "brand-a"), 300);  // read again; brand-b goes
  EXPECT_EQ(index.evictions(), 2u);
  EXPECT_EQ(index.TotalBytes(), a);
}

TEST_F(SegmentIndexBudget, DropsABrandLargerThanTheBudgetAfterEachEvaluation) {
  SegmentIndex index(1);
  EXPECT_EQ(Count(index, "brand-a"), 300);
  EXPECT_EQ(Count(index, "brand-a"), 300);
  EXPECT_EQ(index.evictions(), 2u);
  EXPECT_EQ(index.TotalBytes(), 0u);
}

}  // namespace
}  // namespace cdp::store
