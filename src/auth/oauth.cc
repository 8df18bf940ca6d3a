#include "auth/oauth.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include "auth/keys.h"
#include "core/base64.h"
#include "core/ids.h"

namespace cdp::auth {
namespace {

namespace json = boost::json;

inline constexpr size_t kMaxCachedTokens = 100000;

OAuthError Error(std::string error, std::string description, int http_status = 400) {
  return OAuthError{http_status, std::move(error), std::move(description)};
}

OAuthError InvalidGrant(std::string description) {
  return Error("invalid_grant", std::move(description));
}

OAuthError ServerError(const Status& st) {
  return Error(st.code() == Code::kUnavailable ? "temporarily_unavailable" : "server_error",
               st.message(), st.code() == Code::kUnavailable ? 503 : 500);
}

// RFC 7636 4.1: 43..128 characters of [A-Za-z0-9-._~] (a challenge has the same form).
bool IsPkceString(std::string_view s) {
  if (s.size() < 43 || s.size() > 128) return false;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (!std::isalnum(u) && c != '-' && c != '.' && c != '_' && c != '~') return false;
  }
  return true;
}

bool IsLoopbackHost(std::string_view host) {
  return host == "localhost" || host == "127.0.0.1" || host == "[::1]";
}

store::AuditEntry Audit(int64_t at, std::string actor, std::string action, std::string brand_id,
                        std::string target, json::object detail = {}) {
  return store::AuditEntry{0,
                           at,
                           std::move(actor),
                           std::move(action),
                           std::move(brand_id),
                           std::move(target),
                           json::serialize(detail)};
}

}  // namespace

Result<IssuedClient> NewPartnerApp(std::string_view name, std::vector<std::string> redirect_uris,
                                   int64_t now) {
  if (name.empty() || name.size() > 200)
    return InvalidArgument("partner app name must be 1 to 200 characters");
  if (redirect_uris.empty()) return InvalidArgument("give at least one redirect URI");
  for (const auto& uri : redirect_uris) {
    auto url = boost::urls::parse_absolute_uri(uri);
    if (!url || uri.size() > 2000)
      return InvalidArgument(fmt::format("redirect URI '{}' is not an absolute URI", uri));
    const bool https = url->scheme() == "https";
    const bool loopback_http = url->scheme() == "http" && IsLoopbackHost(url->encoded_host());
    if (!https && !loopback_http)
      return InvalidArgument(fmt::format(
          "redirect URI '{}' must be https (plain http only on localhost or 127.0.0.1)", uri));
    if (url->has_fragment() || url->encoded_host().empty())
      return InvalidArgument(
          fmt::format("redirect URI '{}' must have a host and no fragment", uri));
  }
  IssuedClient out;
  out.secret = "cdp_cs_" + RandomHex(24);
  out.app = store::PartnerApp{"cdp_app_" + RandomHex(8), std::string(name), HashKey(out.secret),
                              std::move(redirect_uris), now};
  return out;
}

OAuth::OAuth(store::PartnerStore& store, const Clock& clock, OAuthOptions options)
    : store_(store), clock_(clock), options_(options) {}

std::variant<Authorization, AuthorizeError> OAuth::CheckAuthorize(const AuthorizeRequest& req) {
  auto shown = [](std::string error, std::string description) {
    return AuthorizeError{Error(std::move(error), std::move(description)), false, "", ""};
  };
  if (req.client_id.empty()) return shown("invalid_request", "client_id is required");
  auto app = store_.GetPartnerApp(req.client_id);
  if (!app.ok()) {
    if (app.status().code() == Code::kNotFound)
      return shown("invalid_client", "no partner app with this client_id");
    return AuthorizeError{ServerError(app.status()), false, "", ""};
  }
  std::string redirect_uri = req.redirect_uri;
  if (redirect_uri.empty()) {
    if (app->redirect_uris.size() != 1)
      return shown("invalid_request", "redirect_uri is required: the app registered several");
    redirect_uri = app->redirect_uris.front();
  } else if (std::find(app->redirect_uris.begin(), app->redirect_uris.end(), redirect_uri) ==
             app->redirect_uris.end()) {
    return shown("invalid_request", "redirect_uri is not one the app registered");
  }
  // From here on, errors go back to the app.
  auto back = [&](std::string error, std::string description) {
    return AuthorizeError{Error(std::move(error), std::move(description)), true, redirect_uri,
                          req.state};
  };
  if (req.response_type != "code")
    return back("unsupported_response_type", "response_type must be code");
  if (req.state.size() > 1024) return back("invalid_request", "state is longer than 1024");
  auto scopes = ParseScopes(req.scope);
  if (!scopes)
    return back("invalid_scope",
                "scope must list some of: users:read users:write events:write campaigns:write "
                "reports:read");
  if (*scopes == 0) return back("invalid_scope", "scope is required");
  if (req.code_challenge.empty())
    return back("invalid_request", "code_challenge is required (PKCE, RFC 7636)");
  if (req.code_challenge_method != "S256")
    return back("invalid_request", "code_challenge_method must be S256");
  if (!IsPkceString(req.code_challenge))
    return back("invalid_request", "code_challenge must be 43 to 128 base64url characters");
  return Authorization{std::move(app).value(), redirect_uri, *scopes, req.state,
                       req.code_challenge};
}

