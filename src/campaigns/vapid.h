// A brand's VAPID key pair for Web Push: generated on first use and kept in the store
// (as the installation-wide secret "vapid/<brand_id>"), so every node signs with the same
// key and a site's subscriptions stay valid across restarts. Thread-safe.
#pragma once

#include <string_view>

#include "core/status.h"
#include "delivery/push/push.h"
#include "store/brand_store.h"

namespace cdp::campaigns {

Result<delivery::VapidKeys> BrandVapidKeys(store::BrandStore& store, std::string_view brand_id);

}  // namespace cdp::campaigns
