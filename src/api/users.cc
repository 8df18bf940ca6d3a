#include "api/users.h"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <unordered_set>

#include "api/fields.h"
#include "api/profile_json.h"
#include "http/envelope.h"
#include "core/json.h"
#include "profiles/phone.h"
#include "profiles/profile_input.h"
#include "segments/rule.h"

namespace cdp::api {
namespace {

namespace json = boost::json;

using ProfileKeyKind = profiles::ProfileKey::Kind;

// A query this long or longer also matches userIds that start with it.
constexpr size_t kMinPrefixChars = 3;

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
  auto key = ProfileKeyOf(call.body);
  if (!key.ok()) return http::ErrorResponse(key.status());
  auto profile = services.store.profiles.GetProfile(call.brand_id, *key);
  if (!profile.ok()) return http::ErrorResponse(profile.status());
  return http::SuccessResponse(ProfileToJson(*profile));
}

http::Response DeleteUser(const Call& call, Services& services) {
  auto key = ProfileKeyOf(call.body);
  if (!key.ok()) return http::ErrorResponse(key.status());
  Status st = services.store.profiles.DeleteProfile(call.brand_id, *key);
  if (!st.ok()) return http::ErrorResponse(st);
  json::object data;
  data[key->kind == ProfileKeyKind::kUserId ? "userId" : "anonymousId"] = key->id;
  data["deleted"] = true;
  return http::SuccessResponse(std::move(data), "user deleted");
}

}  // namespace cdp::api

namespace cdp::api {

http::Response SearchUsers(const Call& call, Services& services) {
  if (Status st = OnlyKeys(call.body, {"query", "limit"}); !st.ok()) return http::ErrorResponse(st);
  const json::value* q = call.body.if_contains("query");
  if (!q || !q->is_string() || q->get_string().empty() ||
      Utf8Length(q->get_string()) > profiles::kMaxIdChars)
    return http::ErrorResponse(InvalidArgument(
        fmt::format("query: must be a string of 1 to {} characters", profiles::kMaxIdChars)));
  auto limit = Limit(call.body, 20, 100);
  if (!limit.ok()) return http::ErrorResponse(limit.status());
  store::ProfileSearch search;
  search.id = std::string(q->get_string());
  search.email = search.id;
  search.mobile = profiles::NormalizeMobile(search.id);
  search.prefix = Utf8Length(search.id) >= kMinPrefixChars;
  const size_t n = static_cast<size_t>(*limit);
  auto found = services.store.profiles.SearchProfiles(call.brand_id, search, n);
  if (!found.ok()) return http::ErrorResponse(found.status());
  // Exact matches first, then userId prefixes; each profile once.
  json::array users;
  std::unordered_set<int64_t> seen;
  for (const auto* list : {&found->exact, &found->prefix})
    for (const profiles::Profile& p : *list)
      if (users.size() < n && seen.insert(p.id).second) users.push_back(ProfileToJson(p));
  return http::SuccessResponse(json::object{{"users", std::move(users)}});
}

http::Response GetUserSegments(const Call& call, Services& services) {
  if (Status st =
          OnlyKeys(call.body, {"userId", "userID", "user_id", "anonymousId", "anonymous_id"});
      !st.ok())
    return http::ErrorResponse(st);
  auto key = ProfileKeyOf(call.body);
  if (!key.ok()) return http::ErrorResponse(key.status());
  auto profile = services.store.profiles.GetProfile(call.brand_id, *key);
  if (!profile.ok()) return http::ErrorResponse(profile.status());
  auto types = services.store.profiles.GetAttributeTypes(call.brand_id);
  if (!types.ok()) return http::ErrorResponse(types.status());
  // The profile by the id it is stored under: membership is a count of all:[rule, this
  // profile], evaluated as /segment/count evaluates any rule.
  const bool by_user = profile->user_id.has_value();
  auto self = segments::ParseRule(
      json::object{{"attribute", by_user ? "userId" : "anonymousId"},
                   {"op", "eq"},
                   {"value", by_user ? *profile->user_id : profile->anonymous_id.value_or("")}},
      *types);
  if (!self.ok()) return http::ErrorResponse(self.status());
  auto saved = services.store.segments.ListSegments(call.brand_id);
  if (!saved.ok()) return http::ErrorResponse(saved.status());
  const int64_t now = services.clock.NowMicros();
  json::array out;
  for (const store::Segment& s : *saved) {
    auto doc = ParseJson(s.rules);
    if (!doc.ok()) continue;
    // A saved rule that no longer type-checks (an attribute's type changed) matches nobody.
    auto rule = segments::ParseRule(*doc, *types);
    if (!rule.ok()) continue;
    segments::Node both;
    both.kind = segments::Node::Kind::kAll;
    both.children = {std::move(rule).value(), *self};
    auto count = services.store.segments.CountSegment(call.brand_id, both, now);
    if (!count.ok()) return http::ErrorResponse(count.status());
    if (*count > 0) out.push_back(json::object{{"segment_id", s.id}, {"name", s.name}});
  }
  return http::SuccessResponse(json::object{{"segments", std::move(out)}});
}

}  // namespace cdp::api
