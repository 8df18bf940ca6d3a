#include <fmt/format.h>

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

Status NoCampaign(std::string_view id) { return NotFound(fmt::format("no campaign '{}'", id)); }

const Sql kInsertCampaign{"cdp_insert_campaign", campaign_sql::kInsertCampaign};
const Sql kGetCampaign{"cdp_get_campaign", campaign_sql::kGetCampaign};
const Sql kListCampaigns{"cdp_list_campaigns", campaign_sql::kListCampaigns};
const Sql kSaveCampaign{"cdp_save_campaign", campaign_sql::kSaveCampaign};
const Sql kCampaignStatus{"cdp_campaign_status", campaign_sql::kCampaignStatus};
const Sql kSkipQueuedMessages{"cdp_skip_queued_messages", campaign_sql::kSkipQueuedMessages};
const Sql kClaimCampaigns{"cdp_claim_campaigns", campaign_sql::kClaimCampaigns};
const Sql kRecordMessage{"cdp_record_message", campaign_sql::kRecordMessage};
const Sql kCountMessages{"cdp_count_messages", campaign_sql::kCountMessages};
const Sql kMessageExists{"cdp_message_exists", campaign_sql::kMessageExists};
const Sql kInsertFeedback{"cdp_insert_feedback", campaign_sql::kInsertFeedback};
const Sql kSetDelivery{"cdp_set_delivery", campaign_sql::kSetDelivery};
const Sql kSetEmailOptIn{"cdp_set_email_opt_in", campaign_sql::kSetEmailOptIn};
const Sql kMessageGroups{"cdp_message_groups", campaign_sql::kMessageGroups};
const Sql kFeedbackGroups{"cdp_feedback_groups", campaign_sql::kFeedbackGroups};
const Sql kTopLinks{"cdp_top_links", campaign_sql::kTopLinks};
const Sql kConversions{"cdp_conversions", campaign_sql::kConversions};
const Sql kTimeline{"cdp_timeline", campaign_sql::kTimeline};
// Many recipients in one statement: one array per column.
const Sql kAddMessages{
    "cdp_add_messages",
    "INSERT INTO campaign_messages (brand_id, campaign_id, profile_id, user_id, status, reason, "
    "address, attempts, next_attempt_at, response, updated_at) "
    "SELECT $1, $2, u.* FROM unnest($3::bigint[], $4::text[], $5::text[], $6::text[], "
    "$7::text[], $8::integer[], $9::bigint[], $10::text[], $11::bigint[]) AS u "
    "ON CONFLICT (brand_id, campaign_id, profile_id) DO NOTHING"};

Params& AddOpt(Params& p, const std::optional<int64_t>& v) { return v ? p.Add(*v) : p.AddNull(); }

Campaign ReadCampaign(const Rows& r, int row) {
  Campaign c;
  c.brand_id = r.Text(row, 0);
  c.id = r.Text(row, 1);
  c.name = r.Text(row, 2);
  c.channel = r.Text(row, 3);
  c.target = r.Text(row, 4);
  c.content = r.Text(row, 5);
  c.status = r.Text(row, 6);
  c.send_at = OptInt(r, row, 7);
  c.created_at = r.Int(row, 8);
  c.updated_at = r.Int(row, 9);
  c.started_at = OptInt(r, row, 10);
  c.finished_at = OptInt(r, row, 11);
  c.materialized = r.Int(row, 12) != 0;
  c.options = r.Text(row, 13);
  return c;
}

// Every column of kInsertCampaign / kSaveCampaign ($1..$14).
Params CampaignParams(const Campaign& c) {
  Params p;
  p.Add(c.brand_id).Add(c.id).Add(c.name).Add(c.channel).Add(c.target).Add(c.content);
  p.Add(c.status);
  AddOpt(p, c.send_at).Add(c.created_at).Add(c.updated_at);
  AddOpt(p, c.started_at);
  AddOpt(p, c.finished_at).Add(static_cast<int64_t>(c.materialized ? 1 : 0)).Add(c.options);
  return p;
}

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

