#include <fmt/format.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/sql/parts.h"
#include "store/sql/rows.h"

namespace cdp::store::sql {
namespace {

const Query kInsertSegment(
    "INSERT INTO segments (brand_id, id, name, rules, created_at, updated_at) "
    "VALUES ($1, $2, $3, $4, $5, $6)");
const Query kGetSegment(
    "SELECT id, name, rules, created_at, updated_at FROM segments "
    "WHERE brand_id = $1 AND id = $2");
const Query kListSegments(
    "SELECT id, name, rules, created_at, updated_at FROM segments "
    "WHERE brand_id = $1 ORDER BY name");
const Query kUpdateSegment(
    "UPDATE segments SET name = $3, rules = $4, updated_at = $5 "
    "WHERE brand_id = $1 AND id = $2");
const Query kDeleteSegment("DELETE FROM segments WHERE brand_id = $1 AND id = $2");

Segment ReadSegment(const Rows& r, int row) {
  return Segment{r.Text(row, 0), r.Text(row, 1), r.Text(row, 2), r.Int(row, 3), r.Int(row, 4)};
}

Status NoSegment(std::string_view id) { return NotFound(fmt::format("no segment '{}'", id)); }

Status NameTakenOr(Status st, std::string_view name) {
  if (st.code() == Code::kAlreadyExists)
    return AlreadyExists(fmt::format("a segment named '{}' exists", name));
  return st;
}

class PortableSegmentStore final : public SegmentStore {
 public:
  PortableSegmentStore(Executor& executor, std::shared_ptr<SegmentEvaluator> evaluator)
      : executor_(executor), evaluator_(std::move(evaluator)) {}

  Status CreateSegment(std::string_view brand_id, const Segment& s) override {
    return NameTakenOr(executor_.Write([&](Connection& c) -> Status {
      return c
          .Exec(kInsertSegment,
                Params().Add(brand_id).Add(s.id).Add(s.name).Add(s.rules).Add(s.created_at).Add(
                    s.updated_at))
          .status();
    }),
                       s.name);
  }

  Result<Segment> GetSegment(std::string_view brand_id, std::string_view id) override {
    auto found = ReadAll<Segment>(executor_, kGetSegment, Params().Add(brand_id).Add(id),
                                  ReadSegment);
    if (!found.ok()) return std::move(found).take_status();
    if (found->empty()) return NoSegment(id);
    return std::move(found->front());
  }

  Result<std::vector<Segment>> ListSegments(std::string_view brand_id) override {
    return ReadAll<Segment>(executor_, kListSegments, Params().Add(brand_id), ReadSegment);
  }

  Status UpdateSegment(std::string_view brand_id, const Segment& s) override {
    return NameTakenOr(executor_.Write([&](Connection& c) -> Status {
      auto rows = c.Exec(kUpdateSegment,
                         Params().Add(brand_id).Add(s.id).Add(s.name).Add(s.rules).Add(s.updated_at));
      if (!rows.ok()) return std::move(rows).take_status();
      return rows->Affected() ? Status::Ok() : NoSegment(s.id);
    }),
                       s.name);
  }

  Status DeleteSegment(std::string_view brand_id, std::string_view id) override {
    return executor_.Write([&](Connection& c) -> Status {
      auto rows = c.Exec(kDeleteSegment, Params().Add(brand_id).Add(id));
      if (!rows.ok()) return std::move(rows).take_status();
      return rows->Affected() ? Status::Ok() : NoSegment(id);
    });
  }

  Result<int64_t> CountSegment(std::string_view brand_id, const segments::Node& rule,
                               int64_t now) override {
    return evaluator_->CountSegment(brand_id, rule, now);
  }

  Result<ProfilePage> SegmentMembers(std::string_view brand_id, const segments::Node& rule,
                                     int64_t now, int64_t after_profile, size_t limit) override {
    return evaluator_->SegmentMembers(brand_id, rule, now, after_profile, limit);
  }

 private:
  Executor& executor_;
  const std::shared_ptr<SegmentEvaluator> evaluator_;
};

}  // namespace

std::unique_ptr<SegmentStore> NewSegmentStore(Executor& executor,
                                              std::shared_ptr<SegmentEvaluator> evaluator) {
  return std::make_unique<PortableSegmentStore>(executor, std::move(evaluator));
}

}  // namespace cdp::store::sql
