// OAuth: partner apps' access to brands, by the OAuth 2.0 authorization-code flow with PKCE
// (RFC 6749, RFC 7636) and token revocation (RFC 7009).
//
// A partner app is a confidential client registered by the operator. A brand grants it
// scopes; the code the partner receives is exchanged (with the client secret and the PKCE
// verifier) for a short-lived access token and a long-lived refresh token. Refreshing
// rotates the refresh token; presenting a rotated refresh token or a used code again revokes
// every token of that grant (it leaked). Codes and tokens are random and stored as SHA-256.
//
// Access tokens are checked against a per-node cache of `cache_ttl`; a revocation takes
// effect at once on the node that performs it and within cache_ttl on other nodes.
// Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "auth/scopes.h"
#include "core/clock.h"
#include "core/status.h"
#include "store/partner_store.h"

namespace cdp::auth {

// An error as RFC 6749 5.2 / 4.1.2.1 names it ("invalid_grant", ...).
struct OAuthError {
  int http_status = 400;
  std::string error;
  std::string description;
};
template <typename T>
using OAuthResult = std::variant<T, OAuthError>;

struct OAuthOptions {
  int64_t code_ttl = 600'000'000;                 // 10 minutes
  int64_t access_ttl = 3'600'000'000;             // 1 hour
  int64_t refresh_ttl = 90LL * 86'400'000'000LL;  // 90 days, renewed on each refresh
  int64_t cache_ttl = 1'000'000;                  // 1 second
};

// A partner app and its client secret, which is shown once and stored only hashed.
struct IssuedClient {
  store::PartnerApp app;
  std::string secret;
};
// InvalidArgument unless `name` is 1..200 characters and every redirect URI is absolute,
// https (or http on a loopback host, RFC 8252 7.3), without a fragment; at least one.
Result<IssuedClient> NewPartnerApp(std::string_view name, std::vector<std::string> redirect_uris,
                                   int64_t now);

// The parameters of an authorization request (RFC 6749 4.1.1, RFC 7636 4.3).
struct AuthorizeRequest {
  std::string response_type, client_id, redirect_uri, scope, state, code_challenge,
      code_challenge_method;
};
// A valid authorization request, ready to be shown to the brand.
struct Authorization {
  store::PartnerApp app;
  std::string redirect_uri;
  Scopes scopes = 0;
  std::string state;
  std::string code_challenge;
};
// With `redirect`, the error goes back to the app at redirect_uri (with state); without, the
// client or redirect URI itself is unknown and the error must only be shown to the user.
struct AuthorizeError {
  OAuthError error;
  bool redirect = false;
  std::string redirect_uri;
  std::string state;
};

struct Tokens {
  std::string access_token;
  std::string refresh_token;
  int64_t expires_in = 0;  // seconds
  std::string scope;
};

class OAuth {
 public:
  OAuth(store::PartnerStore& store, const Clock& clock, OAuthOptions options = {});

  std::variant<Authorization, AuthorizeError> CheckAuthorize(const AuthorizeRequest& req);
  // The brand approves: a new grant and its single-use code.
  Result<std::string> Approve(const Authorization& authorization, const Principal& brand);

  // invalid_client (401) unless the secret is the app's.
  OAuthResult<store::PartnerApp> AuthenticateClient(std::string_view client_id,
                                                    std::string_view secret);
  OAuthResult<Tokens> ExchangeCode(const store::PartnerApp& app, std::string_view code,
                                   std::string_view redirect_uri, std::string_view verifier);
  // `scope` empty: the grant's scopes; else a subset of them.
  OAuthResult<Tokens> Refresh(const store::PartnerApp& app, std::string_view refresh_token,
                              std::string_view scope);

  // RFC 7009 by the app: revokes the grant of `token` (access or refresh) if the app holds
  // it; an unknown token is not an error.
  Status RevokeByClient(const store::PartnerApp& app, std::string_view token);
  // By the brand: the grant of `token` if it is the brand's, or with `client_id` every grant
  // the brand gave that app. The number of grants revoked.
  Result<int64_t> RevokeByBrand(const Principal& brand, std::string_view token,
                                std::string_view client_id);

  // The brand and scopes of a valid access token; Unauthenticated otherwise.
  Result<Principal> AuthenticateBearer(std::string_view token);

 private:
  struct Cached {
    bool valid = false;
    Principal principal;
    std::string grant_id, client_id;
    int64_t expires_at = 0, fetched_at = 0;
  };
  OAuthResult<Tokens> Issue(const store::PartnerApp& app, std::string_view brand_id,
                            std::string_view grant_id, Scopes scopes,
                            std::vector<store::OAuthToken>* rows);
  Status RevokeGrant(const store::OAuthToken& token, const std::string& actor);
  // Drops cached tokens matching `pred` so that this node stops accepting them at once.
  template <typename Pred>
  void Forget(Pred pred);

  store::PartnerStore& store_;
  const Clock& clock_;
  OAuthOptions options_;
  std::mutex mu_;
  std::unordered_map<std::string, Cached> cache_;  // by token hash
};

}  // namespace cdp::auth
