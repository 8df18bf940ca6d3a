#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/sql/parts.h"
#include "store/sql/rows.h"

namespace cdp::store::sql {
namespace {

// Registering an address again moves it to the new profile with the new keys, keeping
// its id.
const Query kSaveSubscription(
    "INSERT INTO push_subscriptions (brand_id, id, profile_id, platform, address, p256dh, auth, "
    "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) "
    "ON CONFLICT (brand_id, platform, address) DO UPDATE SET profile_id = excluded.profile_id, "
    "p256dh = excluded.p256dh, auth = excluded.auth, updated_at = excluded.updated_at "
    "RETURNING id");
const Query kDeleteSubscription(
    "DELETE FROM push_subscriptions WHERE brand_id = $1 AND (id = $2 OR (platform = $3 AND "
    "address = $4))");
const Query kListSubscriptions(
    "SELECT id, profile_id, platform, address, p256dh, auth, created_at, updated_at "
    "FROM push_subscriptions WHERE brand_id = $1 AND profile_id = $2 AND platform = $3 "
    "ORDER BY created_at, id");

Subscription ReadSubscription(const Rows& r, int row) {
  return {r.Text(row, 0), r.Int(row, 1), r.Text(row, 2), r.Text(row, 3),
          r.Text(row, 4), r.Text(row, 5), r.Int(row, 6), r.Int(row, 7)};
}

class PortablePushStore final : public PushStore {
 public:
  PortablePushStore(Executor& executor, std::shared_ptr<SubscriberPages> pages)
      : executor_(executor), pages_(std::move(pages)) {}

  Result<std::string> SaveSubscription(std::string_view brand_id,
                                       const Subscription& sub) override {
    std::string id;
    Status st = executor_.Write([&](Connection& c) -> Status {
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
      id = rows->Text(0, 0);
      return Status::Ok();
    });
    if (!st.ok()) return st;
    return id;
  }

  Status DeleteSubscription(std::string_view brand_id, std::string_view id,
                            std::string_view platform, std::string_view address) override {
    return executor_.Write([&](Connection& c) -> Status {
      auto rows =
          c.Exec(kDeleteSubscription, Params().Add(brand_id).Add(id).Add(platform).Add(address));
      if (!rows.ok()) return std::move(rows).take_status();
      return rows->Affected() > 0 ? Status::Ok() : NotFound("no such subscription");
    });
  }

  Result<std::vector<Subscription>> ListSubscriptions(std::string_view brand_id, int64_t profile_id,
                                                      std::string_view platform) override {
    return ReadAll<Subscription>(executor_, kListSubscriptions,
                                 Params().Add(brand_id).Add(profile_id).Add(platform),
                                 ReadSubscription);
  }

  Result<ProfilePage> Subscribers(std::string_view brand_id, std::string_view platform,
                                  int64_t after_profile, size_t limit) override {
    return pages_->Subscribers(brand_id, platform, after_profile, limit);
  }

 private:
  Executor& executor_;
  const std::shared_ptr<SubscriberPages> pages_;
};

}  // namespace

std::unique_ptr<PushStore> NewPushStore(Executor& executor,
                                        std::shared_ptr<SubscriberPages> pages) {
  return std::make_unique<PortablePushStore>(executor, std::move(pages));
}

}  // namespace cdp::store::sql
