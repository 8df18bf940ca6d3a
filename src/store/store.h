// Store: the one interface between the domain and persistent storage.
//
// Implementations: sqlite/ (embedded default) and, later, postgres/. No SQL text or driver
// types cross this interface. Every method is thread-safe. A write that returns OK is
// durable: it survives a crash (kill -9) of the process right after the call returns.
// Writes from concurrent callers are committed together (group commit); when the writer
// falls behind, callers wait, and past a bound get Unavailable (503, retry later).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "events/event.h"
#include "profiles/profile.h"
#include "segments/rule.h"

namespace cdp::store {

struct Brand {
  std::string id;
  std::string name;
  int64_t created_at = 0;
};

// An API key as stored: only its SHA-256 hash and a short prefix for operators to name it.
// A key works until `revoked_at`, which a rotation with a grace period sets in the future.
struct ApiKey {
  std::string brand_id;
  std::string prefix;
  std::string hash;
  int64_t created_at = 0;
  std::optional<int64_t> revoked_at;
  std::optional<int64_t> last_used_at;  // recorded with up to a minute's delay
  bool ActiveAt(int64_t now) const { return !revoked_at || *revoked_at > now; }
};

// One change to brands, keys, limits or partner access, and who made it. Written in the same
// transaction as the change it records.
struct AuditEntry {
  int64_t id = 0;  // assigned by the store, increasing
  int64_t at = 0;
  std::string actor;          // "cli:USER", "key:PREFIX" (a brand's API key), "partner:CLIENT_ID"
  std::string action;         // e.g. "key.rotate"; docs/access.md lists them
  std::string brand_id;       // empty for installation-wide changes
  std::string target;         // what changed: a key prefix, a partner's client id, a limit group
  std::string detail = "{}";  // JSON object
};

// A partner app registered on this installation (OAuth 2.0 confidential client).
struct PartnerApp {
  std::string client_id;
  std::string name;
  std::string secret_hash;                 // SHA-256 of the client secret
  std::vector<std::string> redirect_uris;  // exact matches only
  int64_t created_at = 0;
};

// An authorization code a brand granted a partner, awaiting exchange for tokens.
struct AuthCode {
  std::string hash;      // SHA-256 of the code
  std::string grant_id;  // shared by every token the code leads to
  std::string client_id;
  std::string brand_id;
  std::string scopes;  // space-separated
  std::string redirect_uri;
  std::string code_challenge;  // PKCE S256
  int64_t created_at = 0;
  int64_t expires_at = 0;
  std::optional<int64_t> used_at;
};

// An OAuth access or refresh token as stored (hashed).
struct OAuthToken {
  std::string hash;
  std::string kind;  // kTokenAccess | kTokenRefresh
  std::string grant_id;
  std::string client_id;
  std::string brand_id;
  std::string scopes;
  int64_t created_at = 0;
  int64_t expires_at = 0;
  std::optional<int64_t> revoked_at;
};
inline constexpr std::string_view kTokenAccess = "access";
inline constexpr std::string_view kTokenRefresh = "refresh";

// A partner's standing access to a brand: one authorization, while its refresh token lives.
struct Grant {
  std::string grant_id;
  std::string client_id;
  std::string scopes;
  int64_t created_at = 0;  // of the current refresh token
  int64_t expires_at = 0;
};

// One item of a profile upsert. The profile is found by user_id, else by anonymous_id; a
// patch that names both identifies an anonymous profile with the user (merging the two
// profiles when both already exist).
struct ProfileWrite {
  profiles::ProfilePatch patch;
};

// A saved segment; `rules` is the rule tree's JSON text as the client sent it.
struct Segment {
  std::string id;
  std::string name;
  std::string rules;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

// A campaign as stored. `target` and `content` are the JSON texts the API validated;
// `status` is one of the kCampaign* names below.
struct Campaign {
  std::string brand_id;
  std::string id;
  std::string name;
  std::string channel;  // "email" | "sms"
  std::string target;
  std::string content;
  std::string options = "{}";  // tracking and conversion settings, JSON
  std::string status;
  std::optional<int64_t> send_at;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  std::optional<int64_t> started_at;
  std::optional<int64_t> finished_at;
  bool materialized = false;  // every recipient has a message row
};
inline constexpr std::string_view kCampaignDraft = "draft";
inline constexpr std::string_view kCampaignScheduled = "scheduled";
inline constexpr std::string_view kCampaignSending = "sending";
inline constexpr std::string_view kCampaignSent = "sent";
inline constexpr std::string_view kCampaignCancelled = "cancelled";

// One recipient of a campaign: its delivery state. Keyed by (campaign, profile_id); an
// explicit userId with no profile gets a negative profile_id of its own.
struct Message {
  int64_t profile_id = 0;
  std::string user_id;
  std::string status;  // kMessage* below
  std::string reason;  // why skipped or failed
  std::string address;
  int attempts = 0;
  int64_t next_attempt_at = 0;
  std::string response;  // the provider's last answer
  int64_t updated_at = 0;
};
inline constexpr std::string_view kMessageQueued = "queued";
inline constexpr std::string_view kMessageSent = "sent";
inline constexpr std::string_view kMessageFailed = "failed";
inline constexpr std::string_view kMessageSkipped = "skipped";

// What happened to a sent message afterwards, as its recipient, provider or carrier told.
struct Feedback {
  std::string campaign_id;
  int64_t profile_id = 0;
  std::string kind;    // kFeedback* below
  std::string detail;  // the URL of a click; the diagnostic of a bounce or failed delivery
  int64_t at = 0;
};
inline constexpr std::string_view kFeedbackOpen = "open";
inline constexpr std::string_view kFeedbackClick = "click";
inline constexpr std::string_view kFeedbackUnsubscribe = "unsubscribe";
inline constexpr std::string_view kFeedbackBounce = "bounce";  // permanent (hard)
inline constexpr std::string_view kFeedbackSoftBounce = "soft_bounce";
inline constexpr std::string_view kFeedbackComplaint = "complaint";
inline constexpr std::string_view kFeedbackDelivered = "delivered";      // SMS carrier receipt
inline constexpr std::string_view kFeedbackUndelivered = "undelivered";  // SMS carrier receipt

// A campaign's activity, grouped, for reports.
struct CampaignActivity {
  struct Messages {
    std::string status, delivery;
    std::string reason;  // for skipped messages only
    int64_t count = 0;
  };
  struct Kind {
    std::string kind;               // a kFeedback* name
    int64_t total = 0, unique = 0;  // unique: distinct recipients
  };
  struct Link {
    std::string url;
    int64_t total = 0, unique = 0;
  };
  std::vector<Messages> messages;
  std::vector<Kind> feedback;
  std::vector<Link> top_links;  // most clicked first
  int64_t conversions = 0;
};
// A conversion: the recipient did `event_name` within `window` micros after being sent it.
struct Conversion {
  std::string event_name;
  int64_t window = 0;
};
// Counts of one status (sent, failed, skipped) or feedback kind in one time bucket.
struct TimelinePoint {
  int64_t bucket = 0;  // the bucket's start, micros
  std::string kind;
  int64_t count = 0;
};

// A queued message due now, with its recipient's profile as it is at send time (absent
// when the profile was deleted since).
struct PendingMessage {
  Message message;
  std::optional<profiles::Profile> profile;
};

struct MessageCounts {
  int64_t queued = 0, sent = 0, failed = 0, skipped = 0;
  int64_t targeted() const { return queued + sent + failed + skipped; }
  void Add(std::string_view status, int64_t n) {
    if (status == kMessageQueued) queued += n;
    if (status == kMessageSent) sent += n;
    if (status == kMessageFailed) failed += n;
    if (status == kMessageSkipped) skipped += n;
  }
};

// A browser or device registered for push on a profile.
struct Subscription {
  std::string id;  // "sub_..."
  int64_t profile_id = 0;
  std::string platform;      // web | android | ios
  std::string address;       // web: the push endpoint URL; android, ios: the device token
  std::string p256dh, auth;  // web only: the browser's keys, base64url
  int64_t created_at = 0, updated_at = 0;
};

// A page of profiles in internal id order.
struct ProfilePage {
  std::vector<profiles::Profile> profiles;
  std::optional<int64_t> next_after;  // absent on the last page
};

class Store {
 public:
  virtual ~Store() = default;

