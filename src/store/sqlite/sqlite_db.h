// Thin RAII wrappers over one SQLite connection and its prepared statements.
// A Db is used by one thread at a time; statements are cached per connection.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace cdp::store::sqlite {

class Stmt {
 public:
  explicit Stmt(sqlite3_stmt* stmt) : stmt_(stmt) {}

  // Binding (1-based indexes, as in SQLite).
  Stmt& Bind(int i, std::string_view v);
  Stmt& Bind(int i, const std::string& v) { return Bind(i, std::string_view(v)); }
  Stmt& Bind(int i, const char* v) { return Bind(i, std::string_view(v)); }
  Stmt& Bind(int i, int64_t v);
  Stmt& Bind(int i, double v);
  Stmt& Bind(int i, const std::optional<std::string>& v);
  Stmt& BindNull(int i);

  // Steps once. Returns true while a row is available; false when done.
  Result<bool> Step();
  // Steps to completion, ignoring rows.
  Status Run();

  int Columns() const;  // of the result
  bool IsNull(int col) const;
  bool IsNumber(int col) const;  // an INTEGER or REAL value
  bool IsInteger(int col) const;
  int64_t Int(int col) const;
  double Real(int col) const;
  std::string Text(int col) const;
  std::optional<std::string> OptText(int col) const;

  // Resets bindings and cursor so the statement can be reused.
  void Reset();

 private:
  sqlite3_stmt* stmt_;
};

// A statement prepared for one use (SQL text built per request, such as a compiled segment
// rule): not cached, finalized on destruction.
class OneShotStmt {
 public:
  explicit OneShotStmt(sqlite3_stmt* stmt) : handle_(stmt), stmt_(stmt) {}
  Stmt* operator->() { return &stmt_; }
  Stmt& operator*() { return stmt_; }

 private:
  struct Finalize {
    void operator()(sqlite3_stmt* stmt) const;
  };
  std::unique_ptr<sqlite3_stmt, Finalize> handle_;
  Stmt stmt_;
};

class Db {
 public:
  // Opens (creating if needed) the database file with WAL, synchronous=FULL, foreign keys
  // and a busy timeout so that admin commands and the server can share the file.
  static Result<std::unique_ptr<Db>> Open(const std::string& path);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Runs one or more statements without results.
  Status Exec(std::string_view sql);
  // A cached prepared statement, reset and ready to bind. Valid until the next Prepare of
  // the same text on this connection.
  Result<Stmt> Prepare(const std::string& sql);
  Result<OneShotStmt> PrepareOneShot(const std::string& sql);
  int64_t Changes() const;
  // Whether a transaction is open (BEGIN ran and neither COMMIT nor ROLLBACK yet).
  bool InTransaction() const;
  // Calls `hook` (on this connection's thread) for every row an INSERT, UPDATE or DELETE
  // changes in a rowid table, rolled back or not.
  void SetChangeHook(std::function<void(std::string_view table, int64_t rowid)> hook);
  // Resets every cached statement. A statement left mid-result keeps the connection's read
  // transaction open, so later reads would see an old snapshot: callers reset after use.
  void ResetStatements();
  // Keeps the -wal file when connections close, so a descriptor opened on it stays valid.
  void PersistWal();
  // Calls `hook` (on this connection's thread) after each commit with the number of frames
  // now in the write-ahead log. Replaces SQLite's automatic checkpoint.
  void SetWalHook(std::function<void(int frames)> hook);

  // Copies the committed frames of the write-ahead log that no reader still needs into the
  // database file, without waiting (a PASSIVE checkpoint). When it copied them all, the
  // next write transaction writes the log from its start again. Unavailable when another
  // connection's checkpoint is running.
  struct CheckpointProgress {
    int log_frames = 0;     // frames in the log
    int copied_frames = 0;  // of which are now in the database file
  };
  Result<CheckpointProgress> Checkpoint();
  std::string ErrorMessage() const;

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
  std::function<void(std::string_view, int64_t)> change_hook_;
  std::function<void(int)> wal_hook_;
};

// Wraps a failed SQLite call in an Internal status with the connection's message.
Status SqliteError(const Db& db, std::string_view what);

}  // namespace cdp::store::sqlite
