// Times /segment/count for the benchmark's six rules against the equivalent hand-written SQL
// run directly on the same SQLite database (the baseline), alternating the two so machine
// noise hits both alike, and prints p50/p95 of each with the ratio.
//   segments_time DB_FILE PORT BRAND_ID API_KEY RUNS [PG_URL PG_PORT PG_BRAND_ID PG_API_KEY]
// With PG_*: the same on a server over the PostgreSQL database segments_gen filled with the
// same rows (its baseline: the same SQL in PostgreSQL's words), in turn with the SQLite pair,
// a row under each SQLite row; and the counts of the two servers compared. Exits 1 if they
// differ for any rule (a MISMATCH line says which).
//   segments_time --rules
// Prints the six rules instead, a line each: the name, a tab, the rule's JSON (for scripts).
#include <fmt/format.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = boost::asio::ip::tcp;

constexpr int64_t kDay = 24LL * 3600 * 1000000;

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Day(int64_t micros) {
  std::time_t t = micros / 1000000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:02}-{:02}", tm.tm_mon + 1, tm.tm_mday);
}

struct Rule {
  std::string name;
  std::string json;
  // The baseline: ?1 is the brand, ?2.. the values `bind` gives for `now`.
  std::string sql;
  // The same on PostgreSQL ($1, $2..), correlated (NOT) EXISTS for (NOT) IN: a NOT IN whose
  // set outgrows work_mem is probed by a scan of the set for every profile.
  std::string pg_sql;
  std::vector<int64_t> (*bind)(int64_t now);
};

std::vector<Rule> Rules() {
  // Birthdays in the next 7 days, today included, as the baseline lists them.
  static std::string birthdays;
  if (birthdays.empty())
    for (int k = 0; k <= 7; ++k)
      birthdays += fmt::format("{}'{}'", k ? "," : "", Day(NowMicros() + k * kDay));
  return {
      {"R1 attributes only",
       R"({"all":[{"attribute":"gender","op":"eq","value":"female"},)"
       R"({"attribute":"attributes.Dollars spent","op":"gt","value":1000}]})",
       "SELECT count(*) FROM profiles WHERE brand_id = ?1 AND gender = 'female' "
       "AND json_extract(attributes, '$.\"Dollars spent\"') > 1000",
       "SELECT count(*) FROM profiles WHERE brand_id = $1 AND gender = 'female' "
       "AND (attributes ->> 'Dollars spent')::float8 > 1000",
       [](int64_t) { return std::vector<int64_t>{}; }},
      {"R2 purchase >= 2 in 30 d",
       R"({"event":"purchase","op":"at_least","count":2,"within_days":30})",
       "SELECT count(*) FROM (SELECT profile_id FROM events WHERE brand_id = ?1 AND "
       "name = 'purchase' AND ts >= ?2 GROUP BY profile_id HAVING count(*) >= 2)",
       "SELECT count(*) FROM (SELECT profile_id FROM events WHERE brand_id = $1 AND "
       "name = 'purchase' AND ts >= $2 GROUP BY profile_id HAVING count(*) >= 2) t",
       [](int64_t now) { return std::vector<int64_t>{now - 30 * kDay}; }},
      {"R3 nested with NOT",
       R"({"all":[{"attribute":"attributes.plan","op":"in","value":["pro","enterprise"]},)"
       R"({"not":{"event":"refund","op":"did"}},{"any":[{"event":"add_to_cart","op":"did",)"
       R"("within_days":7},{"attribute":"created_at","op":"within_last_days","value":30}]}]})",
       "SELECT count(*) FROM profiles p WHERE p.brand_id = ?1 AND "
       "json_extract(p.attributes, '$.plan') IN ('pro', 'enterprise') AND p.id NOT IN "
       "(SELECT profile_id FROM events WHERE brand_id = ?1 AND name = 'refund') AND "
       "(p.id IN (SELECT profile_id FROM events WHERE brand_id = ?1 AND name = 'add_to_cart' "
       "AND ts >= ?2) OR p.created_at BETWEEN ?3 AND ?4)",
       "SELECT count(*) FROM profiles p WHERE p.brand_id = $1 AND "
       "p.attributes ->> 'plan' IN ('pro', 'enterprise') AND NOT EXISTS (SELECT 1 FROM events e "
       "WHERE e.brand_id = $1 AND e.name = 'refund' AND e.profile_id = p.id) AND "
       "(EXISTS (SELECT 1 FROM events e WHERE e.brand_id = $1 AND e.name = 'add_to_cart' AND "
       "e.profile_id = p.id AND e.ts >= $2) OR p.created_at BETWEEN $3 AND $4)",
       [](int64_t now) {
         return std::vector<int64_t>{now - 7 * kDay, now - 30 * kDay, now};
       }},
      {"R4 reachable + event filter",
       R"({"all":[{"reachable":"email"},{"event":"purchase","op":"did","within_days":90,)"
       R"("where":[{"attribute":"sku","op":"starts_with","value":"A"}]}]})",
       "SELECT count(*) FROM profiles p WHERE p.brand_id = ?1 AND p.email_opt_in = 1 AND "
       "p.email <> '' AND p.id IN (SELECT profile_id FROM events WHERE brand_id = ?1 AND "
       "name = 'purchase' AND ts >= ?2 AND substr(json_extract(attributes, '$.sku'), 1, 1) = 'A')",
       "SELECT count(*) FROM profiles p WHERE p.brand_id = $1 AND p.email_opt_in = 1 AND "
       "p.email <> '' AND EXISTS (SELECT 1 FROM events e WHERE e.brand_id = $1 AND "
       "e.name = 'purchase' AND e.profile_id = p.id AND e.ts >= $2 AND "
       "left(e.attributes ->> 'sku', 1) = 'A')",
       [](int64_t now) { return std::vector<int64_t>{now - 90 * kDay}; }},
      {"R5 lapsed viewers", R"({"event":"page_view","op":"last_more_than_days_ago","days":60})",
       "SELECT count(*) FROM (SELECT profile_id FROM events WHERE brand_id = ?1 AND "
       "name = 'page_view' GROUP BY profile_id HAVING max(ts) < ?2)",
       "SELECT count(*) FROM (SELECT profile_id FROM events WHERE brand_id = $1 AND "
       "name = 'page_view' GROUP BY profile_id HAVING max(ts) < $2) t",
       [](int64_t now) { return std::vector<int64_t>{now - 60 * kDay}; }},
      {"R6 birthday, no purchase",
       R"({"all":[{"attribute":"birth_date","op":"within_next_days","value":7},)"
       R"({"event":"purchase","op":"did_not","within_days":180}]})",
       "SELECT count(*) FROM profiles p WHERE p.brand_id = ?1 AND substr(p.birth_date, 6, 5) IN (" +
           birthdays +
           ") AND p.id NOT IN (SELECT profile_id FROM events WHERE brand_id = ?1 AND "
           "name = 'purchase' AND ts >= ?2)",
       "SELECT count(*) FROM profiles p WHERE p.brand_id = $1 AND substr(p.birth_date, 6, 5) IN (" +
           birthdays +
           ") AND NOT EXISTS (SELECT 1 FROM events e WHERE e.brand_id = $1 AND "
           "e.name = 'purchase' AND e.profile_id = p.id AND e.ts >= $2)",
       [](int64_t now) { return std::vector<int64_t>{now - 180 * kDay}; }},
  };
}

