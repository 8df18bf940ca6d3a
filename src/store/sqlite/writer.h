// The SQLite backend's write path: the one group-commit writer over SqliteTransaction
// (BEGIN IMMEDIATE, savepoints, COMMIT with synchronous=NORMAL), the WalSyncer that
// fdatasyncs the log before any caller hears of success, the WalCheckpointer that copies
// the log into the database file from its own thread, the final LogFailure after a failed
// sync, and the writer's cache of known profiles' ids. Only store/sqlite includes this
// header.
#pragma once

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <functional>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "core/thread_name.h"
#include "store/connection_pool.h"
#include "store/group_commit.h"
#include "store/sqlite/profile_rows.h"
#include "store/sqlite/change_log.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_store.h"

namespace cdp::store::sqlite {

// Writer-thread only: the profile of a known user id, so that their events skip the
// lookup. Only known profiles are cached (their id never changes identity); the cache is
// cleared whenever a profile is deleted and whenever a transaction or savepoint rolls back,
// so it never names a profile that is not committed.
class ProfileIdCache {
 public:
  static constexpr size_t kMaxEntries = 1 << 20;

  std::optional<ProfileRef> Find(std::string_view brand_id, std::string_view user_id) {
    auto it = map_.find(Key(brand_id, user_id));
    if (it == map_.end()) return std::nullopt;
    return it->second;
  }
  void Put(std::string_view brand_id, std::string_view user_id, ProfileRef ref) {
    if (ref.anonymous) return;
    if (map_.size() >= kMaxEntries) map_.clear();
    map_.emplace(Key(brand_id, user_id), ref);
  }
  void Clear() { map_.clear(); }

 private:
  static std::string Key(std::string_view brand_id, std::string_view user_id) {
    std::string key;
    key.reserve(brand_id.size() + 1 + user_id.size());
    key.append(brand_id).push_back('\0');
    key.append(user_id);
    return key;
  }
  std::unordered_map<std::string, ProfileRef> map_;
};

// Why the write-ahead log can no longer be made durable, once a sync of it has failed; OK
// until then. The first failure is final. The kernel may have dropped the pages it could
// not write, and it reports that only once: a later fdatasync that succeeds says nothing
// about them, and a write acknowledged on top of them could be lost with them.
class LogFailure {
 public:
  Status Get() {
    if (!failed_.load(std::memory_order_acquire)) return Status::Ok();  // every BEGIN asks
    std::lock_guard lock(mu_);
    return status_;
  }
  void Set(Status st) {
    std::lock_guard lock(mu_);
    if (!status_.ok()) return;
    status_ = std::move(st);
    failed_.store(true, std::memory_order_release);
  }

 private:
  std::atomic<bool> failed_{false};
  std::mutex mu_;
  Status status_;
};

// Makes committed WAL frames durable with fdatasync(2) on the -wal file, then runs the
// completions of the groups committed before that sync began. Running apart from the
// writer lets the next group execute while the previous one is being synced.
// After a failed sync it syncs no more: every completion gets the failure (see LogFailure).
class WalSyncer {
 public:
  using Completion = GroupCompletion;

  WalSyncer(int wal_fd, std::function<int(int)> sync, LogFailure* failure)
      : fd_(wal_fd), sync_(std::move(sync)), failure_(failure), thread_([this] {
          NameThisThread("cdp-log-sync");
          Loop();
        }) {}
  ~WalSyncer() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    thread_.join();
    ::close(fd_);
  }

  // Called after COMMIT returned: the completions run once the commit is on disk.
  void Add(std::vector<Completion> completions) {
    {
      std::lock_guard lock(mu_);
      for (auto& c : completions) pending_.push_back(std::move(c));
    }
    cv_.notify_one();
  }