  // Unavailable once the store can no longer make writes durable, and refuses them all
  // until the server is restarted; OK otherwise. Cheap enough for every /healthz.
  virtual Status WriteHealth() { return Status::Ok(); }

  // Brands and keys. Every change takes the AuditEntry that records it.
  // AlreadyExists if the brand id is taken.
  virtual Status CreateBrand(const Brand& brand, const ApiKey& first_key,
                             const AuditEntry& audit) = 0;
  // NotFound if there is no such brand.
  virtual Result<Brand> GetBrand(std::string_view brand_id) = 0;
  virtual Result<std::vector<Brand>> ListBrands() = 0;
  // All keys of the brand, revoked ones included, oldest first.
  virtual Result<std::vector<ApiKey>> ListApiKeys(std::string_view brand_id) = 0;
  // Adds a key; with `retire_others_at`, every other key of the brand still active then stops
  // working at that time (now, or later for a grace period), in the same transaction.
  // NotFound if the brand does not exist.
  virtual Status AddApiKey(const ApiKey& key, std::optional<int64_t> retire_others_at,
                           const AuditEntry& audit) = 0;
  // Revokes (at `now`) the active key whose prefix starts with `prefix`; a key in a grace
  // period counts as active. NotFound when none matches, InvalidArgument when several do.
  // The audit entry's target is set to the key's prefix.
  virtual Status RevokeApiKey(std::string_view brand_id, std::string_view prefix, int64_t now,
                              AuditEntry audit) = 0;
  // Records when keys (by hash) were last used; an older time never replaces a newer one.
  virtual Status MarkKeysUsed(const std::vector<std::pair<std::string, int64_t>>& uses) = 0;

