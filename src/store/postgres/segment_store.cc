// Segment evaluation (sql::SegmentEvaluator), left to this backend by the portable segment
// part: the in-memory segment index (store/segment_index.h), read and kept current in one
// REPEATABLE READ transaction per call (store/postgres/segment_rows.h), then the members'
// profile rows.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "store/postgres/parts.h"
#include "store/postgres/rows.h"
#include "store/postgres/segment_rows.h"
#include "store/segment_index.h"

namespace cdp::store::postgres {
namespace {

class PostgresSegmentEvaluator final : public sql::SegmentEvaluator {
 public:
  PostgresSegmentEvaluator(Backend& backend, size_t segment_memory)
      : backend_(backend), index_(segment_memory) {}

  Result<int64_t> CountSegment(std::string_view brand_id, const segments::Node& rule,
                               int64_t now) override {
    return InSnapshot([&](Conn& c) -> Result<int64_t> {
      PgSegmentRows rows(c, brand_id);
      return index_.Count(rows, brand_id, rule, now);
    });
  }

  Result<ProfilePage> SegmentMembers(std::string_view brand_id, const segments::Node& rule,
                                     int64_t now, int64_t after_profile, size_t limit) override {
    return InSnapshot([&](Conn& c) -> Result<ProfilePage> {
      PgSegmentRows rows(c, brand_id);
      auto ids = index_.Members(rows, brand_id, rule, now, after_profile, limit);
      if (!ids.ok()) return std::move(ids).take_status();
      ProfilePage page;
      page.next_after = ids->next_after;
      if (ids->ids.empty()) return page;
      Params params;
      params.Add(brand_id).AddArray(ids->ids);
      auto found = c.Exec({"cdp_segment_members",
                           "SELECT " + ProfileColumns() +
                               " FROM profiles WHERE brand_id = $1::text AND id = ANY($2::bigint[])"
                               " ORDER BY id"},
                          params);
      if (!found.ok()) return std::move(found).take_status();
      for (int i = 0; i < found->size(); ++i) page.profiles.push_back(ReadProfile(*found, i, 0));
      return page;
    });
  }

 private:
  // Runs f(Conn&) in a read-only REPEATABLE READ transaction: one snapshot for the feed and
  // every row the index reads.
  template <typename F>
  std::invoke_result_t<F, Conn&> InSnapshot(F&& f) {
    return backend_.WithReader([&](Conn& c) -> std::invoke_result_t<F, Conn&> {
      CDP_RETURN_IF_ERROR(c.Run("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
      auto result = f(c);
      if (!result.ok()) {
        (void)c.Run("ROLLBACK");
        return result;
      }
      CDP_RETURN_IF_ERROR(c.Run("COMMIT"));
      return result;
    });
  }

  Backend& backend_;
  SegmentIndex index_;
};

}  // namespace

std::shared_ptr<sql::SegmentEvaluator> NewSegmentEvaluator(Backend& backend,
                                                           size_t segment_memory) {
  return std::make_shared<PostgresSegmentEvaluator>(backend, segment_memory);
}

}  // namespace cdp::store::postgres
