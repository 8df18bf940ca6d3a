#include "store/sql/connection.h"

#include <atomic>
#include <charconv>
#include <cstdlib>

namespace cdp::store::sql {
namespace {

// SQLite reads $N as a named parameter numbered by first appearance, not N; ?N is N.
std::string ForSqlite(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c == '$') c = '?';
  return out;
}

}  // namespace

Query::Query(std::string text, Lock lock) : text_(std::move(text)), sqlite_text_(ForSqlite(text_)) {
  if (lock == Lock::kForUpdate) text_ += " FOR UPDATE";
  static std::atomic<int> next{0};
  name_ = "cdp_sql_" + std::to_string(next.fetch_add(1));
}

std::string Rows::Text(int row, int col) const {
  const auto& cell = Cell(row, col);
  return cell ? *cell : std::string();
}

int64_t Rows::Int(int row, int col) const {
  const auto& cell = Cell(row, col);
  if (!cell) return 0;
  int64_t v = 0;
  std::from_chars(cell->data(), cell->data() + cell->size(), v);
  return v;
}

std::optional<int64_t> Rows::OptInt(int row, int col) const {
  if (IsNull(row, col)) return std::nullopt;
  return Int(row, col);
}

double Rows::Real(int row, int col) const {
  const auto& cell = Cell(row, col);
  return cell ? std::strtod(cell->c_str(), nullptr) : 0.0;
}

}  // namespace cdp::store::sql
