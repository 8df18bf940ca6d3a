// The raw PostgreSQL baseline for bench/ingest --database: COPYs event rows shaped like the
// server's into a fresh database made by cdp's own migrations (so the same table, indexes
// and identity sequence), `batch` rows per transaction with synchronous_commit on, over one
// connection. Prints rows/s on the last line. The database `cdp_copy_baseline` on the
// server URL names is dropped and made again on each run.
//
//   pg_copy URL ROWS BATCH
#include <fmt/format.h>
#include <libpq-fe.h>

#include <chrono>
#include <cstdio>
#include <iterator>
#include <random>
#include <string>

#include "store/postgres/migrations.h"
#include "store/postgres/pg_conn.h"

namespace {

constexpr const char* kDatabase = "cdp_copy_baseline";

bool Ok(PGresult* res, PGconn* conn, const char* what) {
  ExecStatusType st = PQresultStatus(res);
  bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_COPY_IN;
  if (!ok) fmt::print(stderr, "{}: {}", what, PQerrorMessage(conn));
  PQclear(res);
  return ok;
}

bool Run(PGconn* conn, const char* sql) { return Ok(PQexec(conn, sql), conn, sql); }

// The connection string of `kDatabase` on the server `admin` is connected to.
std::string BaselineConninfo(PGconn* admin) {
  return fmt::format("host={} port={} user={} dbname={}", PQhost(admin), PQport(admin),
                     PQuser(admin), kDatabase);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    fmt::print(stderr, "usage: pg_copy URL ROWS BATCH\n");
    return 2;
  }
  const long rows = std::stol(argv[2]);
  const long batch = std::stol(argv[3]);
  PGconn* admin = PQconnectdb(argv[1]);
  if (PQstatus(admin) != CONNECTION_OK) {
    fmt::print(stderr, "{}", PQerrorMessage(admin));
    return 1;
  }
  if (!Run(admin, fmt::format("DROP DATABASE IF EXISTS {}", kDatabase).c_str()) ||
      !Run(admin, fmt::format("CREATE DATABASE {}", kDatabase).c_str()))
    return 1;
  const std::string conninfo = BaselineConninfo(admin);
  PQfinish(admin);
  {
    auto schema = cdp::store::postgres::Conn::Open(conninfo);
    if (!schema.ok()) {
      fmt::print(stderr, "{}\n", schema.status().message());
      return 1;
    }
    if (auto migrated = cdp::store::postgres::Migrate(**schema); !migrated.ok()) {
      fmt::print(stderr, "{}\n", migrated.status().message());
      return 1;
    }
    // The same table and indexes, without the segment index's feed (its triggers are
    // cdp's own work on each batch, part of what the baseline is compared with).
    if (auto off = (*schema)->Run("ALTER TABLE events DISABLE TRIGGER USER"); !off.ok()) {
      fmt::print(stderr, "{}\n", off.message());
      return 1;
    }
  }
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (PQstatus(conn) != CONNECTION_OK || !Run(conn, "SET synchronous_commit = on")) {
    fmt::print(stderr, "{}", PQerrorMessage(conn));
    return 1;
  }

  const char* kNames[] = {"purchase", "page_view", "add_to_cart", "signup", "search"};
  std::mt19937_64 rng(42);
  const int64_t base = 1700000000LL * 1000000;
  std::string buf;
  auto start = std::chrono::steady_clock::now();
  for (long done = 0; done < rows;) {
    if (!Run(conn, "BEGIN") ||
        !Run(conn,
             "COPY events (brand_id, profile_id, name, ts, received_at, ltv, message_id, "
             "sdk_id, attributes, context) FROM STDIN"))
      return 1;
    buf.clear();
    // Rows as the server stores bench/ingest's events: 10,000 profiles, no messageId or
    // context, times in arrival order.
    for (long i = 0; i < batch && done < rows; ++i, ++done) {
      const int64_t ts = base + done * 1000;
      fmt::format_to(std::back_inserter(buf),
                     "0123456789abcdef\t{}\t{}\t{}\t{}\t12.5\t\\N\t1\t"
                     "{{\"sku\":\"A{}\",\"price\":12.5}}\t\\N\n",
                     rng() % 10000 + 1, kNames[rng() % 5], ts, ts, rng() % 1000);
    }
    if (PQputCopyData(conn, buf.data(), static_cast<int>(buf.size())) != 1 ||
        PQputCopyEnd(conn, nullptr) != 1) {
      fmt::print(stderr, "COPY: {}", PQerrorMessage(conn));
      return 1;
    }
    bool copied = true;
    while (PGresult* res = PQgetResult(conn)) copied &= Ok(res, conn, "COPY");
    if (!copied || !Run(conn, "COMMIT")) return 1;
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  PQfinish(conn);
  fmt::print("rows={} batch={} seconds={:.3f}\n{:.0f}\n", rows, batch, secs, rows / secs);
  return 0;
}
