#include "profiles/identity.h"

#include <fmt/format.h>

#include <utility>

namespace cdp::profiles {

IdentityResolution ResolveIdentity(const ProfilePatch& patch, std::optional<Profile> by_user,
                                   std::optional<Profile> by_anonymous, int64_t now) {
  IdentityResolution out;
  std::optional<Profile> profile = std::move(by_user);
  bool anonymous_id_taken = false;  // by another known user
  if (!patch.user_id) {
    profile = std::move(by_anonymous);
  } else if (by_anonymous && (!profile || by_anonymous->id != profile->id)) {
    if (by_anonymous->user_id && *by_anonymous->user_id != *patch.user_id) {
      anonymous_id_taken = true;
    } else if (!profile) {
      profile = std::move(by_anonymous);
      out.identified = true;
    } else {
      FoldProfile(*by_anonymous, *profile);
      out.merged = by_anonymous->id;
      if (!profile->anonymous_id) profile->anonymous_id = patch.anonymous_id;
    }
  }
  if (!profile) {
    profile.emplace();
    profile->created_at = now;
  }
  if (patch.user_id) profile->user_id = patch.user_id;
  if (!profile->anonymous_id && !anonymous_id_taken) profile->anonymous_id = patch.anonymous_id;
  ApplyPatch(patch, *profile);
  profile->updated_at = now;
  out.profile = std::move(*profile);
  return out;
}

Status CheckAttributeType(std::string_view name, std::string_view known,
                          std::string_view value_type) {
  if (known.empty() || value_type.empty() || known == value_type) return Status::Ok();
  return InvalidArgument(fmt::format(
      "attribute '{}' was first stored as a {} for this brand and cannot take a {} value", name,
      known, value_type));
}

}  // namespace cdp::profiles
