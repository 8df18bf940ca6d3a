#include "campaigns/lifecycle.h"

#include <fmt/format.h>

#include <span>
#include <string>
#include <vector>

#include "campaigns/campaign.h"
#include "core/ids.h"
#include "core/json.h"
#include "core/time.h"

namespace cdp::campaigns {
namespace {

using store::Campaign;

// Where each change may start from.
constexpr std::string_view kEditable[] = {store::kCampaignDraft, store::kCampaignScheduled};
constexpr std::string_view kCancellable[] = {store::kCampaignScheduled, store::kCampaignSending};

Status Save(store::CampaignStore& campaigns, Campaign& c, std::span<const std::string_view> from,
            int64_t now) {
  c.updated_at = now;
  return campaigns.SaveCampaign(c, std::vector<std::string_view>(from.begin(), from.end()));
}

}  // namespace

Status Validate(const Campaign& c, store::SegmentStore& segments) {
  if (!IsChannel(c.channel))
    return InvalidArgument(fmt::format("channel: must be {}", kChannelNames));
  auto content = ParseJson(c.content);
  if (!content.ok()) return content.status();
  if (auto parsed = ParseContent(c.channel, *content); !parsed.ok()) return parsed.status();
  auto target_doc = ParseJson(c.target);
  if (!target_doc.ok()) return target_doc.status();
  auto target = ParseTarget(*target_doc);
  if (!target.ok()) return target.status();
  auto options = ParseJson(c.options);
  if (!options.ok()) return options.status();
  if (auto parsed = ParseOptions(*options); !parsed.ok()) return parsed.status();
  if ((target->subscribers || target->subscription_id) && !IsPushChannel(c.channel))
    return InvalidArgument(fmt::format(
        "target: subscribers and subscription_id are for push channels, not {}", c.channel));
  if (target->segment_id) {
    auto segment = segments.GetSegment(c.brand_id, *target->segment_id);
    if (segment.status().code() == Code::kNotFound)
      return InvalidArgument(
          fmt::format("target.segment_id: the brand has no segment '{}'", *target->segment_id));
    if (!segment.ok()) return segment.status();
  }
  return Status::Ok();
}

Result<int64_t> ParseSendAt(const boost::json::value* v, int64_t now,
                            std::string_view now_instead) {
  static constexpr std::string_view kForm =
      "send_at: must be an ISO 8601 instant with an offset, like 2026-12-01T09:00:00+0530 or "
      "2026-12-01T03:30:00Z";
  if (!v || !v->is_string()) return InvalidArgument(std::string(kForm));
  std::string_view text = v->get_string();
  auto t = ParseTimestamp(text);
  const bool has_offset =
      text.size() > 16 && (text.ends_with('Z') || text.ends_with('z') ||
                           text.substr(16).find_first_of("+-") != std::string_view::npos);
  if (!t || t->date_only || !has_offset) return InvalidArgument(std::string(kForm));
  if (t->micros <= now)
    return InvalidArgument(fmt::format("send_at: {} is in the past; {} to send now",
                                       FormatTimestamp(t->micros), now_instead));
  return t->micros;
}

Status Lifecycle::Create(Campaign& c) {
  c.id = "cmp_" + RandomHex(12);
  c.status = store::kCampaignDraft;
  c.created_at = c.updated_at = now;
  CDP_RETURN_IF_ERROR(Validate(c, segments));
  return campaigns.CreateCampaign(c);
}

Status Lifecycle::Launch(Campaign& c, std::optional<int64_t> at) {
  c.id = "cmp_" + RandomHex(12);
  c.created_at = c.updated_at = now;
  c.status = at ? store::kCampaignScheduled : store::kCampaignSending;
  c.send_at = at.value_or(now);
  CDP_RETURN_IF_ERROR(Validate(c, segments));
  return campaigns.CreateCampaign(c);
}

Status Lifecycle::Update(Campaign& c) {
  CDP_RETURN_IF_ERROR(Validate(c, segments));
  return Save(campaigns, c, kEditable, now);
}

Status Lifecycle::Send(Campaign& c) {
  c.status = store::kCampaignSending;
  c.send_at = now;
  return Save(campaigns, c, kEditable, now);
}

Status Lifecycle::Schedule(Campaign& c, int64_t at) {
  c.status = store::kCampaignScheduled;
  c.send_at = at;
  return Save(campaigns, c, kEditable, now);
}

Status Lifecycle::Cancel(Campaign& c) {
  c.status = store::kCampaignCancelled;
  c.finished_at = now;
  return Save(campaigns, c, kCancellable, now);
}

}  // namespace cdp::campaigns
