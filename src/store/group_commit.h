// GroupCommitWriter: the single writer of a store backend. Callers submit jobs; one thread
// runs every queued job in one transaction on the backend's write connection (each job in
// its own savepoint once one of them has failed), commits once, and only then tells each
// caller how its job ended. One commit (one fsync) thus serves many concurrent writers,
// which is where write throughput comes from, while every acknowledged write is durable.
//
// The backend supplies how a transaction is run on its connection (the `Tx` policy below:
// BEGIN/SAVEPOINT/COMMIT for SQLite or PostgreSQL, when a committed group is durable, and
// which failures are transient conflicts worth running a job again for). Used by
// store/sqlite and store/postgres.
//
// Back-pressure: the queue is bounded by rows (a job's weight, e.g. its number of events);
// a submitter waits for space and past `enqueue_timeout` gets Unavailable. Thread-safe:
// Submit/SubmitAsync may be called from any thread. The destructor finishes every queued
// job before it returns.
#pragma once

#include <chrono>
#include <concepts>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/status.h"
#include "core/thread_name.h"

namespace cdp::store {

struct GroupCommitOptions {
  // At most this many rows (events, or 1 per other write) wait for the writer, which bounds
  // memory; a caller that cannot enqueue within `enqueue_timeout` gets Unavailable.
  size_t max_queued_rows = 100000;
  std::chrono::milliseconds enqueue_timeout{10000};
  // At most this many queued writes, and about this many rows, share one transaction.
  size_t max_group_size = 1024;
  size_t max_group_rows = 20000;
  // When a job fails with a transient conflict (Tx::IsTransient), the whole group is rolled
  // back, releasing its locks so that the other transaction can finish, and run again: up
  // to this many times in all. On the last attempt such a job just fails.
  int max_group_attempts = 5;
};

// A job's callback with the status it is to be called with.
using GroupCompletion = std::pair<std::function<void(Status)>, Status>;

// How a backend runs a group transaction on its write connection. Each call runs on the
// writer thread only. A failure of Begin, Savepoint, RollbackToSavepoint, ReleaseSavepoint
// or Commit fails the whole group (after Rollback).
template <typename T>
concept GroupTransaction = requires(T tx, const Status& st, std::vector<GroupCompletion> done) {
  typename T::Connection;
  { tx.connection() } -> std::same_as<typename T::Connection&>;
  { tx.Begin() } -> std::same_as<Status>;
  { tx.Savepoint() } -> std::same_as<Status>;
  { tx.RollbackToSavepoint() } -> std::same_as<Status>;
  { tx.ReleaseSavepoint() } -> std::same_as<Status>;
  { tx.Commit() } -> std::same_as<Status>;
  { tx.Rollback() } -> std::same_as<void>;
  // Calls each callback with its status once the group (committed or rolled back) is
  // durable: at once if COMMIT returning means that, or later, e.g. after an fsync.
  { tx.Complete(std::move(done)) } -> std::same_as<void>;
  // Whether a job that failed with `st` may succeed if its group runs again (e.g. a
  // deadlock with another node's transaction that the database broke by failing this job's
  // statement: the cycle may involve locks of earlier jobs of the group, so only rolling
  // back the whole group resolves it).
  { tx.IsTransient(st) } -> std::same_as<bool>;
};

template <GroupTransaction Tx>
class GroupCommitWriter {
 public:
  using Connection = typename Tx::Connection;
  // A job may run more than once (see IsTransient): it must start from its inputs each
  // time, not from what an earlier attempt left behind.
  using Job = std::function<Status(Connection&)>;
  using Done = std::function<void(Status)>;

  GroupCommitWriter(Tx tx, const GroupCommitOptions& options)
      : tx_(std::move(tx)), options_(options), thread_([this] {
          NameThisThread("cdp-writer");
          Loop();
        }) {}

  ~GroupCommitWriter() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    work_cv_.notify_all();
    space_cv_.notify_all();
    thread_.join();
  }

  GroupCommitWriter(const GroupCommitWriter&) = delete;
  GroupCommitWriter& operator=(const GroupCommitWriter&) = delete;

  // Runs `job` in a savepoint of the next group transaction; returns once that transaction
  // is durable (the job's own status), or an error if it could not be committed.
  Status Submit(Job job) {
    std::promise<Status> promise;
    auto result = promise.get_future();
    SubmitAsync(std::move(job), [&promise](Status st) { promise.set_value(std::move(st)); });
    return result.get();
  }

