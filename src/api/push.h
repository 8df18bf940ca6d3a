// The Push API (docs/push.md): browsers and devices registered per user, a brand's push
// providers, and notifications to one user, every subscriber of a platform or a segment.
// Each send or broadcast is a campaign (durable, retried, reported); the campaigns::Engine
// delivers it.
#pragma once

#include <string_view>

#include "api/services.h"
#include "http/message.h"

namespace cdp::api {

// POST /api/v1/push/subscribe: {"userId" | "anonymousId", "platform": "web", "subscription":
// {"endpoint", "keys": {"p256dh", "auth"}}} or {..., "platform": "android" | "ios",
// "token"} -> {"subscription_id"}. The profile is created when missing.
http::Response PushSubscribe(const Call& call, Services& services);
// POST /api/v1/push/unsubscribe: {"subscription_id"} or {"platform", "endpoint" | "token"}.
http::Response PushUnsubscribe(const Call& call, Services& services);
// POST /api/v1/push/list: {userId|anonymousId, platform?} -> the profile's subscriptions,
// oldest first, each with its endpoint's origin (web) or the start of its token.
http::Response ListPushSubscriptions(const Call& call, Services& services);
// POST /api/v1/channel/push: the providers of the three platforms -> the settings, keys left
// out.
http::Response PutPushChannel(const Call& call, Services& services);
// POST /api/v1/channel/push/vapid: {} -> {"public_key"}, the brand's VAPID application
// server key (generated on first use) for pushManager.subscribe().
http::Response GetVapidKey(const Call& call, Services& services);

// POST /api/v1/{platform}/send: {"userId", "title", "message", "url"?, "image"?, "data"?,
// "subscription_id"?, "name"?, "tracking"?} -> {"campaign_id", "status", "send_at"}.
http::Response SendPush(std::string_view platform, const Call& call, Services& services);
// POST /api/v1/{platform}/broadcast/all and .../broadcast/segment ({"segment_id"} too): the
// same content to every subscriber of the platform (in the segment), now or at "send_at".
http::Response BroadcastPush(std::string_view platform, bool to_segment, const Call& call,
                             Services& services);

}  // namespace cdp::api
