#include "store/composed_store.h"

#include <cassert>
#include <utility>

namespace cdp::store {
namespace {

class ComposedStore final : public Store {
 public:
  explicit ComposedStore(StoreParts parts)
      : shared_(std::move(parts.shared)),
        write_health_(std::move(parts.write_health)),
        brands_(std::move(parts.brands)),
        partners_(std::move(parts.partners)),
        profiles_(std::move(parts.profiles)),
        events_(std::move(parts.events)),
        segments_(std::move(parts.segments)),
        channels_(std::move(parts.channels)),
        push_(std::move(parts.push)),
        campaigns_(std::move(parts.campaigns)),
        sources_(std::move(parts.sources)),
        operators_(std::move(parts.operators)) {
    assert(brands_ && partners_ && profiles_ && events_ && segments_ && channels_ && push_ &&
           campaigns_ && sources_ && operators_);
  }

  Status WriteHealth() override { return write_health_ ? write_health_() : Status::Ok(); }

  // brands
  Status CreateBrand(const Brand& brand, const ApiKey& first_key,
                     const AuditEntry& audit) override {
    return brands_->CreateBrand(brand, first_key, audit);
  }
  Result<Brand> GetBrand(std::string_view brand_id) override { return brands_->GetBrand(brand_id); }
  Result<std::vector<Brand>> ListBrands() override { return brands_->ListBrands(); }
  Result<std::vector<ApiKey>> ListApiKeys(std::string_view brand_id) override {
    return brands_->ListApiKeys(brand_id);
  }
  Status AddApiKey(const ApiKey& key, std::optional<int64_t> retire_others_at,
                   const AuditEntry& audit) override {
    return brands_->AddApiKey(key, retire_others_at, audit);
  }
  Status RevokeApiKey(std::string_view brand_id, std::string_view prefix, int64_t now,
                      AuditEntry audit) override {
    return brands_->RevokeApiKey(brand_id, prefix, now, std::move(audit));
  }
  Status MarkKeysUsed(const std::vector<std::pair<std::string, int64_t>>& uses) override {
    return brands_->MarkKeysUsed(uses);
  }
  Status SetRateLimit(std::string_view brand_id, std::string_view group, int64_t per_minute,
                      const AuditEntry& audit) override {
    return brands_->SetRateLimit(brand_id, group, per_minute, audit);
  }
  Result<std::vector<std::pair<std::string, int64_t>>> GetRateLimits(
      std::string_view brand_id) override {
    return brands_->GetRateLimits(brand_id);
  }
  Result<std::vector<AuditEntry>> ListAudit(std::string_view brand_id, int64_t before_id,
                                            size_t limit) override {
    return brands_->ListAudit(brand_id, before_id, limit);
  }
  Result<std::string> GetOrCreateSecret(std::string_view name,
                                        std::string_view candidate) override {
    return brands_->GetOrCreateSecret(name, candidate);
  }

  // partners
  Status CreatePartnerApp(const PartnerApp& app, const AuditEntry& audit) override {
    return partners_->CreatePartnerApp(app, audit);
  }
  Result<PartnerApp> GetPartnerApp(std::string_view client_id) override {
    return partners_->GetPartnerApp(client_id);
  }
  Result<std::vector<PartnerApp>> ListPartnerApps() override {
    return partners_->ListPartnerApps();
  }
  Status DeletePartnerApp(std::string_view client_id, int64_t now,
                          const AuditEntry& audit) override {
    return partners_->DeletePartnerApp(client_id, now, audit);
  }
  Status SaveAuthCode(const AuthCode& code, const AuditEntry& audit) override {
    return partners_->SaveAuthCode(code, audit);
  }
  Result<AuthCode> GetAuthCode(std::string_view hash) override {
    return partners_->GetAuthCode(hash);
  }
  Status RedeemAuthCode(std::string_view hash, int64_t now,
                        const std::vector<OAuthToken>& tokens) override {
    return partners_->RedeemAuthCode(hash, now, tokens);
  }
  Result<OAuthToken> GetOAuthToken(std::string_view hash) override {
    return partners_->GetOAuthToken(hash);
  }
  Status RotateRefreshToken(std::string_view hash, int64_t now,
                            const std::vector<OAuthToken>& tokens) override {
    return partners_->RotateRefreshToken(hash, now, tokens);
  }
  Status RevokeGrant(std::string_view grant_id, int64_t now, const AuditEntry& audit) override {
    return partners_->RevokeGrant(grant_id, now, audit);
  }
  Result<int64_t> RevokePartnerAccess(std::string_view brand_id, std::string_view client_id,
                                      int64_t now, const AuditEntry& audit) override {
    return partners_->RevokePartnerAccess(brand_id, client_id, now, audit);
  }
  Result<std::vector<Grant>> ListGrants(std::string_view brand_id, int64_t now) override {
    return partners_->ListGrants(brand_id, now);
  }

