// PushStore: the browsers and devices registered for push on a profile. Used by the Push
// API and the campaign engine. Thread-safe; writes are durable.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "store/profile_store.h"

namespace cdp::store {

// A browser or device registered for push on a profile.
struct Subscription {
  std::string id;  // "sub_..."
  int64_t profile_id = 0;
  std::string platform;      // web | android | ios
  std::string address;       // web: the push endpoint URL; android, ios: the device token
  std::string p256dh, auth;  // web only: the browser's keys, base64url
  int64_t created_at = 0, updated_at = 0;
};

class PushStore {
 public:
  virtual ~PushStore() = default;

  // Push subscriptions. A profile's subscriptions move with it when it is merged and go
  // when it is deleted.
  // Registers `s` (its id used only when new): a subscription with the same platform and
  // address is taken over instead, moved to `s.profile_id` with the new keys. Returns the
  // stored subscription's id.
  virtual Result<std::string> SaveSubscription(std::string_view brand_id,
                                               const Subscription& s) = 0;
  // Deletes the brand's subscription with `id`, or the one with `platform` and `address`;
  // NotFound when there is none.
  virtual Status DeleteSubscription(std::string_view brand_id, std::string_view id,
                                    std::string_view platform, std::string_view address) = 0;
  // A profile's subscriptions on `platform`, oldest first.
  virtual Result<std::vector<Subscription>> ListSubscriptions(std::string_view brand_id,
                                                              int64_t profile_id,
                                                              std::string_view platform) = 0;
  // Profiles with a subscription on `platform` and an id above `after_profile`, at most
  // `limit`, in id order.
  virtual Result<ProfilePage> Subscribers(std::string_view brand_id, std::string_view platform,
                                          int64_t after_profile, size_t limit) = 0;
};

}  // namespace cdp::store