  // Rate limits a brand has instead of the defaults, per API group name ("users", ...);
  // 0 means unlimited. Groups not set are absent.
  virtual Status SetRateLimit(std::string_view brand_id, std::string_view group, int64_t per_minute,
                              const AuditEntry& audit) = 0;
  virtual Result<std::vector<std::pair<std::string, int64_t>>> GetRateLimits(
      std::string_view brand_id) = 0;

  // Partner apps and OAuth grants.
  // AlreadyExists if the client id is taken.
  virtual Status CreatePartnerApp(const PartnerApp& app, const AuditEntry& audit) = 0;
  // NotFound for an unknown or deleted app.
  virtual Result<PartnerApp> GetPartnerApp(std::string_view client_id) = 0;
  // Oldest first; deleted apps are left out.
  virtual Result<std::vector<PartnerApp>> ListPartnerApps() = 0;
  // Deletes the app and revokes every token it holds, for every brand. NotFound if absent.
  virtual Status DeletePartnerApp(std::string_view client_id, int64_t now,
                                  const AuditEntry& audit) = 0;
  virtual Status SaveAuthCode(const AuthCode& code, const AuditEntry& audit) = 0;
  // NotFound for an unknown code (used and expired ones are returned as they are).
  virtual Result<AuthCode> GetAuthCode(std::string_view hash) = 0;
  // Marks the code used and stores `tokens`, if the code was unused; FailedPrecondition if it
  // was used before, in which case every token of its grant is revoked instead (RFC 6749
  // 4.1.2: a replayed code means it leaked).
  virtual Status RedeemAuthCode(std::string_view hash, int64_t now,
                                const std::vector<OAuthToken>& tokens) = 0;
  // NotFound for an unknown token (revoked and expired ones are returned as they are).
  virtual Result<OAuthToken> GetOAuthToken(std::string_view hash) = 0;
  // Revokes the refresh token `hash` and stores `tokens`, if it was active;
  // FailedPrecondition if it was revoked before (a rotated token used again: every token of
  // its grant is revoked instead).
  virtual Status RotateRefreshToken(std::string_view hash, int64_t now,
                                    const std::vector<OAuthToken>& tokens) = 0;
  // Revokes every token of the grant. Idempotent.
  virtual Status RevokeGrant(std::string_view grant_id, int64_t now, const AuditEntry& audit) = 0;
  // Revokes every token the brand granted the partner; the number of grants revoked.
  virtual Result<int64_t> RevokePartnerAccess(std::string_view brand_id, std::string_view client_id,
                                              int64_t now, const AuditEntry& audit) = 0;
  // The brand's grants with a refresh token active at `now`, oldest first.
  virtual Result<std::vector<Grant>> ListGrants(std::string_view brand_id, int64_t now) = 0;

