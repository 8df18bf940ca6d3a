// Scopes: what a caller may do on /api/v1. A brand's API key holds every scope; a partner's
// access token holds the ones the brand granted it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cdp::auth {

enum Scope : uint32_t {
  kUsersRead = 1u << 0,
  kUsersWrite = 1u << 1,
  kEventsWrite = 1u << 2,
  kCampaignsWrite = 1u << 3,
  kReportsRead = 1u << 4,
};
using Scopes = uint32_t;
inline constexpr Scopes kAllScopes =
    kUsersRead | kUsersWrite | kEventsWrite | kCampaignsWrite | kReportsRead;

// "users:read", ...
std::string_view ScopeName(Scope scope);
// A space-separated list (RFC 6749 3.3); nullopt when it names an unknown scope. Repeats are
// allowed; an empty list is the empty set.
std::optional<Scopes> ParseScopes(std::string_view text);
// Space-separated, in a fixed order.
std::string FormatScopes(Scopes scopes);

// Who is calling: the brand whose data the call touches, what it may do, and the name the
// audit log gives it ("key:PREFIX" or "partner:CLIENT_ID").
struct Principal {
  std::string brand_id;
  Scopes scopes = 0;
  std::string actor;
};

}  // namespace cdp::auth
