// The Reporting API (docs/reports.md): a campaign's delivery and engagement figures, the
// same for all campaigns of a brand in a date range, and counts over time. Every call takes
// "format": "csv" for a CSV download instead of the JSON envelope.
#pragma once

#include "api/services.h"
#include "http/message.h"

namespace cdp::api {

// POST /api/v1/report/campaign: {"campaign_id"} -> figures, rates and the top clicked links.
http::Response ReportCampaign(const Call& call, Services& services);
// POST /api/v1/report/campaigns: {from?, to?, channel?, batch_size?, cursor?} -> the figures
// of each campaign started (or, if never started, created) in [from, to], newest first.
http::Response ReportCampaigns(const Call& call, Services& services);
// POST /api/v1/report/timeline: {campaign_id?, from?, to?, interval: "hour"|"day"} -> one
// point per interval with the count of each message status and feedback kind.
http::Response ReportTimeline(const Call& call, Services& services);
// POST /api/v1/report/overview: {from?, to?} -> the brand's profiles, events per UTC day,
// messages by status and its sending or scheduled campaigns (report_overview.cc).
http::Response ReportOverview(const Call& call, Services& services);

}  // namespace cdp::api
