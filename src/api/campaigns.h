// The Campaign API (docs/campaigns.md): personalized email and SMS to a segment or a list
// of users, sent now or at a set time, with live delivery counts. Sending itself is the
// campaigns::Engine's work; these handlers validate, store and change a campaign's status.
#pragma once

#include <boost/json/value.hpp>

#include "api/services.h"
#include "http/message.h"
#include "store/store.h"

namespace cdp::api {

// POST /api/v1/campaign/create: {"name","channel","target","content"} and optionally
// "tracking" (bool) and "conversion" ({"event_name","within_days"}) -> {"campaign_id"}.
http::Response CreateCampaign(const Call& call, Services& services);
// POST /api/v1/campaign/update: {"campaign_id" and any field of create}, while
// draft or scheduled -> the campaign.
http::Response UpdateCampaign(const Call& call, Services& services);
// POST /api/v1/campaign/get: {"campaign_id"} -> the campaign with its counts.
http::Response GetCampaign(const Call& call, Services& services);
// POST /api/v1/campaign/list: {} -> {"campaigns":[...]}, newest first, with counts.
http::Response ListCampaigns(const Call& call, Services& services);
// POST /api/v1/campaign/send: {"campaign_id"}: a draft or scheduled campaign starts now.
http::Response SendCampaign(const Call& call, Services& services);
// POST /api/v1/campaign/schedule: {"campaign_id","send_at"} with an offset, in the future.
http::Response ScheduleCampaign(const Call& call, Services& services);
// Validates and stores a new campaign from `c` (brand, name, channel, target, content and
// options set; the rest is filled in) and starts it now, or schedules it at `send_at` (a
// JSON string as /campaign/schedule takes it) when given. For the APIs that create a
// campaign per call (push sends and broadcasts) -> {"campaign_id","status","send_at"}.
http::Response LaunchCampaign(store::Campaign c, const boost::json::value* send_at,
                              Services& services);

// POST /api/v1/campaign/cancel: {"campaign_id"}: a scheduled one never fires; a sending one
// stops, its unsent messages counted as skipped.
http::Response CancelCampaign(const Call& call, Services& services);

}  // namespace cdp::api
