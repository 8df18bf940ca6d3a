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

// Reads for the dashboard and for integrations (docs/dashboard.md: "Reads the dashboard uses").
// POST /api/v1/user/events: {userId|anonymousId, limit?, cursor?} -> the profile's events,
// newest first (user_activity.cc).
http::Response GetUserEvents(const Call& call, Services& services);
// POST /api/v1/user/messages: {userId|anonymousId, limit?, cursor?} -> the campaign
// messages the profile got, newest first, with their feedback (user_activity.cc).
http::Response GetUserMessages(const Call& call, Services& services);
// POST /api/v1/user/search: {query, limit?} -> profiles by id, email, mobile or userId prefix.
http::Response SearchUsers(const Call& call, Services& services);
// POST /api/v1/user/segments: {userId|anonymousId} -> the saved segments it is a member of.
http::Response GetUserSegments(const Call& call, Services& services);

}  // namespace cdp::api
