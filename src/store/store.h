// Store: everything cdp keeps, as one object for main to open and hand out by role.
//
// Each consumer takes only the role it uses (BrandStore, PartnerStore, ProfileStore,
// EventStore, SegmentStore, ChannelStore, CampaignStore, PushStore, SourceStore,
// OperatorStore), so that a test of one consumer stubs only that role. Implementations:
// sqlite/ (embedded default) and postgres/
// (several nodes on one database), opened by OpenSqliteStore / OpenPostgresStore. No SQL
// text or driver types cross these interfaces. Every method is thread-safe. A write that
// returns OK is durable: it survives a crash (kill -9) of the process right after the call
// returns. Writes from concurrent callers are committed together (group commit); when the
// writer falls behind, callers wait, and past a bound get Unavailable (503, retry later).
#pragma once

#include "core/status.h"
#include "store/brand_store.h"
#include "store/campaign_store.h"
#include "store/channel_store.h"
#include "store/event_store.h"
#include "store/operator_store.h"
#include "store/partner_store.h"
#include "store/profile_store.h"
#include "store/push_store.h"
#include "store/segment_store.h"
#include "store/source_store.h"

namespace cdp::store {

class Store : public BrandStore,
              public PartnerStore,
              public ProfileStore,
              public EventStore,
              public SegmentStore,
              public ChannelStore,
              public PushStore,
              public CampaignStore,
              public SourceStore,
              public OperatorStore {
 public:
  ~Store() override = default;

  // Unavailable once the store can no longer make writes durable, and refuses them all
  // until the server is restarted; OK otherwise. Cheap enough for every /healthz.
  virtual Status WriteHealth() { return Status::Ok(); }
};

}  // namespace cdp::store
