#include "campaigns/compose.h"

#include <fmt/format.h>

namespace cdp::campaigns {

delivery::Outgoing ComposeMessage(const CampaignRef& c, const Content& content,
                                  const Options& options, const Links& links,
                                  const profiles::Profile& p, int64_t profile_id) {
  const MessageRef ref{std::string(c.brand_id), std::string(c.campaign_id), profile_id};
  delivery::Outgoing out;
  if (IsPushChannel(c.channel)) {
    delivery::PushNotification& n = out.notification;
    n.title = content.title.Render(p, false);
    n.body = content.text.Render(p, false);
    n.url = content.url.Render(p, false);
    n.image = content.image.Render(p, false);
    n.data = content.data;
    n.message_id = MessageId(c.campaign_id, profile_id);
    if (options.tracking && !n.url.empty()) n.url = links.ClickUrl(ref, n.url);
    out.message_id = n.message_id;
    return out;
  }
  out.to = AddressOf(c.channel, p);
  out.from = content.from;
  out.reply_to = content.reply_to;
  out.message_id = MessageId(c.campaign_id, profile_id);
  if (c.channel == "sms") {
    out.text = content.text.Render(p, false);
    out.status_callback = links.Url(LinkKind::kSmsStatus, ref);
    return out;
  }
  const std::string unsubscribe = links.Url(LinkKind::kUnsubscribe, ref);
  out.subject = content.subject.Render(p, false);
  out.html = WithUnsubscribeFooter(content.html.Render(p, true, unsubscribe), unsubscribe);
  if (options.tracking && !out.html.empty()) out.html = links.Track(out.html, ref);
  out.text = WithUnsubscribeLine(content.text.Render(p, false, unsubscribe), unsubscribe);
  out.headers = {{"List-Unsubscribe", fmt::format("<{}>", unsubscribe)},
                 {"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"}};
  return out;
}

std::string NoSubscriptionReason(std::string_view channel) {
  return fmt::format("no {} push subscription", channel);
}

}  // namespace cdp::campaigns