Result<std::string> OAuth::Approve(const Authorization& a, const Principal& brand) {
  const int64_t now = clock_.NowMicros();
  const std::string code = "cdp_ac_" + RandomHex(24);
  store::AuthCode row{HashKey(code),           RandomHex(12),  a.app.client_id,  brand.brand_id,
                      FormatScopes(a.scopes),  a.redirect_uri, a.code_challenge, now,
                      now + options_.code_ttl, std::nullopt};
  CDP_RETURN_IF_ERROR(store_.SaveAuthCode(
      row, Audit(now, brand.actor, "partner.grant", brand.brand_id, a.app.client_id,
                 {{"scopes", row.scopes}, {"grant_id", row.grant_id}})));
  return code;
}

OAuthResult<store::PartnerApp> OAuth::AuthenticateClient(std::string_view client_id,
                                                         std::string_view secret) {
  static const OAuthError kInvalid =
      Error("invalid_client", "unknown client or wrong client secret", 401);
  if (client_id.empty() || secret.empty() || client_id.size() > 64 || secret.size() > 256)
    return kInvalid;
  auto app = store_.GetPartnerApp(client_id);
  if (!app.ok())
    return app.status().code() == Code::kNotFound ? kInvalid : ServerError(app.status());
  if (!ConstantTimeEquals(app->secret_hash, HashKey(secret))) return kInvalid;
  return std::move(app).value();
}

OAuthResult<Tokens> OAuth::Issue(const store::PartnerApp& app, std::string_view brand_id,
                                 std::string_view grant_id, Scopes scopes,
                                 std::vector<store::OAuthToken>* rows) {
  const int64_t now = clock_.NowMicros();
  Tokens t{"cdp_at_" + RandomHex(24), "cdp_rt_" + RandomHex(32), options_.access_ttl / 1'000'000,
           FormatScopes(scopes)};
  auto row = [&](const std::string& token, std::string_view kind, int64_t ttl) {
    return store::OAuthToken{HashKey(token),
                             std::string(kind),
                             std::string(grant_id),
                             app.client_id,
                             std::string(brand_id),
                             t.scope,
                             now,
                             now + ttl,
                             std::nullopt};
  };
  rows->push_back(row(t.access_token, store::kTokenAccess, options_.access_ttl));
  rows->push_back(row(t.refresh_token, store::kTokenRefresh, options_.refresh_ttl));
  return t;
}

OAuthResult<Tokens> OAuth::ExchangeCode(const store::PartnerApp& app, std::string_view code,
                                        std::string_view redirect_uri, std::string_view verifier) {
  if (code.empty()) return Error("invalid_request", "code is required");
  if (!IsPkceString(verifier))
    return Error("invalid_request", "code_verifier must be 43 to 128 characters (RFC 7636)");
  const std::string hash = HashKey(code);
  auto stored = store_.GetAuthCode(hash);
  if (!stored.ok())
    return stored.status().code() == Code::kNotFound ? InvalidGrant("unknown authorization code")
                                                     : ServerError(stored.status());
  const int64_t now = clock_.NowMicros();
  if (stored->client_id != app.client_id)
    return InvalidGrant("the authorization code was issued to another client");
  if (stored->expires_at <= now) return InvalidGrant("the authorization code has expired");
  if (!redirect_uri.empty() && redirect_uri != stored->redirect_uri)
    return InvalidGrant("redirect_uri differs from the authorization request's");
  if (!ConstantTimeEquals(Base64Url(Sha256(verifier)), stored->code_challenge))
    return InvalidGrant("code_verifier does not match the code_challenge");
  std::vector<store::OAuthToken> rows;
  auto tokens = Issue(app, stored->brand_id, stored->grant_id,
                      ParseScopes(stored->scopes).value_or(0), &rows);
  Status st = store_.RedeemAuthCode(hash, now, rows);
  if (st.code() == Code::kFailedPrecondition) {
    spdlog::warn("partner {}: authorization code of grant {} presented again; grant revoked",
                 app.client_id, stored->grant_id);
    Forget([&](const Cached& c) { return c.grant_id == stored->grant_id; });
    return InvalidGrant("the authorization code was already used; every token it gave is revoked");
  }
  if (!st.ok()) return ServerError(st);
  return tokens;
}

