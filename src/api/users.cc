#include "api/users.h"

#include <fmt/format.h>

#include <boost/json.hpp>

#include "api/profile_json.h"
#include "http/envelope.h"
#include "profiles/profile_input.h"

namespace cdp::api {
namespace {

namespace json = boost::json;
using profiles::ProfileKey;

// The profile a read/delete call names: userId (any spelling) or anonymousId.
Result<ProfileKey> KeyFromBody(const json::object& body) {
  for (std::string_view k : {"userId", "userID", "user_id"}) {
    if (const auto* v = body.if_contains(k)) {
      if (v->is_string() && !v->get_string().empty())
        return ProfileKey{ProfileKey::Kind::kUserId, std::string(v->get_string())};
      if (v->is_int64() || v->is_uint64())
        return ProfileKey{ProfileKey::Kind::kUserId, json::serialize(*v)};
      return InvalidArgument(fmt::format("{}: must be a non-empty string", k));
    }
  }
  for (std::string_view k : {"anonymousId", "anonymous_id"}) {
    if (const auto* v = body.if_contains(k)) {
      if (v->is_string() && !v->get_string().empty())
        return ProfileKey{ProfileKey::Kind::kAnonymousId, std::string(v->get_string())};
      return InvalidArgument(fmt::format("{}: must be a non-empty string", k));
    }
  }
  return InvalidArgument("userId is required");
}

}  // namespace

http::Response CreateUsers(const Call& call, Services& services) {
  // The batch form {"nv":[...]} or one flat user object.
  std::vector<const json::object*> users;
  const bool batch = call.body.contains("nv");
  if (batch) {
    const json::value& nv = call.body.at("nv");
    if (!nv.is_array())
      return http::ErrorResponse(InvalidArgument("nv: must be an array of users"));
    const auto& arr = nv.get_array();
    if (arr.empty()) return http::ErrorResponse(InvalidArgument("nv: must hold at least 1 user"));
    if (arr.size() > kMaxUsersPerCall)
      return http::ErrorResponse(InvalidArgument(
          fmt::format("nv: at most {} users per call, got {}", kMaxUsersPerCall, arr.size())));
    if (call.body.size() > 1)
      return http::ErrorResponse(InvalidArgument("only \"nv\" may appear beside a batch"));
    for (size_t i = 0; i < arr.size(); ++i) {
      if (!arr[i].is_object())
        return http::ErrorResponse(InvalidArgument(fmt::format("nv[{}]: must be an object", i)));
      users.push_back(&arr[i].get_object());
    }
  } else {
    users.push_back(&call.body);
  }

  // Validate each user; invalid ones are reported, valid ones stored.
  json::array errors;
  std::vector<store::ProfileWrite> writes;
  std::vector<size_t> write_index;  // position in the request of each write
  auto add_error = [&](size_t i, const json::object& user, const std::string& message) {
    json::object e;
    e["index"] = i;
    e["message"] = batch ? fmt::format("nv[{}]: {}", i, message) : message;
    for (std::string_view k : {"userID", "userId", "user_id", "anonymousId"})
      if (const auto* v = user.if_contains(k)) e[k] = *v;
    errors.push_back(std::move(e));
  };
  for (size_t i = 0; i < users.size(); ++i) {
    auto patch = profiles::ParseProfileInput(*users[i]);
    if (!patch.ok()) {
      add_error(i, *users[i], patch.status().message());
      continue;
    }
    writes.push_back(store::ProfileWrite{std::move(patch).value()});
    write_index.push_back(i);
  }
  size_t saved = 0;
  if (!writes.empty()) {
    auto results =
        services.store.profiles.UpsertProfiles(call.brand_id, std::move(writes), services.clock.NowMicros());
    if (!results.ok()) return http::ErrorResponse(results.status());
    for (size_t w = 0; w < results->size(); ++w) {
      if ((*results)[w].ok()) {
        ++saved;
      } else {
        add_error(write_index[w], *users[write_index[w]], (*results)[w].message());
      }
    }
  }
  // Report errors in request order.
  std::sort(errors.begin(), errors.end(), [](const json::value& a, const json::value& b) {
    return a.at("index").to_number<int64_t>() < b.at("index").to_number<int64_t>();
  });
  json::object data;
  data["saved"] = saved;
  data["failed"] = errors.size();
  data["errors"] = errors;
  if (saved == 0) {
    std::string message =
        errors.size() == 1
            ? std::string(errors[0].at("message").get_string())
            : fmt::format("no user saved: {} invalid; see data.errors", errors.size());
    return http::ErrorResponse(InvalidArgument(message).WithDetails(std::move(data)));
  }
  std::string message = errors.empty()
                            ? fmt::format("{} user{} saved", saved, saved == 1 ? "" : "s")
                            : fmt::format("{} of {} users saved; {} rejected, see data.errors",
                                          saved, users.size(), errors.size());
  return http::SuccessResponse(std::move(data), message);
}

http::Response GetUserData(const Call& call, Services& services) {
  auto key = KeyFromBody(call.body);
  if (!key.ok()) return http::ErrorResponse(key.status());
  auto profile = services.store.profiles.GetProfile(call.brand_id, *key);
  if (!profile.ok()) return http::ErrorResponse(profile.status());
  return http::SuccessResponse(ProfileToJson(*profile));
}

http::Response DeleteUser(const Call& call, Services& services) {
  auto key = KeyFromBody(call.body);
  if (!key.ok()) return http::ErrorResponse(key.status());
  Status st = services.store.profiles.DeleteProfile(call.brand_id, *key);
  if (!st.ok()) return http::ErrorResponse(st);
  json::object data;
  data[key->kind == ProfileKey::Kind::kUserId ? "userId" : "anonymousId"] = key->id;
  data["deleted"] = true;
  return http::SuccessResponse(std::move(data), "user deleted");
}

}  // namespace cdp::api
