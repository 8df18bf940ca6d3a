#include <fmt/format.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/postgres/parts.h"
#include "store/postgres/profile_batch.h"
#include "store/postgres/profile_reads.h"
#include "store/postgres/profile_writes.h"

namespace cdp::store::postgres {
namespace {

using profiles::Profile;
using profiles::ProfileKey;

Status NoProfile(const ProfileKey& key) {
  return NotFound(fmt::format("no user with {} '{}'",
                              key.kind == ProfileKey::Kind::kUserId ? "userId" : "anonymousId",
                              key.id));
}

const Sql kAttributeTypes{"cdp_attribute_types",
                          "SELECT scope, name, type FROM attribute_types WHERE brand_id = $1"};

class PostgresProfileStore final : public ProfileStore {
 public:
  explicit PostgresProfileStore(Backend& backend) : backend_(backend) {}

  Result<std::vector<Status>> UpsertProfiles(std::string_view brand_id,
                                             std::vector<ProfileWrite> writes,
                                             int64_t now) override {
    std::vector<Status> results(writes.size());
    std::vector<const profiles::ProfilePatch*> patches;
    for (const auto& w : writes) patches.push_back(&w.patch);
    Status st = backend_.Submit([&](Conn& c) -> Status {
      std::vector<int64_t> ids;
      auto batched = UpsertBatch(c, brand_id, patches, now, results, ids);
      if (!batched.ok()) return std::move(batched).take_status();
      if (*batched) return Status::Ok();
      // The rare batch the set-based path leaves (a merge, a concurrent writer): one
      // profile at a time, each in a savepoint.
      for (size_t i = 0; i < writes.size(); ++i) {
        CDP_RETURN_IF_ERROR(c.Run("SAVEPOINT item"));
        results[i] = UpsertOne(c, brand_id, writes[i].patch, now).status();
        if (!results[i].ok() && results[i].code() != Code::kInvalidArgument)
          return results[i];  // storage failure: abandon the whole batch
        if (!results[i].ok()) CDP_RETURN_IF_ERROR(c.Run("ROLLBACK TO SAVEPOINT item"));
        CDP_RETURN_IF_ERROR(c.Run("RELEASE SAVEPOINT item"));
      }
      return Status::Ok();
    });
    if (!st.ok()) return st;
    return results;
  }

  Result<Profile> GetProfile(std::string_view brand_id, const ProfileKey& key) override {
    return backend_.WithReader([&](Conn& c) -> Result<Profile> {
      auto found = LoadProfile(c, brand_id, key.kind, key.id, false);
      if (!found.ok()) return std::move(found).take_status();
      if (!*found) return NoProfile(key);
      return std::move(**found);
    });
  }

  Status DeleteProfile(std::string_view brand_id, const ProfileKey& key) override {
    return backend_.Submit([&](Conn& c) -> Status {
      auto found = LoadProfile(c, brand_id, key.kind, key.id, true);
      if (!found.ok()) return std::move(found).take_status();
      if (!*found) return NoProfile(key);
      return DeleteProfileRow(c, brand_id, (*found)->id);
    });
  }

  Result<ProfileMatches> SearchProfiles(std::string_view brand_id, const ProfileSearch& q,
                                        size_t limit) override {
    return postgres::SearchProfiles(backend_, brand_id, q, limit);
  }

  Result<int64_t> CountProfiles(std::string_view brand_id) override {
    return postgres::CountProfiles(backend_, brand_id);
  }

  Result<segments::AttributeTypes> GetAttributeTypes(std::string_view brand_id) override {
    return backend_.WithReader([&](Conn& c) -> Result<segments::AttributeTypes> {
      auto rows = c.Exec(kAttributeTypes, Params().Add(brand_id));
      if (!rows.ok()) return std::move(rows).take_status();
      segments::AttributeTypes types;
      for (int i = 0; i < rows->size(); ++i)
        (rows->Text(i, 0) == "event" ? types.event : types.profile)[std::string(rows->Text(i, 1))] =
            std::string(rows->Text(i, 2));
      return types;
    });
  }

 private:
  Backend& backend_;
};

}  // namespace

std::unique_ptr<ProfileStore> NewProfileStore(Backend& backend) {
  return std::make_unique<PostgresProfileStore>(backend);
}

}  // namespace cdp::store::postgres
