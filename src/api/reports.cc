#include "api/reports.h"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <cmath>
#include <map>
#include <vector>

#include "api/fields.h"
#include "campaigns/campaign.h"
#include "core/json.h"
#include "core/time.h"
#include "events/event_input.h"
#include "http/envelope.h"

namespace cdp::api {
namespace {

namespace json = boost::json;

constexpr size_t kTopLinks = 10;
constexpr int64_t kDefaultBatch = 20, kMaxBatch = 100;
constexpr int64_t kMaxPoints = 2000;
constexpr int64_t kMicrosPerDay = 86'400'000'000;

// A campaign's figures; see docs/reports.md for each definition.
struct Figures {
  int64_t targeted = 0, queued = 0, skipped = 0, sent = 0, delivered = 0, failed = 0;
  int64_t bounced = 0, soft_bounced = 0, complained = 0, unsubscribed = 0;
  int64_t opens = 0, unique_opens = 0, clicks = 0, unique_clicks = 0, conversions = 0;
  std::map<std::string, int64_t> skipped_by_reason;
  std::vector<store::CampaignActivity::Link> top_links;
};

// The counts, in the order of JSON keys and CSV columns.
constexpr std::pair<const char*, int64_t Figures::*> kCounts[] = {
    {"targeted", &Figures::targeted},
    {"queued", &Figures::queued},
    {"skipped", &Figures::skipped},
    {"sent", &Figures::sent},
    {"delivered", &Figures::delivered},
    {"failed", &Figures::failed},
    {"bounced", &Figures::bounced},
    {"soft_bounced", &Figures::soft_bounced},
    {"complained", &Figures::complained},
    {"unsubscribed", &Figures::unsubscribed},
    {"opens", &Figures::opens},
    {"unique_opens", &Figures::unique_opens},
    {"clicks", &Figures::clicks},
    {"unique_clicks", &Figures::unique_clicks},
    {"conversions", &Figures::conversions},
};

// Rates: numerator over denominator, 0 when the denominator is.
struct Rate {
  const char* name;
  int64_t Figures::*num;
  int64_t Figures::*den;
};
constexpr Rate kRates[] = {
    {"delivery_rate", &Figures::delivered, &Figures::sent},
    {"bounce_rate", &Figures::bounced, &Figures::sent},
    {"open_rate", &Figures::unique_opens, &Figures::delivered},
    {"click_rate", &Figures::unique_clicks, &Figures::delivered},
    {"click_to_open_rate", &Figures::unique_clicks, &Figures::unique_opens},
    {"unsubscribe_rate", &Figures::unsubscribed, &Figures::delivered},
    {"complaint_rate", &Figures::complained, &Figures::delivered},
    {"conversion_rate", &Figures::conversions, &Figures::delivered},
};

double RateOf(const Figures& f, const Rate& r) {
  const int64_t den = f.*r.den;
  return den == 0 ? 0.0 : std::round(1e4 * static_cast<double>(f.*r.num) / den) / 1e4;
}

Figures Compute(const store::Campaign& c, const store::CampaignActivity& a) {
  Figures f;
  for (const auto& m : a.messages) {
    f.targeted += m.count;
    if (m.status == store::kMessageQueued) f.queued += m.count;
    if (m.status == store::kMessageFailed) f.failed += m.count;
    if (m.status == store::kMessageSkipped) {
      f.skipped += m.count;
      f.skipped_by_reason[m.reason] += m.count;
    }
    if (m.status != store::kMessageSent) continue;
    f.sent += m.count;
    if (m.delivery == "bounced") f.bounced += m.count;
    if (m.delivery == "undelivered") f.failed += m.count;
    // SMTP has no delivery receipts: an accepted email counts as delivered until it bounces.
    if (c.channel == "sms" ? m.delivery == "delivered" : m.delivery != "bounced")
      f.delivered += m.count;
  }
  for (const auto& k : a.feedback) {
    if (k.kind == store::kFeedbackOpen) f.opens = k.total, f.unique_opens = k.unique;
    if (k.kind == store::kFeedbackClick) f.clicks = k.total, f.unique_clicks = k.unique;
    if (k.kind == store::kFeedbackComplaint) f.complained = k.unique;
    if (k.kind == store::kFeedbackUnsubscribe) f.unsubscribed = k.unique;
    if (k.kind == store::kFeedbackSoftBounce) f.soft_bounced = k.unique;
  }
  f.conversions = a.conversions;
  f.top_links = a.top_links;
  return f;
}

Result<Figures> FiguresOf(const store::Campaign& c, Services& services) {
  std::optional<store::Conversion> conversion;
  if (auto doc = ParseJson(c.options); doc.ok()) {
    auto options = campaigns::ParseOptions(*doc);
    if (options.ok() && options->conversion_event)
      conversion =
          store::Conversion{*options->conversion_event, options->conversion_days * kMicrosPerDay};
  }
  auto activity = services.store.campaigns.GetCampaignActivity(c.brand_id, c.id, conversion, kTopLinks);
  if (!activity.ok()) return activity.status();
  return Compute(c, *activity);
}

json::object CampaignJson(const store::Campaign& c, const Figures& f) {
  json::object out{{"campaign_id", c.id},
                   {"name", c.name},
                   {"channel", c.channel},
                   {"status", c.status},
                   {"started_at", OptionalTimestamp(c.started_at)},
                   {"finished_at", OptionalTimestamp(c.finished_at)}};
  for (const auto& [name, member] : kCounts) out[name] = f.*member;
  json::object reasons;
  for (const auto& [reason, n] : f.skipped_by_reason) reasons[reason] = n;
  out["skipped_by_reason"] = std::move(reasons);
  json::object rates;
  for (const Rate& r : kRates) rates[r.name] = RateOf(f, r);
  out["rates"] = std::move(rates);
  json::array links;
  for (const auto& l : f.top_links)
    links.push_back(json::object{{"url", l.url}, {"clicks", l.total}, {"unique_clicks", l.unique}});
  out["top_links"] = std::move(links);
  return out;
}

// A CSV cell (RFC 4180), defused against formula injection in spreadsheets.
std::string Cell(std::string_view v) {
  std::string s(v);
  if (!s.empty() && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@'))
    s.insert(0, 1, '\'');
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

http::Response Csv(const std::vector<std::vector<std::string>>& rows, std::string_view name) {
  http::Response res;
  res.content_type = "text/csv; charset=utf-8";
  res.headers.emplace_back("Content-Disposition", fmt::format("attachment; filename=\"{}\"", name));
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      if (i) res.body += ',';
      res.body += Cell(row[i]);
    }
    res.body += "\r\n";
  }
  return res;
}

std::vector<std::string> CampaignCsvHeader() {
  std::vector<std::string> h = {"campaign_id", "name", "channel", "status", "started_at"};
  for (const auto& [name, _] : kCounts) h.emplace_back(name);
  for (const Rate& r : kRates) h.emplace_back(r.name);
  return h;
}

std::vector<std::string> CampaignCsvRow(const store::Campaign& c, const Figures& f) {
  std::vector<std::string> row = {c.id, c.name, c.channel, c.status,
                                  c.started_at ? FormatTimestamp(*c.started_at) : ""};
  for (const auto& [_, member] : kCounts) row.push_back(std::to_string(f.*member));
  for (const Rate& r : kRates) row.push_back(fmt::format("{}", RateOf(f, r)));
  return row;
}

// "format": "json" (default) or "csv".
Result<bool> WantsCsv(const json::object& body) {
  const json::value* v = body.if_contains("format");
  if (!v || v->is_null()) return false;
  if (v->is_string() && v->get_string() == "json") return false;
  if (v->is_string() && v->get_string() == "csv") return true;
  return InvalidArgument("format: must be json or csv");
}

// An instant or a date; a `to` date covers that whole day. nullopt when absent.
Result<std::optional<int64_t>> TimeField(const json::object& body, std::string_view key, bool end) {
  const json::value* v = body.if_contains(key);
  if (!v || v->is_null()) return std::optional<int64_t>();
  auto t = v->is_string() ? ParseTimestamp(v->get_string()) : std::nullopt;
  if (!t)
    return InvalidArgument(
        fmt::format("{}: must be a date (2026-11-01) or an ISO 8601 instant", key));
  return std::optional<int64_t>(t->micros + (end && t->date_only ? kMicrosPerDay : 0));
}

Result<std::string> OptionalString(const json::object& body, std::string_view key) {
  const json::value* v = body.if_contains(key);
  if (!v || v->is_null()) return std::string();
  if (!v->is_string() || v->get_string().empty())
    return InvalidArgument(fmt::format("{}: must be a non-empty string", key));
  return std::string(v->get_string());
}

}  // namespace

http::Response ReportCampaign(const Call& call, Services& services) {
  if (Status st = OnlyKeys(call.body, {"campaign_id", "format"}); !st.ok())
    return http::ErrorResponse(st);
  auto csv = WantsCsv(call.body);
  if (!csv.ok()) return http::ErrorResponse(csv.status());
  auto id = CampaignId(call.body);
  if (!id.ok()) return http::ErrorResponse(id.status());
  auto c = services.store.campaigns.GetCampaign(call.brand_id, *id);
  if (!c.ok()) return http::ErrorResponse(c.status());
  auto f = FiguresOf(*c, services);
  if (!f.ok()) return http::ErrorResponse(f.status());
  if (*csv) return Csv({CampaignCsvHeader(), CampaignCsvRow(*c, *f)}, c->id + ".csv");
  return http::SuccessResponse(CampaignJson(*c, *f));
}

http::Response ReportCampaigns(const Call& call, Services& services) {
  if (Status st = OnlyKeys(call.body, {"from", "to", "channel", "batch_size", "cursor", "format"});
      !st.ok())
    return http::ErrorResponse(st);
  auto csv = WantsCsv(call.body);
  if (!csv.ok()) return http::ErrorResponse(csv.status());
  auto from = TimeField(call.body, "from", false);
  if (!from.ok()) return http::ErrorResponse(from.status());
  auto to = TimeField(call.body, "to", true);
  if (!to.ok()) return http::ErrorResponse(to.status());
  auto channel = OptionalString(call.body, "channel");
  if (!channel.ok()) return http::ErrorResponse(channel.status());
  if (!channel->empty() && !campaigns::IsChannel(*channel))
    return http::ErrorResponse(
        InvalidArgument(fmt::format("channel: must be {}", campaigns::kChannelNames)));
  auto limit = BatchSize(call.body, kDefaultBatch, kMaxBatch);
  if (!limit.ok()) return http::ErrorResponse(limit.status());
  auto offset = Cursor(call.body);
  if (!offset.ok()) return http::ErrorResponse(offset.status());
  auto all = services.store.campaigns.ListCampaigns(call.brand_id);
  if (!all.ok()) return http::ErrorResponse(all.status());
  std::vector<const store::Campaign*> matching;
  for (const auto& c : *all) {
    const int64_t when = c.started_at.value_or(c.created_at);
    if ((*from && when < **from) || (*to && when >= **to)) continue;
    if (!channel->empty() && c.channel != *channel) continue;
    matching.push_back(&c);
  }
  std::vector<std::vector<std::string>> rows = {CampaignCsvHeader()};
  json::array out;
  const int64_t end = std::min<int64_t>(*offset + *limit, static_cast<int64_t>(matching.size()));
  for (int64_t i = *offset; i < end; ++i) {
    const store::Campaign& c = *matching[static_cast<size_t>(i)];
    auto f = FiguresOf(c, services);
    if (!f.ok()) return http::ErrorResponse(f.status());
    rows.push_back(CampaignCsvRow(c, *f));
    out.push_back(CampaignJson(c, *f));
  }
  if (*csv) return Csv(rows, "campaigns.csv");
  json::object data{{"campaigns", std::move(out)},
                    {"total", static_cast<int64_t>(matching.size())}};
  if (end < static_cast<int64_t>(matching.size())) data["next_cursor"] = events::EncodeCursor(end);
  return http::SuccessResponse(std::move(data));
}

http::Response ReportTimeline(const Call& call, Services& services) {
  if (Status st = OnlyKeys(call.body, {"campaign_id", "from", "to", "interval", "format"});
      !st.ok())
    return http::ErrorResponse(st);
  auto csv = WantsCsv(call.body);
  if (!csv.ok()) return http::ErrorResponse(csv.status());
  auto id = OptionalString(call.body, "campaign_id");
  if (!id.ok()) return http::ErrorResponse(id.status());
  auto interval = OptionalString(call.body, "interval");
  if (!interval.ok()) return http::ErrorResponse(interval.status());
  if (interval->empty()) *interval = "day";
  if (*interval != "hour" && *interval != "day")
    return http::ErrorResponse(InvalidArgument("interval: must be hour or day"));
  const int64_t bucket = *interval == "hour" ? kMicrosPerDay / 24 : kMicrosPerDay;
  const int64_t now = services.clock.NowMicros();
  int64_t default_from = now - 7 * kMicrosPerDay;
  if (!id->empty()) {
    auto c = services.store.campaigns.GetCampaign(call.brand_id, *id);
    if (!c.ok()) return http::ErrorResponse(c.status());
    default_from = c->started_at.value_or(c->created_at);
  }
  auto from = TimeField(call.body, "from", false);
  if (!from.ok()) return http::ErrorResponse(from.status());
  auto to = TimeField(call.body, "to", true);
  if (!to.ok()) return http::ErrorResponse(to.status());
  const int64_t start = from->value_or(default_from) / bucket * bucket;
  const int64_t stop = to->value_or(now + 1);
  if (stop <= start) return http::ErrorResponse(InvalidArgument("to: must be after from"));
  if ((stop - start + bucket - 1) / bucket > kMaxPoints)
    return http::ErrorResponse(InvalidArgument(
        fmt::format("from, to: at most {} {}s at a time; narrow the range or use a longer interval",
                    kMaxPoints, *interval)));
  auto points = services.store.campaigns.GetTimeline(call.brand_id, *id, start, stop, bucket);
  if (!points.ok()) return http::ErrorResponse(points.status());

  // Stored kinds -> the report's names, in column order.
  static constexpr std::pair<std::string_view, const char*> kKinds[] = {
      {store::kMessageSent, "sent"},
      {store::kFeedbackDelivered, "delivered"},
      {store::kMessageFailed, "failed"},
      {store::kFeedbackUndelivered, "undelivered"},
      {store::kMessageSkipped, "skipped"},
      {store::kFeedbackBounce, "bounced"},
      {store::kFeedbackSoftBounce, "soft_bounced"},
      {store::kFeedbackComplaint, "complained"},
      {store::kFeedbackUnsubscribe, "unsubscribed"},
      {store::kFeedbackOpen, "opens"},
      {store::kFeedbackClick, "clicks"},
  };
  const size_t n = static_cast<size_t>((stop - start + bucket - 1) / bucket);
  std::vector<std::vector<int64_t>> counts(n, std::vector<int64_t>(std::size(kKinds)));
  for (const auto& p : *points) {
    const size_t row = static_cast<size_t>((p.bucket - start) / bucket);
    for (size_t k = 0; k < std::size(kKinds); ++k)
      if (row < n && kKinds[k].first == p.kind) counts[row][k] += p.count;
  }
  std::vector<std::vector<std::string>> rows = {{"time"}};
  for (const auto& [_, name] : kKinds) rows[0].emplace_back(name);
  json::array out;
  for (size_t i = 0; i < n; ++i) {
    const std::string time = FormatTimestamp(start + static_cast<int64_t>(i) * bucket);
    json::object point{{"time", time}};
    rows.push_back({time});
    for (size_t k = 0; k < std::size(kKinds); ++k) {
      point[kKinds[k].second] = counts[i][k];
      rows.back().push_back(std::to_string(counts[i][k]));
    }
    out.push_back(std::move(point));
  }
  if (*csv) return Csv(rows, "timeline.csv");
  json::object data{{"interval", *interval}, {"points", std::move(out)}};
  if (!id->empty()) data["campaign_id"] = *id;
  return http::SuccessResponse(std::move(data));
}

}  // namespace cdp::api
