// ComposeStore: one Store made of a backend's parts, one object per role.
//
// A backend is cut by concern: each role (brands, partners, profiles, ...) is implemented by
// its own class, either backend-specific (ingestion, segment evaluation) or the portable one
// in store/sql/ that runs the same SQL on both backends. The factory of a backend builds the
// parts around what they share (connections, the writer) and composes them here, so that
// main and the tests still hold one Store. Forwarding only: thread-safety is the parts'.
#pragma once

#include <functional>
#include <memory>

#include "core/status.h"
#include "store/store.h"

namespace cdp::store {

struct StoreParts {
  // Each role's part; one object may serve several roles. What the parts share (the
  // backend's connections and writer threads) is destroyed only after every part.
  std::shared_ptr<void> shared;
  std::shared_ptr<BrandStore> brands;
  std::shared_ptr<PartnerStore> partners;
  std::shared_ptr<ProfileStore> profiles;
  std::shared_ptr<EventStore> events;
  std::shared_ptr<SegmentStore> segments;
  std::shared_ptr<ChannelStore> channels;
  std::shared_ptr<PushStore> push;
  std::shared_ptr<CampaignStore> campaigns;
  std::shared_ptr<SourceStore> sources;
  std::shared_ptr<OperatorStore> operators;
  // Store::WriteHealth; OK when empty.
  std::function<Status()> write_health;
};

// Every role of `parts` must be set.
std::unique_ptr<Store> ComposeStore(StoreParts parts);

}  // namespace cdp::store
