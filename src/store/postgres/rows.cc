#include "store/postgres/rows.h"

#include <fmt/format.h>

#include <boost/json/parse.hpp>
#include <utility>

namespace cdp::store::postgres {

namespace json = boost::json;

std::string ProfileColumns(std::string_view table) {
  std::string cols = fmt::format("{0}id, {0}user_id, {0}anonymous_id", table);
  for (auto c : kFieldColumns) cols += fmt::format(", {}{}", table, c);
  return cols + fmt::format(", {0}attributes, {0}created_at, {0}updated_at", table);
}

profiles::Profile ReadProfile(const Rows& r, int row, int col) {
  profiles::Profile p;
  p.id = r.Int(row, col);
  p.user_id = r.OptText(row, col + 1);
  p.anonymous_id = r.OptText(row, col + 2);
  for (size_t i = 0; i < profiles::kFieldCount; ++i) {
    int c = col + 3 + static_cast<int>(i);
    if (r.IsNull(row, c)) continue;
    if (profiles::Fields()[i].is_integer) {
      p.fields[i] = r.Int(row, c);
    } else {
      p.fields[i] = std::string(r.Text(row, c));
    }
  }
  int base = col + 3 + static_cast<int>(profiles::kFieldCount);
  boost::system::error_code ec;
  json::value attrs = json::parse(r.Text(row, base), ec);
  if (!ec && attrs.is_object()) p.attributes = std::move(attrs.get_object());
  p.created_at = r.Int(row, base + 1);
  p.updated_at = r.Int(row, base + 2);
  return p;
}

ProfilePage ProfilePageOf(const Rows& rows, size_t limit) {
  ProfilePage page;
  for (int i = 0; i < rows.size(); ++i) {
    if (page.profiles.size() == limit) {
      page.next_after = page.profiles.back().id;
      break;
    }
    page.profiles.push_back(ReadProfile(rows, i, 0));
  }
  return page;
}

}  // namespace cdp::store::postgres
