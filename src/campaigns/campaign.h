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

bool IsChannel(std::string_view channel);  // email | sms

// {"segment_id":"..."} or {"user_ids":[...]} (1 to kMaxUserIds distinct ids).
struct Target {
  std::optional<std::string> segment_id;
  std::vector<std::string> user_ids;
};
Result<Target> ParseTarget(const boost::json::value& target);

// Email: {subject, html, text, from, reply_to}: subject and one of html/text required.
// SMS: {text}. Templates are compiled; errors name the field and position.
struct Content {
  Template subject, html, text;
  std::string from, reply_to;
};
Result<Content> ParseContent(std::string_view channel, const boost::json::value& content);

// Why `profile` cannot get a message on `channel` (opt-in not 1, no address), or nullopt.
std::optional<std::string> Unreachable(std::string_view channel, const profiles::Profile& profile);
// The address a message on `channel` goes to (email or mobile).
std::string AddressOf(std::string_view channel, const profiles::Profile& profile);

}  // namespace cdp::campaigns
