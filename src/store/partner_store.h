// PartnerStore: partner apps registered for OAuth 2.0 and what brands granted them:
// authorization codes, access and refresh tokens, grants. Used by auth/oauth and the admin
// commands. Secrets, codes and tokens are stored only as SHA-256 hashes. Thread-safe;
// writes that return OK are durable.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "store/brand_store.h"

namespace cdp::store {

// A partner app registered on this installation (OAuth 2.0 confidential client).
struct PartnerApp {
  std::string client_id;
  std::string name;
  std::string secret_hash;                 // SHA-256 of the client secret
  std::vector<std::string> redirect_uris;  // exact matches only
  int64_t created_at = 0;
};

// An authorization code a brand granted a partner, awaiting exchange for tokens.
struct AuthCode {
  std::string hash;      // SHA-256 of the code
  std::string grant_id;  // shared by every token the code leads to
  std::string client_id;
  std::string brand_id;
  std::string scopes;  // space-separated
  std::string redirect_uri;
  std::string code_challenge;  // PKCE S256
  int64_t created_at = 0;
  int64_t expires_at = 0;
  std::optional<int64_t> used_at;
};

// An OAuth access or refresh token as stored (hashed).
struct OAuthToken {
  std::string hash;
  std::string kind;  // kTokenAccess | kTokenRefresh
  std::string grant_id;
  std::string client_id;
  std::string brand_id;
  std::string scopes;
  int64_t created_at = 0;
  int64_t expires_at = 0;
  std::optional<int64_t> revoked_at;
};
inline constexpr std::string_view kTokenAccess = "access";
inline constexpr std::string_view kTokenRefresh = "refresh";

// A partner's standing access to a brand: one authorization, while its refresh token lives.
struct Grant {
  std::string grant_id;
  std::string client_id;
  std::string scopes;
  int64_t created_at = 0;  // of the current refresh token
  int64_t expires_at = 0;
};

class PartnerStore {
 public:
  virtual ~PartnerStore() = default;

  // AlreadyExists if the client id is taken.
  virtual Status CreatePartnerApp(const PartnerApp& app, const AuditEntry& audit) = 0;
  // NotFound for an unknown or deleted app.
  virtual Result<PartnerApp> GetPartnerApp(std::string_view client_id) = 0;
  // Oldest first; deleted apps are left out.
  virtual Result<std::vector<PartnerApp>> ListPartnerApps() = 0;
  // Deletes the app and revokes every token it holds, for every brand. NotFound if absent.
  virtual Status DeletePartnerApp(std::string_view client_id, int64_t now,
                                  const AuditEntry& audit) = 0;
  virtual Status SaveAuthCode(const AuthCode& code, const AuditEntry& audit) = 0;
  // NotFound for an unknown code (used and expired ones are returned as they are).
  virtual Result<AuthCode> GetAuthCode(std::string_view hash) = 0;
  // Marks the code used and stores `tokens`, if the code was unused; FailedPrecondition if it
  // was used before, in which case every token of its grant is revoked instead (RFC 6749
  // 4.1.2: a replayed code means it leaked).
  virtual Status RedeemAuthCode(std::string_view hash, int64_t now,
                                const std::vector<OAuthToken>& tokens) = 0;
  // NotFound for an unknown token (revoked and expired ones are returned as they are).
  virtual Result<OAuthToken> GetOAuthToken(std::string_view hash) = 0;
  // Revokes the refresh token `hash` and stores `tokens`, if it was active;
  // FailedPrecondition if it was revoked before (a rotated token used again: every token of
  // its grant is revoked instead).
  virtual Status RotateRefreshToken(std::string_view hash, int64_t now,
                                    const std::vector<OAuthToken>& tokens) = 0;
  // Revokes every token of the grant. Idempotent.
  virtual Status RevokeGrant(std::string_view grant_id, int64_t now, const AuditEntry& audit) = 0;
  // Revokes every token the brand granted the partner; the number of grants revoked.
  virtual Result<int64_t> RevokePartnerAccess(std::string_view brand_id, std::string_view client_id,
                                              int64_t now, const AuditEntry& audit) = 0;
  // The brand's grants with a refresh token active at `now`, oldest first.
  virtual Result<std::vector<Grant>> ListGrants(std::string_view brand_id, int64_t now) = 0;
};

}  // namespace cdp::store
