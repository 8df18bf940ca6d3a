#include "cli/admin.h"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <cstdio>
#include <cstdlib>

#include "auth/keys.h"
#include "auth/oauth.h"
#include "core/clock.h"
#include "core/time.h"
#include "ratelimit/limiter.h"

namespace cdp::cli {
namespace {

namespace json = boost::json;

int64_t Now() { return SystemClock().NowMicros(); }

}  // namespace

int Fail(const Status& st) {
  fmt::print(stderr, "error: {}\n", st.message());
  return st.code() == Code::kNotFound || st.code() == Code::kInvalidArgument ? 2 : 1;
}

store::AuditEntry Audit(std::string action, std::string brand_id, std::string target,
                        boost::json::object detail) {
  const char* user = std::getenv("USER");
  return store::AuditEntry{0,
                           Now(),
                           fmt::format("cli:{}", user && *user ? user : "unknown"),
                           std::move(action),
                           std::move(brand_id),
                           std::move(target),
                           json::serialize(detail)};
}

boost::json::value OptionalTime(const std::optional<int64_t>& t) {
  return t ? json::value(FormatTimestamp(*t)) : json::value(nullptr);
}

int CreateBrand(store::Store& store, const std::string& name, bool as_json) {
  if (name.empty() || name.size() > 200)
    return Fail(InvalidArgument("brand name must be 1 to 200 characters"));
  int64_t now = Now();
  store::Brand brand{auth::NewBrandId(), name, now};
  auto key = auth::IssueKey(brand.id, now);
  Status st =
      store.CreateBrand(brand, key.record,
                        Audit("brand.create", brand.id, key.record.prefix, {{"name", brand.name}}));
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

int RotateKey(store::Store& store, const std::string& brand_id,
              std::optional<int64_t> retire_others_after, bool as_json) {
  const int64_t now = Now();
  auto key = auth::IssueKey(brand_id, now);
  std::optional<int64_t> retire_at;
  if (retire_others_after) retire_at = now + *retire_others_after;
  json::object detail;
  detail["others_stop_at"] = OptionalTime(retire_at);
  Status st = store.AddApiKey(key.record, retire_at,
                              Audit("key.rotate", brand_id, key.record.prefix, detail));
  if (!st.ok()) return Fail(st);
  if (as_json) {
    fmt::print("{}\n", json::serialize(json::object{{"brand_id", brand_id},
                                                    {"api_key", key.secret},
                                                    {"others_stop_at", OptionalTime(retire_at)}}));
  } else {
    fmt::print("api_key: {}\n", key.secret);
    std::string others = "Older keys stay active until revoked with `cdp key revoke`.";
    if (retire_at)
      others = *retire_others_after == 0
                   ? "Every other key of the brand is revoked."
                   : fmt::format("Every other key of the brand stops working at {}.",
                                 FormatTimestamp(*retire_at));
    fmt::print(stderr, "{} Store the API key now: it is not shown again.\n", others);
  }
  return 0;
}

int RevokeKey(store::Store& store, const std::string& brand_id, const std::string& prefix) {
  if (prefix.size() < 6) return Fail(InvalidArgument("give at least 6 characters of the key"));
  Status st = store.RevokeApiKey(brand_id, prefix, Now(), Audit("key.revoke", brand_id, prefix));
  if (!st.ok()) return Fail(st);
  fmt::print("revoked the key starting with {}\n", prefix);
  return 0;
}

int ListKeys(store::Store& store, const std::string& brand_id, bool as_json) {
  auto brand = store.GetBrand(brand_id);
  if (!brand.ok()) return Fail(brand.status());
  auto keys = store.ListApiKeys(brand_id);
  if (!keys.ok()) return Fail(keys.status());
  const int64_t now = Now();
  json::array out;
  for (const auto& k : *keys) {
    if (as_json) {
      out.push_back(json::object{{"prefix", k.prefix},
                                 {"created_at", FormatTimestamp(k.created_at)},
                                 {"active", k.ActiveAt(now)},
                                 {"revoked_at", OptionalTime(k.revoked_at)},
                                 {"last_used_at", OptionalTime(k.last_used_at)}});
      continue;
    }
    std::string state = "active";
    if (k.revoked_at)
      state = fmt::format("{} {}", k.ActiveAt(now) ? "active until" : "revoked",
                          FormatTimestamp(*k.revoked_at));
    fmt::print("{}...  created {}  {}  last used {}\n", k.prefix, FormatTimestamp(k.created_at),
               state, k.last_used_at ? FormatTimestamp(*k.last_used_at) : "never");
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
    for (auto g : groups) {
      std::string name(ratelimit::NameOf(g));
      Status st =
          store.SetRateLimit(brand_id, name, *per_minute,
                             Audit("brand.limits", brand_id, name, {{"per_minute", *per_minute}}));
      if (!st.ok()) return Fail(st);
    }
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

int CreatePartner(store::Store& store, const std::string& name,
                  const std::vector<std::string>& redirect_uris, bool as_json) {
  auto issued = auth::NewPartnerApp(name, redirect_uris, Now());
  if (!issued.ok()) return Fail(issued.status());
  json::array uris(redirect_uris.begin(), redirect_uris.end());
  Status st = store.CreatePartnerApp(issued->app, Audit("partner.create", "", issued->app.client_id,
                                                        {{"name", name}, {"redirect_uris", uris}}));
  if (!st.ok()) return Fail(st);
  if (as_json) {
    fmt::print("{}\n", json::serialize(json::object{{"client_id", issued->app.client_id},
                                                    {"client_secret", issued->secret}}));
  } else {
    fmt::print("client_id:     {}\nclient_secret: {}\n", issued->app.client_id, issued->secret);
    fmt::print(stderr, "Give both to the partner now: the secret is not shown again.\n");
  }
  return 0;
}

int ListPartners(store::Store& store, const std::string& brand_id, bool as_json) {
  json::array out;
  if (brand_id.empty()) {
    auto apps = store.ListPartnerApps();
    if (!apps.ok()) return Fail(apps.status());
    for (const auto& app : *apps) {
      json::array uris(app.redirect_uris.begin(), app.redirect_uris.end());
      if (as_json)
        out.push_back(json::object{{"client_id", app.client_id},
                                   {"name", app.name},
                                   {"redirect_uris", uris},
                                   {"created_at", FormatTimestamp(app.created_at)}});
      else
        fmt::print("{}  {}  {}  {}\n", app.client_id, FormatTimestamp(app.created_at), app.name,
                   json::serialize(uris));
    }
  } else {
    auto brand = store.GetBrand(brand_id);
    if (!brand.ok()) return Fail(brand.status());
    auto grants = store.ListGrants(brand_id, Now());
    if (!grants.ok()) return Fail(grants.status());
    for (const auto& g : *grants) {
      if (as_json)
        out.push_back(json::object{{"client_id", g.client_id},
                                   {"grant_id", g.grant_id},
                                   {"scopes", g.scopes},
                                   {"refreshed_at", FormatTimestamp(g.created_at)},
                                   {"expires_at", FormatTimestamp(g.expires_at)}});
      else
        fmt::print("{}  grant {}  {}  refreshed {}  expires {}\n", g.client_id, g.grant_id,
                   g.scopes, FormatTimestamp(g.created_at), FormatTimestamp(g.expires_at));
    }
  }
  if (as_json) fmt::print("{}\n", json::serialize(out));
  return 0;
}

int DeletePartner(store::Store& store, const std::string& client_id) {
  Status st = store.DeletePartnerApp(client_id, Now(), Audit("partner.delete", "", client_id));
  if (!st.ok()) return Fail(st);
  fmt::print("deleted partner app {}; every token it held is revoked\n", client_id);
  return 0;
}

int RevokePartner(store::Store& store, const std::string& brand_id, const std::string& client_id) {
  auto brand = store.GetBrand(brand_id);
  if (!brand.ok()) return Fail(brand.status());
  auto revoked = store.RevokePartnerAccess(brand_id, client_id, Now(),
                                           Audit("partner.revoke", brand_id, client_id));
  if (!revoked.ok()) return Fail(revoked.status());
  fmt::print("revoked {} grant(s) of brand {} to {}\n", *revoked, brand_id, client_id);
  return 0;
}

int ShowAudit(store::Store& store, const std::string& brand_id, int64_t before, int64_t limit,
              bool as_json) {
  auto entries = store.ListAudit(brand_id, before, static_cast<size_t>(limit));
  if (!entries.ok()) return Fail(entries.status());
  json::array out;
  for (const auto& e : *entries) {
    if (as_json) {
      boost::system::error_code ec;
      json::value detail = json::parse(e.detail, ec);
      out.push_back(json::object{{"id", e.id},
                                 {"at", FormatTimestamp(e.at)},
                                 {"actor", e.actor},
                                 {"action", e.action},
                                 {"brand_id", e.brand_id},
                                 {"target", e.target},
                                 {"detail", ec ? json::value(json::object()) : detail}});
    } else {
      fmt::print("{:>6}  {}  {:<16} {:<18} brand={} target={} {}\n", e.id, FormatTimestamp(e.at),
                 e.action, e.actor, e.brand_id.empty() ? "-" : e.brand_id, e.target, e.detail);
    }
  }
  if (as_json) fmt::print("{}\n", json::serialize(out));
  return 0;
}

}  // namespace cdp::cli
