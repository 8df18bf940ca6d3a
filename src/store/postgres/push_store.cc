#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "store/postgres/parts.h"
#include "store/postgres/rows.h"
#include "store/push_sql.h"

namespace cdp::store::postgres {
namespace {

const Sql kSaveSubscription{"cdp_save_subscription", push_sql::kSaveSubscription};
const Sql kDeleteSubscription{"cdp_delete_subscription", push_sql::kDeleteSubscription};
const Sql kListSubscriptions{"cdp_list_subscriptions", push_sql::kListSubscriptions};

class PostgresPushStore final : public PushStore {
 public:
  explicit PostgresPushStore(Backend& backend) : backend_(backend) {}

  Result<std::string> SaveSubscription(std::string_view brand_id,
                                       const Subscription& sub) override {
    std::string id;
    Status st = backend_.Submit([&](Conn& c) -> Status {
      auto rows = c.Exec(kSaveSubscription, Params()
                                                .Add(brand_id)
                                                .Add(sub.id)
                                                .Add(sub.profile_id)
                                                .Add(sub.platform)
                                                .Add(sub.address)
                                                .Add(sub.p256dh)
                                                .Add(sub.auth)
                                                .Add(sub.updated_at));
      if (!rows.ok()) return std::move(rows).take_status();
      if (rows->empty()) return Internal("subscription not saved");
      id = std::string(rows->Text(0, 0));
      return Status::Ok();
    });
    if (!st.ok()) return st;
    return id;
  }

  Status DeleteSubscription(std::string_view brand_id, std::string_view id,
                            std::string_view platform, std::string_view address) override {
    return backend_.Submit([&](Conn& c) -> Status {
      auto rows =
          c.Exec(kDeleteSubscription, Params().Add(brand_id).Add(id).Add(platform).Add(address));
      if (!rows.ok()) return std::move(rows).take_status();
      return rows->Affected() > 0 ? Status::Ok() : NotFound("no such subscription");
    });
  }

  Result<std::vector<Subscription>> ListSubscriptions(std::string_view brand_id, int64_t profile_id,
                                                      std::string_view platform) override {
    return backend_.WithReader([&](Conn& c) -> Result<std::vector<Subscription>> {
      auto rows = c.Exec(kListSubscriptions, Params().Add(brand_id).Add(profile_id).Add(platform));
      if (!rows.ok()) return std::move(rows).take_status();
      std::vector<Subscription> out;
      for (int i = 0; i < rows->size(); ++i)
        out.push_back({std::string(rows->Text(i, 0)), rows->Int(i, 1),
                       std::string(rows->Text(i, 2)), std::string(rows->Text(i, 3)),
                       std::string(rows->Text(i, 4)), std::string(rows->Text(i, 5)),
                       rows->Int(i, 6), rows->Int(i, 7)});
      return out;
    });
  }

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

std::unique_ptr<PushStore> NewPushStore(Backend& backend) {
  return std::make_unique<PostgresPushStore>(backend);
}

}  // namespace cdp::store::postgres
