// Compose: one recipient's message, rendered from a campaign's content for their profile,
// as the engine sends it: templates filled (HTML-escaped in HTML), the unsubscribe footer
// and headers added, links signed (tracking, unsubscribe, SMS receipts). The engine calls
// it at send time and /campaign/preview to show a message before it is sent: one rendering
// for both. Pure given its inputs; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "campaigns/campaign.h"
#include "campaigns/tracking.h"
#include "delivery/sender.h"
#include "profiles/profile.h"

namespace cdp::campaigns {

// The campaign a message belongs to, as the links and the Message-ID name it.
struct CampaignRef {
  std::string_view brand_id;
  std::string_view campaign_id;
  std::string_view channel;
};

// The message to `profile` (internal id `profile_id`). Push: the notification only (the
// caller adds the subscriptions); email and SMS: the address too.
delivery::Outgoing ComposeMessage(const CampaignRef& c, const Content& content,
                                  const Options& options, const Links& links,
                                  const profiles::Profile& profile, int64_t profile_id);

// Why a push message cannot go to a profile without a subscription on the platform.
std::string NoSubscriptionReason(std::string_view channel);

}  // namespace cdp::campaigns
