// The role parts written once in portable SQL (store/sql/connection.h) and run by both
// backends over their sql::Executor: brands and access, partner apps and OAuth, and channel
// settings. A backend's factory builds them on its executor, which must outlive them, and
// composes them with its own parts (store/composed_store.h). Thread-safe, as the executor
// is. Only store/ includes this header.
#pragma once

#include <memory>

#include "store/brand_store.h"
#include "store/channel_store.h"
#include "store/partner_store.h"
#include "store/sql/connection.h"

namespace cdp::store::sql {

// Brands, API keys and their use, rate limits, the audit log and secrets (brand_store.cc).
std::unique_ptr<BrandStore> NewBrandStore(Executor& executor);
// Partner apps and their OAuth codes, tokens and grants (partner_store.cc).
std::unique_ptr<PartnerStore> NewPartnerStore(Executor& executor);
// Channel settings (channel_store.cc).
std::unique_ptr<ChannelStore> NewChannelStore(Executor& executor);

}  // namespace cdp::store::sql
