// The role parts of the PostgreSQL backend: one object per role interface of
// store/store.h, each in its own file and running its statements over the shared Backend
// (postgres/backend.h); brands, partners and channels are the portable parts of
// store/sql/, run on the Backend as an sql::Executor. OpenPostgresStore builds them and
// composes them into one Store (store/composed_store.h). Each part holds `backend` by reference, so the backend must
// outlive it; every part is thread-safe. Only store/postgres includes this header.
#pragma once

#include <memory>

#include "store/campaign_store.h"
#include "store/event_store.h"
#include "store/postgres/backend.h"
#include "store/profile_store.h"
#include "store/push_store.h"
#include "store/segment_store.h"

namespace cdp::store::postgres {

// Profile upserts, reads and deletes, and attribute types (profile_store.cc).
std::unique_ptr<ProfileStore> NewProfileStore(Backend& backend);
// Event ingestion in batches and event queries (event_store.cc).
std::unique_ptr<EventStore> NewEventStore(Backend& backend);
// Saved segments and their evaluation in SQL (segment_store.cc).
std::unique_ptr<SegmentStore> NewSegmentStore(Backend& backend);
// Push subscriptions (push_store.cc).
std::unique_ptr<PushStore> NewPushStore(Backend& backend);
// Campaigns, their messages, feedback and reports (campaign_store.cc).
std::unique_ptr<CampaignStore> NewCampaignStore(Backend& backend);

}  // namespace cdp::store::postgres
