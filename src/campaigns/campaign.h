// What a campaign says, validated: its target and its per-channel content, with the
// content's templates compiled. Shared by the API (validation on save) and the engine
// (rendering at send time). Plain values.
#pragma once

#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "campaigns/template.h"
#include "core/status.h"
#include "profiles/profile.h"

namespace cdp::campaigns {

inline constexpr size_t kMaxNameChars = 100;
inline constexpr size_t kMaxUserIds = 10000;
inline constexpr size_t kMaxTemplateChars = 256 * 1024;

bool IsChannel(std::string_view channel);      // email | sms | web | android | ios
bool IsPushChannel(std::string_view channel);  // web | android | ios
inline constexpr const char* kChannelNames = "email, sms, web, android or ios";

// {"segment_id":"..."}, {"user_ids":[...]} (1 to kMaxUserIds distinct ids), or, for push
// channels, {"subscribers":true} (every profile with a subscription on the platform) and
// {"user_ids":["one"],"subscription_id":"sub_..."} (that subscription only).
struct Target {
  std::optional<std::string> segment_id;
  std::vector<std::string> user_ids;
  bool subscribers = false;
  std::optional<std::string> subscription_id;
};
Result<Target> ParseTarget(const boost::json::value& target);

// Email: {subject, html, text, from, reply_to}: subject and one of html/text required.
// SMS: {text}. Push: {title, message, url, image, data}: title and message required, url
// and image templates too, data a JSON object of custom keys sent as is. Templates are
// compiled; errors name the field and position.
struct Content {
  Template subject, html, text;  // push: the message is `text`
  std::string from, reply_to;
  Template title, url, image;
  std::string data = "{}";
};
Result<Content> ParseContent(std::string_view channel, const boost::json::value& content);

// How a campaign is followed up, stored as {"tracking": bool, "conversion": null |
// {"event_name": "...", "within_days": N}}; the API takes the same two keys at the top
// level of /campaign/create and /campaign/update.
inline constexpr int kMaxConversionDays = 90;
struct Options {
  bool tracking = true;  // email: open pixel and click redirects
  std::optional<std::string> conversion_event;
  int conversion_days = 7;
};
// Missing keys keep their defaults; errors name the key.
Result<Options> ParseOptions(const boost::json::value& options);
boost::json::object OptionsToJson(const Options& options);

// The Message-ID of a campaign's email to one recipient, "<campaign_id>.<profile_id>@cdp"
// (without angle brackets), and back: bounce reports name messages by it.
std::string MessageId(std::string_view campaign_id, int64_t profile_id);
struct MessageKey {
  std::string campaign_id;
  int64_t profile_id = 0;
};
// Accepts the id with or without angle brackets; nullopt for any other form.
std::optional<MessageKey> ParseMessageId(std::string_view message_id);

// Why `profile` cannot get a message on `channel` (opt-in not 1, no address), or nullopt.
// Push channels: always nullopt here; the engine checks subscriptions at send time.
std::optional<std::string> Unreachable(std::string_view channel, const profiles::Profile& profile);
// The address a message on `channel` goes to (email or mobile).
std::string AddressOf(std::string_view channel, const profiles::Profile& profile);

}  // namespace cdp::campaigns
