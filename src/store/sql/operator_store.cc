#include "store/operator_store.h"

#include <fmt/format.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/sql/parts.h"
#include "store/sql/rows.h"

namespace cdp::store::sql {
namespace {

const Query kBrandExists("SELECT id FROM brands WHERE id = $1");
const Query kInsertOperator(
    "INSERT INTO operators (id, brand_id, email, role, password_hash, created_at, updated_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7)");
const Query kGetOperator(
    "SELECT id, brand_id, email, role, password_hash, created_at, updated_at FROM operators "
    "WHERE email = $1");
// The same in a write transaction: a concurrent change of the operator on another node waits.
const Query kLockOperator(
    "SELECT id, brand_id, email, role, password_hash, created_at, updated_at FROM operators "
    "WHERE email = $1",
    Query::Lock::kForUpdate);
const Query kLockOperatorById("SELECT id FROM operators WHERE id = $1", Query::Lock::kForUpdate);
const Query kListOperators(
    "SELECT id, brand_id, email, role, password_hash, created_at, updated_at FROM operators "
    "WHERE brand_id = $1 ORDER BY created_at, email");
const Query kDeleteOperator("DELETE FROM operators WHERE id = $1");
const Query kSetPassword("UPDATE operators SET password_hash = $2, updated_at = $3 WHERE id = $1");
const Query kDeleteOperatorSessions("DELETE FROM operator_sessions WHERE operator_id = $1");
const Query kInsertSession(
    "INSERT INTO operator_sessions (id_hash, operator_id, csrf_token, created_at, last_seen_at, "
    "expires_at) VALUES ($1, $2, $3, $4, $5, $6)");
const Query kGetSession(
    "SELECT s.id_hash, s.operator_id, s.csrf_token, s.created_at, s.last_seen_at, s.expires_at, "
    "o.brand_id, o.email, o.role FROM operator_sessions s JOIN operators o ON o.id = s.operator_id "
    "WHERE s.id_hash = $1");
// A later use never goes back in time.
const Query kTouchSession(
    "UPDATE operator_sessions SET last_seen_at = $2 WHERE id_hash = $1 AND last_seen_at < $2");
const Query kDeleteSession("DELETE FROM operator_sessions WHERE id_hash = $1");
const Query kPurgeSessions(
    "DELETE FROM operator_sessions WHERE expires_at <= $1 OR last_seen_at < $2");

Operator ReadOperator(const Rows& r, int i) {
  Operator o;
  o.id = r.Text(i, 0);
  o.brand_id = r.Text(i, 1);
  o.email = r.Text(i, 2);
  o.role = r.Text(i, 3);
  o.password_hash = r.Text(i, 4);
  o.created_at = r.Int(i, 5);
  o.updated_at = r.Int(i, 6);
  return o;
}

Status NoOperator(std::string_view email) {
  return NotFound(fmt::format("no operator has the email {}", email));
}

// The operator, locked for the write transaction; NotFound when there is none.
Result<Operator> LockOperator(Connection& c, std::string_view email) {
  auto rows = c.Exec(kLockOperator, Params().Add(email));
  if (!rows.ok()) return std::move(rows).take_status();
  if (rows->empty()) return NoOperator(email);
  return ReadOperator(*rows, 0);
}

class PortableOperatorStore final : public OperatorStore {
 public:
  explicit PortableOperatorStore(Executor& executor) : executor_(executor) {}

  Status CreateOperator(const Operator& op, const AuditEntry& audit) override {
    return executor_.Write([&](Connection& c) -> Status {
      auto brand = c.Exec(kBrandExists, Params().Add(op.brand_id));
      if (!brand.ok()) return std::move(brand).take_status();
      if (brand->empty()) return NotFound(fmt::format("no brand {}", op.brand_id));
      Status st = c.Exec(kInsertOperator, Params()
                                              .Add(op.id)
                                              .Add(op.brand_id)
                                              .Add(op.email)
                                              .Add(op.role)
                                              .Add(op.password_hash)
                                              .Add(op.created_at)
                                              .Add(op.updated_at))
                      .status();
      if (st.code() == Code::kAlreadyExists)
        return AlreadyExists(fmt::format("an operator with the email {} exists already", op.email));
      CDP_RETURN_IF_ERROR(st);
      return InsertAudit(c, audit);
    });
  }