  // The audit log, newest first: entries with id below `before_id` (0: from the newest), of
  // one brand (or all when `brand_id` is empty), at most `limit`.
  virtual Result<std::vector<AuditEntry>> ListAudit(std::string_view brand_id, int64_t before_id,
                                                    size_t limit) = 0;

  // Profiles.
  // Applies each write in its own savepoint of one durable transaction; the result holds one
  // Status per write (e.g. InvalidArgument when an attribute's type differs from the type the
  // brand first stored it with). A non-ok Result means nothing was written.
  virtual Result<std::vector<Status>> UpsertProfiles(std::string_view brand_id,
                                                     std::vector<ProfileWrite> writes,
                                                     int64_t now) = 0;
  // NotFound if the brand has no such profile.
  virtual Result<profiles::Profile> GetProfile(std::string_view brand_id,
                                               const profiles::ProfileKey& key) = 0;
  // Deletes the profile and everything stored about it. NotFound if there is none.
  virtual Status DeleteProfile(std::string_view brand_id, const profiles::ProfileKey& key) = 0;

  // Events.
  // Stores the events durably, each on its profile: created when missing, identified or
  // merged as UpsertProfiles does when an event names both ids, updated with the event's
  // profile fields, all in the same transaction as the event. One result per event:
  // kDuplicate when the brand already has an event with that message_id (nothing stored),
  // or a non-ok status for that event alone (e.g. an attribute type conflict in its profile
  // fields). A non-ok Result means nothing was written.
  struct EventResult {
    Status status;
    events::EventOutcome outcome = events::EventOutcome::kStored;
  };
  using AppendDone = std::function<void(Result<std::vector<EventResult>>)>;
  // Calls `done` once the events are durable (or failed), possibly on another thread;
  // returns without waiting except while the backend applies back-pressure.
  virtual void AppendEventsAsync(std::string_view brand_id, std::vector<events::Event> events,
                                 int64_t now, AppendDone done) = 0;
  // The same, waiting for the result.
  Result<std::vector<EventResult>> AppendEvents(std::string_view brand_id,
                                                std::vector<events::Event> events, int64_t now);
  // The users who performed query.name within [query.from, query.to), in a stable order
  // (by internal profile id), at most query.limit per page.
  virtual Result<events::EventPage> QueryEventUsers(std::string_view brand_id,
                                                    const events::EventQuery& query) = 0;
  // Distinct profiles and events matching the query (limit and cursor ignored).
  virtual Result<events::EventCounts> CountEvents(std::string_view brand_id,
                                                  const events::EventQuery& query) = 0;

  // The type each custom attribute of the brand was first stored with.
  virtual Result<segments::AttributeTypes> GetAttributeTypes(std::string_view brand_id) = 0;

  // Segments. Names are unique per brand: AlreadyExists when taken. NotFound for an id the
  // brand does not have.
  virtual Status CreateSegment(std::string_view brand_id, const Segment& segment) = 0;
  virtual Result<Segment> GetSegment(std::string_view brand_id, std::string_view id) = 0;
  // By name.
  virtual Result<std::vector<Segment>> ListSegments(std::string_view brand_id) = 0;
  // Replaces name and rules, and updated_at.
  virtual Status UpdateSegment(std::string_view brand_id, const Segment& segment) = 0;
  virtual Status DeleteSegment(std::string_view brand_id, std::string_view id) = 0;
  // Members of `rule` at `now` among the brand's profiles, evaluated on committed data.
  virtual Result<int64_t> CountSegment(std::string_view brand_id, const segments::Node& rule,
                                       int64_t now) = 0;
  // The members with an internal id above `after_profile`, at most `limit`, in id order.
  virtual Result<ProfilePage> SegmentMembers(std::string_view brand_id, const segments::Node& rule,
                                             int64_t now, int64_t after_profile, size_t limit) = 0;

  // Delivery channel settings: one JSON document per brand and channel, replaced whole.
  virtual Status PutChannel(std::string_view brand_id, std::string_view channel,
                            std::string_view config, int64_t now) = 0;
  // nullopt when the brand has not configured the channel.
  virtual Result<std::optional<std::string>> GetChannel(std::string_view brand_id,
                                                        std::string_view channel) = 0;

