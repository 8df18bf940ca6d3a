#include <fmt/format.h>

#include <boost/json.hpp>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "store/sql/parts.h"
#include "store/sql/rows.h"

namespace cdp::store::sql {
namespace {

const Query kInsertPartner(
    "INSERT INTO partner_apps (client_id, name, secret_hash, redirect_uris, created_at) "
    "VALUES ($1, $2, $3, $4, $5)");
const Query kGetPartner(
    "SELECT client_id, name, secret_hash, redirect_uris, created_at FROM partner_apps "
    "WHERE client_id = $1 AND deleted_at IS NULL");
const Query kListPartners(
    "SELECT client_id, name, secret_hash, redirect_uris, created_at FROM partner_apps "
    "WHERE deleted_at IS NULL ORDER BY created_at, client_id");
const Query kDeletePartner(
    "UPDATE partner_apps SET deleted_at = $2 WHERE client_id = $1 AND deleted_at IS NULL "
    "RETURNING client_id");
const Query kRevokePartnerTokens(
    "UPDATE oauth_tokens SET revoked_at = $2 WHERE client_id = $1 AND revoked_at IS NULL");

#define CDP_CODE_COLUMNS                                                                    \
  "hash, grant_id, client_id, brand_id, scopes, redirect_uri, code_challenge, created_at, " \
  "expires_at, used_at"
const Query kInsertCode("INSERT INTO oauth_codes (" CDP_CODE_COLUMNS
                        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL)");
const Query kGetCode("SELECT " CDP_CODE_COLUMNS " FROM oauth_codes WHERE hash = $1");
#undef CDP_CODE_COLUMNS
// Returns the code's grant when this call used it.
const Query kUseCode(
    "UPDATE oauth_codes SET used_at = $2 WHERE hash = $1 AND used_at IS NULL RETURNING grant_id");
const Query kCodeGrant("SELECT grant_id FROM oauth_codes WHERE hash = $1");

#define CDP_TOKEN_COLUMNS \
  "hash, kind, grant_id, client_id, brand_id, scopes, created_at, expires_at, revoked_at"
const Query kInsertToken("INSERT INTO oauth_tokens (" CDP_TOKEN_COLUMNS
                         ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL)");
const Query kGetToken("SELECT " CDP_TOKEN_COLUMNS " FROM oauth_tokens WHERE hash = $1");
#undef CDP_TOKEN_COLUMNS
// Returns the token's grant when this call revoked it.
const Query kUseRefreshToken(
    "UPDATE oauth_tokens SET revoked_at = $2 WHERE hash = $1 AND kind = 'refresh' "
    "AND revoked_at IS NULL RETURNING grant_id");
const Query kTokenGrant("SELECT grant_id FROM oauth_tokens WHERE hash = $1");
const Query kRevokeGrant(
    "UPDATE oauth_tokens SET revoked_at = $2 WHERE grant_id = $1 AND revoked_at IS NULL");
const Query kRevokeBrandPartner(
    "UPDATE oauth_tokens SET revoked_at = $3 WHERE brand_id = $1 AND client_id = $2 "
    "AND revoked_at IS NULL RETURNING grant_id");
const Query kListGrants(
    "SELECT grant_id, client_id, scopes, created_at, expires_at FROM oauth_tokens "
    "WHERE brand_id = $1 AND kind = 'refresh' AND revoked_at IS NULL AND expires_at > $2 "
    "ORDER BY created_at, grant_id");

// partner_apps.redirect_uris: a JSON array of strings.
std::string EncodeUris(const std::vector<std::string>& uris) {
  boost::json::array a;
  for (const auto& u : uris) a.emplace_back(u);
  return boost::json::serialize(a);
}
std::vector<std::string> DecodeUris(std::string_view text) {
  std::vector<std::string> out;
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec || !v.is_array()) return out;
  for (const auto& u : v.get_array())
    if (u.is_string()) out.emplace_back(u.get_string());
  return out;
}

PartnerApp ReadPartner(const Rows& r, int i) {
  return PartnerApp{r.Text(i, 0), r.Text(i, 1), r.Text(i, 2), DecodeUris(r.Text(i, 3)),
                    r.Int(i, 4)};
}

AuthCode ReadCode(const Rows& r, int i) {
  return AuthCode{r.Text(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3), r.Text(i, 4),
                  r.Text(i, 5), r.Text(i, 6), r.Int(i, 7),  r.Int(i, 8),  r.OptInt(i, 9)};
}

OAuthToken ReadToken(const Rows& r, int i) {
  return OAuthToken{r.Text(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3),  r.Text(i, 4),
                    r.Text(i, 5), r.Int(i, 6),  r.Int(i, 7),  r.OptInt(i, 8)};
}

Status InsertTokens(Connection& c, const std::vector<OAuthToken>& tokens) {
  for (const auto& t : tokens)
    CDP_RETURN_IF_ERROR(c.Exec(kInsertToken, Params()
                                                 .Add(t.hash)
                                                 .Add(t.kind)
                                                 .Add(t.grant_id)
                                                 .Add(t.client_id)
                                                 .Add(t.brand_id)
                                                 .Add(t.scopes)
                                                 .Add(t.created_at)
                                                 .Add(t.expires_at))
                            .status());
  return Status::Ok();
}

// The grant of the code or token `hash` (found by `grant_of`), every token of which is
// revoked.
Status RevokeGrantOf(Connection& c, const Query& grant_of, std::string_view hash, int64_t now) {
  auto grant = c.Exec(grant_of, Params().Add(hash));
  if (!grant.ok()) return std::move(grant).take_status();
  if (grant->empty()) return Status::Ok();
  return c.Exec(kRevokeGrant, Params().Add(grant->Text(0, 0)).Add(now)).status();
}

// Uses the single-use credential `hash` with `use` (a statement returning its grant when
// this call used it) and stores `tokens`; when it was used before, the credential has
// leaked (RFC 6749 10.5, OAuth 2.1 4.3.1): its whole grant is revoked in the same
// transaction, so the tokens issued on first use stop working too, and FailedPrecondition
// says `used_before`.
Status UseOnce(Executor& executor, const Query& use, const Query& grant_of, std::string_view hash,
               int64_t now, const std::vector<OAuthToken>& tokens, std::string_view used_before) {
  bool replayed = false;
  Status st = executor.Write([&](Connection& c) -> Status {
    auto used = c.Exec(use, Params().Add(hash).Add(now));
    if (!used.ok()) return std::move(used).take_status();
    replayed = used->empty();
    if (replayed) return RevokeGrantOf(c, grant_of, hash, now);
    return InsertTokens(c, tokens);
  });
  if (st.ok() && replayed) return FailedPrecondition(std::string(used_before));
  return st;
}

class PortablePartnerStore final : public PartnerStore {
 public:
  explicit PortablePartnerStore(Executor& executor) : executor_(executor) {}

