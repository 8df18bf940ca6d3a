// Generates the segments benchmark's brand straight into a cdp SQLite database (made by
// `cdp brand create`): PROFILES profiles and EVENTS events with a fixed seed and a realistic
// skew (a few hot events, a long tail of rare ones; few very active users, many with no
// events), in the schema of src/store/sqlite/migrations.cc, then ANALYZE. Given a PostgreSQL
// URL and the brand `cdp brand create --database URL` made there, writes the very same rows,
// with the same ids, into that database in the same pass (segments_pg.h).
//   segments_gen [--seed S] [--defer-index] DB_FILE BRAND_ID PROFILES EVENTS [PG_URL PG_BRAND_ID]
// SQLite rows are appended: ids continue after the rows already there, so several calls with
// different brands fill one database (bench/segments_memory). --seed S draws another brand of
// the same shape (default: the one bench/segments has always used). --defer-index leaves the
// events index dropped and ANALYZE undone, for the last call (without it) to do once for all.
// Event times are whole hours plus 30 minutes before the hour of generation, so windows of
// whole days from "now" rarely cut an event between the server's clock and the baseline's.
#include <fmt/format.h>
#include <sqlite3.h>

#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "segments_pg.h"
#include "segments_rows.h"

namespace {

using segments_bench::EventRow;
using segments_bench::PgWriter;
using segments_bench::ProfileRow;

void Check(sqlite3* db, int rc, const char* what) {
  if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW) return;
  fmt::print(stderr, "{}: {}\n", what, sqlite3_errmsg(db));
  std::exit(1);
}

void Exec(sqlite3* db, const std::string& sql) {
  Check(db, sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), sql.c_str());
}

sqlite3_stmt* Prepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* s = nullptr;
  Check(db, sqlite3_prepare_v2(db, sql, -1, &s, nullptr), sql);
  return s;
}

