// The core of the PostgreSQL backend: what its role parts share. One write connection
// owned by the group-commit writer (store/group_commit.h), which runs the writes of all
// concurrent callers in one transaction with synchronous_commit on, and a pool of read
// connections.
//
// Each part (postgres/*_store.cc) holds a reference to the Backend and runs its statements
// through Submit/SubmitAsync (writes) and WithReader (reads); portable code of store/sql/
// runs through the sql::Executor interface, over the same writer and readers. Built by
// OpenPostgresStore, which keeps it alive until every part is gone. Thread-safe. Only
// store/postgres includes this header.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/status.h"
#include "store/connection_pool.h"
#include "store/group_commit.h"
#include "store/postgres/pg_conn.h"
#include "store/sql/connection.h"

namespace cdp::store::postgres {

// How the group-commit writer runs a transaction on the PostgreSQL write connection.
// COMMIT returns once the commit is durable (synchronous_commit=on), so callbacks run at
// once. A lost connection fails the group it happens in and is re-opened for the next.
class PostgresTransaction {
 public:
  using Connection = Conn;
  explicit PostgresTransaction(std::unique_ptr<Conn> conn) : conn_(std::move(conn)) {}

  Conn& connection() { return *conn_; }
  Status Begin() {
    transient_mark_ = conn_->transient_failures();
    CDP_RETURN_IF_ERROR(conn_->EnsureOpen());
    Status st = conn_->Run("BEGIN");
    // A connection found dead at BEGIN (the server restarted meanwhile) lost no work.
    if (!st.ok() && conn_->broken()) {
      CDP_RETURN_IF_ERROR(conn_->EnsureOpen());
      st = conn_->Run("BEGIN");
    }
    return st;
  }
  Status Savepoint() {
    transient_mark_ = conn_->transient_failures();
    return conn_->Run("SAVEPOINT job");
  }
  Status RollbackToSavepoint() { return conn_->Run("ROLLBACK TO SAVEPOINT job"); }
  Status ReleaseSavepoint() { return conn_->Run("RELEASE SAVEPOINT job"); }
  Status Commit() { return conn_->Commit(); }
  void Rollback() { (void)conn_->Run("ROLLBACK"); }
  void Complete(std::vector<GroupCompletion> done) {
    for (auto& [callback, status] : done) callback(std::move(status));
  }
  // A deadlock or serialization failure with another node's transaction during the job:
  // PostgreSQL failed our statement to break it, and the group can run again.
  bool IsTransient(const Status& st) const {
    return !st.ok() && conn_->transient_failures() > transient_mark_;
  }

 private:
  std::unique_ptr<Conn> conn_;
  uint64_t transient_mark_ = 0;
};

using Writer = GroupCommitWriter<PostgresTransaction>;

class Backend final : public sql::Executor {
 public:
  // Starts the writer on `writer_conn`; read connections are added with AddReader.
  Backend(std::unique_ptr<Conn> writer_conn, const GroupCommitOptions& options);
  ~Backend();

  void AddReader(std::unique_ptr<Conn> conn) { readers_.Add(std::move(conn)); }

  // Runs `job` in the next group transaction; see GroupCommitWriter::Submit.
  Status Submit(Writer::Job job) { return writer_.Submit(std::move(job)); }
  // See GroupCommitWriter::SubmitAsync.
  void SubmitAsync(Writer::Job job, Writer::Done done, size_t weight = 1) {
    writer_.SubmitAsync(std::move(job), std::move(done), weight);
  }

  // Runs f(Conn&) on a read connection, reconnecting it if it was lost (reads are safe to
  // run again), and returns what f returns.
  template <typename F>
  std::invoke_result_t<F, Conn&> WithReader(F&& f) {
    return readers_.With([&](Conn& c) -> std::invoke_result_t<F, Conn&> {
      CDP_RETURN_IF_ERROR(c.EnsureOpen());
      auto result = f(c);
      if (result.ok() || !c.broken()) return result;
      CDP_RETURN_IF_ERROR(c.EnsureOpen());
      return f(c);
    });
  }

  // sql::Executor: a job on the group-commit writer, or on a read connection.
  Status Write(const std::function<Status(sql::Connection&)>& job) override;
  Status Read(const std::function<Status(sql::Connection&)>& job) override;

 private:
  // Every few minutes, on a read connection, deletes the segment feed's rows that no index
  // needs any more (PgSegmentRows::Prune), whether or not this node counts segments.
  void PruneSegmentFeed();

  Writer writer_;
  ConnectionPool<Conn> readers_;
  std::mutex prune_mu_;
  std::condition_variable prune_cv_;
  bool stopping_ = false;
  std::thread pruner_;  // last: stopped before the members it uses go
};

}  // namespace cdp::store::postgres
