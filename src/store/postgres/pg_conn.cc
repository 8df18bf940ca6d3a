#include "store/postgres/pg_conn.h"

#include <fmt/format.h>
#include <libpq-fe.h>

#include <charconv>
#include <cstdlib>

namespace cdp::store::postgres {
namespace {

// Maps a failed command to a Status by its SQLSTATE: the server being unreachable or
// overloaded is Unavailable (retry later), a unique violation AlreadyExists, text or JSON
// PostgreSQL cannot store InvalidArgument, anything else Internal.
Status PgStatus(const PGresult* res, const PGconn* conn, std::string_view what) {
  std::string message = res ? PQresultErrorMessage(res) : PQerrorMessage(conn);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  std::string_view sqlstate = state ? state : "";
  if (PQstatus(conn) != CONNECTION_OK || sqlstate.starts_with("08"))
    return Unavailable(fmt::format("database connection lost ({}): {}", what, message));
  if (sqlstate == "23505") return AlreadyExists(fmt::format("{}: {}", what, message));
  if (sqlstate == "40001" || sqlstate == "40P01" || sqlstate.starts_with("53") ||
      sqlstate.starts_with("57"))
    return Unavailable(fmt::format("database busy ({}): {}; retry", what, message));
  if (sqlstate == "22P05" || sqlstate == "22021" || sqlstate == "22P02")
    return InvalidArgument(fmt::format("value not storable: {}", message));
  return Internal(fmt::format("postgres ({}): {}", what, message));
}

bool IsTransientState(const PGresult* res) {
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  if (!state) return false;
  std::string_view s(state);
  return s == "40001" || s == "40P01";
}

}  // namespace

Params& Params::Add(std::string_view v) {
  // Text-format parameters are NUL-terminated: a NUL inside would silently cut the value.
  if (v.find('\0') != std::string_view::npos && error_.ok())
    error_ = InvalidArgument("text values must not contain a NUL character");
  values_.emplace_back(std::string(v));
  return *this;
}
Params& Params::Add(int64_t v) {
  values_.emplace_back(std::to_string(v));
  return *this;
}
Params& Params::Add(double v) {
  // Shortest text that reads back as the same double.
  values_.emplace_back(fmt::format("{}", v));
  return *this;
}
Params& Params::Add(const std::optional<std::string>& v) {
  return v ? Add(std::string_view(*v)) : AddNull();
}
Params& Params::AddNull() {
  values_.emplace_back(std::nullopt);
  return *this;
}

Params& Params::AddArray(const std::vector<int64_t>& elements) {
  std::string literal = "{";
  for (size_t i = 0; i < elements.size(); ++i) {
    if (i > 0) literal += ',';
    literal += std::to_string(elements[i]);
  }
  literal += '}';
  values_.emplace_back(std::move(literal));
  return *this;
}

Params& Params::AddArray(const std::vector<std::optional<std::string>>& elements) {
  // The array's text form: {"a","b \"quoted\"",NULL}. It is a parameter value, not SQL.
  std::string literal = "{";
  for (size_t i = 0; i < elements.size(); ++i) {
    if (i > 0) literal += ',';
    if (!elements[i]) {
      literal += "NULL";
      continue;
    }
    literal += '"';
    for (char ch : *elements[i]) {
      if (ch == '"' || ch == '\\') literal += '\\';
      literal += ch;
    }
    literal += '"';
  }
  literal += '}';
  return Add(std::string_view(literal));
}

std::vector<const char*> Params::Pointers() const {
  std::vector<const char*> out;
  out.reserve(values_.size());
  for (const auto& v : values_) out.push_back(v ? v->c_str() : nullptr);
  return out;
}

void Rows::Clear::operator()(pg_result* res) const { PQclear(res); }

Rows::Rows(pg_result* res) : res_(res) {}
int Rows::size() const { return res_ ? PQntuples(res_.get()) : 0; }
int Rows::columns() const { return res_ ? PQnfields(res_.get()) : 0; }
bool Rows::IsNull(int row, int col) const { return PQgetisnull(res_.get(), row, col) != 0; }
std::string_view Rows::Text(int row, int col) const {
  return std::string_view(PQgetvalue(res_.get(), row, col),
                          static_cast<size_t>(PQgetlength(res_.get(), row, col)));
}
std::optional<std::string> Rows::OptText(int row, int col) const {
  if (IsNull(row, col)) return std::nullopt;
  return std::string(Text(row, col));
}
int64_t Rows::Int(int row, int col) const {
  std::string_view t = Text(row, col);
  int64_t v = 0;
  if (t == "t") return 1;  // booleans
  if (t == "f") return 0;
  std::from_chars(t.data(), t.data() + t.size(), v);
  return v;
}
double Rows::Real(int row, int col) const {
  std::string_view t = Text(row, col);
  double v = 0;
  std::from_chars(t.data(), t.data() + t.size(), v);
  return v;
}
int64_t Rows::Affected() const {
  const char* n = res_ ? PQcmdTuples(res_.get()) : "";
  return n && *n ? std::strtoll(n, nullptr, 10) : 0;
}

Result<std::unique_ptr<Conn>> Conn::Open(const std::string& url) {
  // Keywords before "dbname" are defaults that the URL may override.
  const char* keywords[] = {"connect_timeout", "application_name", "dbname", nullptr};
  const char* values[] = {"10", "cdp", url.c_str(), nullptr};
  PGconn* raw = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (raw == nullptr) return Unavailable("cannot connect to PostgreSQL: out of memory");
  std::unique_ptr<Conn> conn(new Conn(raw));
  if (PQstatus(raw) != CONNECTION_OK) {
    std::string message = PQerrorMessage(raw);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    return Unavailable("cannot connect to PostgreSQL: " + message);
  }
  CDP_RETURN_IF_ERROR(conn->Setup());
  return conn;
}

Status Conn::Setup() {
  // Notices (e.g. "relation already exists, skipping") are not errors: keep them off stderr.
  PQsetNoticeProcessor(
      conn_, [](void*, const char*) {}, nullptr);
  // A COMMIT returns only once the commit is durable, whatever the server's default: an
  // acknowledged write is a committed write.
  CDP_RETURN_IF_ERROR(Run("SET synchronous_commit = on"));
  // Each execution of a prepared statement is planned for its parameters and the tables'
  // current size. A generic plan is made once and kept for the connection's life (until
  // an ANALYZE): made while a table was small (a new database, a new brand), it scans the
  // whole table for a key long after the table has grown, as profile lookups by userId did
  // (30 ms for 100 ids at 8,000 profiles). Planning these statements costs far less.
  return Run("SET plan_cache_mode = force_custom_plan");
}

Conn::~Conn() { PQfinish(conn_); }

bool Conn::broken() const { return PQstatus(conn_) != CONNECTION_OK; }

Status Conn::EnsureOpen() {
  if (!broken()) return Status::Ok();
  PQreset(conn_);
  prepared_.clear();
  if (broken())
    return Unavailable(fmt::format("cannot reconnect to PostgreSQL: {}", PQerrorMessage(conn_)));
  return Setup();
}

Status Conn::Check(const Rows& rows, std::string_view what) {
  const PGresult* res = rows.raw();
  ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return Status::Ok();
  if (IsTransientState(res)) ++transient_failures_;
  return PgStatus(res, conn_, what);
}

Result<Rows> Conn::Exec(const Sql& sql, const Params& params) {
  if (!params.error().ok()) return params.error();
  if (!prepared_.contains(sql.name)) {
    Rows prepared(PQprepare(conn_, sql.name.c_str(), sql.text.c_str(), 0, nullptr));
    CDP_RETURN_IF_ERROR(Check(prepared, "prepare " + sql.name));
    prepared_.insert(sql.name);
  }
  std::vector<const char*> values = params.Pointers();
  Rows rows(PQexecPrepared(conn_, sql.name.c_str(), static_cast<int>(values.size()), values.data(),
                           nullptr, nullptr, /*resultFormat=*/0));
  CDP_RETURN_IF_ERROR(Check(rows, sql.name));
  return rows;
}

Result<Rows> Conn::ExecOnce(const std::string& text, const Params& params) {
  if (!params.error().ok()) return params.error();
  std::vector<const char*> values = params.Pointers();
  Rows rows(PQexecParams(conn_, text.c_str(), static_cast<int>(values.size()), nullptr,
                         values.data(), nullptr, nullptr, /*resultFormat=*/0));
  CDP_RETURN_IF_ERROR(Check(rows, "query"));
  return rows;
}

Status Conn::Commit() {
  Rows rows(PQexec(conn_, "COMMIT"));
  CDP_RETURN_IF_ERROR(Check(rows, "COMMIT"));
  if (std::string_view(PQcmdStatus(const_cast<PGresult*>(rows.raw()))) != "COMMIT")
    return Internal("the transaction was rolled back instead of committed");
  return Status::Ok();
}

Status Conn::Run(std::string_view sql) {
  Rows rows(PQexec(conn_, std::string(sql).c_str()));
  return Check(rows, sql.substr(0, sql.find_first_of(" \n")));
}

}  // namespace cdp::store::postgres
