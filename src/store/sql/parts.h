// The role parts written once in portable SQL (store/sql/connection.h) and run by both
// backends over their sql::Executor: brands and access, partner apps and OAuth, channel
// settings, sources and write keys, operators and their sessions, saved segments, push subscriptions, and campaigns with their feedback and
// reports. What a part leaves to its backend, because each backend does it its own way, is
// a small interface below that the backend implements and hands in. A backend's factory
// builds the parts on its executor, which must outlive them, and composes them with its own
// parts (store/composed_store.h). Thread-safe, as the executor is. Only store/ includes this
// header.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "segments/rule.h"
#include "store/brand_store.h"
#include "store/campaign_store.h"
#include "store/channel_store.h"
#include "store/operator_store.h"
#include "store/partner_store.h"
#include "store/push_store.h"
#include "store/segment_store.h"
#include "store/source_store.h"
#include "store/sql/connection.h"

namespace cdp::store::sql {

// Brands, API keys and their use, rate limits, the audit log and secrets (brand_store.cc).
std::unique_ptr<BrandStore> NewBrandStore(Executor& executor);
// Partner apps and their OAuth codes, tokens and grants (partner_store.cc).
std::unique_ptr<PartnerStore> NewPartnerStore(Executor& executor);
// Channel settings (channel_store.cc).
std::unique_ptr<ChannelStore> NewChannelStore(Executor& executor);
// Sources, their write keys and the debugger's calls (source_store.cc).
std::unique_ptr<SourceStore> NewSourceStore(Executor& executor);
// The dashboard's operators and their sessions (operator_store.cc).
std::unique_ptr<OperatorStore> NewOperatorStore(Executor& executor);

// The evaluation of rule trees: SQLite's in-memory columns, PostgreSQL's compiled SQL.
// Contracts as SegmentStore's methods of the same names.
class SegmentEvaluator {
 public:
  virtual ~SegmentEvaluator() = default;
  virtual Result<int64_t> CountSegment(std::string_view brand_id, const segments::Node& rule,
                                       int64_t now) = 0;
  virtual Result<ProfilePage> SegmentMembers(std::string_view brand_id, const segments::Node& rule,
                                             int64_t now, int64_t after_profile,
                                             size_t limit) = 0;
};
// Saved segments (segment_store.cc); their evaluation is `evaluator`'s.
std::unique_ptr<SegmentStore> NewSegmentStore(Executor& executor,
                                              std::shared_ptr<SegmentEvaluator> evaluator);

// Pages of subscribed profiles, read as the backend reads its profile rows. Contract as
// PushStore::Subscribers.
class SubscriberPages {
 public:
  virtual ~SubscriberPages() = default;
  virtual Result<ProfilePage> Subscribers(std::string_view brand_id, std::string_view platform,
                                          int64_t after_profile, size_t limit) = 0;
};
// Push subscriptions (push_store.cc); subscriber pages are `pages`'.
std::unique_ptr<PushStore> NewPushStore(Executor& executor,
                                        std::shared_ptr<SubscriberPages> pages);

// The sending path's reads and writes of message rows, in each backend's fastest form:
// PostgreSQL adds a page of recipients in one statement of arrays, SQLite reads profiles
// straight from its statements and keeps message counts by trigger. Contracts as
// CampaignStore's methods of the same names.
class MessageRows {
 public:
  virtual ~MessageRows() = default;
  virtual Status AddMessages(std::string_view brand_id, std::string_view campaign_id,
                             const std::vector<Message>& messages) = 0;
  virtual Result<std::vector<PendingMessage>> PendingMessages(std::string_view brand_id,
                                                              std::string_view campaign_id,
                                                              int64_t now, size_t limit) = 0;
  virtual Result<MessageCounts> CountMessages(std::string_view brand_id,
                                              std::string_view campaign_id) = 0;
};
// Campaigns, their leases, message outcomes, feedback and reports (campaign_store.cc); the
// sending path's message rows are `messages`'.
std::unique_ptr<CampaignStore> NewCampaignStore(Executor& executor,
                                                std::shared_ptr<MessageRows> messages);

}  // namespace cdp::store::sql
