// OperatorStore: the people who sign in to the dashboard (operators, each of one brand) and
// their sessions. Used by auth::Sessions (sign-in, each dashboard call), the dashboard's
// operator endpoints and the `cdp operator` commands. Thread-safe; a change to an operator
// that returns OK is durable and is recorded, in the same transaction, by the AuditEntry it
// takes. Sessions are written without audit entries (they are not changes of access).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/brand_store.h"

namespace cdp::store {

struct Operator {
  std::string id;  // "op_..."
  std::string brand_id;
  std::string email;          // lower-cased; unique across the installation
  std::string role;           // "editor" | "viewer"
  std::string password_hash;  // auth/password.h's encoding
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

// A signed-in operator's session, with the operator's current brand, email and role.
struct OperatorSession {
  std::string id_hash;  // SHA-256 (hex) of the cookie's random id; the cookie is never stored
  std::string operator_id;
  std::string csrf_token;
  int64_t created_at = 0;
  int64_t last_seen_at = 0;
  int64_t expires_at = 0;  // absolute end, whatever the use
  // Read from the operator on GetSession; ignored by CreateSession.
  std::string brand_id;
  std::string email;
  std::string role;
};

class OperatorStore {
 public:
  virtual ~OperatorStore() = default;

  // NotFound if the brand does not exist, AlreadyExists if the email is taken (by any brand).
  virtual Status CreateOperator(const Operator& op, const AuditEntry& audit) = 0;
  // NotFound when no operator has `email` (lower-cased by the caller).
  virtual Result<Operator> GetOperatorByEmail(std::string_view email) = 0;
  // The brand's operators, oldest first.
  virtual Result<std::vector<Operator>> ListOperators(std::string_view brand_id) = 0;
  // Deletes the operator and every session of it. NotFound when there is none. The audit
  // entry's brand_id and target are set to the operator's brand and email.
  virtual Status DeleteOperator(std::string_view email, AuditEntry audit) = 0;
  // Replaces the password hash (updated_at = `now`) and deletes every session of the
  // operator. NotFound when there is none. Audit as DeleteOperator.
  virtual Status SetPassword(std::string_view email, std::string_view password_hash, int64_t now,
                             AuditEntry audit) = 0;

  // NotFound if the operator no longer exists; AlreadyExists for a taken id_hash.
  virtual Status CreateSession(const OperatorSession& session) = 0;
  // The session and its operator; NotFound when there is none (ended, or never was).
  virtual Result<OperatorSession> GetSession(std::string_view id_hash) = 0;
  // Records a use at `now` (callers bound how often).
  virtual Status TouchSession(std::string_view id_hash, int64_t now) = 0;
  // Deletes the session; OK when there was none.
  virtual Status DeleteSession(std::string_view id_hash) = 0;
  // Deletes the sessions that ended at `now`: absolutely, or last seen before `idle_before`.
  // Returns how many.
  virtual Result<int64_t> PurgeSessions(int64_t now, int64_t idle_before) = 0;
};

}  // namespace cdp::store
