#include "segments_pg.h"

#include <fmt/format.h>
#include <libpq-fe.h>

#include <cstdio>
#include <cstdlib>
#include <iterator>

namespace segments_bench {
namespace {

constexpr size_t kCopyChunkBytes = 1 << 20;

[[noreturn]] void Die(PGconn* conn, std::string_view what) {
  fmt::print(stderr, "{}: {}", what, PQerrorMessage(conn));
  std::exit(1);
}

// `res`, or the process ends if it is an error.
PGresult* Check(PGconn* conn, PGresult* res, std::string_view what) {
  const ExecStatusType st = PQresultStatus(res);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_COPY_IN) {
    PQclear(res);
    Die(conn, what);
  }
  return res;
}

// One field of a COPY text row: the rows' text needs no escaping (segments_rows.h).
template <typename T>
void Field(std::string& buf, const T& v, char end = '\t') {
  fmt::format_to(std::back_inserter(buf), "{}{}", v, end);
}
void Null(std::string& buf, char end = '\t') {
  buf += "\\N";
  buf += end;
}
template <typename T>
void Optional(std::string& buf, const std::optional<T>& v) {
  if (v)
    Field(buf, *v);
  else
    Null(buf);
}

}  // namespace

PgWriter::PgWriter(const std::string& url, std::string brand) : brand_(std::move(brand)) {
  conn_ = PQconnectdb(url.c_str());
  if (PQstatus(conn_) != CONNECTION_OK) Die(conn_, "connect");
  const char* params[] = {brand_.c_str()};
  PGresult* others =
      Check(conn_,
            PQexecParams(conn_, "SELECT count(*) FROM brands WHERE id <> $1 AND name <> 'bench'", 1,
                         nullptr, params, nullptr, nullptr, 0),
            "brands");
  const bool foreign = std::atoll(PQgetvalue(others, 0, 0)) != 0;
  PQclear(others);
  if (foreign) {
    fmt::print(stderr,
               "the database holds brands other than the benchmark's: give bench/segments a "
               "database of its own\n");
    std::exit(1);
  }
  Run("SET maintenance_work_mem = '512MB'");
  Run("BEGIN");
  // Only earlier bench brands are there: empty the tables whole rather than row by row.
  Run("TRUNCATE profiles, events, event_names, attribute_types, segment_changes");
  // The segment index's feed is for changes after a node built its index; no node runs
  // during the load, and one array of every id loaded would only slow it.
  Run("ALTER TABLE profiles DISABLE TRIGGER USER");
  Run("ALTER TABLE events DISABLE TRIGGER USER");
  Check(conn_,
        PQexecParams(conn_, "DELETE FROM brands WHERE id <> $1", 1, nullptr, params, nullptr,
                     nullptr, 0),
        "delete earlier brands");
  // Building an index once costs far less than inserting into it row by row in random order.
  PGresult* indexes = Check(conn_,
                            PQexec(conn_,
                                   "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index "
                                   "i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid IN "
                                   "('profiles'::regclass, 'events'::regclass) AND NOT "
                                   "i.indisprimary ORDER BY c.relname"),
                            "indexes");
  std::vector<std::string> names;
  for (int r = 0; r < PQntuples(indexes); ++r) {
    names.emplace_back(PQgetvalue(indexes, r, 0));
    index_definitions_.emplace_back(PQgetvalue(indexes, r, 1));
  }
  PQclear(indexes);
  for (const auto& name : names) Run(fmt::format("DROP INDEX \"{}\"", name));
}

PgWriter::~PgWriter() { PQfinish(conn_); }

void PgWriter::Run(const std::string& sql) {
  PQclear(Check(conn_, PQexec(conn_, sql.c_str()), sql));
}

void PgWriter::AddAttributeType(std::string_view scope, std::string_view name,
                                std::string_view type) {
  const std::string s(scope), n(name), t(type);
  const char* params[] = {brand_.c_str(), s.c_str(), n.c_str(), t.c_str()};
  PQclear(Check(conn_,
                PQexecParams(conn_, "INSERT INTO attribute_types VALUES ($1, $2, $3, $4)", 4,
                             nullptr, params, nullptr, nullptr, 0),
                "attribute type"));
}

