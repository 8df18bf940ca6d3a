// The sending path's message rows (sql::MessageRows), left to this backend by the portable
// campaign part (store/sql/campaign_store.cc): a page of recipients inserted as arrays in
// one statement, pending messages read with their profiles, and counts by status.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/campaign_sql.h"
#include "store/postgres/parts.h"
#include "store/postgres/rows.h"

namespace cdp::store::postgres {
namespace {

const Sql kCountMessages{
    "cdp_count_messages",
    "SELECT status, COUNT(*) FROM campaign_messages WHERE brand_id = $1 AND campaign_id = $2 "
    "GROUP BY status"};
// Many recipients in one statement: one array per column.
const Sql kAddMessages{
    "cdp_add_messages",
    "INSERT INTO campaign_messages (brand_id, campaign_id, profile_id, user_id, status, reason, "
    "address, attempts, next_attempt_at, response, updated_at) "
    "SELECT $1, $2, u.* FROM unnest($3::bigint[], $4::text[], $5::text[], $6::text[], "
    "$7::text[], $8::integer[], $9::bigint[], $10::text[], $11::bigint[]) AS u "
    "ON CONFLICT (brand_id, campaign_id, profile_id) DO NOTHING"};

Message ReadMessage(const Rows& r, int row) {
  Message m;
  m.profile_id = r.Int(row, 0);
  m.user_id = r.Text(row, 1);
  m.status = r.Text(row, 2);
  m.reason = r.Text(row, 3);
  m.address = r.Text(row, 4);
  m.attempts = static_cast<int>(r.Int(row, 5));
  m.next_attempt_at = r.Int(row, 6);
  m.response = r.Text(row, 7);
  m.updated_at = r.Int(row, 8);
  return m;
}

class PostgresMessageRows final : public sql::MessageRows {
 public:
  explicit PostgresMessageRows(Backend& backend) : backend_(backend) {}

  Status AddMessages(std::string_view brand_id, std::string_view campaign_id,
                     const std::vector<Message>& messages) override {
    std::vector<std::optional<std::string>> cols[9];
    for (const Message& m : messages) {
      cols[0].push_back(std::to_string(m.profile_id));
      cols[1].push_back(m.user_id);
      cols[2].push_back(m.status);
      cols[3].push_back(m.reason);
      cols[4].push_back(m.address);
      cols[5].push_back(std::to_string(m.attempts));
      cols[6].push_back(std::to_string(m.next_attempt_at));
      cols[7].push_back(m.response);
      cols[8].push_back(std::to_string(m.updated_at));
    }
    Params params;
    params.Add(brand_id).Add(campaign_id);
    for (const auto& col : cols) params.AddArray(col);
    return backend_.Submit(
        [&](Conn& c) -> Status { return c.Exec(kAddMessages, params).status(); });
  }

  Result<std::vector<PendingMessage>> PendingMessages(std::string_view brand_id,
                                                      std::string_view campaign_id, int64_t now,
                                                      size_t limit) override {
    static const Sql pending{"cdp_pending_messages",
                             campaign_sql::PendingMessagesSql(ProfileColumns("p."))};
    return backend_.WithReader([&](Conn& c) -> Result<std::vector<PendingMessage>> {
      auto rows =
          c.Exec(pending,
                 Params().Add(brand_id).Add(campaign_id).Add(now).Add(static_cast<int64_t>(limit)));
      if (!rows.ok()) return std::move(rows).take_status();
      std::vector<PendingMessage> out;
      constexpr int kProfile = campaign_sql::kMessageColumnCount;
      for (int i = 0; i < rows->size(); ++i) {
        PendingMessage pm{ReadMessage(*rows, i), std::nullopt};
        if (!rows->IsNull(i, kProfile)) pm.profile = ReadProfile(*rows, i, kProfile);
        out.push_back(std::move(pm));
      }
      return out;
    });
  }

  Result<MessageCounts> CountMessages(std::string_view brand_id,
                                      std::string_view campaign_id) override {
    return backend_.WithReader([&](Conn& c) -> Result<MessageCounts> {
      auto rows = c.Exec(kCountMessages, Params().Add(brand_id).Add(campaign_id));
      if (!rows.ok()) return std::move(rows).take_status();
      MessageCounts counts;
      for (int i = 0; i < rows->size(); ++i) counts.Add(rows->Text(i, 0), rows->Int(i, 1));
      return counts;
    });
  }

 private:
  Backend& backend_;
};

}  // namespace

std::shared_ptr<sql::MessageRows> NewMessageRows(Backend& backend) {
  return std::make_shared<PostgresMessageRows>(backend);
}

}  // namespace cdp::store::postgres
