#include "store/sqlite/sql_connection.h"

#include <fmt/format.h>

#include <string>
#include <type_traits>

namespace cdp::store::sqlite {

Result<sql::Rows> SqliteConnection::Exec(const sql::Query& query, const sql::Params& params) {
  auto stmt = db_.Prepare(query.sqlite_text());
  if (!stmt.ok()) return std::move(stmt).take_status();
  int i = 1;
  for (const sql::Value& v : params.values()) {
    std::visit(
        [&](const auto& x) {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<T, std::monostate>) {
            stmt->BindNull(i);
          } else {
            stmt->Bind(i, x);
          }
        },
        v);
    ++i;
  }
  const int columns = stmt->Columns();
  std::vector<std::optional<std::string>> cells;
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) {
      stmt->Reset();
      return std::move(row).take_status();
    }
    if (!*row) break;
    for (int c = 0; c < columns; ++c) {
      if (stmt->IsNull(c)) {
        cells.emplace_back();
      } else if (stmt->IsInteger(c)) {
        cells.emplace_back(std::to_string(stmt->Int(c)));
      } else if (stmt->IsNumber(c)) {
        cells.emplace_back(fmt::format("{}", stmt->Real(c)));
      } else {
        cells.emplace_back(stmt->Text(c));
      }
    }
  }
  const int64_t affected = db_.Changes();
  stmt->Reset();
  return sql::Rows(columns, std::move(cells), affected);
}

}  // namespace cdp::store::sqlite