 private:
  void Loop() {
    for (;;) {
      std::vector<Completion> batch;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return !pending_.empty() || stopping_; });
        if (pending_.empty()) return;
        batch.swap(pending_);
      }
      Status synced = failure_->Get();
      if (synced.ok() && (sync_ ? sync_(fd_) : ::fdatasync(fd_)) != 0) {
        synced = Unavailable(
            fmt::format("the disk failed to make the write-ahead log durable (fdatasync: {}); "
                        "writes are refused until the server is restarted",
                        std::strerror(errno)));
        spdlog::critical("{}", synced.message());
        failure_->Set(synced);
      }
      for (auto& [done, status] : batch) done(status.ok() ? synced : std::move(status));
    }
  }

  int fd_;
  std::function<int(int)> sync_;
  LogFailure* failure_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Completion> pending_;
  bool stopping_ = false;
  std::thread thread_;
};

// How long the write-ahead log may grow, in frames (one page and a 24-byte header each).
// A reader on an old snapshot keeps the frames it needs in the log, which then grows past
// these limits until the reader is done (as in SQLite's own checkpointing): forcing a
// checkpoint would hold every write back until the reader ends.
struct WalLimits {
  int checkpoint_frames;  // not yet in the database file: the checkpointer copies them
  int restart_frames;     // in the log: the writer starts it over from its beginning
};

// Copies the WAL into the database file from its own connection and thread, so that the
// writer seldom waits on a checkpoint (its automatic checkpoints are off). `log_frames` is
// the log's length as the writer last committed it.
class WalCheckpointer {
 public:
  WalCheckpointer(std::unique_ptr<Db> db, const std::atomic<int>* log_frames, WalLimits limits)
      : db_(std::move(db)), log_frames_(log_frames), limits_(limits), thread_([this] {
          NameThisThread("cdp-checkpoint");
          Loop();
        }) {}
  ~WalCheckpointer() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    thread_.join();
    (void)db_->Checkpoint();
  }

 private:
  void Loop() {
    int copied = 0;  // frames of the log known to be in the database file
    int last = 0;
    std::unique_lock lock(mu_);
    while (!cv_.wait_for(lock, std::chrono::milliseconds(50), [&] { return stopping_; })) {
      const int frames = log_frames_->load(std::memory_order_relaxed);
      if (frames < last) copied = 0;  // the log was started over
      last = frames;
      if (frames - copied < limits_.checkpoint_frames) continue;
      lock.unlock();
      auto done = db_->Checkpoint();
      if (done.ok()) {
        copied = done->copied_frames;
      } else if (done.status().code() != Code::kUnavailable) {
        // Unavailable: the writer is checkpointing itself (see SqliteTransaction::Begin).
        spdlog::warn("WAL checkpoint failed: {}", done.status().message());
      }
      lock.lock();
    }
  }

  std::unique_ptr<Db> db_;
  const std::atomic<int>* log_frames_;
  WalLimits limits_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

// How the group-commit writer (store/group_commit.h) runs a transaction on the SQLite
// write connection. BEGIN IMMEDIATE takes the write lock up front. COMMIT runs with
// synchronous=NORMAL and the syncer fsyncs the WAL before any caller hears of success: the
// same promise as synchronous=FULL, pipelined. Transaction statements are cached (they are
// on the hot path).
class SqliteTransaction {
 public:
  using Connection = Db;
  SqliteTransaction(std::unique_ptr<Db> db, int wal_fd, std::function<int(int)> sync_log,
                    LogFailure* log_failure, ProfileIdCache* cache, ChangeLog* changes,
                    std::atomic<int>* log_frames, WalLimits limits)
      : db_(std::move(db)),
        syncer_(std::make_unique<WalSyncer>(wal_fd, std::move(sync_log), log_failure)),
        log_failure_(log_failure),
        cache_(cache),
        changes_(changes),
        log_frames_(log_frames),
        limits_(limits) {
    db_->SetChangeHook(
        [changes](std::string_view table, int64_t rowid) { changes->Touch(table, rowid); });
    db_->SetWalHook(
        [log_frames](int frames) { log_frames->store(frames, std::memory_order_relaxed); });
  }

