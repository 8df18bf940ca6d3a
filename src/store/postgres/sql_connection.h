// sql::Connection over libpq: what the portable statements of store/sql/ run on in the
// PostgreSQL backend. Only store/postgres includes this header.
#pragma once

#include "store/postgres/pg_conn.h"
#include "store/sql/connection.h"

namespace cdp::store::postgres {

// Runs portable statements on `conn`, each prepared there once under its query's name.
class PgConnection final : public sql::Connection {
 public:
  explicit PgConnection(Conn& conn) : conn_(conn) {}
  Result<sql::Rows> Exec(const sql::Query& query, const sql::Params& params) override;

 private:
  Conn& conn_;
};

}  // namespace cdp::store::postgres
