// Message templates: text with {{ tag }} placeholders filled from a recipient's profile.
//
// A tag names a profile field by its API name (firstName, email, ...), userId, or a custom
// attribute as attributes.<name>, or unsubscribe_url (the recipient's own), optionally with a
// fallback used when the value is missing or empty: {{ firstName | default: "there" }}. Templates
// are parsed once, when a campaign is saved (errors name the position), and rendered per recipient.
// Plain values; thread-safe to share once parsed.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "profiles/profile.h"

namespace cdp::campaigns {

inline constexpr std::string_view kUnsubscribeTag = "unsubscribe_url";

class Template {
 public:
  // `where` names the template in error messages (e.g. "content.subject"). InvalidArgument
  // for an unclosed "{{", an unknown tag or a malformed filter, with its 1-based position.
  static Result<Template> Parse(std::string_view text, std::string_view where);

  // The text with every tag replaced; with `html`, replacement values are HTML-escaped
  // (the template's own text is not: it is the author's markup).
  std::string Render(const profiles::Profile& profile, bool html,
                     std::string_view unsubscribe_url = {}) const;

  bool empty() const { return pieces_.empty(); }

 private:
  struct Piece {
    std::string text;  // literal text, when `tag` is empty
    std::string tag;   // "userId", a field name or "attributes.<name>"
    std::optional<std::string> fallback;
  };
  std::vector<Piece> pieces_;
};

// `s` with &, <, >, " and ' replaced by their HTML entities.
std::string HtmlEscape(std::string_view s);

}  // namespace cdp::campaigns