  // profiles
  Result<std::vector<Status>> UpsertProfiles(std::string_view brand_id,
                                             std::vector<ProfileWrite> writes,
                                             int64_t now) override {
    return profiles_->UpsertProfiles(brand_id, std::move(writes), now);
  }
  Result<profiles::Profile> GetProfile(std::string_view brand_id,
                                       const profiles::ProfileKey& key) override {
    return profiles_->GetProfile(brand_id, key);
  }
  Status DeleteProfile(std::string_view brand_id, const profiles::ProfileKey& key) override {
    return profiles_->DeleteProfile(brand_id, key);
  }
  Result<ProfileMatches> SearchProfiles(std::string_view brand_id, const ProfileSearch& s,
                                        size_t limit) override {
    return profiles_->SearchProfiles(brand_id, s, limit);
  }
  Result<int64_t> CountProfiles(std::string_view brand_id) override {
    return profiles_->CountProfiles(brand_id);
  }
  Result<segments::AttributeTypes> GetAttributeTypes(std::string_view brand_id) override {
    return profiles_->GetAttributeTypes(brand_id);
  }

  // events
  void AppendEventsAsync(std::string_view brand_id, std::vector<events::Event> events, int64_t now,
                         AppendDone done) override {
    events_->AppendEventsAsync(brand_id, std::move(events), now, std::move(done));
  }
  Result<events::EventPage> QueryEventUsers(std::string_view brand_id,
                                            const events::EventQuery& query) override {
    return events_->QueryEventUsers(brand_id, query);
  }
  Result<events::EventCounts> CountEvents(std::string_view brand_id,
                                          const events::EventQuery& query) override {
    return events_->CountEvents(brand_id, query);
  }
  Result<std::vector<StoredEvent>> ListProfileEvents(std::string_view brand_id, int64_t profile_id,
                                                     const std::optional<EventPosition>& before,
                                                     size_t limit) override {
    return events_->ListProfileEvents(brand_id, profile_id, before, limit);
  }
  Result<std::vector<DayCount>> CountEventsPerDay(std::string_view brand_id, int64_t from,
                                                  int64_t to, int64_t origin) override {
    return events_->CountEventsPerDay(brand_id, from, to, origin);
  }

  // segments
  Status CreateSegment(std::string_view brand_id, const Segment& segment) override {
    return segments_->CreateSegment(brand_id, segment);
  }
  Result<Segment> GetSegment(std::string_view brand_id, std::string_view id) override {
    return segments_->GetSegment(brand_id, id);
  }
  Result<std::vector<Segment>> ListSegments(std::string_view brand_id) override {
    return segments_->ListSegments(brand_id);
  }
  Status UpdateSegment(std::string_view brand_id, const Segment& segment) override {
    return segments_->UpdateSegment(brand_id, segment);
  }
  Status DeleteSegment(std::string_view brand_id, std::string_view id) override {
    return segments_->DeleteSegment(brand_id, id);
  }
  Result<int64_t> CountSegment(std::string_view brand_id, const segments::Node& rule,
                               int64_t now) override {
    return segments_->CountSegment(brand_id, rule, now);
  }
  Result<ProfilePage> SegmentMembers(std::string_view brand_id, const segments::Node& rule,
                                     int64_t now, int64_t after_profile, size_t limit) override {
    return segments_->SegmentMembers(brand_id, rule, now, after_profile, limit);
  }