OAuthResult<Tokens> OAuth::Refresh(const store::PartnerApp& app, std::string_view refresh_token,
                                   std::string_view scope) {
  if (refresh_token.empty()) return Error("invalid_request", "refresh_token is required");
  const std::string hash = HashKey(refresh_token);
  auto stored = store_.GetOAuthToken(hash);
  if (!stored.ok())
    return stored.status().code() == Code::kNotFound ? InvalidGrant("unknown refresh token")
                                                     : ServerError(stored.status());
  const int64_t now = clock_.NowMicros();
  if (stored->kind != store::kTokenRefresh || stored->client_id != app.client_id)
    return InvalidGrant("unknown refresh token");
  if (stored->expires_at <= now) return InvalidGrant("the refresh token has expired");
  Scopes granted = ParseScopes(stored->scopes).value_or(0);
  Scopes scopes = granted;
  if (!scope.empty()) {
    auto asked = ParseScopes(scope);
    if (!asked || *asked == 0 || (*asked & ~granted))
      return Error("invalid_scope",
                   "scope must be a subset of the scopes granted: " + stored->scopes);
    scopes = *asked;
  }
  std::vector<store::OAuthToken> rows;
  auto tokens = Issue(app, stored->brand_id, stored->grant_id, scopes, &rows);
  Status st = store_.RotateRefreshToken(hash, now, rows);
  if (st.code() == Code::kFailedPrecondition) {
    if (!stored->revoked_at || *stored->revoked_at > now)
      spdlog::warn("partner {}: refresh token of grant {} used after rotation; grant revoked",
                   app.client_id, stored->grant_id);
    Forget([&](const Cached& c) { return c.grant_id == stored->grant_id; });
    return InvalidGrant("the refresh token was revoked or already used");
  }
  if (!st.ok()) return ServerError(st);
  return tokens;
}

Status OAuth::RevokeGrant(const store::OAuthToken& token, const std::string& actor) {
  CDP_RETURN_IF_ERROR(
      store_.RevokeGrant(token.grant_id, clock_.NowMicros(),
                         Audit(clock_.NowMicros(), actor, "partner.revoke", token.brand_id,
                               token.client_id, {{"grant_id", token.grant_id}})));
  Forget([&](const Cached& c) { return c.grant_id == token.grant_id; });
  return Status::Ok();
}

Status OAuth::RevokeByClient(const store::PartnerApp& app, std::string_view token) {
  auto stored = store_.GetOAuthToken(HashKey(token));
  if (!stored.ok())
    return stored.status().code() == Code::kNotFound ? Status::Ok() : stored.status();
  // Another app's token is left alone, and the answer does not tell (RFC 7009 2.2).
  if (stored->client_id != app.client_id) return Status::Ok();
  return RevokeGrant(*stored, "partner:" + app.client_id);
}

Result<int64_t> OAuth::RevokeByBrand(const Principal& brand, std::string_view token,
                                     std::string_view client_id) {
  if (!token.empty()) {
    auto stored = store_.GetOAuthToken(HashKey(token));
    if (!stored.ok() && stored.status().code() != Code::kNotFound) return stored.status();
    if (!stored.ok() || stored->brand_id != brand.brand_id) return int64_t{0};
    CDP_RETURN_IF_ERROR(RevokeGrant(*stored, brand.actor));
    return int64_t{1};
  }
  const int64_t now = clock_.NowMicros();
  auto revoked = store_.RevokePartnerAccess(
      brand.brand_id, client_id, now,
      Audit(now, brand.actor, "partner.revoke", brand.brand_id, std::string(client_id)));
  if (!revoked.ok()) return revoked;
  Forget([&](const Cached& c) {
    return c.principal.brand_id == brand.brand_id && c.client_id == client_id;
  });
  return revoked;
}

Result<Principal> OAuth::AuthenticateBearer(std::string_view token) {
  static const Status kInvalid = Unauthenticated("Invalid auth: unknown or revoked access token");
  if (token.empty() || token.size() > 256) return kInvalid;
  const std::string hash = HashKey(token);
  const int64_t now = clock_.NowMicros();
  auto check = [&](const Cached& c) -> Result<Principal> {
    if (!c.valid) return kInvalid;
    if (c.expires_at <= now) return Unauthenticated("Invalid auth: the access token has expired");
    return c.principal;
  };
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(hash);
    if (it != cache_.end() && now - it->second.fetched_at < options_.cache_ttl)
      return check(it->second);
  }
  auto stored = store_.GetOAuthToken(hash);
  Cached entry;
  entry.fetched_at = now;
  if (stored.ok()) {
    entry.valid = stored->kind == store::kTokenAccess && (!stored->revoked_at);
    entry.principal = Principal{stored->brand_id, ParseScopes(stored->scopes).value_or(0),
                                "partner:" + stored->client_id};
    entry.grant_id = stored->grant_id;
    entry.client_id = stored->client_id;
    entry.expires_at = stored->expires_at;
  } else if (stored.status().code() != Code::kNotFound) {
    return Unavailable("cannot check credentials: " + stored.status().message());
  }
  std::lock_guard lock(mu_);
  if (cache_.size() >= kMaxCachedTokens) cache_.clear();
  return check(cache_[hash] = std::move(entry));
}

template <typename Pred>
void OAuth::Forget(Pred pred) {
  std::lock_guard lock(mu_);
  std::erase_if(cache_, [&](const auto& kv) { return pred(kv.second); });
}

}  // namespace cdp::auth
