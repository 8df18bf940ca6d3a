// Subscriber pages (sql::SubscriberPages), left to this backend by the portable push part.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "store/postgres/parts.h"
#include "store/postgres/rows.h"
#include "store/push_sql.h"

namespace cdp::store::postgres {
namespace {

class PostgresSubscriberPages final : public sql::SubscriberPages {
 public:
  explicit PostgresSubscriberPages(Backend& backend) : backend_(backend) {}

  Result<ProfilePage> Subscribers(std::string_view brand_id, std::string_view platform,
                                  int64_t after_profile, size_t limit) override {
    static const Sql sql{"cdp_subscribers",
                         "SELECT " + ProfileColumns("p.") + push_sql::kSubscribersWhere};
    return backend_.WithReader([&](Conn& c) -> Result<ProfilePage> {
      auto rows = c.Exec(sql, Params()
                                  .Add(brand_id)
                                  .Add(after_profile)
                                  .Add(platform)
                                  .Add(static_cast<int64_t>(limit + 1)));
      if (!rows.ok()) return std::move(rows).take_status();
      return ProfilePageOf(*rows, limit);
    });
  }

 private:
  Backend& backend_;
};

}  // namespace

std::shared_ptr<sql::SubscriberPages> NewSubscriberPages(Backend& backend) {
  return std::make_shared<PostgresSubscriberPages>(backend);
}

}  // namespace cdp::store::postgres
