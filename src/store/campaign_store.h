// CampaignStore: campaigns, their messages (one per recipient, with its delivery state),
// what happened to messages afterwards (feedback), and the reports over both. Used by the
// Campaigns, Feedback and Reports APIs and the campaign engine, which claims work across
// nodes through leases. Thread-safe; writes are durable.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "profiles/profile.h"

namespace cdp::store {

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

// One message a profile got, with its campaign's name and channel and its feedback.
struct ProfileMessage {
  std::string campaign_id, campaign_name, channel;
  Message message;
  std::vector<Feedback> feedback;  // oldest first
};
// A place in a profile's messages, newest first: messages strictly before it come next.
struct MessagePosition {
  int64_t updated_at = 0;
  std::string campaign_id;
};

class CampaignStore {
 public:
  virtual ~CampaignStore() = default;

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
  // The profile's messages across campaigns, newest first (by updated_at, then campaign
  // id), strictly before `before` when given, at most `limit`, each with its feedback.
  // Index seeks on the profile: the cost is the page.
  virtual Result<std::vector<ProfileMessage>> ListProfileMessages(
      std::string_view brand_id, int64_t profile_id, const std::optional<MessagePosition>& before,
      size_t limit) = 0;
  // The brand's messages by status, of those last updated within [from, to) (an index range
  // over the range's messages).
  virtual Result<MessageCounts> CountMessagesUpdated(std::string_view brand_id, int64_t from,
                                                     int64_t to) = 0;
};

}  // namespace cdp::store
