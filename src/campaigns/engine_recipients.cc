#include <spdlog/spdlog.h>

#include "campaigns/engine_run.h"
#include "core/json.h"
#include "segments/rule.h"

namespace cdp::campaigns {
namespace {

using store::Message;

constexpr size_t kMembersPage = 1000;

}  // namespace

Message Engine::Run::Recipient(const profiles::Profile& p) const {
  Message m;
  m.profile_id = p.id;
  m.user_id = p.user_id.value_or("");
  m.updated_at = m.next_attempt_at = Now();
  if (auto why = Unreachable(c_.channel, p)) {
    m.status = store::kMessageSkipped;
    m.reason = *why;
  } else {
    m.status = store::kMessageQueued;
    m.address = AddressOf(c_.channel, p);
  }
  return m;
}

// Writes one message row per recipient (idempotent: a resumed run adds only the missing
// ones), then marks the campaign materialized. FailedPrecondition when the campaign was
// cancelled meanwhile or the engine stops.
Status Engine::Run::Materialize(const Target& target) {
  if (target.segment_id) {
    CDP_RETURN_IF_ERROR(AddSegmentMembers(*target.segment_id));
  } else if (target.subscribers) {
    CDP_RETURN_IF_ERROR(AddSubscribers());
  } else {
    std::vector<Message> rows;
    for (size_t i = 0; i < target.user_ids.size(); ++i) {
      const std::string& uid = target.user_ids[i];
      auto p = e_.stores_.profiles.GetProfile(c_.brand_id, {profiles::ProfileKey::Kind::kUserId, uid});
      if (p.ok()) {
        rows.push_back(Recipient(*p));
      } else if (p.status().code() == Code::kNotFound) {
        Message m;
        m.profile_id = -static_cast<int64_t>(i + 1);
        m.user_id = uid;
        m.status = store::kMessageSkipped;
        m.reason = "no such user";
        m.updated_at = Now();
        rows.push_back(std::move(m));
      } else {
        return p.status();
      }
      if (rows.size() == kMembersPage || i + 1 == target.user_ids.size()) {
        CDP_RETURN_IF_ERROR(e_.stores_.campaigns.AddMessages(c_.brand_id, c_.id, rows));
        rows.clear();
        if (e_.stopping_) return Stopping();
      }
    }
  }
  c_.materialized = true;
  c_.updated_at = Now();
  return e_.stores_.campaigns.SaveCampaign(c_, {store::kCampaignSending});
}

// Writes a recipient for every profile of the pages `fetch(after)` returns, from after 0
// until a page has no next one.
template <typename Fetch>
Status Engine::Run::AddPages(Fetch fetch) {
  int64_t after = 0;
  for (;;) {
    Result<store::ProfilePage> page = fetch(after);
    if (!page.ok()) return page.status();
    std::vector<Message> rows;
    for (const auto& p : page->profiles) rows.push_back(Recipient(p));
    if (!rows.empty()) CDP_RETURN_IF_ERROR(e_.stores_.campaigns.AddMessages(c_.brand_id, c_.id, rows));
    if (!page->next_after) return Status::Ok();
    if (e_.stopping_) return Stopping();
    after = *page->next_after;
  }
}

// Every profile with a subscription on the campaign's push platform.
Status Engine::Run::AddSubscribers() {
  return AddPages([&](int64_t after) {
    return e_.stores_.push.Subscribers(c_.brand_id, c_.channel, after, kMembersPage);
  });
}

Status Engine::Run::AddSegmentMembers(const std::string& segment_id) {
  auto segment = e_.stores_.segments.GetSegment(c_.brand_id, segment_id);
  if (segment.status().code() == Code::kNotFound) {
    spdlog::warn("campaign {}/{}: segment {} was deleted; nobody to send to", c_.brand_id, c_.id,
                 segment_id);
    return Status::Ok();
  }
  if (!segment.ok()) return segment.status();
  auto rules = ParseJson(segment->rules);
  if (!rules.ok()) return Internal("stored rules are not JSON");
  auto types = e_.stores_.profiles.GetAttributeTypes(c_.brand_id);
  if (!types.ok()) return types.status();
  auto rule = segments::ParseRule(*rules, *types);
  if (!rule.ok()) return rule.status();
  const int64_t now = Now();
  return AddPages([&](int64_t after) {
    return e_.stores_.segments.SegmentMembers(c_.brand_id, *rule, now, after, kMembersPage);
  });
}

}  // namespace cdp::campaigns
