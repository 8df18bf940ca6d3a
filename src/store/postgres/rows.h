// Row readers that several parts of the PostgreSQL backend share: profiles (with the
// column list they are read from), profile pages, and small typed cell reads. Pure
// functions over postgres::Rows. Only store/postgres includes this header.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "profiles/profile.h"
#include "store/postgres/pg_conn.h"
#include "store/profile_store.h"

namespace cdp::store::postgres {

// Profile columns in profiles::Field order.
inline constexpr std::array<std::string_view, profiles::kFieldCount> kFieldColumns = {
    "name",         "first_name", "last_name",      "birth_date",   "gender",
    "email",        "mobile",     "company",        "hashed_email", "hashed_mobile",
    "email_opt_in", "sms_opt_in", "whatsapp_opt_in"};

// The columns ReadProfile expects, each prefixed with `table` ("p." or "").
std::string ProfileColumns(std::string_view table = "");

// Reads the profile whose columns (ProfileColumns order) start at `col` of `row`.
profiles::Profile ReadProfile(const Rows& r, int row, int col);

// A page of profiles from rows of profile columns fetched with LIMIT `limit` + 1: the extra
// row only says there is a next page.
ProfilePage ProfilePageOf(const Rows& rows, size_t limit);

inline std::optional<int64_t> OptInt(const Rows& r, int row, int col) {
  return r.IsNull(row, col) ? std::nullopt : std::optional<int64_t>(r.Int(row, col));
}

inline std::string Str(const Rows& r, int row, int col) { return std::string(r.Text(row, col)); }

// Every row of `r`, each read by read(r, row).
template <typename T, typename F>
std::vector<T> AllOf(const Rows& r, F read) {
  std::vector<T> out;
  for (int i = 0; i < r.size(); ++i) out.push_back(read(r, i));
  return out;
}

}  // namespace cdp::store::postgres
