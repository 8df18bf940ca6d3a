// The parts of the PostgreSQL backend, each in its own file and running its statements over
// the shared Backend (postgres/backend.h): profiles and events, and what the portable parts
// of store/sql/ (run on the Backend as an sql::Executor) leave to it. OpenPostgresStore
// builds them and composes them into one Store (store/composed_store.h). Each part holds
// `backend` by reference, so the backend must outlive it; every part is thread-safe. Only
// store/postgres includes this header.
#pragma once

#include <memory>

#include "store/event_store.h"
#include "store/postgres/backend.h"
#include "store/profile_store.h"
#include "store/sql/parts.h"

namespace cdp::store::postgres {

// Profile upserts, reads and deletes, and attribute types (profile_store.cc).
std::unique_ptr<ProfileStore> NewProfileStore(Backend& backend);
// Event ingestion in batches and event queries (event_store.cc).
std::unique_ptr<EventStore> NewEventStore(Backend& backend);
// What the portable parts of store/sql/parts.h leave to this backend: segment evaluation in
// SQL (segment_store.cc), subscriber pages (push_store.cc), and the sending path's message
// rows (campaign_store.cc).
std::shared_ptr<sql::SegmentEvaluator> NewSegmentEvaluator(Backend& backend, size_t segment_memory);
std::shared_ptr<sql::SubscriberPages> NewSubscriberPages(Backend& backend);
std::shared_ptr<sql::MessageRows> NewMessageRows(Backend& backend);

}  // namespace cdp::store::postgres
