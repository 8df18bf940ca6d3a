// The profile writes of the PostgreSQL backend that run inside the writer's transaction
// (on the connection a Backend::Submit job gets): loading a profile, creating or updating
// it with identity resolution and attribute typing (profiles/identity.h decides, this
// stores), and deleting it with what hangs on it. Shared by the profile part
// (UpsertProfiles, DeleteProfile) and the event part (an event that creates, identifies or
// merges its profile). Writer thread only. Only store/postgres includes this header.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/status.h"
#include "profiles/profile.h"
#include "store/postgres/pg_conn.h"

namespace cdp::store::postgres {

// The brand's profile with `id` as its user or anonymous id (per `kind`), nullopt if none.
// `for_update` locks the row until the transaction ends, against writers on other nodes.
Result<std::optional<profiles::Profile>> LoadProfile(Conn& c, std::string_view brand_id,
                                                     profiles::ProfileKey::Kind kind,
                                                     std::string_view id, bool for_update);

// Deletes the profile with internal id `id`, its events and its push subscriptions.
Status DeleteProfileRow(Conn& c, std::string_view brand_id, int64_t id);

// Creates or updates the profile `patch` names (merging two when it identifies an
// anonymous profile with a known user); returns its id. InvalidArgument when an
// attribute's type differs from the one the brand first stored; Unavailable when other
// nodes keep changing the profile meanwhile.
Result<int64_t> UpsertOne(Conn& c, std::string_view brand_id, const profiles::ProfilePatch& patch,
                          int64_t now);

}  // namespace cdp::store::postgres
