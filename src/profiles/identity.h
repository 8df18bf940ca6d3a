// Identity: how an upsert finds, identifies and merges profiles, and how a custom
// attribute keeps the type it was first stored with. The rules every backend applies; a
// backend loads the profiles a patch names, asks ResolveIdentity what to do, and stores
// the result in one transaction. Pure functions; thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/status.h"
#include "profiles/profile.h"

namespace cdp::profiles {

// What an upsert of a patch does, given the profiles it names.
struct IdentityResolution {
  // The profile to save, patched and stamped: id 0 for a new one.
  Profile profile;
  // An anonymous profile (this profile's id) that is known by the patch's user id from now
  // on: its events no longer need listing as anonymous.
  bool identified = false;
  // An anonymous profile folded into `profile`, both existing before: its events and push
  // subscriptions move to `profile`, then its row is deleted.
  std::optional<int64_t> merged;
};

// `by_user`: the profile found by patch.user_id, `by_anonymous`: by patch.anonymous_id
// (each nullopt when the patch does not name that id or nothing was found).
// - Only an anonymous id: that profile, or a new one.
// - A user id whose profile exists, and an anonymous profile not yet known: the anonymous
//   one is merged into it once (its own fields win, the earlier creation time is kept).
// - A user id with no profile yet and an anonymous profile not yet known: that profile is
//   identified (takes the user id).
// - An anonymous id that already belongs to another known user stays there and is not
//   given to this profile too.
IdentityResolution ResolveIdentity(const ProfilePatch& patch, std::optional<Profile> by_user,
                                   std::optional<Profile> by_anonymous, int64_t now);

// First write wins: the type a custom attribute of `scope` ("profile", "event") takes for
// `value` is recorded the first time the brand stores it, and a value of another type is
// refused. `known` is the type recorded (empty when none yet); `value_type` is
// AttributeType(value) (empty for null, which has no type and is always accepted).
// InvalidArgument naming the attribute on a conflict.
Status CheckAttributeType(std::string_view name, std::string_view known,
                          std::string_view value_type);

}  // namespace cdp::profiles