  Status CreatePartnerApp(const PartnerApp& app, const AuditEntry& audit) override {
    return executor_.Write([&](Connection& c) -> Status {
      Status st = c.Exec(kInsertPartner, Params()
                                             .Add(app.client_id)
                                             .Add(app.name)
                                             .Add(app.secret_hash)
                                             .Add(EncodeUris(app.redirect_uris))
                                             .Add(app.created_at))
                      .status();
      if (st.code() == Code::kAlreadyExists)
        return AlreadyExists("partner app " + app.client_id + " exists");
      CDP_RETURN_IF_ERROR(st);
      return InsertAudit(c, audit);
    });
  }

  Result<PartnerApp> GetPartnerApp(std::string_view client_id) override {
    auto app = ReadOne<PartnerApp>(kGetPartner, Params().Add(client_id), ReadPartner);
    if (app.ok() && !*app) return NotFound(fmt::format("no partner app {}", client_id));
    if (!app.ok()) return app.status();
    return std::move(**app);
  }

  Result<std::vector<PartnerApp>> ListPartnerApps() override {
    return ReadAll<PartnerApp>(executor_, kListPartners, Params(), ReadPartner);
  }

  Status DeletePartnerApp(std::string_view client_id, int64_t now,
                          const AuditEntry& audit) override {
    return executor_.Write([&](Connection& c) -> Status {
      auto deleted = c.Exec(kDeletePartner, Params().Add(client_id).Add(now));
      if (!deleted.ok()) return std::move(deleted).take_status();
      if (deleted->empty()) return NotFound(fmt::format("no partner app {}", client_id));
      CDP_RETURN_IF_ERROR(c.Exec(kRevokePartnerTokens, Params().Add(client_id).Add(now)).status());
      return InsertAudit(c, audit);
    });
  }

