// The raw SQLite baseline for bench/ingest: inserts event rows shaped like the server's
// into the server's own schema (applied by the same migrations), with the same durability
// settings (WAL, synchronous=FULL), using one prepared statement and `batch` rows per
// transaction. Prints rows/s on the last line.
//
//   sqlite_insert DATA_DIR ROWS BATCH
#include <fmt/format.h>
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <string>

#include "store/sqlite/migrations.h"
#include "store/sqlite/sqlite_db.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    fmt::print(stderr, "usage: sqlite_insert DATA_DIR ROWS BATCH\n");
    return 2;
  }
  const std::string path = std::string(argv[1]) + "/baseline.db";
  const long rows = std::stol(argv[2]);
  const long batch = std::stol(argv[3]);
  auto db = cdp::store::sqlite::Db::Open(path);
  if (!db.ok()) {
    fmt::print(stderr, "{}\n", db.status().message());
    return 1;
  }
  if (auto st = cdp::store::sqlite::Migrate(**db); !st.ok()) {
    fmt::print(stderr, "{}\n", st.message());
    return 1;
  }
  const char* kNames[] = {"purchase", "page_view", "add_to_cart", "signup", "search"};
  std::mt19937_64 rng(42);
  const int64_t base = 1700000000LL * 1000000;
  auto start = std::chrono::steady_clock::now();
  for (long done = 0; done < rows;) {
    (void)(*db)->Exec("BEGIN IMMEDIATE");
    for (long i = 0; i < batch && done < rows; ++i, ++done) {
      auto stmt = (*db)->Prepare(
          "INSERT INTO events (brand_id, profile_id, name, ts, received_at, ltv, message_id, "
          "sdk_id, attributes, context) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
          "ON CONFLICT DO NOTHING");
      stmt->Bind(1, "0123456789abcdef")
          .Bind(2, static_cast<int64_t>(rng() % 100000 + 1))
          .Bind(3, kNames[rng() % 5])
          .Bind(4, base + done * 1000)
          .Bind(5, base + done * 1000)
          .Bind(6, 12.5)
          .BindNull(7)
          .Bind(8, static_cast<int64_t>(1))
          .Bind(9, fmt::format(R"({{"sku":"A{}","price":12.5}})", rng() % 1000))
          .BindNull(10);
      if (auto st = stmt->Run(); !st.ok()) {
        fmt::print(stderr, "{}\n", st.message());
        return 1;
      }
    }
    if (auto st = (*db)->Exec("COMMIT"); !st.ok()) {
      fmt::print(stderr, "{}\n", st.message());
      return 1;
    }
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fmt::print("rows={} batch={} seconds={:.3f}\n{:.0f}\n", rows, batch, secs, rows / secs);
  return 0;
}