class PostgresCampaignStore final : public CampaignStore {
 public:
  explicit PostgresCampaignStore(Backend& backend) : backend_(backend) {}

  Status CreateCampaign(const Campaign& campaign) override {
    return backend_.Submit([&](Conn& c) -> Status {
      return c.Exec(kInsertCampaign, CampaignParams(campaign)).status();
    });
  }

  Result<Campaign> GetCampaign(std::string_view brand_id, std::string_view id) override {
    return backend_.WithReader([&](Conn& c) -> Result<Campaign> {
      auto rows = c.Exec(kGetCampaign, Params().Add(brand_id).Add(id));
      if (!rows.ok()) return std::move(rows).take_status();
      if (rows->empty()) return NoCampaign(id);
      return ReadCampaign(*rows, 0);
    });
  }

  Result<std::vector<Campaign>> ListCampaigns(std::string_view brand_id) override {
    return backend_.WithReader([&](Conn& c) -> Result<std::vector<Campaign>> {
      auto rows = c.Exec(kListCampaigns, Params().Add(brand_id));
      if (!rows.ok()) return std::move(rows).take_status();
      std::vector<Campaign> out;
      for (int i = 0; i < rows->size(); ++i) out.push_back(ReadCampaign(*rows, i));
      return out;
    });
  }

  Status SaveCampaign(const Campaign& campaign, std::vector<std::string_view> from) override {
    std::string allowed;
    for (auto f : from) allowed += (allowed.empty() ? "" : ",") + std::string(f);
    return backend_.Submit([&](Conn& c) -> Status {
      auto saved = c.Exec(kSaveCampaign, CampaignParams(campaign).Add(allowed));
      if (!saved.ok()) return std::move(saved).take_status();
      if (saved->Affected() == 0) {
        auto current = c.Exec(kCampaignStatus, Params().Add(campaign.brand_id).Add(campaign.id));
        if (!current.ok()) return std::move(current).take_status();
        if (current->empty()) return NoCampaign(campaign.id);
        return FailedPrecondition(
            fmt::format("campaign '{}' is {}", campaign.id, current->Text(0, 0)));
      }
      if (campaign.status != kCampaignCancelled) return Status::Ok();
      return c
          .Exec(kSkipQueuedMessages,
                Params().Add(campaign.brand_id).Add(campaign.id).Add(campaign.updated_at))
          .status();
    });
  }

  Result<std::vector<Campaign>> ClaimCampaigns(std::string_view node, int64_t now,
                                               int64_t lease_until) override {
    std::vector<Campaign> claimed;
    Status st = backend_.Submit([&](Conn& c) -> Status {
      claimed.clear();
      auto rows = c.Exec(kClaimCampaigns, Params().Add(now).Add(node).Add(lease_until));
      if (!rows.ok()) return std::move(rows).take_status();
      for (int i = 0; i < rows->size(); ++i) claimed.push_back(ReadCampaign(*rows, i));
      return Status::Ok();
    });
    if (!st.ok()) return st;
    return claimed;
  }

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