  // Push subscriptions. A profile's subscriptions move with it when it is merged and go
  // when it is deleted.
  // Registers `s` (its id used only when new): a subscription with the same platform and
  // address is taken over instead, moved to `s.profile_id` with the new keys. Returns the
  // stored subscription's id.
  virtual Result<std::string> SaveSubscription(std::string_view brand_id,
                                               const Subscription& s) = 0;
  // Deletes the brand's subscription with `id`, or the one with `platform` and `address`;
  // NotFound when there is none.
  virtual Status DeleteSubscription(std::string_view brand_id, std::string_view id,
                                    std::string_view platform, std::string_view address) = 0;
  // A profile's subscriptions on `platform`, oldest first.
  virtual Result<std::vector<Subscription>> ListSubscriptions(std::string_view brand_id,
                                                              int64_t profile_id,
                                                              std::string_view platform) = 0;
  // Profiles with a subscription on `platform` and an id above `after_profile`, at most
  // `limit`, in id order.
  virtual Result<ProfilePage> Subscribers(std::string_view brand_id, std::string_view platform,
                                          int64_t after_profile, size_t limit) = 0;

  // Campaigns. NotFound for an id the brand does not have.
  virtual Status CreateCampaign(const Campaign& campaign) = 0;
  virtual Result<Campaign> GetCampaign(std::string_view brand_id, std::string_view id) = 0;
  // Newest first.
  virtual Result<std::vector<Campaign>> ListCampaigns(std::string_view brand_id) = 0;
  // Replaces every field of the stored campaign if its current status is one of `from`,
  // else FailedPrecondition naming the current status. Saving status "cancelled" also turns
  // the campaign's queued messages into skipped ones, in the same transaction.
  virtual Status SaveCampaign(const Campaign& campaign, std::vector<std::string_view> from) = 0;
  // The campaigns this node should work on now: scheduled ones due at `now` (made
  // "sending") and sending ones whose lease is free, expired or already this node's. Each
  // gets `node` as owner until `lease_until`. Across brands.
  virtual Result<std::vector<Campaign>> ClaimCampaigns(std::string_view node, int64_t now,
                                                       int64_t lease_until) = 0;
  // Adds recipients; one already present for the campaign is left as it is.
  virtual Status AddMessages(std::string_view brand_id, std::string_view campaign_id,
                             const std::vector<Message>& messages) = 0;
  // Queued messages with next_attempt_at <= now, oldest due first, at most `limit`.
  virtual Result<std::vector<PendingMessage>> PendingMessages(std::string_view brand_id,
                                                              std::string_view campaign_id,
                                                              int64_t now, size_t limit) = 0;
  // Stores the new state of each message (by profile_id), durably.
  virtual Status RecordMessages(std::string_view brand_id, std::string_view campaign_id,
                                const std::vector<Message>& messages) = 0;
  virtual Result<MessageCounts> CountMessages(std::string_view brand_id,
                                              std::string_view campaign_id) = 0;

  // Feedback and reports.
  // Stores `f` with its consequences, in one transaction: a bounce marks the message's
  // delivery "bounced" and sets the recipient's email_opt_in to 2; a complaint or an
  // unsubscribe sets it to 0; delivered/undelivered become the message's delivery. NotFound
  // when the campaign has no message for that profile.
  virtual Status RecordFeedback(std::string_view brand_id, const Feedback& f) = 0;
  // Messages grouped by status and delivery, feedback by kind, the `top_links` most clicked
  // links and, with `conversion`, the sent messages followed by a conversion.
  virtual Result<CampaignActivity> GetCampaignActivity(std::string_view brand_id,
                                                       std::string_view campaign_id,
                                                       const std::optional<Conversion>& conversion,
                                                       size_t top_links) = 0;
  // Sent, failed and skipped messages (by when they reached that status) and feedback (by
  // when it came) within [from, to), counted per `bucket` micros (buckets start at multiples
  // of it since the epoch). For one campaign, or every campaign of the brand when
  // `campaign_id` is empty. Ordered by bucket, then kind.
  virtual Result<std::vector<TimelinePoint>> GetTimeline(std::string_view brand_id,
                                                         std::string_view campaign_id, int64_t from,
                                                         int64_t to, int64_t bucket) = 0;

  // An installation-wide secret (e.g. the key signing tracking links), shared by every node
  // on the same database: stores `candidate` under `name` unless a value is there already,
  // and returns the stored value.
  virtual Result<std::string> GetOrCreateSecret(std::string_view name,
                                                std::string_view candidate) = 0;
};

}  // namespace cdp::store