void Text(sqlite3_stmt* s, int i, std::string_view v) {
  sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

void OptionalText(sqlite3_stmt* s, int i, const char* v) {
  if (v)
    Text(s, i, v);
  else
    sqlite3_bind_null(s, i);
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t seed = 20261123;
  bool defer_index = false;
  std::vector<char*> args = {argv[0]};
  for (int i = 1; i < argc; ++i)
    if (std::string_view(argv[i]) == "--seed" && i + 1 < argc)
      seed = std::strtoull(argv[++i], nullptr, 10);
    else if (std::string_view(argv[i]) == "--defer-index")
      defer_index = true;
    else
      args.push_back(argv[i]);
  argc = static_cast<int>(args.size());
  argv = args.data();
  if (argc != 5 && argc != 7) {
    fmt::print(stderr,
               "usage: segments_gen [--seed S] [--defer-index] DB_FILE BRAND_ID PROFILES EVENTS "
               "[PG_URL PG_BRAND_ID]\n");
    return 2;
  }
  const std::string brand = argv[2];
  const int64_t n_profiles = std::atoll(argv[3]);
  const int64_t n_events = std::atoll(argv[4]);
  constexpr int64_t kSecond = 1000000, kHour = 3600 * kSecond, kDay = 24 * kHour;
  const int64_t now = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const int64_t hour = now / kHour * kHour;
  std::mt19937_64 rng(seed);
  auto uniform = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  auto chance = [&](double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; };

  std::optional<PgWriter> pg;
  if (argc == 7) pg.emplace(argv[5], argv[6]);
  sqlite3* db = nullptr;
  Check(db, sqlite3_open(argv[1], &db), "open");
  Exec(db, "PRAGMA synchronous=OFF; PRAGMA cache_size=-400000;");
  const auto started = std::chrono::steady_clock::now();

  Exec(db, "BEGIN");
  for (auto [scope, name, type] : std::array<std::array<const char*, 3>, 5>{{
           {"profile", "Dollars spent", "number"},
           {"profile", "plan", "string"},
           {"profile", "city", "string"},
           {"event", "sku", "string"},
           {"event", "amount", "number"},
       }}) {
    Exec(db, fmt::format("INSERT OR IGNORE INTO attribute_types VALUES ('{}','{}','{}','{}')",
                         brand, scope, name, type));
    if (pg) pg->AddAttributeType(scope, name, type);
  }
  sqlite3_stmt* profile =
      Prepare(db,
              "INSERT INTO profiles (brand_id, user_id, name, gender, email, mobile, email_opt_in, "
              "sms_opt_in, whatsapp_opt_in, birth_date, attributes, created_at, updated_at) "
              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)");
  const std::array<const char*, 4> genders = {"female", "male", "other", nullptr};
  const std::array<const char*, 3> plans = {"free", "pro", "enterprise"};
  std::vector<int64_t> ids;
  ids.reserve(n_profiles);
  for (int64_t i = 0; i < n_profiles; ++i) {
    // The draws in the order they have always been made, so the data stays as it was.
    ProfileRow row;
    row.user_id = fmt::format("u{}", i);
    row.name = fmt::format("User {}", i);
    row.gender = genders[uniform(0, 9) < 4 ? 0 : uniform(1, 3)];
    if (chance(0.8)) row.email = fmt::format("u{}@example.com", i);
    if (chance(0.5)) row.mobile = fmt::format("+9198{:08}", uniform(0, 99999999));
    for (auto& opt_in : row.opt_ins)
      if (chance(0.8)) opt_in = static_cast<int>(uniform(0, 2));
    row.birth_date =
        fmt::format("{:04}-{:02}-{:02}", uniform(1950, 2008), uniform(1, 12), uniform(1, 28));
    row.attributes = fmt::format(R"({{"Dollars spent":{},"plan":"{}","city":"city{}"}})",
                                 static_cast<double>(uniform(0, 500000)) / 100,
                                 plans[uniform(0, 9) < 6 ? 0 : uniform(1, 2)], uniform(0, 49));
    row.created_at = now - uniform(0, 3 * 365) * kDay - uniform(0, kDay);

    sqlite3_reset(profile);
    Text(profile, 1, brand);
    Text(profile, 2, row.user_id);
    Text(profile, 3, row.name);
    OptionalText(profile, 4, row.gender);
    OptionalText(profile, 5, row.email ? row.email->c_str() : nullptr);
    OptionalText(profile, 6, row.mobile ? row.mobile->c_str() : nullptr);
    for (int k = 0; k < 3; ++k)
      if (row.opt_ins[k])
        sqlite3_bind_int(profile, 7 + k, *row.opt_ins[k]);
      else
        sqlite3_bind_null(profile, 7 + k);
    Text(profile, 10, row.birth_date);
    Text(profile, 11, row.attributes);
    sqlite3_bind_int64(profile, 12, row.created_at);
    Check(db, sqlite3_step(profile), "insert profile");
    ids.push_back(sqlite3_last_insert_rowid(db));
    if (pg) pg->AddProfile(ids.back(), row);
  }
  sqlite3_finalize(profile);
  Exec(db, "COMMIT");
  fmt::print("  {} profiles in {:.1f} s\n", n_profiles, Seconds(started));

  // Inserting into the events index row by row, in random time order, costs several times
  // the insert: build it once at the end.
  Exec(db, "DROP INDEX IF EXISTS events_by_name_week");
  // 70% of profiles are active; activity is skewed towards the first ones.
  const int64_t active = std::max<int64_t>(1, n_profiles * 7 / 10);
  std::vector<std::string> names = {"page_view", "add_to_cart", "purchase", "refund"};
  for (int i = 0; i < 200; ++i) names.push_back(fmt::format("rare_{}", i));
  sqlite3_stmt* event =
      Prepare(db,
              "INSERT INTO events (brand_id, profile_id, name, ts, received_at, attributes) "
              "VALUES (?1, ?2, ?3, ?4, ?4, ?5)");
  const auto events_started = std::chrono::steady_clock::now();
  Exec(db, "BEGIN");
  for (int64_t i = 0; i < n_events; ++i) {
    EventRow row;
    const double u = std::uniform_real_distribution<double>(0, 1)(rng);
    row.profile_id = ids[static_cast<size_t>(std::pow(u, 2.5) * static_cast<double>(active))];
    const double p = std::uniform_real_distribution<double>(0, 1)(rng);
    size_t name = p < 0.5 ? 0 : p < 0.7 ? 1 : p < 0.75 ? 2 : p < 0.755 ? 3 : 0;
    if (p >= 0.755) {
      // The long tail: rare_k with probability falling as 1/(k+1).
      const double r = std::uniform_real_distribution<double>(0, std::log(201.0))(rng);
      name = 4 + std::min<size_t>(199, static_cast<size_t>(std::exp(r)) - 1);
    }
    row.name = names[name];
    row.ts = hour - uniform(0, 365 * 24) * kHour + kHour / 2;
    if (name == 2)
      row.attributes =
          fmt::format(R"({{"sku":"{}{}","amount":{}}})", "ABCD"[uniform(0, 3)], uniform(100, 999),
                      static_cast<double>(uniform(100, 50000)) / 100);
    else
      row.attributes = "{}";

    sqlite3_reset(event);
    Text(event, 1, brand);
    sqlite3_bind_int64(event, 2, row.profile_id);
    Text(event, 3, row.name);
    sqlite3_bind_int64(event, 4, row.ts);
    Text(event, 5, row.attributes);
    Check(db, sqlite3_step(event), "insert event");
    if (pg) pg->AddEvent(sqlite3_last_insert_rowid(db), row);
    if (i % 1000000 == 999999) {
      Exec(db, "COMMIT; BEGIN");
      fmt::print("  {} events, {:.1f} s\n", i + 1, Seconds(events_started));
      std::fflush(stdout);
    }
  }
  sqlite3_finalize(event);
  Exec(db, "COMMIT");
  if (!defer_index) {
    const auto index_started = std::chrono::steady_clock::now();
    Exec(db,
         "CREATE INDEX events_by_name_week ON events "
         "(brand_id, name, ts / 604800000000, id, ts, profile_id)");
    fmt::print("  events index in {:.1f} s\n", Seconds(index_started));
    Exec(db, "ANALYZE");
  }
  Exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
  sqlite3_close(db);
  if (pg) {
    const auto pg_started = std::chrono::steady_clock::now();
    pg->Finish();
    fmt::print("  PostgreSQL indexes and VACUUM ANALYZE in {:.1f} s\n", Seconds(pg_started));
  }
  fmt::print("  generated in {:.1f} s\n", Seconds(started));
  return 0;
}