  Status SaveAuthCode(const AuthCode& code, const AuditEntry& audit) override {
    return executor_.Write([&](Connection& c) -> Status {
      CDP_RETURN_IF_ERROR(c.Exec(kInsertCode, Params()
                                                  .Add(code.hash)
                                                  .Add(code.grant_id)
                                                  .Add(code.client_id)
                                                  .Add(code.brand_id)
                                                  .Add(code.scopes)
                                                  .Add(code.redirect_uri)
                                                  .Add(code.code_challenge)
                                                  .Add(code.created_at)
                                                  .Add(code.expires_at))
                              .status());
      return InsertAudit(c, audit);
    });
  }

  Result<AuthCode> GetAuthCode(std::string_view hash) override {
    auto code = ReadOne<AuthCode>(kGetCode, Params().Add(hash), ReadCode);
    if (code.ok() && !*code) return NotFound("no such authorization code");
    if (!code.ok()) return code.status();
    return std::move(**code);
  }

  Status RedeemAuthCode(std::string_view hash, int64_t now,
                        const std::vector<OAuthToken>& tokens) override {
    return UseOnce(executor_, kUseCode, kCodeGrant, hash, now, tokens,
                   "authorization code already used");
  }

  Result<OAuthToken> GetOAuthToken(std::string_view hash) override {
    auto token = ReadOne<OAuthToken>(kGetToken, Params().Add(hash), ReadToken);
    if (token.ok() && !*token) return NotFound("no such token");
    if (!token.ok()) return token.status();
    return std::move(**token);
  }

  Status RotateRefreshToken(std::string_view hash, int64_t now,
                            const std::vector<OAuthToken>& tokens) override {
    return UseOnce(executor_, kUseRefreshToken, kTokenGrant, hash, now, tokens,
                   "refresh token already used or revoked");
  }

  Status RevokeGrant(std::string_view grant_id, int64_t now, const AuditEntry& audit) override {
    return executor_.Write([&](Connection& c) -> Status {
      CDP_RETURN_IF_ERROR(c.Exec(kRevokeGrant, Params().Add(grant_id).Add(now)).status());
      return InsertAudit(c, audit);
    });
  }

  Result<int64_t> RevokePartnerAccess(std::string_view brand_id, std::string_view client_id,
                                      int64_t now, const AuditEntry& audit) override {
    int64_t grants = 0;
    Status st = executor_.Write([&](Connection& c) -> Status {
      auto rows = c.Exec(kRevokeBrandPartner, Params().Add(brand_id).Add(client_id).Add(now));
      if (!rows.ok()) return std::move(rows).take_status();
      std::set<std::string> distinct;
      for (int i = 0; i < rows->size(); ++i) distinct.insert(rows->Text(i, 0));
      grants = static_cast<int64_t>(distinct.size());
      return InsertAudit(c, audit);
    });
    if (!st.ok()) return st;
    return grants;
  }

  Result<std::vector<Grant>> ListGrants(std::string_view brand_id, int64_t now) override {
    return ReadAll<Grant>(
        executor_, kListGrants, Params().Add(brand_id).Add(now), [](const Rows& r, int i) {
          return Grant{r.Text(i, 0), r.Text(i, 1), r.Text(i, 2), r.Int(i, 3), r.Int(i, 4)};
        });
  }

 private:
  // The first row of `query`, read by read(rows, 0); nullopt when there is none.
  template <typename T, typename F>
  Result<std::optional<T>> ReadOne(const Query& query, const Params& params, F read) {
    std::optional<T> out;
    CDP_RETURN_IF_ERROR(executor_.Read([&](Connection& c) -> Status {
      auto rows = c.Exec(query, params);
      if (!rows.ok()) return std::move(rows).take_status();
      if (!rows->empty()) out = read(*rows, 0);
      return Status::Ok();
    }));
    return out;
  }

  Executor& executor_;
};

}  // namespace

std::unique_ptr<PartnerStore> NewPartnerStore(Executor& executor) {
  return std::make_unique<PortablePartnerStore>(executor);
}

}  // namespace cdp::store::sql
