#include <fmt/format.h>

#include "store/campaign_sql.h"
#include "store/sqlite/backend.h"
#include "store/sqlite/sqlite_db.h"

namespace cdp::store::sqlite {

Status Backend::RecordFeedback(std::string_view brand_id, const Feedback& f) {
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

Result<CampaignActivity> Backend::GetCampaignActivity(std::string_view brand_id,
                                                      std::string_view campaign_id,
                                                      const std::optional<Conversion>& conversion,
                                                      size_t top_links) {
  return ReadOn([&](Db& db) -> Result<CampaignActivity> {
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

Result<std::vector<TimelinePoint>> Backend::GetTimeline(std::string_view brand_id,
                                                        std::string_view campaign_id, int64_t from,
                                                        int64_t to, int64_t bucket) {
  return ReadOn([&](Db& db) -> Result<std::vector<TimelinePoint>> {
    static const std::string sql = campaign_sql::ForSqlite(campaign_sql::kTimeline);
    auto stmt = db.Prepare(sql);
    if (!stmt.ok()) return std::move(stmt).take_status();
    stmt->Bind(1, brand_id).Bind(2, campaign_id).Bind(3, bucket).Bind(4, from).Bind(5, to);
    return AllRows<TimelinePoint>(*stmt, [](const Stmt& s) {
      return TimelinePoint{s.Int(0), s.Text(1), s.Int(2)};
    });
  });
}

}  // namespace cdp::store::sqlite
