// The Campaign API (docs/campaigns.md): personalized email and SMS to a segment or a list
// of users, sent now or at a set time, with live delivery counts. What a valid campaign is
// and which state changes are allowed is campaigns::Lifecycle's; sending is the
// campaigns::Engine's; these handlers read and answer JSON around them.
#pragma once

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
// POST /api/v1/campaign/cancel: {"campaign_id"}: a scheduled one never fires; a sending one
// stops, its unsent messages counted as skipped.
http::Response CancelCampaign(const Call& call, Services& services);
// POST /api/v1/campaign/preview: {userId|anonymousId, campaign_id | channel+content} ->
// {"channel","rendered":{...},"reachable","reason"?}: the message as the engine would
// render it for that profile now (campaigns/compose.h), and whether it would be sent.
http::Response PreviewCampaign(const Call& call, Services& services);

}  // namespace cdp::api
