#include "auth/scopes.h"

#include <array>
#include <utility>

namespace cdp::auth {
namespace {

constexpr std::array<std::pair<Scope, std::string_view>, 5> kNames{{
    {kUsersRead, "users:read"},
    {kUsersWrite, "users:write"},
    {kEventsWrite, "events:write"},
    {kCampaignsWrite, "campaigns:write"},
    {kReportsRead, "reports:read"},
}};

}  // namespace

std::string_view ScopeName(Scope scope) {
  for (const auto& [s, name] : kNames)
    if (s == scope) return name;
  return "";
}

std::optional<Scopes> ParseScopes(std::string_view text) {
  Scopes out = 0;
  while (!text.empty()) {
    const size_t space = text.find(' ');
    std::string_view word = text.substr(0, space);
    text = space == std::string_view::npos ? std::string_view() : text.substr(space + 1);
    if (word.empty()) continue;
    bool known = false;
    for (const auto& [s, name] : kNames) {
      if (name == word) {
        out |= s;
        known = true;
      }
    }
    if (!known) return std::nullopt;
  }
  return out;
}

std::string FormatScopes(Scopes scopes) {
  std::string out;
  for (const auto& [s, name] : kNames) {
    if (!(scopes & s)) continue;
    if (!out.empty()) out += ' ';
    out += name;
  }
  return out;
}

}  // namespace cdp::auth
