// Thin RAII wrappers over one libpq connection: named statements prepared once per
// connection, parameters always bound ($1, $2, ...) and never spliced into SQL text, and
// results read by row and column. Errors become a Status (see PgStatus in pg_conn.cc).
// A Conn is used by one thread at a time. Only store/postgres includes this header.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/status.h"

struct pg_conn;
struct pg_result;

namespace cdp::store::postgres {

// A statement by name: each connection prepares it (PQprepare) on first use.
struct Sql {
  std::string name;
  std::string text;
};

// Text-format parameter values in $1.. order.
class Params {
 public:
  Params& Add(std::string_view v);
  Params& Add(const std::string& v) { return Add(std::string_view(v)); }
  Params& Add(const char* v) { return Add(std::string_view(v)); }
  Params& Add(int64_t v);
  Params& Add(double v);
  Params& Add(const std::optional<std::string>& v);
  Params& AddNull();
  // One array parameter (bind as $n::text[], $n::bigint[], ...); nullopt elements are NULL.
  Params& AddArray(const std::vector<std::optional<std::string>>& elements);
  // An array of integers (bind as $n::bigint[]).
  Params& AddArray(const std::vector<int64_t>& elements);

  size_t size() const { return values_.size(); }
  // Pointers for libpq (nullptr for NULL); valid while this object is unchanged.
  std::vector<const char*> Pointers() const;
  // InvalidArgument when a value cannot be sent as text (it holds a NUL character).
  const Status& error() const { return error_; }

 private:
  std::vector<std::optional<std::string>> values_;
  Status error_;
};

// The rows of one result.
class Rows {
 public:
  Rows() = default;
  explicit Rows(pg_result* res);
  int size() const;
  int columns() const;
  bool empty() const { return size() == 0; }
  bool IsNull(int row, int col) const;
  std::string_view Text(int row, int col) const;
  std::optional<std::string> OptText(int row, int col) const;
  int64_t Int(int row, int col) const;
  double Real(int row, int col) const;
  // Rows inserted, updated or deleted by the command.
  int64_t Affected() const;
  const pg_result* raw() const { return res_.get(); }

 private:
  struct Clear {
    void operator()(pg_result* res) const;
  };
  std::unique_ptr<pg_result, Clear> res_;
};

class Conn {
 public:
  // Connects with a libpq connection string or postgres:// URL. Unavailable when the server
  // cannot be reached or refuses the login.
  static Result<std::unique_ptr<Conn>> Open(const std::string& url);
  ~Conn();
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  // Runs `sql` with `params`, preparing it on this connection first if needed.
  Result<Rows> Exec(const Sql& sql, const Params& params = Params());
  // Runs SQL text built for this one call (not prepared, not kept) with bound `params`.
  Result<Rows> ExecOnce(const std::string& text, const Params& params);
  // Runs parameterless SQL text (transaction control, schema DDL) without preparing it.
  Status Run(std::string_view sql);
  // COMMIT, failing if PostgreSQL rolled the transaction back instead (as it does when a
  // statement failed and was not rolled back to a savepoint).
  Status Commit();

  // Reconnects if the connection was lost (statements are prepared again on next use).
  // Never call it inside a transaction: the transaction is gone with the connection.
  Status EnsureOpen();
  bool broken() const;

  // How many statements have failed with a transient conflict (deadlock, serialization
  // failure) on this connection: such a failure aborts only the statement that hit it,
  // and running the same work again may succeed.
  uint64_t transient_failures() const { return transient_failures_; }

 private:
  explicit Conn(pg_conn* conn) : conn_(conn) {}
  // Session settings every connection runs with, again after a reconnect.
  Status Setup();
  Status Check(const Rows& rows, std::string_view what);

  pg_conn* conn_;
  std::unordered_set<std::string> prepared_;
  uint64_t transient_failures_ = 0;
};

}  // namespace cdp::store::postgres
