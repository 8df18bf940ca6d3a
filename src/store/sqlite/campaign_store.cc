// The sending path's message rows (sql::MessageRows), left to this backend by the portable
// campaign part (store/sql/campaign_store.cc): recipients inserted on the one writer,
// pending messages read with their profiles straight from the statement, and counts from
// the table that triggers keep (migration 9).
#include "store/campaign_sql.h"
#include "store/sqlite/backend.h"
#include "store/sqlite/sqlite_db.h"

namespace cdp::store::sqlite {

namespace {

const sql::Query kAddMessage(
    "INSERT INTO campaign_messages (brand_id, campaign_id, profile_id, user_id, status, reason, "
    "address, attempts, next_attempt_at, response, updated_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) "
    "ON CONFLICT (brand_id, campaign_id, profile_id) DO NOTHING");
const sql::Query kCountMessages(
    "SELECT status, n FROM campaign_message_counts WHERE brand_id = $1 AND campaign_id = $2 "
    "AND n <> 0");

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

}  // namespace

Status Backend::AddMessages(std::string_view brand_id, std::string_view campaign_id,
                            const std::vector<Message>& messages) {
  return writer_.Submit([&](Db& db) -> Status {
    for (const Message& m : messages) {
      auto stmt = db.Prepare(kAddMessage.sqlite_text());
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

Result<std::vector<PendingMessage>> Backend::PendingMessages(std::string_view brand_id,
                                                             std::string_view campaign_id,
                                                             int64_t now, size_t limit) {
  return ReadOn([&](Db& db) -> Result<std::vector<PendingMessage>> {
    static const sql::Query pending(campaign_sql::PendingMessagesSql(ProfileColumns("p.")));
    auto stmt = db.Prepare(pending.sqlite_text());
    if (!stmt.ok()) return std::move(stmt).take_status();
    stmt->Bind(1, brand_id).Bind(2, campaign_id).Bind(3, now).Bind(4, static_cast<int64_t>(limit));
    return AllRows<PendingMessage>(*stmt, [](const Stmt& s) {
      PendingMessage pm{ReadMessage(s), std::nullopt};
      if (!s.IsNull(campaign_sql::kMessageColumnCount))
        pm.profile = ReadProfile(s, campaign_sql::kMessageColumnCount);
      return pm;
    });
  });
}

Result<MessageCounts> Backend::CountMessages(std::string_view brand_id,
                                             std::string_view campaign_id) {
  return ReadOn([&](Db& db) -> Result<MessageCounts> {
    auto stmt = db.Prepare(kCountMessages.sqlite_text());
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

}  // namespace cdp::store::sqlite
