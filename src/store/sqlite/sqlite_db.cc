#include "store/sqlite/sqlite_db.h"

#include <sqlite3.h>

namespace cdp::store::sqlite {

Stmt& Stmt::Bind(int i, std::string_view v) {
  sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}
Stmt& Stmt::Bind(int i, int64_t v) {
  sqlite3_bind_int64(stmt_, i, v);
  return *this;
}
Stmt& Stmt::Bind(int i, double v) {
  sqlite3_bind_double(stmt_, i, v);
  return *this;
}
Stmt& Stmt::Bind(int i, const std::optional<std::string>& v) {
  return v ? Bind(i, std::string_view(*v)) : BindNull(i);
}
Stmt& Stmt::BindNull(int i) {
  sqlite3_bind_null(stmt_, i);
  return *this;
}

Result<bool> Stmt::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  sqlite3* db = sqlite3_db_handle(stmt_);
  if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
    return Unavailable(std::string("database is busy: ") + sqlite3_errmsg(db));
  if ((rc & 0xff) == SQLITE_CONSTRAINT)
    return AlreadyExists(std::string("constraint failed: ") + sqlite3_errmsg(db));
  return Internal(std::string("sqlite: ") + sqlite3_errmsg(db));
}

Status Stmt::Run() {
  for (;;) {
    auto row = Step();
    if (!row.ok()) return std::move(row).take_status();
    if (!*row) return Status::Ok();
  }
}

int Stmt::Columns() const { return sqlite3_column_count(stmt_); }
bool Stmt::IsInteger(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_INTEGER; }
bool Stmt::IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
bool Stmt::IsNumber(int col) const {
  int t = sqlite3_column_type(stmt_, col);
  return t == SQLITE_INTEGER || t == SQLITE_FLOAT;
}
int64_t Stmt::Int(int col) const { return sqlite3_column_int64(stmt_, col); }
double Stmt::Real(int col) const { return sqlite3_column_double(stmt_, col); }
std::string Stmt::Text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col))) : std::string();
}
std::optional<std::string> Stmt::OptText(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Text(col);
}
void Stmt::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Result<std::unique_ptr<Db>> Db::Open(const std::string& path) {
  sqlite3* raw = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = raw ? sqlite3_errmsg(raw) : "out of memory";
    sqlite3_close_v2(raw);
    return Unavailable("cannot open database " + path + ": " + msg);
  }
  std::unique_ptr<Db> db(new Db(raw));
  sqlite3_busy_timeout(raw, 5000);
  // synchronous=FULL: a committed transaction is on disk before COMMIT returns, which is
  // what lets an acknowledged write survive kill -9 or power loss.
  Status st = db->Exec(
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
      "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-32000;");
  if (!st.ok()) return st;
  return db;
}

Db::~Db() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Status Db::Exec(std::string_view sql) {
  char* err = nullptr;
  std::string text(sql);
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return Status::Ok();
  std::string msg = err ? err : sqlite3_errstr(rc);
  sqlite3_free(err);
  if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) return Unavailable("database is busy: " + msg);
  return Internal("sqlite: " + msg);
}

Result<Stmt> Db::Prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) {
    Stmt stmt(it->second);
    stmt.Reset();
    return stmt;
  }
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                         &stmt, nullptr) != SQLITE_OK)
    return SqliteError(*this, "prepare");
  cache_.emplace(sql, stmt);
  return Stmt(stmt);
}

void OneShotStmt::Finalize::operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }

Result<OneShotStmt> Db::PrepareOneShot(const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &stmt, nullptr) !=
      SQLITE_OK)
    return SqliteError(*this, "prepare");
  return OneShotStmt(stmt);
}

void Db::SetChangeHook(std::function<void(std::string_view, int64_t)> hook) {
  change_hook_ = std::move(hook);
  sqlite3_update_hook(
      db_,
      change_hook_
          ? +[](void* self, int, const char*, const char* table,
                sqlite3_int64 rowid) { static_cast<Db*>(self)->change_hook_(table, rowid); }
          : nullptr,
      this);
}

int64_t Db::Changes() const { return sqlite3_changes64(db_); }

bool Db::InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

void Db::ResetStatements() {
  for (auto& [sql, stmt] : cache_) sqlite3_reset(stmt);
}

void Db::PersistWal() {
  int on = 1;
  sqlite3_file_control(db_, "main", SQLITE_FCNTL_PERSIST_WAL, &on);
}
void Db::SetWalHook(std::function<void(int)> hook) {
  wal_hook_ = std::move(hook);
  sqlite3_wal_hook(
      db_,
      wal_hook_ ? +[](void* self, sqlite3*, const char*, int frames) {
        static_cast<Db*>(self)->wal_hook_(frames);
        return SQLITE_OK;
      }
                : nullptr,
      this);
}

Result<Db::CheckpointProgress> Db::Checkpoint() {
  CheckpointProgress out;
  int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &out.log_frames,
                                     &out.copied_frames);
  if (rc == SQLITE_BUSY) return Unavailable("another checkpoint is running");
  if (rc != SQLITE_OK) return SqliteError(*this, "checkpoint");
  return out;
}

std::string Db::ErrorMessage() const { return sqlite3_errmsg(db_); }

Status SqliteError(const Db& db, std::string_view what) {
  return Internal("sqlite " + std::string(what) + ": " + db.ErrorMessage());
}

}  // namespace cdp::store::sqlite
