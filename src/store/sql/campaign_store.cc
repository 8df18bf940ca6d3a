#include <fmt/format.h>

#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/sql/parts.h"
#include "store/sql/rows.h"

namespace cdp::store::sql {
namespace {

// The columns ReadCampaign reads, in order.
#define CDP_CAMPAIGN_COLUMNS                                                                \
  "brand_id, id, name, channel, target, content, status, send_at, created_at, updated_at, " \
  "started_at, finished_at, materialized, options"
const Query kInsertCampaign("INSERT INTO campaigns (" CDP_CAMPAIGN_COLUMNS
                            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, "
                            "$14)");
const Query kGetCampaign("SELECT " CDP_CAMPAIGN_COLUMNS
                         " FROM campaigns WHERE brand_id = $1 AND id = $2");
const Query kListCampaigns("SELECT " CDP_CAMPAIGN_COLUMNS
                           " FROM campaigns WHERE brand_id = $1 ORDER BY created_at DESC, id");
// $15: the statuses the campaign may be in, comma-separated.
const Query kSaveCampaign(
    "UPDATE campaigns SET name = $3, channel = $4, target = $5, content = $6, status = $7, "
    "send_at = $8, created_at = $9, updated_at = $10, started_at = $11, finished_at = $12, "
    "materialized = $13, options = $14 WHERE brand_id = $1 AND id = $2 "
    "AND (',' || $15 || ',') LIKE ('%,' || status || ',%')");
const Query kCampaignStatus("SELECT status FROM campaigns WHERE brand_id = $1 AND id = $2");
const Query kSkipQueuedMessages(
    "UPDATE campaign_messages SET status = 'skipped', reason = 'campaign cancelled', "
    "updated_at = $3 WHERE brand_id = $1 AND campaign_id = $2 AND status = 'queued'");
// $1 now, $2 node, $3 lease end.
const Query kClaimCampaigns(
    "UPDATE campaigns SET status = 'sending', started_at = COALESCE(started_at, $1), "
    "owner = $2, lease_until = $3 "
    "WHERE (status = 'scheduled' AND send_at <= $1) "
    "OR (status = 'sending' AND (owner IS NULL OR owner = $2 OR lease_until < $1)) "
    "RETURNING " CDP_CAMPAIGN_COLUMNS);
#undef CDP_CAMPAIGN_COLUMNS
const Query kRecordMessage(
    "UPDATE campaign_messages SET status = $4, reason = $5, address = $6, attempts = $7, "
    "next_attempt_at = $8, response = $9, updated_at = $10 "
    "WHERE brand_id = $1 AND campaign_id = $2 AND profile_id = $3");

// Feedback: $1 brand, $2 campaign, $3 profile, $4 kind, $5 detail, $6 at.
const Query kMessageExists(
    "SELECT 1 FROM campaign_messages WHERE brand_id = $1 AND campaign_id = $2 AND profile_id = $3");
const Query kInsertFeedback(
    "INSERT INTO message_events (brand_id, campaign_id, profile_id, kind, detail, at) "
    "VALUES ($1, $2, $3, $4, $5, $6)");
// $4: the new delivery state.
const Query kSetDelivery(
    "UPDATE campaign_messages SET delivery = $4 "
    "WHERE brand_id = $1 AND campaign_id = $2 AND profile_id = $3");
// $2: the recipient's profile, $3 the new value, $4 now.
const Query kSetEmailOptIn(
    "UPDATE profiles SET email_opt_in = $3, updated_at = $4 WHERE brand_id = $1 AND id = $2");

// Reports.
const Query kMessageGroups(
    "SELECT status, delivery, CASE WHEN status = 'skipped' THEN reason ELSE '' END AS why, "
    "COUNT(*) FROM campaign_messages WHERE brand_id = $1 AND campaign_id = $2 "
    "GROUP BY status, delivery, why");
const Query kFeedbackGroups(
    "SELECT kind, COUNT(*), COUNT(DISTINCT profile_id) FROM message_events "
    "WHERE brand_id = $1 AND campaign_id = $2 GROUP BY kind");
// $3: how many.
const Query kTopLinks(
    "SELECT detail, COUNT(*) AS total, COUNT(DISTINCT profile_id) FROM message_events "
    "WHERE brand_id = $1 AND campaign_id = $2 AND kind = 'click' "
    "GROUP BY detail ORDER BY total DESC, detail LIMIT $3");
// $3: the conversion event's name, $4 the window in micros after the send. The weeks
// (ts / 7 days) of the window are SQLite's events_by_name_week range; PostgreSQL seeks
// (brand, name, profile) and tests them on the few rows it reads.
const Query kConversions(
    "SELECT COUNT(*) FROM campaign_messages m WHERE m.brand_id = $1 AND m.campaign_id = $2 "
    "AND m.status = 'sent' AND EXISTS (SELECT 1 FROM events e WHERE e.brand_id = $1 "
    "AND e.name = $3 AND e.profile_id = m.profile_id AND e.ts >= m.updated_at "
    "AND e.ts < m.updated_at + $4 AND e.ts / 604800000000 >= m.updated_at / 604800000000 "
    "AND e.ts / 604800000000 <= (m.updated_at + $4 - 1) / 604800000000)");
// $2: a campaign, or '' for all; $3 bucket micros; [$4, $5) the range.
const Query kTimeline(
    "SELECT bucket, kind, COUNT(*) FROM ("
    "SELECT (updated_at / $3) * $3 AS bucket, status AS kind FROM campaign_messages "
    "WHERE brand_id = $1 AND ($2 = '' OR campaign_id = $2) "
    "AND status IN ('sent', 'failed', 'skipped') AND updated_at >= $4 AND updated_at < $5 "
    "UNION ALL SELECT (at / $3) * $3 AS bucket, kind FROM message_events "
    "WHERE brand_id = $1 AND ($2 = '' OR campaign_id = $2) AND at >= $4 AND at < $5"
    ") t GROUP BY bucket, kind ORDER BY bucket, kind");

// A profile's messages, newest first, before ($3 updated_at, $4 campaign id); $5 how many.
// Seeks campaign_messages_by_profile and sorts the profile's messages (a few per campaign
// it was in): keyed by profile alone, the index never moves when a message's state
// changes, and a campaign's recipients, added in profile order, insert in order.
const Query kProfileMessages(
    "SELECT m.campaign_id, c.name, c.channel, m.status, m.reason, m.address, m.attempts, "
    "m.updated_at FROM campaign_messages m JOIN campaigns c "
    "ON c.brand_id = m.brand_id AND c.id = m.campaign_id "
    "WHERE m.brand_id = $1 AND m.profile_id = $2 "
    "AND (m.updated_at < $3 OR (m.updated_at = $3 AND m.campaign_id < $4)) "
    "ORDER BY m.updated_at DESC, m.campaign_id DESC LIMIT $5");
// Seeks message_events_by_profile.
const Query kMessageFeedback(
    "SELECT kind, detail, at FROM message_events "
    "WHERE brand_id = $1 AND profile_id = $2 AND campaign_id = $3 ORDER BY at, kind, detail");
// A range of campaign_messages_by_time, which covers it.
const Query kMessagesUpdated(
    "SELECT status, COUNT(*) FROM campaign_messages "
    "WHERE brand_id = $1 AND updated_at >= $2 AND updated_at < $3 GROUP BY status");

Status NoCampaign(std::string_view id) { return NotFound(fmt::format("no campaign '{}'", id)); }

Campaign ReadCampaign(const Rows& r, int row) {
  Campaign c;
  c.brand_id = r.Text(row, 0);
  c.id = r.Text(row, 1);
  c.name = r.Text(row, 2);
  c.channel = r.Text(row, 3);
  c.target = r.Text(row, 4);
  c.content = r.Text(row, 5);
  c.status = r.Text(row, 6);
  c.send_at = r.OptInt(row, 7);
  c.created_at = r.Int(row, 8);
  c.updated_at = r.Int(row, 9);
  c.started_at = r.OptInt(row, 10);
  c.finished_at = r.OptInt(row, 11);
  c.materialized = r.Int(row, 12) != 0;
  c.options = r.Text(row, 13);
  return c;
}

// Every column of kInsertCampaign / kSaveCampaign ($1..$14).
Params CampaignParams(const Campaign& c) {
  Params p;
  p.Add(c.brand_id).Add(c.id).Add(c.name).Add(c.channel).Add(c.target).Add(c.content);
  p.Add(c.status).Add(c.send_at).Add(c.created_at).Add(c.updated_at).Add(c.started_at);
  p.Add(c.finished_at).Add(c.materialized).Add(c.options);
  return p;
}

// What a feedback kind changes besides being recorded (CampaignStore::RecordFeedback).
struct FeedbackEffect {
  std::optional<std::string_view> delivery;  // the message's new delivery state
  std::optional<int64_t> email_opt_in;       // the recipient's new email_opt_in
};
FeedbackEffect EffectOf(std::string_view kind) {
  if (kind == kFeedbackBounce) return {"bounced", 2};
  if (kind == kFeedbackComplaint || kind == kFeedbackUnsubscribe) return {std::nullopt, 0};
  if (kind == kFeedbackDelivered || kind == kFeedbackUndelivered) return {kind, std::nullopt};
  return {};
}

class PortableCampaignStore final : public CampaignStore {
 public:
  PortableCampaignStore(Executor& executor, std::shared_ptr<MessageRows> messages)
      : executor_(executor), messages_(std::move(messages)) {}