  // As Submit, but calls `done` (on the writer's thread or where Tx::Complete runs it)
  // instead of waiting. Blocks only while
  // the queue is full (back-pressure); past the enqueue timeout `done` gets Unavailable.
  // `weight` is the job's share of the queue bound (its number of rows, at least 1).
  void SubmitAsync(Job job, Done done, size_t weight = 1) {
    {
      std::unique_lock lock(mu_);
      bool has_space = space_cv_.wait_for(lock, options_.enqueue_timeout, [&] {
        return queued_weight_ + weight <= options_.max_queued_rows || queue_.empty() || stopping_;
      });
      if (stopping_ || !has_space) {
        lock.unlock();
        done(Unavailable(stopping_ ? "server is shutting down; retry"
                                   : "storage is overloaded; retry later"));
        return;
      }
      queue_.push_back(Pending{std::move(job), std::move(done), weight});
      queued_weight_ += weight;
    }
    work_cv_.notify_one();
  }

 private:
  struct Pending {
    Job job;
    Done done;
    size_t weight;
  };

  void Loop() {
    for (;;) {
      std::vector<Pending> group;
      {
        std::unique_lock lock(mu_);
        work_cv_.wait(lock, [&] { return !queue_.empty() || stopping_; });
        if (queue_.empty()) return;  // stopping and drained
        size_t rows = 0;
        while (!queue_.empty() && group.size() < options_.max_group_size &&
               (group.empty() || rows + queue_.front().weight <= options_.max_group_rows)) {
          rows += queue_.front().weight;
          queued_weight_ -= queue_.front().weight;
          group.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      }
      space_cv_.notify_all();
      std::vector<Status> results = RunGroup(group);
      std::vector<GroupCompletion> completions;
      completions.reserve(group.size());
      for (size_t i = 0; i < group.size(); ++i)
        completions.emplace_back(std::move(group[i].done), std::move(results[i]));
      tx_.Complete(std::move(completions));
    }
  }

  std::vector<Status> RunGroup(std::vector<Pending>& group) {
    std::vector<Status> results;
    // Most groups have no failing job: they run without a savepoint per job, and a group
    // in which a job fails runs again with them, which keeps the failure to its own job.
    if (RunGroupOnce(group, /*may_retry=*/true, /*isolate=*/false, results)) return results;
    for (int attempt = 1;; ++attempt) {
      const bool may_retry = attempt < options_.max_group_attempts;
      if (RunGroupOnce(group, may_retry, /*isolate=*/true, results)) return results;
    }
  }

  // Runs the group in one transaction and fills `results`; with `isolate`, each job in its
  // own savepoint. Returns false, with everything rolled back, when a job failed without
  // `isolate`, or when `may_retry` and a job failed with a transient conflict.
  bool RunGroupOnce(std::vector<Pending>& group, bool may_retry, bool isolate,
                    std::vector<Status>& results) {
    results.assign(group.size(), Status());
    Status st = tx_.Begin();
    for (size_t i = 0; i < group.size() && st.ok(); ++i) {
      if (isolate) st = tx_.Savepoint();
      if (!st.ok()) break;
      results[i] = RunJob(group[i].job);
      if (results[i].ok()) {
        if (isolate) st = tx_.ReleaseSavepoint();
      } else if (may_retry && tx_.IsTransient(results[i])) {
        tx_.Rollback();
        return false;
      } else if (!isolate) {
        tx_.Rollback();
        if (group.size() > 1) return false;
        return true;  // a lone job's failure is its own: nothing else to keep
      } else {
        st = tx_.RollbackToSavepoint();
        if (st.ok()) st = tx_.ReleaseSavepoint();
      }
    }
    if (st.ok()) st = tx_.Commit();
    if (!st.ok()) {
      tx_.Rollback();
      results.assign(group.size(), st);
    }
    return true;
  }

  Status RunJob(const Job& job) {
    try {
      return job(tx_.connection());
    } catch (const std::exception& e) {
      return Internal(std::string("write failed: ") + e.what());
    }
  }

  Tx tx_;
  GroupCommitOptions options_;
  std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable space_cv_;
  std::deque<Pending> queue_;
  size_t queued_weight_ = 0;
  bool stopping_ = false;
  std::thread thread_;  // last: starts after the members it uses
};

}  // namespace cdp::store
