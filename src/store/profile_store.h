// ProfileStore: user profiles, found by userId or anonymousId, and the type each custom
// attribute was first stored with. Used by the Users API, push registration and the
// campaign engine. Thread-safe; a write that returns OK is durable.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "profiles/profile.h"
#include "segments/rule.h"

namespace cdp::store {

// One item of a profile upsert. The profile is found by user_id, else by anonymous_id; a
// patch that names both identifies an anonymous profile with the user (merging the two
// profiles when both already exist).
struct ProfileWrite {
  profiles::ProfilePatch patch;
};

// A page of profiles in internal id order.
struct ProfilePage {
  std::vector<profiles::Profile> profiles;
  std::optional<int64_t> next_after;  // absent on the last page
};

// What /user/search looks for; see ProfileStore::SearchProfiles.
struct ProfileSearch {
  std::string id;                     // a userId or anonymousId
  std::string email;                  // compared ignoring case
  std::optional<std::string> mobile;  // E.164, when the query is a phone number
  bool prefix = false;                // also userIds that start with `id`
};
struct ProfileMatches {
  std::vector<profiles::Profile> exact;   // in internal id order
  std::vector<profiles::Profile> prefix;  // in userId order (bytewise); may repeat `exact`
};

class ProfileStore {
 public:
  virtual ~ProfileStore() = default;

  // Applies each write in its own savepoint of one durable transaction; the result holds one
  // Status per write (e.g. InvalidArgument when an attribute's type differs from the type the
  // brand first stored it with). A non-ok Result means nothing was written.
  virtual Result<std::vector<Status>> UpsertProfiles(std::string_view brand_id,
                                                     std::vector<ProfileWrite> writes,
                                                     int64_t now) = 0;
  // NotFound if the brand has no such profile.
  virtual Result<profiles::Profile> GetProfile(std::string_view brand_id,
                                               const profiles::ProfileKey& key) = 0;
  // Deletes the profile and everything stored about it. NotFound if there is none.
  virtual Status DeleteProfile(std::string_view brand_id, const profiles::ProfileKey& key) = 0;

  // Profiles whose userId or anonymousId is `s.id`, whose email is `s.email` ignoring case,
  // or whose mobile is `s.mobile` (at most `limit` of these), and with `s.prefix` the first
  // `limit` whose userId starts with `s.id`. Each lookup is an index seek or range.
  virtual Result<ProfileMatches> SearchProfiles(std::string_view brand_id, const ProfileSearch& s,
                                                size_t limit) = 0;
  // How many profiles the brand has: a count over its entries of a profile index.
  virtual Result<int64_t> CountProfiles(std::string_view brand_id) = 0;

  // The type each custom attribute of the brand was first stored with.
  virtual Result<segments::AttributeTypes> GetAttributeTypes(std::string_view brand_id) = 0;
};

}  // namespace cdp::store