  Status CreateCampaign(const Campaign& campaign) override {
    return executor_.Write([&](Connection& c) -> Status {
      return c.Exec(kInsertCampaign, CampaignParams(campaign)).status();
    });
  }

  Result<Campaign> GetCampaign(std::string_view brand_id, std::string_view id) override {
    auto found = ReadAll<Campaign>(executor_, kGetCampaign, Params().Add(brand_id).Add(id),
                                   ReadCampaign);
    if (!found.ok()) return std::move(found).take_status();
    if (found->empty()) return NoCampaign(id);
    return std::move(found->front());
  }

  Result<std::vector<Campaign>> ListCampaigns(std::string_view brand_id) override {
    return ReadAll<Campaign>(executor_, kListCampaigns, Params().Add(brand_id), ReadCampaign);
  }

  Status SaveCampaign(const Campaign& campaign, std::vector<std::string_view> from) override {
    std::string allowed;
    for (auto f : from) {
      if (!allowed.empty()) allowed += ',';
      allowed += f;
    }
    return executor_.Write([&](Connection& c) -> Status {
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
    Status st = executor_.Write([&](Connection& c) -> Status {
      auto rows = c.Exec(kClaimCampaigns, Params().Add(now).Add(node).Add(lease_until));
      if (!rows.ok()) return std::move(rows).take_status();
      claimed = AllOf<Campaign>(*rows, ReadCampaign);
      return Status::Ok();
    });
    if (!st.ok()) return st;
    return claimed;
  }

  Status AddMessages(std::string_view brand_id, std::string_view campaign_id,
                     const std::vector<Message>& messages) override {
    return messages_->AddMessages(brand_id, campaign_id, messages);
  }

  Result<std::vector<PendingMessage>> PendingMessages(std::string_view brand_id,
                                                      std::string_view campaign_id, int64_t now,
                                                      size_t limit) override {
    return messages_->PendingMessages(brand_id, campaign_id, now, limit);
  }

  Status RecordMessages(std::string_view brand_id, std::string_view campaign_id,
                        const std::vector<Message>& messages) override {
    return executor_.Write([&](Connection& c) -> Status {
      for (const Message& m : messages) {
        CDP_RETURN_IF_ERROR(c.Exec(kRecordMessage, Params()
                                                       .Add(brand_id)
                                                       .Add(campaign_id)
                                                       .Add(m.profile_id)
                                                       .Add(m.status)
                                                       .Add(m.reason)
                                                       .Add(m.address)
                                                       .Add(m.attempts)
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
    return messages_->CountMessages(brand_id, campaign_id);
  }

  Status RecordFeedback(std::string_view brand_id, const Feedback& f) override {
    return executor_.Write([&](Connection& c) -> Status {
      auto found =
          c.Exec(kMessageExists, Params().Add(brand_id).Add(f.campaign_id).Add(f.profile_id));
      if (!found.ok()) return std::move(found).take_status();
      if (found->empty())
        return NotFound(fmt::format("campaign '{}' has no such message", f.campaign_id));
      CDP_RETURN_IF_ERROR(c.Exec(kInsertFeedback, Params()
                                                      .Add(brand_id)
                                                      .Add(f.campaign_id)
                                                      .Add(f.profile_id)
                                                      .Add(f.kind)
                                                      .Add(f.detail)
                                                      .Add(f.at))
                              .status());
      const FeedbackEffect effect = EffectOf(f.kind);
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
    CampaignActivity out;
    Status st = executor_.Read([&](Connection& c) -> Status {
      const Params campaign = Params().Add(brand_id).Add(campaign_id);
      auto groups = c.Exec(kMessageGroups, campaign);
      if (!groups.ok()) return std::move(groups).take_status();
      out.messages = AllOf<CampaignActivity::Messages>(*groups, [](const Rows& r, int i) {
        return CampaignActivity::Messages{r.Text(i, 0), r.Text(i, 1), r.Text(i, 2), r.Int(i, 3)};
      });
      auto kinds = c.Exec(kFeedbackGroups, campaign);
      if (!kinds.ok()) return std::move(kinds).take_status();
      out.feedback = AllOf<CampaignActivity::Kind>(*kinds, [](const Rows& r, int i) {
        return CampaignActivity::Kind{r.Text(i, 0), r.Int(i, 1), r.Int(i, 2)};
      });
      auto links =
          c.Exec(kTopLinks, Params(campaign).Add(static_cast<int64_t>(top_links)));
      if (!links.ok()) return std::move(links).take_status();
      out.top_links = AllOf<CampaignActivity::Link>(*links, [](const Rows& r, int i) {
        return CampaignActivity::Link{r.Text(i, 0), r.Int(i, 1), r.Int(i, 2)};
      });
      if (!conversion) return Status::Ok();
      auto n = c.Exec(kConversions,
                      Params(campaign).Add(conversion->event_name).Add(conversion->window));
      if (!n.ok()) return std::move(n).take_status();
      out.conversions = n->empty() ? 0 : n->Int(0, 0);
      return Status::Ok();
    });
    if (!st.ok()) return st;
    return out;
  }

  Result<std::vector<TimelinePoint>> GetTimeline(std::string_view brand_id,
                                                 std::string_view campaign_id, int64_t from,
                                                 int64_t to, int64_t bucket) override {
    return ReadAll<TimelinePoint>(
        executor_, kTimeline, Params().Add(brand_id).Add(campaign_id).Add(bucket).Add(from).Add(to),
        [](const Rows& r, int i) { return TimelinePoint{r.Int(i, 0), r.Text(i, 1), r.Int(i, 2)}; });
  }

  Result<std::vector<ProfileMessage>> ListProfileMessages(
      std::string_view brand_id, int64_t profile_id, const std::optional<MessagePosition>& before,
      size_t limit) override {
    std::vector<ProfileMessage> out;
    Status st = executor_.Read([&](Connection& c) -> Status {
      const MessagePosition start =
          before.value_or(MessagePosition{std::numeric_limits<int64_t>::max(), ""});
      auto rows = c.Exec(kProfileMessages, Params()
                                               .Add(brand_id)
                                               .Add(profile_id)
                                               .Add(start.updated_at)
                                               .Add(start.campaign_id)
                                               .Add(static_cast<int64_t>(limit)));
      if (!rows.ok()) return std::move(rows).take_status();
      out = AllOf<ProfileMessage>(*rows, [&](const Rows& r, int i) {
        ProfileMessage pm{r.Text(i, 0), r.Text(i, 1), r.Text(i, 2), {}, {}};
        pm.message.profile_id = profile_id;
        pm.message.status = r.Text(i, 3);
        pm.message.reason = r.Text(i, 4);
        pm.message.address = r.Text(i, 5);
        pm.message.attempts = static_cast<int>(r.Int(i, 6));
        pm.message.updated_at = r.Int(i, 7);
        return pm;
      });
      for (ProfileMessage& pm : out) {
        auto fb = c.Exec(kMessageFeedback, Params().Add(brand_id).Add(profile_id).Add(pm.campaign_id));
        if (!fb.ok()) return std::move(fb).take_status();
        pm.feedback = AllOf<Feedback>(*fb, [&](const Rows& r, int i) {
          return Feedback{pm.campaign_id, profile_id, r.Text(i, 0), r.Text(i, 1), r.Int(i, 2)};
        });
      }
      return Status::Ok();
    });
    if (!st.ok()) return st;
    return out;
  }

  Result<MessageCounts> CountMessagesUpdated(std::string_view brand_id, int64_t from,
                                             int64_t to) override {
    MessageCounts counts;
    Status st = executor_.Read([&](Connection& c) -> Status {
      auto rows = c.Exec(kMessagesUpdated, Params().Add(brand_id).Add(from).Add(to));
      if (!rows.ok()) return std::move(rows).take_status();
      for (int i = 0; i < rows->size(); ++i) counts.Add(rows->Text(i, 0), rows->Int(i, 1));
      return Status::Ok();
    });
    if (!st.ok()) return st;
    return counts;
  }

 private:
  Executor& executor_;
  const std::shared_ptr<MessageRows> messages_;
};

}  // namespace

std::unique_ptr<CampaignStore> NewCampaignStore(Executor& executor,
                                                std::shared_ptr<MessageRows> messages) {
  return std::make_unique<PortableCampaignStore>(executor, std::move(messages));
}

}  // namespace cdp::store::sql
