#include "store/campaign_sql.h"
#include "store/push_sql.h"
#include "store/sqlite/backend.h"
#include "store/sqlite/sqlite_db.h"

namespace cdp::store::sqlite {

Result<std::string> Backend::SaveSubscription(std::string_view brand_id, const Subscription& sub) {
  std::string id;
  Status st = writer_.Submit([&](Db& db) -> Status {
    static const std::string sql = campaign_sql::ForSqlite(push_sql::kSaveSubscription);
    auto stmt = db.Prepare(sql);
    if (!stmt.ok()) return std::move(stmt).take_status();
    stmt->Bind(1, brand_id)
        .Bind(2, sub.id)
        .Bind(3, sub.profile_id)
        .Bind(4, sub.platform)
        .Bind(5, sub.address)
        .Bind(6, sub.p256dh)
        .Bind(7, sub.auth)
        .Bind(8, sub.updated_at);
    auto row = stmt->Step();
    if (!row.ok()) return std::move(row).take_status();
    if (!*row) return Internal("subscription not saved");
    id = stmt->Text(0);
    stmt->Reset();
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return id;
}

Status Backend::DeleteSubscription(std::string_view brand_id, std::string_view id,
                                   std::string_view platform, std::string_view address) {
  return writer_.Submit([&](Db& db) -> Status {
    static const std::string sql = campaign_sql::ForSqlite(push_sql::kDeleteSubscription);
    auto stmt = db.Prepare(sql);
    if (!stmt.ok()) return std::move(stmt).take_status();
    CDP_RETURN_IF_ERROR(
        stmt->Bind(1, brand_id).Bind(2, id).Bind(3, platform).Bind(4, address).Run());
    return db.Changes() > 0 ? Status::Ok() : NotFound("no such subscription");
  });
}

Result<std::vector<Subscription>> Backend::ListSubscriptions(std::string_view brand_id,
                                                             int64_t profile_id,
                                                             std::string_view platform) {
  return ReadOn([&](Db& db) -> Result<std::vector<Subscription>> {
    static const std::string sql = campaign_sql::ForSqlite(push_sql::kListSubscriptions);
    auto stmt = db.Prepare(sql);
    if (!stmt.ok()) return std::move(stmt).take_status();
    stmt->Bind(1, brand_id).Bind(2, profile_id).Bind(3, platform);
    std::vector<Subscription> out;
    for (;;) {
      auto row = stmt->Step();
      if (!row.ok()) return std::move(row).take_status();
      if (!*row) break;
      out.push_back({stmt->Text(0), stmt->Int(1), stmt->Text(2), stmt->Text(3), stmt->Text(4),
                     stmt->Text(5), stmt->Int(6), stmt->Int(7)});
    }
    stmt->Reset();
    return out;
  });
}

Result<ProfilePage> Backend::Subscribers(std::string_view brand_id, std::string_view platform,
                                         int64_t after_profile, size_t limit) {
  return ReadOn([&](Db& db) -> Result<ProfilePage> {
    static const std::string sql =
        "SELECT " + ProfileColumns("p.") + campaign_sql::ForSqlite(push_sql::kSubscribersWhere);
    auto stmt = db.Prepare(sql);
    if (!stmt.ok()) return std::move(stmt).take_status();
    stmt->Bind(1, brand_id)
        .Bind(2, after_profile)
        .Bind(3, platform)
        .Bind(4, static_cast<int64_t>(limit + 1));
    ProfilePage page;
    for (;;) {
      auto row = stmt->Step();
      if (!row.ok()) return std::move(row).take_status();
      if (!*row) break;
      if (page.profiles.size() == limit) {
        page.next_after = page.profiles.back().id;
        break;
      }
      page.profiles.push_back(ReadProfile(*stmt));
    }
    stmt->Reset();
    return page;
  });
}

}  // namespace cdp::store::sqlite