  // channels
  Status PutChannel(std::string_view brand_id, std::string_view channel, std::string_view config,
                    int64_t now) override {
    return channels_->PutChannel(brand_id, channel, config, now);
  }
  Result<std::optional<std::string>> GetChannel(std::string_view brand_id,
                                                std::string_view channel) override {
    return channels_->GetChannel(brand_id, channel);
  }

  // push
  Result<std::string> SaveSubscription(std::string_view brand_id, const Subscription& s) override {
    return push_->SaveSubscription(brand_id, s);
  }
  Status DeleteSubscription(std::string_view brand_id, std::string_view id,
                            std::string_view platform, std::string_view address) override {
    return push_->DeleteSubscription(brand_id, id, platform, address);
  }
  Result<std::vector<Subscription>> ListSubscriptions(std::string_view brand_id, int64_t profile_id,
                                                      std::string_view platform) override {
    return push_->ListSubscriptions(brand_id, profile_id, platform);
  }
  Result<ProfilePage> Subscribers(std::string_view brand_id, std::string_view platform,
                                  int64_t after_profile, size_t limit) override {
    return push_->Subscribers(brand_id, platform, after_profile, limit);
  }

  // campaigns
  Status CreateCampaign(const Campaign& campaign) override {
    return campaigns_->CreateCampaign(campaign);
  }
  Result<Campaign> GetCampaign(std::string_view brand_id, std::string_view id) override {
    return campaigns_->GetCampaign(brand_id, id);
  }
  Result<std::vector<Campaign>> ListCampaigns(std::string_view brand_id) override {
    return campaigns_->ListCampaigns(brand_id);
  }
  Status SaveCampaign(const Campaign& campaign, std::vector<std::string_view> from) override {
    return campaigns_->SaveCampaign(campaign, std::move(from));
  }
  Result<std::vector<Campaign>> ClaimCampaigns(std::string_view node, int64_t now,
                                               int64_t lease_until) override {
    return campaigns_->ClaimCampaigns(node, now, lease_until);
  }
  Status AddMessages(std::string_view brand_id, std::string_view campaign_id,
                     const std::vector<Message>& messages) override {
    return campaigns_->AddMessages(brand_id, campaign_id, messages);
  }
  Result<std::vector<PendingMessage>> PendingMessages(std::string_view brand_id,
                                                      std::string_view campaign_id, int64_t now,
                                                      size_t limit) override {
    return campaigns_->PendingMessages(brand_id, campaign_id, now, limit);
  }
  Status RecordMessages(std::string_view brand_id, std::string_view campaign_id,
                        const std::vector<Message>& messages) override {
    return campaigns_->RecordMessages(brand_id, campaign_id, messages);
  }
  Result<MessageCounts> CountMessages(std::string_view brand_id,
                                      std::string_view campaign_id) override {
    return campaigns_->CountMessages(brand_id, campaign_id);
  }
  Status RecordFeedback(std::string_view brand_id, const Feedback& f) override {
    return campaigns_->RecordFeedback(brand_id, f);
  }
  Result<CampaignActivity> GetCampaignActivity(std::string_view brand_id,
                                               std::string_view campaign_id,
                                               const std::optional<Conversion>& conversion,
                                               size_t top_links) override {
    return campaigns_->GetCampaignActivity(brand_id, campaign_id, conversion, top_links);
  }
  Result<std::vector<TimelinePoint>> GetTimeline(std::string_view brand_id,
                                                 std::string_view campaign_id, int64_t from,
                                                 int64_t to, int64_t bucket) override {
    return campaigns_->GetTimeline(brand_id, campaign_id, from, to, bucket);
  }
  Result<std::vector<ProfileMessage>> ListProfileMessages(
      std::string_view brand_id, int64_t profile_id, const std::optional<MessagePosition>& before,
      size_t limit) override {
    return campaigns_->ListProfileMessages(brand_id, profile_id, before, limit);
  }
  Result<MessageCounts> CountMessagesUpdated(std::string_view brand_id, int64_t from,
                                             int64_t to) override {
    return campaigns_->CountMessagesUpdated(brand_id, from, to);
  }

