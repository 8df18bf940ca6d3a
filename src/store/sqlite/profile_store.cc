#include <fmt/format.h>

#include <algorithm>

#include "store/sqlite/backend.h"
#include "store/sqlite/sqlite_db.h"

namespace cdp::store::sqlite {

Result<std::vector<Status>> Backend::UpsertProfiles(std::string_view brand_id,
                                                    std::vector<ProfileWrite> writes, int64_t now) {
  std::vector<Status> results(writes.size());
  Status st = writer_.Submit([&](Db& db) -> Status {
    for (size_t i = 0; i < writes.size(); ++i) {
      CDP_RETURN_IF_ERROR(db.Exec("SAVEPOINT item"));
      results[i] = UpsertOne(db, brand_id, writes[i].patch, now).status();
      if (!results[i].ok() && results[i].code() != Code::kInvalidArgument)
        return results[i];  // storage failure: abandon the whole batch
      if (!results[i].ok()) CDP_RETURN_IF_ERROR(db.Exec("ROLLBACK TO item"));
      CDP_RETURN_IF_ERROR(db.Exec("RELEASE item"));
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return results;
}

Result<Profile> Backend::GetProfile(std::string_view brand_id, const ProfileKey& key) {
  return ReadOn([&](Db& db) -> Result<Profile> {
    auto found = LoadProfile(db, brand_id, key.kind, key.id);
    if (!found.ok()) return std::move(found).take_status();
    if (!*found)
      return NotFound(fmt::format("no user with {} '{}'",
                                  key.kind == ProfileKey::Kind::kUserId ? "userId" : "anonymousId",
                                  key.id));
    return std::move(**found);
  });
}

// Deletes the profile row first, so no new event can reach that profile id; then finds
// the profile's remaining events on a read connection (a scan of the brand's event index:
// there is no per-profile index, which keeps ingestion cheap) and deletes them in chunks
// that each hold the writer only briefly.
Status Backend::DeleteProfile(std::string_view brand_id, const ProfileKey& key) {
  int64_t profile_id = 0;
  CDP_RETURN_IF_ERROR(writer_.Submit([&](Db& db) -> Status {
    auto found = LoadProfile(db, brand_id, key.kind, key.id);
    if (!found.ok()) return std::move(found).take_status();
    if (!*found)
      return NotFound(fmt::format("no user with {} '{}'",
                                  key.kind == ProfileKey::Kind::kUserId ? "userId" : "anonymousId",
                                  key.id));
    profile_id = (*found)->id;
    profile_cache_.Clear();
    return DeleteProfileRow(db, brand_id, profile_id);
  }));
  auto ids = ReadOn([&](Db& db) -> Result<std::vector<int64_t>> {
    auto stmt = db.Prepare(
        "SELECT id FROM events INDEXED BY events_by_name_week "
        "WHERE brand_id = ?1 AND profile_id = ?2");
    if (!stmt.ok()) return std::move(stmt).take_status();
    stmt->Bind(1, brand_id).Bind(2, profile_id);
    std::vector<int64_t> out;
    for (;;) {
      auto row = stmt->Step();
      if (!row.ok()) return std::move(row).take_status();
      if (!*row) break;
      out.push_back(stmt->Int(0));
    }
    return out;
  });
  if (!ids.ok()) return ids.status();
  constexpr size_t kChunk = 5000;
  for (size_t begin = 0; begin < ids->size(); begin += kChunk) {
    size_t end = std::min(ids->size(), begin + kChunk);
    CDP_RETURN_IF_ERROR(writer_.Submit([&](Db& db) -> Status {
      for (size_t i = begin; i < end; ++i) {
        auto stmt = db.Prepare("DELETE FROM events WHERE id = ?1");
        if (!stmt.ok()) return std::move(stmt).take_status();
        CDP_RETURN_IF_ERROR(stmt->Bind(1, (*ids)[i]).Run());
      }
      return Status::Ok();
    }));
  }
  return Status::Ok();
}

Result<segments::AttributeTypes> Backend::GetAttributeTypes(std::string_view brand_id) {
  return ReadOn([&](Db& db) -> Result<segments::AttributeTypes> {
    auto stmt = db.Prepare("SELECT scope, name, type FROM attribute_types WHERE brand_id = ?1");
    if (!stmt.ok()) return std::move(stmt).take_status();
    stmt->Bind(1, brand_id);
    segments::AttributeTypes types;
    for (;;) {
      auto row = stmt->Step();
      if (!row.ok()) return std::move(row).take_status();
      if (!*row) break;
      (stmt->Text(0) == "event" ? types.event : types.profile)[stmt->Text(1)] = stmt->Text(2);
    }
    return types;
  });
}

}  // namespace cdp::store::sqlite
