#include "cli/admin.h"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <cstdio>

#include "auth/keys.h"
#include "core/clock.h"
#include "core/time.h"
#include "ratelimit/limiter.h"

namespace cdp::cli {
namespace {

namespace json = boost::json;

int Fail(const Status& st) {
  fmt::print(stderr, "error: {}\n", st.message());
  return st.code() == Code::kNotFound || st.code() == Code::kInvalidArgument ? 2 : 1;
}

int64_t Now() { return SystemClock().NowMicros(); }

}  // namespace

int CreateBrand(store::Store& store, const std::string& name, bool as_json) {
  if (name.empty() || name.size() > 200)
    return Fail(InvalidArgument("brand name must be 1 to 200 characters"));
  int64_t now = Now();
  store::Brand brand{auth::NewBrandId(), name, now};
  auto key = auth::IssueKey(brand.id, now);
  Status st = store.CreateBrand(brand, key.record);
  if (!st.ok()) return Fail(st);
  if (as_json) {
    fmt::print("{}\n",
               json::serialize(json::object{{"brand_id", brand.id}, {"api_key", key.secret}}));
  } else {
    fmt::print("brand_id: {}\napi_key:  {}\n", brand.id, key.secret);
    fmt::print(stderr, "Store the API key now: it is not shown again.\n");
  }
  return 0;
}

int ListBrands(store::Store& store, bool as_json) {
  auto brands = store.ListBrands();
  if (!brands.ok()) return Fail(brands.status());
  json::array out;
  for (const auto& b : *brands) {
    if (as_json) {
      out.push_back(json::object{
          {"brand_id", b.id}, {"name", b.name}, {"created_at", FormatTimestamp(b.created_at)}});
    } else {
      fmt::print("{}  {}  {}\n", b.id, FormatTimestamp(b.created_at), b.name);
    }
  }
  if (as_json) fmt::print("{}\n", json::serialize(out));
  return 0;
}

int RotateKey(store::Store& store, const std::string& brand_id, bool revoke_old, bool as_json) {
  auto key = auth::IssueKey(brand_id, Now());
  Status st = store.AddApiKey(key.record, revoke_old);
  if (!st.ok()) return Fail(st);
  if (as_json) {
    fmt::print("{}\n",
               json::serialize(json::object{{"brand_id", brand_id}, {"api_key", key.secret}}));
  } else {
    fmt::print("api_key: {}\n", key.secret);
    fmt::print(stderr, "{}Store the API key now: it is not shown again.\n",
               revoke_old ? "Every other key of the brand is revoked. "
                          : "Older keys stay active until revoked with `cdp key revoke`. ");
  }
  return 0;
}

int RevokeKey(store::Store& store, const std::string& brand_id, const std::string& prefix) {
  if (prefix.size() < 6) return Fail(InvalidArgument("give at least 6 characters of the key"));
  Status st = store.RevokeApiKey(brand_id, prefix, Now());
  if (!st.ok()) return Fail(st);
  fmt::print("revoked the key starting with {}\n", prefix);
  return 0;
}

int ListKeys(store::Store& store, const std::string& brand_id, bool as_json) {
  auto brand = store.GetBrand(brand_id);
  if (!brand.ok()) return Fail(brand.status());
  auto keys = store.ListApiKeys(brand_id);
  if (!keys.ok()) return Fail(keys.status());
  json::array out;
  for (const auto& k : *keys) {
    std::string revoked = k.revoked_at ? FormatTimestamp(*k.revoked_at) : "";
    if (as_json) {
      out.push_back(
          json::object{{"prefix", k.prefix},
                       {"created_at", FormatTimestamp(k.created_at)},
                       {"revoked_at", k.revoked_at ? json::value(revoked) : json::value(nullptr)}});
    } else {
      fmt::print("{}...  created {}  {}\n", k.prefix, FormatTimestamp(k.created_at),
                 k.revoked_at ? "revoked " + revoked : "active");
    }
  }
  if (as_json) fmt::print("{}\n", json::serialize(out));
  return 0;
}

int BrandLimits(store::Store& store, const std::string& brand_id, const std::string& group,
                std::optional<int64_t> per_minute, bool as_json) {
  auto brand = store.GetBrand(brand_id);
  if (!brand.ok()) return Fail(brand.status());
  if (per_minute) {
    std::vector<ratelimit::Group> groups;
    if (group == "all") {
      groups.assign(std::begin(ratelimit::kGroups), std::end(ratelimit::kGroups));
    } else if (auto g = ratelimit::GroupNamed(group)) {
      groups.push_back(*g);
    } else {
      return Fail(InvalidArgument(fmt::format(
          "--group must be users, events, campaigns, reports or all, got '{}'", group)));
    }
    for (auto g : groups)
      if (Status st = store.SetRateLimit(brand_id, ratelimit::NameOf(g), *per_minute); !st.ok())
        return Fail(st);
  }
  auto stored = store.GetRateLimits(brand_id);
  if (!stored.ok()) return Fail(stored.status());
  json::object out;
  for (auto g : ratelimit::kGroups) {
    int64_t limit = ratelimit::DefaultPerMinute(g);
    for (const auto& [name, n] : *stored)
      if (name == ratelimit::NameOf(g)) limit = n;
    out[ratelimit::NameOf(g)] = limit;
    if (!as_json)
      fmt::print("{:<10} {}\n", ratelimit::NameOf(g),
                 limit == 0 ? std::string("unlimited") : fmt::format("{} per minute", limit));
  }
  if (as_json) fmt::print("{}\n", json::serialize(out));
  return 0;
}

}  // namespace cdp::cli