void PgWriter::StartCopy(Copying table) {
  EndCopy();
  Run(table == Copying::kProfiles
          ? "COPY profiles (id, brand_id, user_id, name, gender, email, mobile, email_opt_in, "
            "sms_opt_in, whatsapp_opt_in, birth_date, attributes, created_at, updated_at) "
            "FROM STDIN"
          : "COPY events (id, brand_id, profile_id, name, ts, received_at, attributes) FROM STDIN");
  copying_ = table;
}

void PgWriter::Flush() {
  if (!buf_.empty() && PQputCopyData(conn_, buf_.data(), static_cast<int>(buf_.size())) != 1)
    Die(conn_, "COPY");
  buf_.clear();
}

void PgWriter::EndCopy() {
  if (copying_ == Copying::kNone) return;
  Flush();
  if (PQputCopyEnd(conn_, nullptr) != 1) Die(conn_, "COPY");
  while (PGresult* res = PQgetResult(conn_)) PQclear(Check(conn_, res, "COPY"));
  copying_ = Copying::kNone;
}

void PgWriter::AddProfile(int64_t id, const ProfileRow& row) {
  if (copying_ != Copying::kProfiles) StartCopy(Copying::kProfiles);
  Field(buf_, id);
  Field(buf_, brand_);
  Field(buf_, row.user_id);
  Field(buf_, row.name);
  if (row.gender)
    Field(buf_, row.gender);
  else
    Null(buf_);
  Optional(buf_, row.email);
  Optional(buf_, row.mobile);
  for (const auto& opt_in : row.opt_ins) Optional(buf_, opt_in);
  Field(buf_, row.birth_date);
  Field(buf_, row.attributes);
  Field(buf_, row.created_at);
  Field(buf_, row.created_at, '\n');
  if (buf_.size() >= kCopyChunkBytes) Flush();
}

void PgWriter::AddEvent(int64_t id, const EventRow& row) {
  if (copying_ != Copying::kEvents) StartCopy(Copying::kEvents);
  Field(buf_, id);
  Field(buf_, brand_);
  Field(buf_, row.profile_id);
  Field(buf_, row.name);
  Field(buf_, row.ts);
  Field(buf_, row.ts);
  Field(buf_, row.attributes, '\n');
  if (buf_.size() >= kCopyChunkBytes) Flush();
  auto seen = first_seen_.find(row.name);
  if (seen == first_seen_.end())
    first_seen_.emplace(row.name, row.ts);
  else if (row.ts < seen->second)
    seen->second = row.ts;
}

void PgWriter::Finish() {
  EndCopy();
  for (const auto& [name, ts] : first_seen_) {
    const std::string first_seen = std::to_string(ts);
    const char* params[] = {brand_.c_str(), name.c_str(), first_seen.c_str()};
    PQclear(Check(conn_,
                  PQexecParams(conn_, "INSERT INTO event_names VALUES ($1, $2, $3)", 3, nullptr,
                               params, nullptr, nullptr, 0),
                  "event name"));
  }
  for (const char* table : {"profiles", "events"})
    Run(
        fmt::format("SELECT setval(pg_get_serial_sequence('{0}', 'id'), "
                    "COALESCE(max(id), 0) + 1, false) FROM {0}",
                    table));
  for (const auto& definition : index_definitions_) Run(definition);
  Run("ALTER TABLE profiles ENABLE TRIGGER USER");
  Run("ALTER TABLE events ENABLE TRIGGER USER");
  Run("COMMIT");
  // VACUUM as well: sets the hint bits and the visibility map now, which the first queries
  // (or autovacuum, in the middle of the timings) would do otherwise.
  Run("VACUUM ANALYZE profiles, events, event_names, attribute_types");
}

}  // namespace segments_bench
