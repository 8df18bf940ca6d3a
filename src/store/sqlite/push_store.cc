// Subscriber pages (sql::SubscriberPages), left to this backend by the portable push part:
// profiles read straight from the statement.
#include "store/push_sql.h"
#include "store/sqlite/backend.h"
#include "store/sqlite/sqlite_db.h"

namespace cdp::store::sqlite {

Result<ProfilePage> Backend::Subscribers(std::string_view brand_id, std::string_view platform,
                                         int64_t after_profile, size_t limit) {
  return ReadOn([&](Db& db) -> Result<ProfilePage> {
    static const sql::Query subscribers("SELECT " + ProfileColumns("p.") + push_sql::kSubscribersWhere);
    auto stmt = db.Prepare(subscribers.sqlite_text());
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