class Client {
 public:
  Client(const std::string& port, std::string brand, std::string key)
      : brand_(std::move(brand)), key_(std::move(key)), socket_(io_) {
    tcp::resolver resolver(io_);
    boost::asio::connect(socket_, resolver.resolve("127.0.0.1", port));
  }
  json::value Post(const std::string& target, const std::string& body) {
    http::request<http::string_body> req{http::verb::post, target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::content_type, "application/json");
    req.set("x-brand-id", brand_);
    req.set("x-api-key", key_);
    req.body() = body;
    req.prepare_payload();
    http::write(socket_, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(socket_, buffer, res);
    return json::parse(res.body());
  }

 private:
  std::string brand_, key_;
  boost::asio::io_context io_;
  tcp::socket socket_;
};

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

double Millis(std::chrono::steady_clock::time_point from,
              std::chrono::steady_clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

// One store's side of a rule: the baseline's and the server's times and last counts.
struct Side {
  std::vector<double> sql_ms, cdp_ms;
  int64_t sql_count = -1, cdp_count = -1;
};

// The baseline on SQLite; -1 on an error, which it prints.
int64_t SqliteCount(sqlite3* db, const Rule& rule, const std::string& brand, int64_t now) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, rule.sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    fmt::print(stderr, "{}: {}\n", rule.name, sqlite3_errmsg(db));
    return -1;
  }
  sqlite3_bind_text(stmt, 1, brand.c_str(), -1, SQLITE_TRANSIENT);
  auto values = rule.bind(now);
  for (size_t k = 0; k < values.size(); ++k)
    sqlite3_bind_int64(stmt, static_cast<int>(k) + 2, values[k]);
  sqlite3_step(stmt);
  const int64_t count = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  return count;
}

// The baseline on PostgreSQL, planned afresh each time as the server does; -1 on an error,
// which it prints.
int64_t PgCount(PGconn* conn, const Rule& rule, const std::string& brand, int64_t now) {
  std::vector<std::string> text = {brand};
  for (int64_t v : rule.bind(now)) text.push_back(std::to_string(v));
  std::vector<const char*> values;
  for (const auto& t : text) values.push_back(t.c_str());
  PGresult* res = PQexecParams(conn, rule.pg_sql.c_str(), static_cast<int>(values.size()), nullptr,
                               values.data(), nullptr, nullptr, 0);
  int64_t count = -1;
  if (PQresultStatus(res) == PGRES_TUPLES_OK)
    count = std::atoll(PQgetvalue(res, 0, 0));
  else
    fmt::print(stderr, "{}: {}", rule.name, PQerrorMessage(conn));
  PQclear(res);
  return count;
}

