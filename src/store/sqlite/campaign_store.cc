#include <fmt/format.h>

#include "store/campaign_sql.h"
#include "store/sqlite/backend.h"
#include "store/sqlite/sqlite_db.h"

namespace cdp::store::sqlite {

namespace {

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

}  // namespace

Status Backend::CreateCampaign(const Campaign& c) {
  return writer_.Submit([&](Db& db) -> Status {
    static const std::string sql = campaign_sql::ForSqlite(campaign_sql::kInsertCampaign);
    auto stmt = db.Prepare(sql);
    if (!stmt.ok()) return std::move(stmt).take_status();
    BindCampaign(*stmt, c);
    return stmt->Run();
  });
}

Result<Campaign> Backend::GetCampaign(std::string_view brand_id, std::string_view id) {
  return ReadOn([&](Db& db) -> Result<Campaign> {
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

Result<std::vector<Campaign>> Backend::ListCampaigns(std::string_view brand_id) {
  return ReadOn([&](Db& db) -> Result<std::vector<Campaign>> {
    static const std::string sql = campaign_sql::ForSqlite(campaign_sql::kListCampaigns);
    auto stmt = db.Prepare(sql);
    if (!stmt.ok()) return std::move(stmt).take_status();
    stmt->Bind(1, brand_id);
    return AllRows<Campaign>(*stmt, ReadCampaign);
  });
}

Status Backend::SaveCampaign(const Campaign& c, std::vector<std::string_view> from) {
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

Result<std::vector<Campaign>> Backend::ClaimCampaigns(std::string_view node, int64_t now,
                                                      int64_t lease_until) {
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

Status Backend::AddMessages(std::string_view brand_id, std::string_view campaign_id,
                            const std::vector<Message>& messages) {
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

Result<std::vector<PendingMessage>> Backend::PendingMessages(std::string_view brand_id,
                                                             std::string_view campaign_id,
                                                             int64_t now, size_t limit) {
  return ReadOn([&](Db& db) -> Result<std::vector<PendingMessage>> {
    static const std::string sql =
        campaign_sql::ForSqlite(campaign_sql::PendingMessagesSql(ProfileColumns("p.")));
    auto stmt = db.Prepare(sql);
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

Status Backend::RecordMessages(std::string_view brand_id, std::string_view campaign_id,
                               const std::vector<Message>& messages) {
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

Result<MessageCounts> Backend::CountMessages(std::string_view brand_id,
                                             std::string_view campaign_id) {
  return ReadOn([&](Db& db) -> Result<MessageCounts> {
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

}  // namespace cdp::store::sqlite
