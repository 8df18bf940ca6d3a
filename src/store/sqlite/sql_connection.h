// sql::Connection and sql::Executor over SQLite: what the portable statements of store/sql/
// run on in the embedded backend. Only store/sqlite includes this header.
#pragma once

#include "store/sql/connection.h"
#include "store/sqlite/sqlite_db.h"

namespace cdp::store::sqlite {

// Runs portable statements on `db`, cached there by their text like any other.
class SqliteConnection final : public sql::Connection {
 public:
  explicit SqliteConnection(Db& db) : db_(db) {}
  Result<sql::Rows> Exec(const sql::Query& query, const sql::Params& params) override;

 private:
  Db& db_;
};

}  // namespace cdp::store::sqlite