  Result<Operator> GetOperatorByEmail(std::string_view email) override {
    std::optional<Operator> found;
    CDP_RETURN_IF_ERROR(executor_.Read([&](Connection& c) -> Status {
      auto rows = c.Exec(kGetOperator, Params().Add(email));
      if (!rows.ok()) return std::move(rows).take_status();
      if (!rows->empty()) found = ReadOperator(*rows, 0);
      return Status::Ok();
    }));
    if (!found) return NoOperator(email);
    return std::move(*found);
  }

  Result<std::vector<Operator>> ListOperators(std::string_view brand_id) override {
    return ReadAll<Operator>(executor_, kListOperators, Params().Add(brand_id), ReadOperator);
  }

  Status DeleteOperator(std::string_view email, AuditEntry audit) override {
    return executor_.Write([&](Connection& c) -> Status {
      auto op = LockOperator(c, email);
      if (!op.ok()) return std::move(op).take_status();
      CDP_RETURN_IF_ERROR(c.Exec(kDeleteOperatorSessions, Params().Add(op->id)).status());
      CDP_RETURN_IF_ERROR(c.Exec(kDeleteOperator, Params().Add(op->id)).status());
      audit.brand_id = op->brand_id;
      audit.target = op->email;
      return InsertAudit(c, audit);
    });
  }

  Status SetPassword(std::string_view email, std::string_view password_hash, int64_t now,
                     AuditEntry audit) override {
    return executor_.Write([&](Connection& c) -> Status {
      auto op = LockOperator(c, email);
      if (!op.ok()) return std::move(op).take_status();
      CDP_RETURN_IF_ERROR(
          c.Exec(kSetPassword, Params().Add(op->id).Add(password_hash).Add(now)).status());
      CDP_RETURN_IF_ERROR(c.Exec(kDeleteOperatorSessions, Params().Add(op->id)).status());
      audit.brand_id = op->brand_id;
      audit.target = op->email;
      return InsertAudit(c, audit);
    });
  }

  Status CreateSession(const OperatorSession& s) override {
    return executor_.Write([&](Connection& c) -> Status {
      auto op = c.Exec(kLockOperatorById, Params().Add(s.operator_id));
      if (!op.ok()) return std::move(op).take_status();
      if (op->empty()) return NotFound("the operator no longer exists");
      return c
          .Exec(kInsertSession, Params()
                                    .Add(s.id_hash)
                                    .Add(s.operator_id)
                                    .Add(s.csrf_token)
                                    .Add(s.created_at)
                                    .Add(s.last_seen_at)
                                    .Add(s.expires_at))
          .status();
    });
  }

  Result<OperatorSession> GetSession(std::string_view id_hash) override {
    std::optional<OperatorSession> found;
    CDP_RETURN_IF_ERROR(executor_.Read([&](Connection& c) -> Status {
      auto rows = c.Exec(kGetSession, Params().Add(id_hash));
      if (!rows.ok()) return std::move(rows).take_status();
      if (rows->empty()) return Status::Ok();
      OperatorSession s;
      s.id_hash = rows->Text(0, 0);
      s.operator_id = rows->Text(0, 1);
      s.csrf_token = rows->Text(0, 2);
      s.created_at = rows->Int(0, 3);
      s.last_seen_at = rows->Int(0, 4);
      s.expires_at = rows->Int(0, 5);
      s.brand_id = rows->Text(0, 6);
      s.email = rows->Text(0, 7);
      s.role = rows->Text(0, 8);
      found = std::move(s);
      return Status::Ok();
    }));
    if (!found) return NotFound("no such session");
    return std::move(*found);
  }

  Status TouchSession(std::string_view id_hash, int64_t now) override {
    return executor_.Write([&](Connection& c) -> Status {
      return c.Exec(kTouchSession, Params().Add(id_hash).Add(now)).status();
    });
  }

  Status DeleteSession(std::string_view id_hash) override {
    return executor_.Write([&](Connection& c) -> Status {
      return c.Exec(kDeleteSession, Params().Add(id_hash)).status();
    });
  }

  Result<int64_t> PurgeSessions(int64_t now, int64_t idle_before) override {
    int64_t deleted = 0;
    CDP_RETURN_IF_ERROR(executor_.Write([&](Connection& c) -> Status {
      auto rows = c.Exec(kPurgeSessions, Params().Add(now).Add(idle_before));
      if (!rows.ok()) return std::move(rows).take_status();
      deleted = rows->Affected();
      return Status::Ok();
    }));
    return deleted;
  }

 private:
  Executor& executor_;
};

}  // namespace

std::unique_ptr<OperatorStore> NewOperatorStore(Executor& executor) {
  return std::make_unique<PortableOperatorStore>(executor);
}

}  // namespace cdp::store::sql