  // sources
  Status CreateSource(const Source& source, const WriteKey& key, const AuditEntry& audit) override {
    return sources_->CreateSource(source, key, audit);
  }
  Result<Source> GetSource(std::string_view brand_id, std::string_view source_id) override {
    return sources_->GetSource(brand_id, source_id);
  }
  Result<std::vector<Source>> ListSources(std::string_view brand_id) override {
    return sources_->ListSources(brand_id);
  }
  Result<std::vector<WriteKey>> ListWriteKeys(std::string_view brand_id,
                                              std::string_view source_id) override {
    return sources_->ListWriteKeys(brand_id, source_id);
  }
  Status AddWriteKey(const WriteKey& key, std::optional<int64_t> retire_others_at,
                     const AuditEntry& audit) override {
    return sources_->AddWriteKey(key, retire_others_at, audit);
  }
  Status RevokeSource(std::string_view brand_id, std::string_view source_id, int64_t now,
                      const AuditEntry& audit) override {
    return sources_->RevokeSource(brand_id, source_id, now, audit);
  }
  Status SetAllowedOrigins(std::string_view brand_id, std::string_view source_id,
                           const std::vector<std::string>& origins,
                           const AuditEntry& audit) override {
    return sources_->SetAllowedOrigins(brand_id, source_id, origins, audit);
  }
  Result<KeyedSource> FindWriteKey(std::string_view hash) override {
    return sources_->FindWriteKey(hash);
  }
  Status RecordSourceCalls(const std::vector<SourceCall>& calls) override {
    return sources_->RecordSourceCalls(calls);
  }
  Result<std::vector<SourceCall>> ListSourceCalls(std::string_view brand_id,
                                                  std::string_view source_id,
                                                  size_t limit) override {
    return sources_->ListSourceCalls(brand_id, source_id, limit);
  }

  // operators
  Status CreateOperator(const Operator& op, const AuditEntry& audit) override {
    return operators_->CreateOperator(op, audit);
  }
  Result<Operator> GetOperatorByEmail(std::string_view email) override {
    return operators_->GetOperatorByEmail(email);
  }
  Result<std::vector<Operator>> ListOperators(std::string_view brand_id) override {
    return operators_->ListOperators(brand_id);
  }
  Status DeleteOperator(std::string_view email, AuditEntry audit) override {
    return operators_->DeleteOperator(email, std::move(audit));
  }
  Status SetPassword(std::string_view email, std::string_view password_hash, int64_t now,
                     AuditEntry audit) override {
    return operators_->SetPassword(email, password_hash, now, std::move(audit));
  }
  Status CreateSession(const OperatorSession& session) override {
    return operators_->CreateSession(session);
  }
  Result<OperatorSession> GetSession(std::string_view id_hash) override {
    return operators_->GetSession(id_hash);
  }
  Status TouchSession(std::string_view id_hash, int64_t now) override {
    return operators_->TouchSession(id_hash, now);
  }
  Status DeleteSession(std::string_view id_hash) override {
    return operators_->DeleteSession(id_hash);
  }
  Result<int64_t> PurgeSessions(int64_t now, int64_t idle_before) override {
    return operators_->PurgeSessions(now, idle_before);
  }

 private:
  // Declared first, so destroyed after every part.
  std::shared_ptr<void> shared_;
  std::function<Status()> write_health_;
  std::shared_ptr<BrandStore> brands_;
  std::shared_ptr<PartnerStore> partners_;
  std::shared_ptr<ProfileStore> profiles_;
  std::shared_ptr<EventStore> events_;
  std::shared_ptr<SegmentStore> segments_;
  std::shared_ptr<ChannelStore> channels_;
  std::shared_ptr<PushStore> push_;
  std::shared_ptr<CampaignStore> campaigns_;
  std::shared_ptr<SourceStore> sources_;
  std::shared_ptr<OperatorStore> operators_;
};

}  // namespace

std::unique_ptr<Store> ComposeStore(StoreParts parts) {
  return std::make_unique<ComposedStore>(std::move(parts));
}

}  // namespace cdp::store
