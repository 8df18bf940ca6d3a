// Set-based profile upserts for the PostgreSQL backend: a batch of patches stored with a
// fixed number of statements whatever its size (attribute types read and recorded once,
// the profiles named loaded once FOR UPDATE, then one INSERT for the new profiles and one
// UPDATE for the changed ones), identity resolved in memory in the batch's order by
// profiles/identity.h, so that repeated ids behave as sequential upserts do. Runs inside
// the writer's transaction. Writer thread only. Only store/postgres includes this header.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "profiles/profile.h"
#include "store/postgres/pg_conn.h"

namespace cdp::store::postgres {

// Upserts `patches` in order, setting results[i] (and ids[i], the profile's id, when
// results[i] is ok): InvalidArgument for a patch whose attribute types conflict, as
// UpsertOne would. Returns false, with nothing written and the transaction as it was, when
// the batch needs the per-profile path: a merge of two existing profiles, a patch with no
// id, a profile or attribute type another node wrote meanwhile, a value PostgreSQL refuses.
// An error is a storage failure of the whole transaction.
Result<bool> UpsertBatch(Conn& c, std::string_view brand_id,
                         const std::vector<const profiles::ProfilePatch*>& patches, int64_t now,
                         std::vector<Status>& results, std::vector<int64_t>& ids);

}  // namespace cdp::store::postgres
