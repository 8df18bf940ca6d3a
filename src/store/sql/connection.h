// The seam under portable SQL: code in store/sql/ writes a statement once and runs it on
// either backend through a Connection, inside a durable write transaction or a read
// snapshot that an Executor provides.
//
// Statements are written in the dialect both backends run: PostgreSQL's $1.. parameters,
// standard SQL plus ON CONFLICT, RETURNING and CAST, no JSON operators or driver-specific
// functions. What truly differs (the ingest path, segment evaluation, durability, DDL)
// stays in sqlite/ and postgres/. A Connection is used by one thread at a time; an
// Executor is thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/status.h"

namespace cdp::store::sql {

// One statement, prepared once per connection. Define each as a long-lived constant.
class Query {
 public:
  // kForUpdate: a SELECT in a write transaction that locks the rows it reads, so that a
  // concurrent writer of another node waits for this one (PostgreSQL's FOR UPDATE). SQLite
  // needs nothing: its one writer holds the whole database for the transaction.
  enum class Lock { kNone, kForUpdate };
  explicit Query(std::string text, Lock lock = Lock::kNone);
  const std::string& text() const { return text_; }                // with $N parameters
  const std::string& sqlite_text() const { return sqlite_text_; }  // with ?N parameters
  const std::string& name() const { return name_; }                // unique per process

 private:
  std::string text_, sqlite_text_, name_;
};

using Value = std::variant<std::monostate, int64_t, double, std::string>;

// Parameter values in $1.. order.
class Params {
 public:
  Params& Add(std::string_view v) { return Push<std::string>(v); }
  Params& Add(const std::string& v) { return Push<std::string>(v); }
  Params& Add(const char* v) { return Push<std::string>(v); }
  Params& Add(int64_t v) { return Push<int64_t>(v); }
  Params& Add(int v) { return Push<int64_t>(v); }
  Params& Add(bool v) { return Push<int64_t>(v ? 1 : 0); }
  Params& Add(double v) { return Push<double>(v); }
  Params& Add(const std::optional<std::string>& v) { return v ? Push<std::string>(*v) : AddNull(); }
  Params& Add(const std::optional<int64_t>& v) { return v ? Push<int64_t>(*v) : AddNull(); }
  Params& AddNull() { return Push<std::monostate>(); }
  const std::vector<Value>& values() const { return values_; }

 private:
  // Built in place: moving a Value in makes GCC 12 warn of an uninitialized string.
  template <typename T, typename... Args>
  Params& Push(Args&&... args) {
    values_.emplace_back(std::in_place_type<T>, std::forward<Args>(args)...);
    return *this;
  }
  std::vector<Value> values_;
};

// Every row of one result, read whole; numbers are kept as their text.
class Rows {
 public:
  Rows() = default;
  Rows(int columns, std::vector<std::optional<std::string>> cells, int64_t affected)
      : columns_(columns), cells_(std::move(cells)), affected_(affected) {}
  int size() const { return columns_ ? static_cast<int>(cells_.size()) / columns_ : 0; }
  bool empty() const { return size() == 0; }
  bool IsNull(int row, int col) const { return !Cell(row, col); }
  std::string Text(int row, int col) const;  // empty for NULL
  std::optional<std::string> OptText(int row, int col) const { return Cell(row, col); }
  int64_t Int(int row, int col) const;  // 0 for NULL
  std::optional<int64_t> OptInt(int row, int col) const;
  double Real(int row, int col) const;
  // Rows inserted, updated or deleted by the statement.
  int64_t Affected() const { return affected_; }

 private:
  const std::optional<std::string>& Cell(int row, int col) const {
    return cells_[static_cast<size_t>(row * columns_ + col)];
  }
  int columns_ = 0;
  std::vector<std::optional<std::string>> cells_;
  int64_t affected_ = 0;
};

class Connection {
 public:
  virtual ~Connection() = default;
  // Runs `query` with `params`. A unique-constraint violation is AlreadyExists, a busy or
  // lost database Unavailable, anything else Internal.
  virtual Result<Rows> Exec(const Query& query, const Params& params = Params()) = 0;
};

// Where portable code runs.
class Executor {
 public:
  virtual ~Executor() = default;
  // Runs `job` in a write transaction, committed together with concurrent ones (group
  // commit) and durable before this returns OK; a failed job leaves nothing written.
  virtual Status Write(const std::function<Status(Connection&)>& job) = 0;
  // Runs `job` on a read connection, seeing every write that returned OK before.
  virtual Status Read(const std::function<Status(Connection&)>& job) = 0;
};

}  // namespace cdp::store::sql
