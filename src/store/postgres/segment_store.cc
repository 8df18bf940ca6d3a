#include <fmt/format.h>

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

constexpr const char* kSegmentColumns = "id, name, rules, created_at, updated_at";
const Sql kInsertSegment{"cdp_insert_segment",
                         "INSERT INTO segments (brand_id, id, name, rules, created_at, updated_at) "
                         "VALUES ($1, $2, $3, $4, $5, $6)"};
const Sql kGetSegment{"cdp_get_segment", fmt::format("SELECT {} FROM segments WHERE brand_id = $1 "
                                                     "AND id = $2",
                                                     kSegmentColumns)};
const Sql kListSegments{
    "cdp_list_segments",
    fmt::format("SELECT {} FROM segments WHERE brand_id = $1 ORDER BY name", kSegmentColumns)};
const Sql kUpdateSegment{"cdp_update_segment",
                         "UPDATE segments SET name = $3, rules = $4, updated_at = $5 "
                         "WHERE brand_id = $1 AND id = $2"};
const Sql kDeleteSegment{"cdp_delete_segment",
                         "DELETE FROM segments WHERE brand_id = $1 AND id = $2"};

Segment ReadSegment(const Rows& r, int row) {
  return Segment{std::string(r.Text(row, 0)), std::string(r.Text(row, 1)),
                 std::string(r.Text(row, 2)), r.Int(row, 3), r.Int(row, 4)};
}

Status NoSegment(std::string_view id) { return NotFound(fmt::format("no segment '{}'", id)); }

Status SegmentNameTaken(std::string_view name) {
  return AlreadyExists(fmt::format("a segment named '{}' exists", name));
}

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

class PostgresSegmentStore final : public SegmentStore {
 public:
  explicit PostgresSegmentStore(Backend& backend) : backend_(backend) {}

  Status CreateSegment(std::string_view brand_id, const Segment& s) override {
    return backend_.Submit([&](Conn& c) -> Status {
      Status st = c.Exec(kInsertSegment, Params()
                                             .Add(brand_id)
                                             .Add(s.id)
                                             .Add(s.name)
                                             .Add(s.rules)
                                             .Add(s.created_at)
                                             .Add(s.updated_at))
                      .status();
      if (st.code() == Code::kAlreadyExists) return SegmentNameTaken(s.name);
      return st;
    });
  }

  Result<Segment> GetSegment(std::string_view brand_id, std::string_view id) override {
    return backend_.WithReader([&](Conn& c) -> Result<Segment> {
      auto rows = c.Exec(kGetSegment, Params().Add(brand_id).Add(id));
      if (!rows.ok()) return std::move(rows).take_status();
      if (rows->empty()) return NoSegment(id);
      return ReadSegment(*rows, 0);
    });
  }

  Result<std::vector<Segment>> ListSegments(std::string_view brand_id) override {
    return backend_.WithReader([&](Conn& c) -> Result<std::vector<Segment>> {
      auto rows = c.Exec(kListSegments, Params().Add(brand_id));
      if (!rows.ok()) return std::move(rows).take_status();
      std::vector<Segment> out;
      for (int i = 0; i < rows->size(); ++i) out.push_back(ReadSegment(*rows, i));
      return out;
    });
  }

  Status UpdateSegment(std::string_view brand_id, const Segment& s) override {
    return backend_.Submit([&](Conn& c) -> Status {
      auto rows =
          c.Exec(kUpdateSegment,
                 Params().Add(brand_id).Add(s.id).Add(s.name).Add(s.rules).Add(s.updated_at));
      if (!rows.ok() && rows.status().code() == Code::kAlreadyExists)
        return SegmentNameTaken(s.name);
      if (!rows.ok()) return std::move(rows).take_status();
      return rows->Affected() ? Status::Ok() : NoSegment(s.id);
    });
  }

  Status DeleteSegment(std::string_view brand_id, std::string_view id) override {
    return backend_.Submit([&](Conn& c) -> Status {
      auto rows = c.Exec(kDeleteSegment, Params().Add(brand_id).Add(id));
      if (!rows.ok()) return std::move(rows).take_status();
      return rows->Affected() ? Status::Ok() : NoSegment(id);
    });
  }

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

std::unique_ptr<SegmentStore> NewSegmentStore(Backend& backend) {
  return std::make_unique<PostgresSegmentStore>(backend);
}

}  // namespace cdp::store::postgres