  Status RecordMessages(std::string_view brand_id, std::string_view campaign_id,
                        const std::vector<Message>& messages) override {
    return backend_.Submit([&](Conn& c) -> Status {
      for (const Message& m : messages) {
        CDP_RETURN_IF_ERROR(c.Exec(kRecordMessage, Params()
                                                       .Add(brand_id)
                                                       .Add(campaign_id)
                                                       .Add(m.profile_id)
                                                       .Add(m.status)
                                                       .Add(m.reason)
                                                       .Add(m.address)
                                                       .Add(static_cast<int64_t>(m.attempts))
                                                       .Add(m.next_attempt_at)
                                                       .Add(m.response)
                                                       .Add(m.updated_at))
                                .status());
      }
      return Status::Ok();
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

  Status RecordFeedback(std::string_view brand_id, const Feedback& f) override {
    return backend_.Submit([&](Conn& c) -> Status {
      auto found =
          c.Exec(kMessageExists, Params().Add(brand_id).Add(f.campaign_id).Add(f.profile_id));
      if (!found.ok()) return std::move(found).take_status();
      if (found->size() == 0)
        return NotFound(fmt::format("campaign '{}' has no such message", f.campaign_id));
      CDP_RETURN_IF_ERROR(c.Exec(kInsertFeedback, Params()
                                                      .Add(brand_id)
                                                      .Add(f.campaign_id)
                                                      .Add(f.profile_id)
                                                      .Add(f.kind)
                                                      .Add(f.detail)
                                                      .Add(f.at))
                              .status());
      const campaign_sql::FeedbackEffect effect = campaign_sql::EffectOf(f.kind);
      if (effect.delivery)
        CDP_RETURN_IF_ERROR(
            c.Exec(
                 kSetDelivery,
                 Params().Add(brand_id).Add(f.campaign_id).Add(f.profile_id).Add(*effect.delivery))
                .status());
      if (effect.email_opt_in)
        CDP_RETURN_IF_ERROR(
            c.Exec(kSetEmailOptIn,
                   Params().Add(brand_id).Add(f.profile_id).Add(*effect.email_opt_in).Add(f.at))
                .status());
      return Status::Ok();
    });
  }

  Result<CampaignActivity> GetCampaignActivity(std::string_view brand_id,
                                               std::string_view campaign_id,
                                               const std::optional<Conversion>& conversion,
                                               size_t top_links) override {
    return backend_.WithReader([&](Conn& c) -> Result<CampaignActivity> {
      CampaignActivity out;
      auto groups = c.Exec(kMessageGroups, Params().Add(brand_id).Add(campaign_id));
      if (!groups.ok()) return std::move(groups).take_status();
      for (int i = 0; i < groups->size(); ++i)
        out.messages.push_back({std::string(groups->Text(i, 0)), std::string(groups->Text(i, 1)),
                                std::string(groups->Text(i, 2)), groups->Int(i, 3)});
      auto kinds = c.Exec(kFeedbackGroups, Params().Add(brand_id).Add(campaign_id));
      if (!kinds.ok()) return std::move(kinds).take_status();
      for (int i = 0; i < kinds->size(); ++i)
        out.feedback.push_back(
            {std::string(kinds->Text(i, 0)), kinds->Int(i, 1), kinds->Int(i, 2)});
      auto links = c.Exec(
          kTopLinks, Params().Add(brand_id).Add(campaign_id).Add(static_cast<int64_t>(top_links)));
      if (!links.ok()) return std::move(links).take_status();
      for (int i = 0; i < links->size(); ++i)
        out.top_links.push_back(
            {std::string(links->Text(i, 0)), links->Int(i, 1), links->Int(i, 2)});
      if (conversion) {
        auto n = c.Exec(kConversions, Params()
                                          .Add(brand_id)
                                          .Add(campaign_id)
                                          .Add(conversion->event_name)
                                          .Add(conversion->window));
        if (!n.ok()) return std::move(n).take_status();
        out.conversions = n->Int(0, 0);
      }
      return out;
    });
  }

  Result<std::vector<TimelinePoint>> GetTimeline(std::string_view brand_id,
                                                 std::string_view campaign_id, int64_t from,
                                                 int64_t to, int64_t bucket) override {
    return backend_.WithReader([&](Conn& c) -> Result<std::vector<TimelinePoint>> {
      auto rows =
          c.Exec(kTimeline, Params().Add(brand_id).Add(campaign_id).Add(bucket).Add(from).Add(to));
      if (!rows.ok()) return std::move(rows).take_status();
      std::vector<TimelinePoint> out;
      for (int i = 0; i < rows->size(); ++i)
        out.push_back({rows->Int(i, 0), std::string(rows->Text(i, 1)), rows->Int(i, 2)});
      return out;
    });
  }

 private:
  Backend& backend_;
};

}  // namespace

std::unique_ptr<CampaignStore> NewCampaignStore(Backend& backend) {
  return std::make_unique<PostgresCampaignStore>(backend);
}

}  // namespace cdp::store::postgres