// The server's count; -1 on an error, which it prints.
int64_t CdpCount(Client& client, const Rule& rule) {
  json::value res = client.Post("/api/v1/segment/count", R"({"rules":)" + rule.json + "}");
  const auto* count = res.at("response").as_object().if_contains("data");
  if (!count || !count->is_object()) {
    fmt::print(stderr, "{}: {}\n", rule.name, json::serialize(res));
    return -1;
  }
  return count->at("count").to_number<int64_t>();
}

// Prints a row of the table and any disagreement with the baseline; whether the targets
// (p50 under 250 ms and no slower than the baseline) are met.
bool PrintRow(const std::string& label, const Side& side) {
  const double sql50 = Percentile(side.sql_ms, 0.5), cdp50 = Percentile(side.cdp_ms, 0.5);
  fmt::print("{:<28} {:>9} {:>9.1f} {:>9.1f} {:>9.1f} {:>9.1f} {:>7.3f} {:>6}\n", label,
             side.cdp_count, sql50, Percentile(side.sql_ms, 0.95), cdp50,
             Percentile(side.cdp_ms, 0.95), cdp50 / sql50, cdp50 < 250 ? "yes" : "NO");
  if (side.sql_count != side.cdp_count)
    fmt::print("  MISMATCH: the baseline SQL counts {}, cdp {}\n", side.sql_count, side.cdp_count);
  return cdp50 < 250 && cdp50 <= sql50;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::string_view(argv[1]) == "--rules") {
    for (const Rule& rule : Rules()) fmt::print("{}\t{}\n", rule.name, rule.json);
    return 0;
  }
  if (argc != 6 && argc != 10) {
    fmt::print(stderr,
               "usage: segments_time DB_FILE PORT BRAND_ID API_KEY RUNS "
               "[PG_URL PG_PORT PG_BRAND_ID PG_API_KEY]\n");
    return 2;
  }
  const std::string brand = argv[3];
  const int runs = std::atoi(argv[5]);
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) return 1;
  sqlite3_exec(db, "PRAGMA cache_size=-32000", nullptr, nullptr, nullptr);  // as the server's
  Client client(argv[2], brand, argv[4]);
  const bool with_pg = argc == 10;
  PGconn* pg = nullptr;
  std::optional<Client> pg_client;
  std::string pg_brand;
  if (with_pg) {
    pg = PQconnectdb(argv[6]);
    if (PQstatus(pg) != CONNECTION_OK) {
      fmt::print(stderr, "{}", PQerrorMessage(pg));
      return 1;
    }
    pg_brand = argv[8];
    pg_client.emplace(argv[7], pg_brand, argv[9]);
  }
  bool all_ok = true, pg_ok = true, counts_agree = true;
  fmt::print("{:<28} {:>9} {:>9} {:>9} {:>9} {:>9} {:>7} {:>6}\n", "rule", "count", "SQL p50",
             "SQL p95", "cdp p50", "cdp p95", "ratio", "<250");
  for (const Rule& rule : Rules()) {
    Side lite, post;
    for (int i = -2; i < runs; ++i) {  // two warm-up runs each
      const int64_t now = NowMicros();
      auto t0 = std::chrono::steady_clock::now();
      lite.sql_count = SqliteCount(db, rule, brand, now);
      auto t1 = std::chrono::steady_clock::now();
      lite.cdp_count = CdpCount(client, rule);
      auto t2 = std::chrono::steady_clock::now();
      if (lite.sql_count < 0 || lite.cdp_count < 0) return 1;
      if (i >= 0) {
        lite.sql_ms.push_back(Millis(t0, t1));
        lite.cdp_ms.push_back(Millis(t1, t2));
      }
      if (!with_pg) continue;
      const int64_t pg_now = NowMicros();
      t0 = std::chrono::steady_clock::now();
      post.sql_count = PgCount(pg, rule, pg_brand, pg_now);
      t1 = std::chrono::steady_clock::now();
      post.cdp_count = CdpCount(*pg_client, rule);
      t2 = std::chrono::steady_clock::now();
      if (post.sql_count < 0 || post.cdp_count < 0) return 1;
      if (i >= 0) {
        post.sql_ms.push_back(Millis(t0, t1));
        post.cdp_ms.push_back(Millis(t1, t2));
      }
    }
    all_ok = PrintRow(rule.name, lite) && all_ok;
    if (!with_pg) continue;
    pg_ok = PrintRow("  on PostgreSQL", post) && pg_ok;
    if (post.cdp_count != lite.cdp_count) {
      counts_agree = false;
      fmt::print("  MISMATCH: cdp counts {} on SQLite, {} on PostgreSQL\n", lite.cdp_count,
                 post.cdp_count);
    }
  }
  sqlite3_close(db);
  PQfinish(pg);
  fmt::print("targets (every p50 < 250 ms and no slower than SQL): {}\n",
             all_ok ? "met" : "NOT met");
  if (!with_pg) return 0;
  fmt::print("targets on PostgreSQL: {}\n", pg_ok ? "met" : "NOT met");
  fmt::print("counts on SQLite and PostgreSQL: {}\n",
             counts_agree ? "equal" : "MISMATCH (see above)");
  return counts_agree ? 0 : 1;
}
