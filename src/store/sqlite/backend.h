// The core of the SQLite backend: the writer, the read connections, the segment index and
// the parts of the Store that run on them, one file per role (profile_store.cc,
// event_store.cc), with what the portable parts of store/sql/ leave to it (segment_store.cc:
// evaluation; push_store.cc: subscriber pages; campaign_store.cc: the sending path's message
// rows). The portable parts run on it as an sql::Executor. Built by OpenSqliteStore.
// Thread-safe. Only store/sqlite includes this header.
#pragma once

#include <functional>
#include <memory>

#include "store/event_store.h"
#include "store/profile_store.h"
#include "store/segment_index.h"
#include "store/sql/connection.h"
#include "store/sql/parts.h"
#include "store/sqlite/change_log.h"
#include "store/sqlite/sql_connection.h"
#include "store/sqlite/writer.h"

namespace cdp::store::sqlite {

class Backend final : public ProfileStore,
                      public EventStore,
                      public sql::SegmentEvaluator,
                      public sql::SubscriberPages,
                      public sql::MessageRows,
                      public sql::Executor {
 public:
  Backend(std::unique_ptr<Db> writer_db, int wal_fd, std::unique_ptr<Db> checkpoint_db,
          const SqliteOptions& options, WalLimits limits)
      : segment_index_(options.segment_memory),
        writer_(SqliteTransaction(std::move(writer_db), wal_fd, options.sync_log, &log_failure_,
                                  &profile_cache_, &changes_, &log_frames_, limits),
                WriterOptions(options)),
        checkpointer_(std::move(checkpoint_db), &log_frames_, limits) {}

  ReaderPool& readers() { return readers_; }

  Status WriteHealth() { return log_failure_.Get(); }

  // Runs f(Db&) on a read connection and leaves no statement open behind it, so the next
  // caller of that connection reads the latest committed data.
  template <typename F>
  auto ReadOn(F&& f) {
    return readers_.With([&](Db& db) {
      auto result = f(db);
      db.ResetStatements();
      return result;
    });
  }

  // sql::Executor, for the portable parts (store/sql/parts.h): a job on the writer, or on a
  // read connection.
  Status Write(const std::function<Status(sql::Connection&)>& job) override {
    return writer_.Submit([&](Db& db) -> Status {
      SqliteConnection c(db);
      return job(c);
    });
  }
  Status Read(const std::function<Status(sql::Connection&)>& job) override {
    return ReadOn([&](Db& db) -> Status {
      SqliteConnection c(db);
      return job(c);
    });
  }

  Result<std::vector<Status>> UpsertProfiles(std::string_view brand_id,
                                             std::vector<ProfileWrite> writes,
                                             int64_t now) override;

  Result<Profile> GetProfile(std::string_view brand_id, const ProfileKey& key) override;

  // Deletes the profile row first, so no new event can reach that profile id; then finds
  // the profile's remaining events on a read connection (a scan of the brand's entries of
  // events_by_name_week) and deletes them in chunks that each hold the writer only briefly.
  Status DeleteProfile(std::string_view brand_id, const ProfileKey& key) override;

  void AppendEventsAsync(std::string_view brand_id, std::vector<events::Event> events_in,
                         int64_t now, AppendDone done) override;

  Result<events::EventPage> QueryEventUsers(std::string_view brand_id,
                                            const events::EventQuery& q) override;

  Result<events::EventCounts> CountEvents(std::string_view brand_id,
                                          const events::EventQuery& q) override;

  Result<segments::AttributeTypes> GetAttributeTypes(std::string_view brand_id) override;

  // profile_reads.cc
  Result<std::vector<StoredEvent>> ListProfileEvents(std::string_view brand_id, int64_t profile_id,
                                                     const std::optional<EventPosition>& before,
                                                     size_t limit) override;
  Result<std::vector<DayCount>> CountEventsPerDay(std::string_view brand_id, int64_t from,
                                                  int64_t to, int64_t origin) override;
  Result<ProfileMatches> SearchProfiles(std::string_view brand_id, const ProfileSearch& q,
                                        size_t limit) override;
  Result<int64_t> CountProfiles(std::string_view brand_id) override;

  Result<int64_t> CountSegment(std::string_view brand_id, const segments::Node& rule,
                               int64_t now) override;

  Result<ProfilePage> SegmentMembers(std::string_view brand_id, const segments::Node& rule,
                                     int64_t now, int64_t after_profile, size_t limit) override;

  Result<ProfilePage> Subscribers(std::string_view brand_id, std::string_view platform,
                                  int64_t after_profile, size_t limit) override;

  Status AddMessages(std::string_view brand_id, std::string_view campaign_id,
                     const std::vector<Message>& messages) override;

  Result<std::vector<PendingMessage>> PendingMessages(std::string_view brand_id,
                                                      std::string_view campaign_id, int64_t now,
                                                      size_t limit) override;

  Result<MessageCounts> CountMessages(std::string_view brand_id,
                                      std::string_view campaign_id) override;

 private:
  ProfileIdCache profile_cache_;  // used by the writer thread only
  ChangeLog changes_;             // filled by the writer, read by the segment index
  SegmentIndex segment_index_;
  std::atomic<int> log_frames_{0};  // set by the writer after each commit
  LogFailure log_failure_;          // set by the syncer
  Writer writer_;
  WalCheckpointer checkpointer_;
  ReaderPool readers_;
};

}  // namespace cdp::store::sqlite
