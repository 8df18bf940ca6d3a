#include "store/postgres/sql_connection.h"

#include <string>
#include <type_traits>

namespace cdp::store::postgres {

Result<sql::Rows> PgConnection::Exec(const sql::Query& query, const sql::Params& params) {
  Params pg;
  for (const sql::Value& v : params.values()) {
    std::visit(
        [&](const auto& x) {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<T, std::monostate>) {
            pg.AddNull();
          } else {
            pg.Add(x);
          }
        },
        v);
  }
  auto rows = conn_.Exec(Sql{query.name(), query.text()}, pg);
  if (!rows.ok()) return std::move(rows).take_status();
  const int columns = rows->columns();
  std::vector<std::optional<std::string>> cells;
  cells.reserve(static_cast<size_t>(rows->size() * columns));
  for (int r = 0; r < rows->size(); ++r)
    for (int c = 0; c < columns; ++c) cells.push_back(rows->OptText(r, c));
  return sql::Rows(columns, std::move(cells), rows->Affected());
}

}  // namespace cdp::store::postgres
