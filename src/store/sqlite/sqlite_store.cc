#include "store/sqlite/sqlite_store.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <filesystem>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "core/thread_name.h"
#include "profiles/identity.h"
#include "store/campaign_sql.h"
#include "store/composed_store.h"
#include "store/connection_pool.h"
#include "store/group_commit.h"
#include "store/push_sql.h"
#include "store/sql/parts.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/segment_index.h"
#include "store/sqlite/sql_connection.h"
#include "store/sqlite/sqlite_db.h"

namespace cdp::store {
namespace {

namespace json = boost::json;
using profiles::Field;
using profiles::Profile;
using profiles::ProfileKey;
using sqlite::ChangeLog;
using sqlite::Db;
using sqlite::SegmentIndex;
using sqlite::Stmt;

// Profile columns in profiles::Field order.
constexpr std::array<std::string_view, profiles::kFieldCount> kFieldColumns = {
    "name",         "first_name", "last_name",      "birth_date",   "gender",
    "email",        "mobile",     "company",        "hashed_email", "hashed_mobile",
    "email_opt_in", "sms_opt_in", "whatsapp_opt_in"};

// The columns ReadProfile reads, each prefixed with `table` (e.g. "p.").
std::string ProfileColumns(std::string_view table = "") {
  std::string cols = fmt::format("{0}id, {0}user_id, {0}anonymous_id", table);
  for (auto c : kFieldColumns) cols += fmt::format(", {}{}", table, c);
  return cols + fmt::format(", {0}attributes, {0}created_at, {0}updated_at", table);
}

const std::string& SelectProfileSql(ProfileKey::Kind kind) {
  static const std::string by_user =
      "SELECT " + ProfileColumns() + " FROM profiles WHERE brand_id = ?1 AND user_id = ?2";
  static const std::string by_anon =
      "SELECT " + ProfileColumns() + " FROM profiles WHERE brand_id = ?1 AND anonymous_id = ?2";
  return kind == ProfileKey::Kind::kUserId ? by_user : by_anon;
}

// Reads the profile whose columns (ProfileColumns order) start at `col0`.
Profile ReadProfile(const Stmt& s, int col0 = 0) {
  Profile p;
  p.id = s.Int(col0);
  p.user_id = s.OptText(col0 + 1);
  p.anonymous_id = s.OptText(col0 + 2);
  for (size_t i = 0; i < profiles::kFieldCount; ++i) {
    int col = col0 + static_cast<int>(3 + i);
    if (s.IsNull(col)) continue;
    if (profiles::Fields()[i].is_integer) {
      p.fields[i] = s.Int(col);
    } else {
      p.fields[i] = s.Text(col);
    }
  }
  int base = col0 + static_cast<int>(3 + profiles::kFieldCount);
  boost::system::error_code ec;
  json::value attrs = json::parse(s.Text(base), ec);
  if (!ec && attrs.is_object()) p.attributes = std::move(attrs.get_object());
  p.created_at = s.Int(base + 1);
  p.updated_at = s.Int(base + 2);
  return p;
}

Segment ReadSegment(const Stmt& s) {
  return Segment{s.Text(0), s.Text(1), s.Text(2), s.Int(3), s.Int(4)};
}

Status NoSegment(std::string_view id) { return NotFound(fmt::format("no segment '{}'", id)); }

Status SegmentNameTaken(std::string_view name) {
  return AlreadyExists(fmt::format("a segment named '{}' exists", name));
}

Status NoCampaign(std::string_view id) { return NotFound(fmt::format("no campaign '{}'", id)); }

void BindOpt(Stmt& s, int i, const std::optional<int64_t>& v) {
  if (v) {
    s.Bind(i, *v);
  } else {
    s.BindNull(i);
  }
}

std::optional<int64_t> OptInt(const Stmt& s, int col) {
  return s.IsNull(col) ? std::nullopt : std::optional<int64_t>(s.Int(col));
}

Campaign ReadCampaign(const Stmt& s) {
  Campaign c;
  c.brand_id = s.Text(0);
  c.id = s.Text(1);
  c.name = s.Text(2);
  c.channel = s.Text(3);
  c.target = s.Text(4);
  c.content = s.Text(5);
  c.status = s.Text(6);
  c.send_at = OptInt(s, 7);
  c.created_at = s.Int(8);
  c.updated_at = s.Int(9);
  c.started_at = OptInt(s, 10);
  c.finished_at = OptInt(s, 11);
  c.materialized = s.Int(12) != 0;
  c.options = s.Text(13);
  return c;
}

// Binds every column of kInsertCampaign / kSaveCampaign ($1..$14).
void BindCampaign(Stmt& s, const Campaign& c) {
  s.Bind(1, c.brand_id).Bind(2, c.id).Bind(3, c.name).Bind(4, c.channel).Bind(5, c.target);
  s.Bind(6, c.content).Bind(7, c.status);
  BindOpt(s, 8, c.send_at);
  s.Bind(9, c.created_at).Bind(10, c.updated_at);
  BindOpt(s, 11, c.started_at);
  BindOpt(s, 12, c.finished_at);
  s.Bind(13, static_cast<int64_t>(c.materialized ? 1 : 0)).Bind(14, c.options);
}

Message ReadMessage(const Stmt& s) {
  Message m;
  m.profile_id = s.Int(0);
  m.user_id = s.Text(1);
  m.status = s.Text(2);
  m.reason = s.Text(3);
  m.address = s.Text(4);
  m.attempts = static_cast<int>(s.Int(5));
  m.next_attempt_at = s.Int(6);
  m.response = s.Text(7);
  m.updated_at = s.Int(8);
  return m;
}

// Reads all rows of `stmt` with `read`.
template <typename T, typename F>
Result<std::vector<T>> AllRows(Stmt& stmt, F read) {
  std::vector<T> out;
  for (;;) {
    auto row = stmt.Step();
    if (!row.ok()) return std::move(row).take_status();
    if (!*row) return out;
    out.push_back(read(stmt));
  }
}

Result<std::optional<Profile>> LoadProfile(Db& db, std::string_view brand_id, ProfileKey::Kind kind,
                                           std::string_view id) {
  auto stmt = db.Prepare(SelectProfileSql(kind));
  if (!stmt.ok()) return std::move(stmt).take_status();
  stmt->Bind(1, brand_id).Bind(2, id);
  auto row = stmt->Step();
  if (!row.ok()) return std::move(row).take_status();
  if (!*row) return std::optional<Profile>();
  return std::optional<Profile>(ReadProfile(*stmt));
}

void BindField(Stmt& s, int i, const json::value& v) {
  if (v.is_string()) {
    s.Bind(i, std::string_view(v.get_string()));
  } else if (v.is_int64()) {
    s.Bind(i, v.get_int64());
  } else {
    s.BindNull(i);
  }
}

// Inserts (id == 0) or updates the whole row of `p`; sets p.id on insert.
Status SaveProfile(Db& db, std::string_view brand_id, Profile& p) {
  static const std::string insert_sql = [] {
    std::string cols = "brand_id, user_id, anonymous_id", vals = "?1, ?2, ?3";
    int i = 4;
    for (auto c : kFieldColumns) {
      cols += fmt::format(", {}", c);
      vals += fmt::format(", ?{}", i++);
    }
    return fmt::format(
        "INSERT INTO profiles ({}, attributes, created_at, updated_at) "
        "VALUES ({}, ?{}, ?{}, ?{})",
        cols, vals, i, i + 1, i + 2);
  }();
  static const std::string update_sql = [] {
    std::string sets = "user_id = ?2, anonymous_id = ?3";
    int i = 4;
    for (auto c : kFieldColumns) sets += fmt::format(", {} = ?{}", c, i++);
    return fmt::format(
        "UPDATE profiles SET {}, attributes = ?{}, created_at = ?{}, updated_at = ?{} "
        "WHERE brand_id = ?1 AND id = ?{}",
        sets, i, i + 1, i + 2, i + 3);
  }();
  auto stmt = db.Prepare(p.id == 0 ? insert_sql : update_sql);
  if (!stmt.ok()) return std::move(stmt).take_status();
  stmt->Bind(1, brand_id).Bind(2, p.user_id).Bind(3, p.anonymous_id);
  int i = 4;
  for (const auto& v : p.fields) BindField(*stmt, i++, v);
  stmt->Bind(i, json::serialize(p.attributes)).Bind(i + 1, p.created_at).Bind(i + 2, p.updated_at);
  if (p.id != 0) stmt->Bind(i + 3, p.id);
  CDP_RETURN_IF_ERROR(stmt->Run());
  if (p.id == 0) {
    auto last = db.Prepare("SELECT last_insert_rowid()");
    if (!last.ok()) return std::move(last).take_status();
    auto row = last->Step();
    if (!row.ok()) return std::move(row).take_status();
    p.id = last->Int(0);
  }
  return Status::Ok();
}

// Runs `sql` with ?1 = brand id and ?2 = profile id.
Status RunForProfile(Db& db, const std::string& sql, std::string_view brand_id, int64_t id) {
  auto stmt = db.Prepare(sql);
  if (!stmt.ok()) return std::move(stmt).take_status();
  return stmt->Bind(1, brand_id).Bind(2, id).Run();
}

// Deletes the profile row and the events listed for it while anonymous. A known profile's
// other events are removed separately (see SqliteStore::DeleteProfile).
Status DeleteProfileRow(Db& db, std::string_view brand_id, int64_t id) {
  CDP_RETURN_IF_ERROR(
      RunForProfile(db,
                    "DELETE FROM events WHERE id IN (SELECT event_id FROM anonymous_events "
                    "WHERE brand_id = ?1 AND profile_id = ?2)",
                    brand_id, id));
  CDP_RETURN_IF_ERROR(RunForProfile(
      db, "DELETE FROM anonymous_events WHERE brand_id = ?1 AND profile_id = ?2", brand_id, id));
  static const std::string delete_subscriptions =
      campaign_sql::ForSqlite(push_sql::kDeleteProfileSubscriptions);
  CDP_RETURN_IF_ERROR(RunForProfile(db, delete_subscriptions, brand_id, id));
  return RunForProfile(db, "DELETE FROM profiles WHERE brand_id = ?1 AND id = ?2", brand_id, id);
}

// The profile is known now: its events need no separate listing any more.
Status ForgetAnonymousEvents(Db& db, std::string_view brand_id, int64_t id) {
  return RunForProfile(db, "DELETE FROM anonymous_events WHERE brand_id = ?1 AND profile_id = ?2",
                       brand_id, id);
}

// Records the type of each attribute the brand has not seen before and applies the
// first-write-wins rule (profiles::CheckAttributeType) to the others.
Status CheckAttributeTypes(Db& db, std::string_view brand_id, std::string_view scope,
                           const json::object& attributes) {
  for (const auto& [name, value] : attributes) {
    std::string_view type = profiles::AttributeType(value);
    if (type.empty()) continue;
    auto get = db.Prepare(
        "SELECT type FROM attribute_types WHERE brand_id = ?1 AND scope = ?2 AND name = ?3");
    if (!get.ok()) return std::move(get).take_status();
    get->Bind(1, brand_id).Bind(2, scope).Bind(3, std::string_view(name));
    auto row = get->Step();
    if (!row.ok()) return std::move(row).take_status();
    if (*row) {
      std::string known = get->Text(0);
      get->Reset();
      CDP_RETURN_IF_ERROR(profiles::CheckAttributeType(name, known, type));
      continue;
    }
    get->Reset();
    auto put = db.Prepare(
        "INSERT INTO attribute_types (brand_id, scope, name, type) VALUES (?1, ?2, ?3, ?4)");
    if (!put.ok()) return std::move(put).take_status();
    CDP_RETURN_IF_ERROR(
        put->Bind(1, brand_id).Bind(2, scope).Bind(3, std::string_view(name)).Bind(4, type).Run());
  }
  return Status::Ok();
}

// Moves the events of anonymous profile `from` to known profile `to`.
Status MoveEvents(Db& db, std::string_view brand_id, int64_t from, int64_t to) {
  auto stmt = db.Prepare(
      "UPDATE events SET profile_id = ?3 WHERE id IN (SELECT event_id FROM anonymous_events "
      "WHERE brand_id = ?1 AND profile_id = ?2)");
  if (!stmt.ok()) return std::move(stmt).take_status();
  CDP_RETURN_IF_ERROR(stmt->Bind(1, brand_id).Bind(2, from).Bind(3, to).Run());
  static const std::string move_subscriptions =
      campaign_sql::ForSqlite(push_sql::kMoveSubscriptions);
  auto subs = db.Prepare(move_subscriptions);
  if (!subs.ok()) return std::move(subs).take_status();
  CDP_RETURN_IF_ERROR(subs->Bind(1, brand_id).Bind(2, from).Bind(3, to).Run());
  return ForgetAnonymousEvents(db, brand_id, from);
}

struct ProfileRef {
  int64_t id = 0;
  bool anonymous = false;  // no user id yet
};

// Creates or updates the profile `patch` names.
Result<ProfileRef> UpsertOne(Db& db, std::string_view brand_id, const profiles::ProfilePatch& patch,
                             int64_t now) {
  CDP_RETURN_IF_ERROR(CheckAttributeTypes(db, brand_id, "profile", patch.attributes));
  std::optional<Profile> by_user;
  std::optional<Profile> by_anonymous;
  if (patch.user_id) {
    auto found = LoadProfile(db, brand_id, ProfileKey::Kind::kUserId, *patch.user_id);
    if (!found.ok()) return std::move(found).take_status();
    by_user = std::move(*found);
  }
  if (patch.anonymous_id) {
    auto found = LoadProfile(db, brand_id, ProfileKey::Kind::kAnonymousId, *patch.anonymous_id);
    if (!found.ok()) return std::move(found).take_status();
    by_anonymous = std::move(*found);
  }
  auto plan = profiles::ResolveIdentity(patch, std::move(by_user), std::move(by_anonymous), now);
  Profile& profile = plan.profile;
  if (plan.identified) CDP_RETURN_IF_ERROR(ForgetAnonymousEvents(db, brand_id, profile.id));
  if (plan.merged) {
    CDP_RETURN_IF_ERROR(MoveEvents(db, brand_id, *plan.merged, profile.id));
    CDP_RETURN_IF_ERROR(DeleteProfileRow(db, brand_id, *plan.merged));
  }
  CDP_RETURN_IF_ERROR(SaveProfile(db, brand_id, profile));
  return ProfileRef{profile.id, !profile.user_id.has_value()};
}

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

// The profile an event belongs to, creating or updating it as the event says. Events that
// only name a known user id (the common case) are resolved from `cache` when possible.
Result<ProfileRef> ResolveEventProfile(Db& db, std::string_view brand_id, const events::Event& ev,
                                       int64_t now, ProfileIdCache& cache) {
  const auto& who = ev.profile;
  const bool lookup_only =
      !ev.has_profile_fields && who.attributes.empty() && (!who.user_id || !who.anonymous_id);
  if (lookup_only && who.user_id) {
    if (auto hit = cache.Find(brand_id, *who.user_id)) return *hit;
  }
  if (lookup_only) {
    auto stmt = db.Prepare(
        who.user_id
            ? "SELECT id, user_id IS NULL FROM profiles WHERE brand_id = ?1 AND user_id = ?2"
            : "SELECT id, user_id IS NULL FROM profiles WHERE brand_id = ?1 AND anonymous_id = ?2");
    if (!stmt.ok()) return std::move(stmt).take_status();
    stmt->Bind(1, brand_id).Bind(2, who.user_id ? *who.user_id : *who.anonymous_id);
    auto row = stmt->Step();
    if (!row.ok()) return std::move(row).take_status();
    if (*row) {
      ProfileRef ref{stmt->Int(0), stmt->Int(1) != 0};
      stmt->Reset();
      if (who.user_id) cache.Put(brand_id, *who.user_id, ref);
      return ref;
    }
  }
  auto ref = UpsertOne(db, brand_id, who, now);
  if (ref.ok() && who.user_id) cache.Put(brand_id, *who.user_id, *ref);
  return ref;
}

// Inserts one event; false when its message_id is already stored for the brand.
Result<bool> InsertEvent(Db& db, std::string_view brand_id, ProfileRef profile,
                         const events::Event& ev, int64_t now) {
  const int64_t profile_id = profile.id;
  auto stmt = db.Prepare(
      "INSERT INTO events (brand_id, profile_id, name, ts, received_at, ltv, message_id, "
      "sdk_id, attributes, context) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
      "ON CONFLICT DO NOTHING");
  if (!stmt.ok()) return std::move(stmt).take_status();
  stmt->Bind(1, brand_id).Bind(2, profile_id).Bind(3, ev.name).Bind(4, ev.time).Bind(5, now);
  if (ev.ltv)
    stmt->Bind(6, *ev.ltv);
  else
    stmt->BindNull(6);
  stmt->Bind(7, ev.message_id);
  if (ev.sdk_id)
    stmt->Bind(8, static_cast<int64_t>(*ev.sdk_id));
  else
    stmt->BindNull(8);
  stmt->Bind(9, ev.attributes_json);
  if (ev.context_json.empty())
    stmt->BindNull(10);
  else
    stmt->Bind(10, ev.context_json);
  CDP_RETURN_IF_ERROR(stmt->Run());
  if (db.Changes() == 0) return false;
  if (profile.anonymous) {
    auto note = db.Prepare(
        "INSERT INTO anonymous_events (brand_id, profile_id, event_id) "
        "VALUES (?1, ?2, last_insert_rowid())");
    if (!note.ok()) return std::move(note).take_status();
    CDP_RETURN_IF_ERROR(note->Bind(1, brand_id).Bind(2, profile_id).Run());
  }
  return true;
}

bool IsDuplicate(Db& db, std::string_view brand_id, const std::optional<std::string>& message_id,
                 Status* error) {
  if (!message_id) return false;
  auto stmt = db.Prepare("SELECT 1 FROM events WHERE brand_id = ?1 AND message_id = ?2");
  if (!stmt.ok()) {
    *error = stmt.status();
    return false;
  }
  stmt->Bind(1, brand_id).Bind(2, *message_id);
  auto row = stmt->Step();
  if (!row.ok()) {
    *error = row.status();
    return false;
  }
  bool found = *row;
  stmt->Reset();
  return found;
}

// " AND json_extract(attributes, ?N) = ?N+1" for each filter, binding from `first`.
std::string FilterSql(const events::EventQuery& q, int first) {
  std::string sql;
  for (size_t i = 0; i < q.where.size(); ++i)
    sql +=
        fmt::format(" AND json_extract(attributes, ?{}) = ?{}", first + 2 * i, first + 2 * i + 1);
  return sql;
}

void BindFilters(Stmt& s, const events::EventQuery& q, int first) {
  for (size_t i = 0; i < q.where.size(); ++i) {
    int at = static_cast<int>(first + 2 * i);
    s.Bind(at, fmt::format("$.\"{}\"", q.where[i].name));
    const json::value& v = q.where[i].value;
    if (v.is_string())
      s.Bind(at + 1, std::string_view(v.get_string()));
    else if (v.is_bool())
      s.Bind(at + 1, static_cast<int64_t>(v.get_bool() ? 1 : 0));
    else if (v.is_int64())
      s.Bind(at + 1, v.get_int64());
    else if (v.is_uint64())
      s.Bind(at + 1, static_cast<int64_t>(v.get_uint64()));
    else if (v.is_double())
      s.Bind(at + 1, v.get_double());
    else
      s.BindNull(at + 1);
  }
}

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

GroupCommitOptions WriterOptions(const SqliteOptions& options) {
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

class SqliteStore final : public ProfileStore,
                          public EventStore,
                          public SegmentStore,
                          public PushStore,
                          public CampaignStore,
                          public sql::Executor {
 public:
  SqliteStore(std::unique_ptr<Db> writer_db, int wal_fd, std::unique_ptr<Db> checkpoint_db,
              const SqliteOptions& options, WalLimits limits)
      : writer_(SqliteTransaction(std::move(writer_db), wal_fd, options.sync_log, &log_failure_,
                                  &profile_cache_, &changes_, &log_frames_, limits),
                WriterOptions(options)),
        checkpointer_(std::move(checkpoint_db), &log_frames_, limits) {}

  ReaderPool& readers() { return readers_; }

  Status WriteHealth() { return log_failure_.Get(); }

  // sql::Executor, for the portable parts (store/sql/parts.h): a job on the writer, or on a
  // read connection.
  Status Write(const std::function<Status(sql::Connection&)>& job) override {
    return writer_.Submit([&](Db& db) -> Status {
      sqlite::SqliteConnection c(db);
      return job(c);
    });
  }
  Status Read(const std::function<Status(sql::Connection&)>& job) override {
    return readers_.With([&](Db& db) -> Status {
      sqlite::SqliteConnection c(db);
      Status st = job(c);
      db.ResetStatements();  // the next reader of this connection sees the latest commit
      return st;
    });
  }

  // Runs f(Db&) on a read connection and leaves no statement open behind it, so the next
  // caller of that connection reads the latest committed data.
  template <typename F>
  auto Read(F&& f) {
    return readers_.With([&](Db& db) {
      auto result = f(db);
      db.ResetStatements();
      return result;
    });
  }

  Result<std::vector<Status>> UpsertProfiles(std::string_view brand_id,
                                             std::vector<ProfileWrite> writes,
                                             int64_t now) override {
    std::vector<Status> results(writes.size());
    Status st = writer_.Submit([&](Db& db) -> Status {
      for (size_t i = 0; i < writes.size(); ++i) {
        CDP_RETURN_IF_ERROR(db.Exec("SAVEPOINT item"));
        results[i] = UpsertOne(db, brand_id, writes[i].patch, now).status();
        if (!results[i].ok() && results[i].code() != Code::kInvalidArgument)
          return results[i];  // storage failure: abandon the whole batch
        if (!results[i].ok()) CDP_RETURN_IF_ERROR(db.Exec("ROLLBACK TO item"));
        CDP_RETURN_IF_ERROR(db.Exec("RELEASE item"));
      }
      return Status::Ok();
    });
    if (!st.ok()) return st;
    return results;
  }

  Result<Profile> GetProfile(std::string_view brand_id, const ProfileKey& key) override {
    return Read([&](Db& db) -> Result<Profile> {
      auto found = LoadProfile(db, brand_id, key.kind, key.id);
      if (!found.ok()) return std::move(found).take_status();
      if (!*found)
        return NotFound(
            fmt::format("no user with {} '{}'",
                        key.kind == ProfileKey::Kind::kUserId ? "userId" : "anonymousId", key.id));
      return std::move(**found);
    });
  }

  // Deletes the profile row first, so no new event can reach that profile id; then finds
  // the profile's remaining events on a read connection (a scan of the brand's event index:
  // there is no per-profile index, which keeps ingestion cheap) and deletes them in chunks
  // that each hold the writer only briefly.
  Status DeleteProfile(std::string_view brand_id, const ProfileKey& key) override {
    int64_t profile_id = 0;
    CDP_RETURN_IF_ERROR(writer_.Submit([&](Db& db) -> Status {
      auto found = LoadProfile(db, brand_id, key.kind, key.id);
      if (!found.ok()) return std::move(found).take_status();
      if (!*found)
        return NotFound(
            fmt::format("no user with {} '{}'",
                        key.kind == ProfileKey::Kind::kUserId ? "userId" : "anonymousId", key.id));
      profile_id = (*found)->id;
      profile_cache_.Clear();
      return DeleteProfileRow(db, brand_id, profile_id);
    }));
    auto ids = Read([&](Db& db) -> Result<std::vector<int64_t>> {
      auto stmt = db.Prepare(
          "SELECT id FROM events INDEXED BY events_by_name_time "
          "WHERE brand_id = ?1 AND profile_id = ?2");
      if (!stmt.ok()) return std::move(stmt).take_status();
      stmt->Bind(1, brand_id).Bind(2, profile_id);
      std::vector<int64_t> out;
      for (;;) {
        auto row = stmt->Step();
        if (!row.ok()) return std::move(row).take_status();
        if (!*row) break;
        out.push_back(stmt->Int(0));
      }
      return out;
    });
    if (!ids.ok()) return ids.status();
    constexpr size_t kChunk = 5000;
    for (size_t begin = 0; begin < ids->size(); begin += kChunk) {
      size_t end = std::min(ids->size(), begin + kChunk);
      CDP_RETURN_IF_ERROR(writer_.Submit([&](Db& db) -> Status {
        for (size_t i = begin; i < end; ++i) {
          auto stmt = db.Prepare("DELETE FROM events WHERE id = ?1");
          if (!stmt.ok()) return std::move(stmt).take_status();
          CDP_RETURN_IF_ERROR(stmt->Bind(1, (*ids)[i]).Run());
        }
        return Status::Ok();
      }));
    }
    return Status::Ok();
  }

  void AppendEventsAsync(std::string_view brand_id, std::vector<events::Event> events_in,
                         int64_t now, AppendDone done) override {
    // The job and its completion share the batch; both run on the writer thread.
    struct Batch {
      std::string brand_id;
      std::vector<events::Event> evs;
      std::vector<EventResult> results;
    };
    auto batch = std::make_shared<Batch>(Batch{std::string(brand_id), std::move(events_in), {}});
    batch->results.resize(batch->evs.size());
    auto job = [this, batch, now](Db& db) -> Status {
      const std::string& brand_id = batch->brand_id;
      const auto& evs = batch->evs;
      auto& results = batch->results;
      for (size_t i = 0; i < evs.size(); ++i) {
        const events::Event& ev = evs[i];
        Status error;
        if (IsDuplicate(db, brand_id, ev.message_id, &error)) {
          results[i].outcome = events::EventOutcome::kDuplicate;
          continue;
        }
        CDP_RETURN_IF_ERROR(error);
        // Profile attributes may conflict in type: isolate such events in a savepoint.
        const bool may_fail = !ev.profile.attributes.empty();
        if (may_fail) CDP_RETURN_IF_ERROR(db.Exec("SAVEPOINT event"));
        auto profile_id = ResolveEventProfile(db, brand_id, ev, now, profile_cache_);
        if (!profile_id.ok()) {
          if (!may_fail || profile_id.status().code() != Code::kInvalidArgument)
            return profile_id.status();
          results[i].status = profile_id.status();
          CDP_RETURN_IF_ERROR(db.Exec("ROLLBACK TO event"));
          CDP_RETURN_IF_ERROR(db.Exec("RELEASE event"));
          continue;
        }
        if (may_fail) CDP_RETURN_IF_ERROR(db.Exec("RELEASE event"));
        auto inserted = InsertEvent(db, brand_id, *profile_id, ev, now);
        if (!inserted.ok()) return inserted.status();
        if (!*inserted) results[i].outcome = events::EventOutcome::kDuplicate;
      }
      return Status::Ok();
    };
    const size_t weight = std::max<size_t>(1, batch->evs.size());
    writer_.SubmitAsync(
        std::move(job),
        [batch, done = std::move(done)](Status st) {
          if (!st.ok()) {
            done(std::move(st));
          } else {
            done(std::move(batch->results));
          }
        },
        weight);
  }

  Result<events::EventPage> QueryEventUsers(std::string_view brand_id,
                                            const events::EventQuery& q) override {
    return Read([&](Db& db) -> Result<events::EventPage> {
      auto stmt = db.Prepare(
          "SELECT profile_id, COUNT(*), MIN(ts), MAX(ts) FROM events "
          "WHERE brand_id = ?1 AND name = ?2 AND profile_id > ?3 AND ts >= ?4 AND ts < ?5" +
          FilterSql(q, 7) + " GROUP BY profile_id ORDER BY profile_id LIMIT ?6");
      if (!stmt.ok()) return std::move(stmt).take_status();
      stmt->Bind(1, brand_id)
          .Bind(2, q.name)
          .Bind(3, q.after_profile)
          .Bind(4, q.from)
          .Bind(5, q.to);
      stmt->Bind(6, static_cast<int64_t>(q.limit + 1));
      BindFilters(*stmt, q, 7);
      events::EventPage page;
      for (;;) {
        auto row = stmt->Step();
        if (!row.ok()) return std::move(row).take_status();
        if (!*row) break;
        if (page.users.size() == q.limit) {
          page.next_after = page.users.back().profile.id;
          break;
        }
        events::EventUser u;
        u.profile.id = stmt->Int(0);
        u.count = stmt->Int(1);
        u.first = stmt->Int(2);
        u.last = stmt->Int(3);
        page.users.push_back(std::move(u));
      }
      stmt->Reset();
      static const std::string by_id =
          "SELECT " + ProfileColumns() + " FROM profiles WHERE brand_id = ?1 AND id = ?2";
      for (auto& u : page.users) {
        auto p = db.Prepare(by_id);
        if (!p.ok()) return std::move(p).take_status();
        p->Bind(1, brand_id).Bind(2, u.profile.id);
        auto row = p->Step();
        if (!row.ok()) return std::move(row).take_status();
        if (*row) u.profile = ReadProfile(*p);
        p->Reset();
      }
      return page;
    });
  }

  Result<events::EventCounts> CountEvents(std::string_view brand_id,
                                          const events::EventQuery& q) override {
    return Read([&](Db& db) -> Result<events::EventCounts> {
      auto stmt = db.Prepare(
          "SELECT COUNT(DISTINCT profile_id), COUNT(*) FROM events "
          "WHERE brand_id = ?1 AND name = ?2 AND ts >= ?3 AND ts < ?4" +
          FilterSql(q, 5));
      if (!stmt.ok()) return std::move(stmt).take_status();
      stmt->Bind(1, brand_id).Bind(2, q.name).Bind(3, q.from).Bind(4, q.to);
      BindFilters(*stmt, q, 5);
      auto row = stmt->Step();
      if (!row.ok()) return std::move(row).take_status();
      events::EventCounts counts{stmt->Int(0), stmt->Int(1)};
      stmt->Reset();
      return counts;
    });
  }

  Result<segments::AttributeTypes> GetAttributeTypes(std::string_view brand_id) override {
    return Read([&](Db& db) -> Result<segments::AttributeTypes> {
      auto stmt = db.Prepare("SELECT scope, name, type FROM attribute_types WHERE brand_id = ?1");
      if (!stmt.ok()) return std::move(stmt).take_status();
      stmt->Bind(1, brand_id);
      segments::AttributeTypes types;
      for (;;) {
        auto row = stmt->Step();
        if (!row.ok()) return std::move(row).take_status();
        if (!*row) break;
        (stmt->Text(0) == "event" ? types.event : types.profile)[stmt->Text(1)] = stmt->Text(2);
      }
      return types;
    });
  }

  Status CreateSegment(std::string_view brand_id, const Segment& s) override {
    return writer_.Submit([&](Db& db) -> Status {
      auto stmt = db.Prepare(
          "INSERT INTO segments (brand_id, id, name, rules, created_at, updated_at) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
      if (!stmt.ok()) return std::move(stmt).take_status();
      Status st = stmt->Bind(1, brand_id)
                      .Bind(2, s.id)
                      .Bind(3, s.name)
                      .Bind(4, s.rules)
                      .Bind(5, s.created_at)
                      .Bind(6, s.updated_at)
                      .Run();
      if (st.code() == Code::kAlreadyExists) return SegmentNameTaken(s.name);
      return st;
    });
  }

  Result<Segment> GetSegment(std::string_view brand_id, std::string_view id) override {
    return Read([&](Db& db) -> Result<Segment> {
      auto stmt = db.Prepare(
          "SELECT id, name, rules, created_at, updated_at FROM segments "
          "WHERE brand_id = ?1 AND id = ?2");
      if (!stmt.ok()) return std::move(stmt).take_status();
      stmt->Bind(1, brand_id).Bind(2, id);
      auto row = stmt->Step();
      if (!row.ok()) return std::move(row).take_status();
      if (!*row) return NoSegment(id);
      return ReadSegment(*stmt);
    });
  }

  Result<std::vector<Segment>> ListSegments(std::string_view brand_id) override {
    return Read([&](Db& db) -> Result<std::vector<Segment>> {
      auto stmt = db.Prepare(
          "SELECT id, name, rules, created_at, updated_at FROM segments "
          "WHERE brand_id = ?1 ORDER BY name");
      if (!stmt.ok()) return std::move(stmt).take_status();
      stmt->Bind(1, brand_id);
      std::vector<Segment> out;
      for (;;) {
        auto row = stmt->Step();
        if (!row.ok()) return std::move(row).take_status();
        if (!*row) break;
        out.push_back(ReadSegment(*stmt));
      }
      return out;
    });
  }

  Status UpdateSegment(std::string_view brand_id, const Segment& s) override {
    return writer_.Submit([&](Db& db) -> Status {
      auto stmt = db.Prepare(
          "UPDATE segments SET name = ?3, rules = ?4, updated_at = ?5 "
          "WHERE brand_id = ?1 AND id = ?2");
      if (!stmt.ok()) return std::move(stmt).take_status();
      Status st = stmt->Bind(1, brand_id)
                      .Bind(2, s.id)
                      .Bind(3, s.name)
                      .Bind(4, s.rules)
                      .Bind(5, s.updated_at)
                      .Run();
      if (st.code() == Code::kAlreadyExists) return SegmentNameTaken(s.name);
      CDP_RETURN_IF_ERROR(st);
      return db.Changes() ? Status::Ok() : NoSegment(s.id);
    });
  }

  Status DeleteSegment(std::string_view brand_id, std::string_view id) override {
    return writer_.Submit([&](Db& db) -> Status {
      auto stmt = db.Prepare("DELETE FROM segments WHERE brand_id = ?1 AND id = ?2");
      if (!stmt.ok()) return std::move(stmt).take_status();
      CDP_RETURN_IF_ERROR(stmt->Bind(1, brand_id).Bind(2, id).Run());
      return db.Changes() ? Status::Ok() : NoSegment(id);
    });
  }

  Result<int64_t> CountSegment(std::string_view brand_id, const segments::Node& rule,
                               int64_t now) override {
    return Read([&](Db& db) { return segment_index_.Count(db, brand_id, rule, now); });
  }

  Result<ProfilePage> SegmentMembers(std::string_view brand_id, const segments::Node& rule,
                                     int64_t now, int64_t after_profile, size_t limit) override {
    return Read([&](Db& db) -> Result<ProfilePage> {
      auto ids = segment_index_.Members(db, brand_id, rule, now, after_profile, limit);
      if (!ids.ok()) return std::move(ids).take_status();
      static const std::string by_id =
          "SELECT " + ProfileColumns() + " FROM profiles WHERE brand_id = ?1 AND id = ?2";
      ProfilePage page;
      page.next_after = ids->next_after;
      for (int64_t id : ids->ids) {
        auto p = db.Prepare(by_id);
        if (!p.ok()) return std::move(p).take_status();
        p->Bind(1, brand_id).Bind(2, id);
        auto row = p->Step();
        if (!row.ok()) return std::move(row).take_status();
        if (*row) page.profiles.push_back(ReadProfile(*p));
        p->Reset();
      }
      return page;
    });
  }

  Result<std::string> SaveSubscription(std::string_view brand_id,
                                       const Subscription& sub) override {
    std::string id;
    Status st = writer_.Submit([&](Db& db) -> Status {
      static const std::string sql = campaign_sql::ForSqlite(push_sql::kSaveSubscription);
      auto stmt = db.Prepare(sql);
      if (!stmt.ok()) return std::move(stmt).take_status();
      stmt->Bind(1, brand_id)
          .Bind(2, sub.id)
          .Bind(3, sub.profile_id)
          .Bind(4, sub.platform)
          .Bind(5, sub.address)
          .Bind(6, sub.p256dh)
          .Bind(7, sub.auth)
          .Bind(8, sub.updated_at);
      auto row = stmt->Step();
      if (!row.ok()) return std::move(row).take_status();
      if (!*row) return Internal("subscription not saved");
      id = stmt->Text(0);
      stmt->Reset();
      return Status::Ok();
    });
    if (!st.ok()) return st;
    return id;
  }

  Status DeleteSubscription(std::string_view brand_id, std::string_view id,
                            std::string_view platform, std::string_view address) override {
    return writer_.Submit([&](Db& db) -> Status {
      static const std::string sql = campaign_sql::ForSqlite(push_sql::kDeleteSubscription);
      auto stmt = db.Prepare(sql);
      if (!stmt.ok()) return std::move(stmt).take_status();
      CDP_RETURN_IF_ERROR(
          stmt->Bind(1, brand_id).Bind(2, id).Bind(3, platform).Bind(4, address).Run());
      return db.Changes() > 0 ? Status::Ok() : NotFound("no such subscription");
    });
  }

  Result<std::vector<Subscription>> ListSubscriptions(std::string_view brand_id, int64_t profile_id,
                                                      std::string_view platform) override {
    return Read([&](Db& db) -> Result<std::vector<Subscription>> {
      static const std::string sql = campaign_sql::ForSqlite(push_sql::kListSubscriptions);
      auto stmt = db.Prepare(sql);
      if (!stmt.ok()) return std::move(stmt).take_status();
      stmt->Bind(1, brand_id).Bind(2, profile_id).Bind(3, platform);
      std::vector<Subscription> out;
      for (;;) {
        auto row = stmt->Step();
        if (!row.ok()) return std::move(row).take_status();
        if (!*row) break;
        out.push_back({stmt->Text(0), stmt->Int(1), stmt->Text(2), stmt->Text(3), stmt->Text(4),
                       stmt->Text(5), stmt->Int(6), stmt->Int(7)});
      }
      stmt->Reset();
      return out;
    });
  }

  Result<ProfilePage> Subscribers(std::string_view brand_id, std::string_view platform,
                                  int64_t after_profile, size_t limit) override {
    return Read([&](Db& db) -> Result<ProfilePage> {
      static const std::string sql =
          "SELECT " + ProfileColumns("p.") + campaign_sql::ForSqlite(push_sql::kSubscribersWhere);
      auto stmt = db.Prepare(sql);
      if (!stmt.ok()) return std::move(stmt).take_status();
      stmt->Bind(1, brand_id)
          .Bind(2, after_profile)
          .Bind(3, platform)
          .Bind(4, static_cast<int64_t>(limit + 1));
      ProfilePage page;
      for (;;) {
        auto row = stmt->Step();
        if (!row.ok()) return std::move(row).take_status();
        if (!*row) break;
        if (page.profiles.size() == limit) {
          page.next_after = page.profiles.back().id;
          break;
        }
        page.profiles.push_back(ReadProfile(*stmt));
      }
      stmt->Reset();
      return page;
    });
  }

  Status CreateCampaign(const Campaign& c) override {
    return writer_.Submit([&](Db& db) -> Status {
      static const std::string sql = campaign_sql::ForSqlite(campaign_sql::kInsertCampaign);
      auto stmt = db.Prepare(sql);
      if (!stmt.ok()) return std::move(stmt).take_status();
      BindCampaign(*stmt, c);
      return stmt->Run();
    });
  }

  Result<Campaign> GetCampaign(std::string_view brand_id, std::string_view id) override {
    return Read([&](Db& db) -> Result<Campaign> {
      static const std::string sql = campaign_sql::ForSqlite(campaign_sql::kGetCampaign);
      auto stmt = db.Prepare(sql);
      if (!stmt.ok()) return std::move(stmt).take_status();
      stmt->Bind(1, brand_id).Bind(2, id);
      auto row = stmt->Step();
      if (!row.ok()) return std::move(row).take_status();
      if (!*row) return NoCampaign(id);
      return ReadCampaign(*stmt);
    });
  }

  Result<std::vector<Campaign>> ListCampaigns(std::string_view brand_id) override {
    return Read([&](Db& db) -> Result<std::vector<Campaign>> {
      static const std::string sql = campaign_sql::ForSqlite(campaign_sql::kListCampaigns);
      auto stmt = db.Prepare(sql);
      if (!stmt.ok()) return std::move(stmt).take_status();
      stmt->Bind(1, brand_id);
      return AllRows<Campaign>(*stmt, ReadCampaign);
    });
  }

  Status SaveCampaign(const Campaign& c, std::vector<std::string_view> from) override {
    std::string allowed;
    for (auto f : from) {
      if (!allowed.empty()) allowed += ',';
      allowed += f;
    }
    return writer_.Submit([&](Db& db) -> Status {
      static const std::string save = campaign_sql::ForSqlite(campaign_sql::kSaveCampaign);
      auto stmt = db.Prepare(save);
      if (!stmt.ok()) return std::move(stmt).take_status();
      BindCampaign(*stmt, c);
      CDP_RETURN_IF_ERROR(stmt->Bind(15, allowed).Run());
      if (db.Changes() == 0) {
        static const std::string status = campaign_sql::ForSqlite(campaign_sql::kCampaignStatus);
        auto current = db.Prepare(status);
        if (!current.ok()) return std::move(current).take_status();
        current->Bind(1, c.brand_id).Bind(2, c.id);
        auto row = current->Step();
        if (!row.ok()) return std::move(row).take_status();
        if (!*row) return NoCampaign(c.id);
        return FailedPrecondition(fmt::format("campaign '{}' is {}", c.id, current->Text(0)));
      }
      if (c.status != kCampaignCancelled) return Status::Ok();
      static const std::string skip = campaign_sql::ForSqlite(campaign_sql::kSkipQueuedMessages);
      auto skipped = db.Prepare(skip);
      if (!skipped.ok()) return std::move(skipped).take_status();
      return skipped->Bind(1, c.brand_id).Bind(2, c.id).Bind(3, c.updated_at).Run();
    });
  }

  Result<std::vector<Campaign>> ClaimCampaigns(std::string_view node, int64_t now,
                                               int64_t lease_until) override {
    std::vector<Campaign> claimed;
    Status st = writer_.Submit([&](Db& db) -> Status {
      claimed.clear();
      static const std::string sql = campaign_sql::ForSqlite(campaign_sql::kClaimCampaigns);
      auto stmt = db.Prepare(sql);
      if (!stmt.ok()) return std::move(stmt).take_status();
      stmt->Bind(1, now).Bind(2, node).Bind(3, lease_until);
      auto rows = AllRows<Campaign>(*stmt, ReadCampaign);
      if (!rows.ok()) return std::move(rows).take_status();
      claimed = std::move(rows).value();
      return Status::Ok();
    });
    if (!st.ok()) return st;
    return claimed;
  }

  Status AddMessages(std::string_view brand_id, std::string_view campaign_id,
                     const std::vector<Message>& messages) override {
    return writer_.Submit([&](Db& db) -> Status {
      static const std::string sql = campaign_sql::ForSqlite(campaign_sql::kAddMessage);
      for (const Message& m : messages) {
        auto stmt = db.Prepare(sql);
        if (!stmt.ok()) return std::move(stmt).take_status();
        CDP_RETURN_IF_ERROR(stmt->Bind(1, brand_id)
                                .Bind(2, campaign_id)
                                .Bind(3, m.profile_id)
                                .Bind(4, m.user_id)
                                .Bind(5, m.status)
                                .Bind(6, m.reason)
                                .Bind(7, m.address)
                                .Bind(8, static_cast<int64_t>(m.attempts))
                                .Bind(9, m.next_attempt_at)
                                .Bind(10, m.response)
                                .Bind(11, m.updated_at)
                                .Run());
        stmt->Reset();
      }
      return Status::Ok();
    });
  }

  Result<std::vector<PendingMessage>> PendingMessages(std::string_view brand_id,
                                                      std::string_view campaign_id, int64_t now,
                                                      size_t limit) override {
    return Read([&](Db& db) -> Result<std::vector<PendingMessage>> {
      static const std::string sql =
          campaign_sql::ForSqlite(campaign_sql::PendingMessagesSql(ProfileColumns("p.")));
      auto stmt = db.Prepare(sql);
      if (!stmt.ok()) return std::move(stmt).take_status();
      stmt->Bind(1, brand_id)
          .Bind(2, campaign_id)
          .Bind(3, now)
          .Bind(4, static_cast<int64_t>(limit));
      return AllRows<PendingMessage>(*stmt, [](const Stmt& s) {
        PendingMessage pm{ReadMessage(s), std::nullopt};
        if (!s.IsNull(campaign_sql::kMessageColumnCount))
          pm.profile = ReadProfile(s, campaign_sql::kMessageColumnCount);
        return pm;
      });
    });
  }

  Status RecordMessages(std::string_view brand_id, std::string_view campaign_id,
                        const std::vector<Message>& messages) override {
    return writer_.Submit([&](Db& db) -> Status {
      static const std::string sql = campaign_sql::ForSqlite(campaign_sql::kRecordMessage);
      for (const Message& m : messages) {
        auto stmt = db.Prepare(sql);
        if (!stmt.ok()) return std::move(stmt).take_status();
        CDP_RETURN_IF_ERROR(stmt->Bind(1, brand_id)
                                .Bind(2, campaign_id)
                                .Bind(3, m.profile_id)
                                .Bind(4, m.status)
                                .Bind(5, m.reason)
                                .Bind(6, m.address)
                                .Bind(7, static_cast<int64_t>(m.attempts))
                                .Bind(8, m.next_attempt_at)
                                .Bind(9, m.response)
                                .Bind(10, m.updated_at)
                                .Run());
        stmt->Reset();
      }
      return Status::Ok();
    });
  }

  Result<MessageCounts> CountMessages(std::string_view brand_id,
                                      std::string_view campaign_id) override {
    return Read([&](Db& db) -> Result<MessageCounts> {
      // Kept by triggers (migration 9): a few rows, however large the campaign.
      static const std::string sql =
          "SELECT status, n FROM campaign_message_counts WHERE brand_id = ?1 AND campaign_id = ?2 "
          "AND n <> 0";
      auto stmt = db.Prepare(sql);
      if (!stmt.ok()) return std::move(stmt).take_status();
      stmt->Bind(1, brand_id).Bind(2, campaign_id);
      MessageCounts counts;
      for (;;) {
        auto row = stmt->Step();
        if (!row.ok()) return std::move(row).take_status();
        if (!*row) return counts;
        counts.Add(stmt->Text(0), stmt->Int(1));
      }
    });
  }

  Status RecordFeedback(std::string_view brand_id, const Feedback& f) override {
    return writer_.Submit([&](Db& db) -> Status {
      static const std::string exists = campaign_sql::ForSqlite(campaign_sql::kMessageExists);
      auto found = db.Prepare(exists);
      if (!found.ok()) return std::move(found).take_status();
      found->Bind(1, brand_id).Bind(2, f.campaign_id).Bind(3, f.profile_id);
      auto row = found->Step();
      found->Reset();
      if (!row.ok()) return std::move(row).take_status();
      if (!*row) return NotFound(fmt::format("campaign '{}' has no such message", f.campaign_id));
      static const std::string insert = campaign_sql::ForSqlite(campaign_sql::kInsertFeedback);
      auto add = db.Prepare(insert);
      if (!add.ok()) return std::move(add).take_status();
      CDP_RETURN_IF_ERROR(add->Bind(1, brand_id)
                              .Bind(2, f.campaign_id)
                              .Bind(3, f.profile_id)
                              .Bind(4, f.kind)
                              .Bind(5, f.detail)
                              .Bind(6, f.at)
                              .Run());
      const campaign_sql::FeedbackEffect effect = campaign_sql::EffectOf(f.kind);
      if (effect.delivery) {
        static const std::string sql = campaign_sql::ForSqlite(campaign_sql::kSetDelivery);
        auto set = db.Prepare(sql);
        if (!set.ok()) return std::move(set).take_status();
        CDP_RETURN_IF_ERROR(set->Bind(1, brand_id)
                                .Bind(2, f.campaign_id)
                                .Bind(3, f.profile_id)
                                .Bind(4, *effect.delivery)
                                .Run());
      }
      if (effect.email_opt_in) {
        static const std::string sql = campaign_sql::ForSqlite(campaign_sql::kSetEmailOptIn);
        auto set = db.Prepare(sql);
        if (!set.ok()) return std::move(set).take_status();
        CDP_RETURN_IF_ERROR(set->Bind(1, brand_id)
                                .Bind(2, f.profile_id)
                                .Bind(3, *effect.email_opt_in)
                                .Bind(4, f.at)
                                .Run());
      }
      return Status::Ok();
    });
  }

  Result<CampaignActivity> GetCampaignActivity(std::string_view brand_id,
                                               std::string_view campaign_id,
                                               const std::optional<Conversion>& conversion,
                                               size_t top_links) override {
    return Read([&](Db& db) -> Result<CampaignActivity> {
      CampaignActivity out;
      static const std::string groups = campaign_sql::ForSqlite(campaign_sql::kMessageGroups);
      auto g = db.Prepare(groups);
      if (!g.ok()) return std::move(g).take_status();
      g->Bind(1, brand_id).Bind(2, campaign_id);
      auto messages = AllRows<CampaignActivity::Messages>(*g, [](const Stmt& s) {
        return CampaignActivity::Messages{s.Text(0), s.Text(1), s.Text(2), s.Int(3)};
      });
      if (!messages.ok()) return std::move(messages).take_status();
      out.messages = std::move(messages).value();

      static const std::string kinds = campaign_sql::ForSqlite(campaign_sql::kFeedbackGroups);
      auto k = db.Prepare(kinds);
      if (!k.ok()) return std::move(k).take_status();
      k->Bind(1, brand_id).Bind(2, campaign_id);
      auto feedback = AllRows<CampaignActivity::Kind>(*k, [](const Stmt& s) {
        return CampaignActivity::Kind{s.Text(0), s.Int(1), s.Int(2)};
      });
      if (!feedback.ok()) return std::move(feedback).take_status();
      out.feedback = std::move(feedback).value();

      static const std::string links = campaign_sql::ForSqlite(campaign_sql::kTopLinks);
      auto l = db.Prepare(links);
      if (!l.ok()) return std::move(l).take_status();
      l->Bind(1, brand_id).Bind(2, campaign_id).Bind(3, static_cast<int64_t>(top_links));
      auto top = AllRows<CampaignActivity::Link>(*l, [](const Stmt& s) {
        return CampaignActivity::Link{s.Text(0), s.Int(1), s.Int(2)};
      });
      if (!top.ok()) return std::move(top).take_status();
      out.top_links = std::move(top).value();

      if (conversion) {
        static const std::string sql = campaign_sql::ForSqlite(campaign_sql::kConversions);
        auto c = db.Prepare(sql);
        if (!c.ok()) return std::move(c).take_status();
        c->Bind(1, brand_id)
            .Bind(2, campaign_id)
            .Bind(3, conversion->event_name)
            .Bind(4, conversion->window);
        auto row = c->Step();
        if (!row.ok()) return std::move(row).take_status();
        out.conversions = *row ? c->Int(0) : 0;
        c->Reset();
      }
      return out;
    });
  }

  Result<std::vector<TimelinePoint>> GetTimeline(std::string_view brand_id,
                                                 std::string_view campaign_id, int64_t from,
                                                 int64_t to, int64_t bucket) override {
    return Read([&](Db& db) -> Result<std::vector<TimelinePoint>> {
      static const std::string sql = campaign_sql::ForSqlite(campaign_sql::kTimeline);
      auto stmt = db.Prepare(sql);
      if (!stmt.ok()) return std::move(stmt).take_status();
      stmt->Bind(1, brand_id).Bind(2, campaign_id).Bind(3, bucket).Bind(4, from).Bind(5, to);
      return AllRows<TimelinePoint>(*stmt, [](const Stmt& s) {
        return TimelinePoint{s.Int(0), s.Text(1), s.Int(2)};
      });
    });
  }

 private:
  ProfileIdCache profile_cache_;  // used by the writer thread only
  ChangeLog changes_;             // filled by the writer, read by the segment index
  SegmentIndex segment_index_{changes_};
  std::atomic<int> log_frames_{0};  // set by the writer after each commit
  LogFailure log_failure_;          // set by the syncer
  Writer writer_;
  WalCheckpointer checkpointer_;
  ReaderPool readers_;
};

Result<size_t> PageSize(Db& db) {
  auto stmt = db.Prepare("PRAGMA page_size");
  if (!stmt.ok()) return std::move(stmt).take_status();
  auto row = stmt->Step();
  if (!row.ok()) return std::move(row).take_status();
  if (!*row) return Internal("PRAGMA page_size returned nothing");
  size_t out = static_cast<size_t>(stmt->Int(0));
  stmt->Reset();
  return out;
}

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options) {
  std::error_code ec;
  std::filesystem::create_directories(options.data_dir, ec);
  if (ec) return Unavailable("cannot create data folder " + options.data_dir + ": " + ec.message());
  std::string path = (std::filesystem::path(options.data_dir) / "cdp.db").string();
  auto writer_db = Db::Open(path);
  if (!writer_db.ok()) return std::move(writer_db).take_status();
  CDP_RETURN_IF_ERROR(sqlite::Migrate(**writer_db));
  (*writer_db)->PersistWal();
  CDP_RETURN_IF_ERROR((*writer_db)->Exec("PRAGMA synchronous=NORMAL"));
  int wal_fd = ::open((path + "-wal").c_str(), O_RDWR | O_CLOEXEC);
  if (wal_fd < 0)
    return Unavailable("cannot open the write-ahead log " + path + "-wal: " + std::strerror(errno));
  CDP_RETURN_IF_ERROR((*writer_db)->Exec("PRAGMA wal_autocheckpoint=0"));
  // A log left longer (by an outage of checkpoints) is cut back when it next starts over.
  CDP_RETURN_IF_ERROR(
      (*writer_db)
          ->Exec(fmt::format("PRAGMA journal_size_limit={}", 2 * options.wal_restart_bytes)));
  auto page_size = PageSize(**writer_db);
  if (!page_size.ok()) {
    ::close(wal_fd);
    return std::move(page_size).take_status();
  }
  const size_t frame_bytes = *page_size + 24;
  WalLimits limits{
      static_cast<int>(std::max<size_t>(1, options.wal_checkpoint_bytes / frame_bytes)),
      static_cast<int>(std::max<size_t>(1, options.wal_restart_bytes / frame_bytes))};
  auto checkpoint_db = Db::Open(path);
  if (!checkpoint_db.ok()) {
    ::close(wal_fd);
    return std::move(checkpoint_db).take_status();
  }
  auto core = std::make_shared<SqliteStore>(std::move(writer_db).value(), wal_fd,
                                            std::move(checkpoint_db).value(), options, limits);
  for (int i = 0; i < std::max(1, options.read_connections); ++i) {
    auto db = Db::Open(path);
    if (!db.ok()) return std::move(db).take_status();
    core->readers().Add(std::move(db).value());
  }
  StoreParts parts;
  parts.brands = sql::NewBrandStore(*core);
  parts.partners = sql::NewPartnerStore(*core);
  parts.channels = sql::NewChannelStore(*core);
  parts.profiles = core;
  parts.events = core;
  parts.segments = core;
  parts.push = core;
  parts.campaigns = core;
  parts.write_health = [store = core.get()] { return store->WriteHealth(); };
  parts.shared = std::move(core);
  return ComposeStore(std::move(parts));
}

}  // namespace cdp::store
