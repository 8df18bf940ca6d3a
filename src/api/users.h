// The User API (seed: user-api.txt): create/update profiles, read one, delete one.
#pragma once

#include "api/services.h"
#include "http/message.h"

namespace cdp::api {

inline constexpr size_t kMaxUsersPerCall = 100;

// POST /api/v1/user/create: {"nv":[user, ...]} (1..100) or one flat user object.
http::Response CreateUsers(const Call& call, Services& services);
// POST /api/v1/user/userData: {"userId":"..."} -> the profile.
http::Response GetUserData(const Call& call, Services& services);
// POST /api/v1/user/delete: {"userId":"..."} -> the profile and all its data are deleted.
http::Response DeleteUser(const Call& call, Services& services);

}  // namespace cdp::api