  Db& connection() { return *db_; }
  Status Begin() {
    CDP_RETURN_IF_ERROR(log_failure_->Get());
    const int frames = log_frames_->load(std::memory_order_relaxed);
    if (frames < tried_at_) tried_at_ = 0;  // the log was started over
    if (frames >= limits_.restart_frames && frames >= tried_at_ + limits_.restart_frames / 8)
      StartLogOver();
    return Run("BEGIN IMMEDIATE");
  }
  Status Savepoint() { return Run("SAVEPOINT job"); }
  Status RollbackToSavepoint() {
    cache_->Clear();
    return Run("ROLLBACK TO job");
  }
  Status ReleaseSavepoint() { return Run("RELEASE job"); }
  Status Commit() {
    db_->ResetStatements();  // an open statement would pin the old snapshot past COMMIT
    CDP_RETURN_IF_ERROR(Run("COMMIT"));
    changes_->Publish();
    return Status::Ok();
  }
  void Rollback() {
    cache_->Clear();
    db_->ResetStatements();  // a failed job may leave one mid-step, and ROLLBACK would fail
    if (!db_->InTransaction()) return;  // BEGIN failed
    if (Status st = db_->Exec("ROLLBACK"); !st.ok())
      spdlog::error("ROLLBACK of a write transaction failed: {}", st.message());
  }
  void Complete(std::vector<GroupCompletion> done) { syncer_->Add(std::move(done)); }
  // One writer per database file: there is no other transaction to conflict with.
  bool IsTransient(const Status&) const { return false; }

 private:
  Status Run(const std::string& sql) {
    auto stmt = db_->Prepare(sql);
    if (!stmt.ok()) return stmt.status();
    return stmt->Run();
  }

  // Copies the rest of the log into the database file, so that SQLite writes the log from
  // its start again at the next BEGIN. Overwriting the log's blocks in place makes each
  // commit's write and fsync much cheaper than appending to a growing file, which needs new
  // blocks and a journaled size change on every fsync. The pause is short: the checkpointer
  // has already copied most of the log. While the checkpointer is copying (SQLite runs one
  // checkpoint at a time and answers BUSY at once), waits for it, up to kCheckpointWait:
  // going on would let the log grow for as long as that copy takes. While a reader still
  // needs old frames (the log then cannot start over), tried again only after the log grew
  // by another eighth of its limit, not at every transaction.
  void StartLogOver() {
    constexpr auto kCheckpointWait = std::chrono::seconds(2);
    const auto deadline = std::chrono::steady_clock::now() + kCheckpointWait;
    for (;;) {
      auto done = db_->Checkpoint();
      if (done.ok()) {
        tried_at_ = done->log_frames;
        return;
      }
      if (done.status().code() != Code::kUnavailable) {
        spdlog::warn("WAL checkpoint failed: {}", done.status().message());
        return;
      }
      if (std::chrono::steady_clock::now() >= deadline) return;  // tried at the next BEGIN
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  std::unique_ptr<Db> db_;
  std::unique_ptr<WalSyncer> syncer_;
  LogFailure* log_failure_;
  ProfileIdCache* cache_;
  ChangeLog* changes_;
  std::atomic<int>* log_frames_;
  WalLimits limits_;
  int tried_at_ = 0;  // the log's length at the last StartLogOver
};

inline GroupCommitOptions WriterOptions(const SqliteOptions& options) {
  GroupCommitOptions out;
  out.max_queued_rows = options.max_queued_rows;
  out.enqueue_timeout = options.enqueue_timeout;
  out.max_group_size = options.max_group_size;
  out.max_group_rows = options.max_group_rows;
  return out;
}

// The single writer: runs submitted jobs on its own connection, many per transaction.
using Writer = GroupCommitWriter<SqliteTransaction>;
using ReaderPool = ConnectionPool<Db>;

}  // namespace cdp::store::sqlite
