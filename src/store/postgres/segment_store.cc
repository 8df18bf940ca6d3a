// Segment evaluation (sql::SegmentEvaluator), left to this backend by the portable segment
// part: each rule tree compiled to one SQL condition (segments/sql.h).
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "segments/sql.h"
#include "store/postgres/parts.h"
#include "store/postgres/rows.h"

namespace cdp::store::postgres {
namespace {

void AddSegmentParams(Params& params, const std::vector<segments::SqlParam>& values) {
  for (const auto& v : values) {
    std::visit(
        [&](const auto& x) {
          if constexpr (std::is_same_v<std::decay_t<decltype(x)>, bool>)
            params.Add(x ? "true" : "false");
          else
            params.Add(x);
        },
        v);
  }
}

class PostgresSegmentEvaluator final : public sql::SegmentEvaluator {
 public:
  explicit PostgresSegmentEvaluator(Backend& backend) : backend_(backend) {}

  Result<int64_t> CountSegment(std::string_view brand_id, const segments::Node& rule,
                               int64_t now) override {
    auto where = segments::CompileWhere(rule, segments::Dialect::kPostgres, now, 1, 2);
    Params params;
    params.Add(brand_id);
    AddSegmentParams(params, where.params);
    return backend_.WithReader([&](Conn& c) -> Result<int64_t> {
      auto rows = c.ExecOnce(
          "SELECT count(*) FROM profiles p WHERE p.brand_id = $1::text AND " + where.text, params);
      if (!rows.ok()) return std::move(rows).take_status();
      return rows->Int(0, 0);
    });
  }

  Result<ProfilePage> SegmentMembers(std::string_view brand_id, const segments::Node& rule,
                                     int64_t now, int64_t after_profile, size_t limit) override {
    auto where = segments::CompileWhere(rule, segments::Dialect::kPostgres, now, 1, 4);
    Params params;
    params.Add(brand_id).Add(after_profile).Add(static_cast<int64_t>(limit + 1));
    AddSegmentParams(params, where.params);
    return backend_.WithReader([&](Conn& c) -> Result<ProfilePage> {
      auto rows = c.ExecOnce("SELECT " + ProfileColumns("p.") +
                                 " FROM profiles p WHERE p.brand_id = $1::text AND p.id > "
                                 "$2::bigint AND " +
                                 where.text + " ORDER BY p.id LIMIT $3::bigint",
                             params);
      if (!rows.ok()) return std::move(rows).take_status();
      return ProfilePageOf(*rows, limit);
    });
  }

 private:
  Backend& backend_;
};

}  // namespace

std::shared_ptr<sql::SegmentEvaluator> NewSegmentEvaluator(Backend& backend) {
  return std::make_shared<PostgresSegmentEvaluator>(backend);
}

}  // namespace cdp::store::postgres
