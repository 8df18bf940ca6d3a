// Fuzz target: the signed links of campaign messages (campaigns::Links). The public
// endpoints (/t/o/, /t/c/, /u/, /hooks/sms/) hand the token of any URL anyone sends to
// Links::Verify; the engine rewrites every email's HTML with Links::Track.
//
// The input is used three ways: as a token to verify (every kind); split at NUL bytes into
// the brand id, campaign id and click target of a link to sign and verify again; and as
// email HTML to track.
//
// Properties: a link verifies as what it was signed for, and as no other kind; tracked HTML
// carries the open pixel, and every click link in it verifies for the message, to an
// http(s) target.
#include <cctype>
#include <charconv>
#include <string>
#include <vector>

#include "campaigns/tracking.h"
#include "check.h"

namespace {

using cdp::campaigns::LinkKind;
using cdp::campaigns::Links;
using cdp::campaigns::MessageRef;
using cdp::fuzz::Check;

constexpr LinkKind kKinds[] = {LinkKind::kOpen, LinkKind::kClick, LinkKind::kUnsubscribe,
                               LinkKind::kSmsStatus};
constexpr std::string_view kPublicUrl = "https://cdp.example.com";

bool Same(const MessageRef& a, const MessageRef& b) {
  return a.brand_id == b.brand_id && a.campaign_id == b.campaign_id && a.profile_id == b.profile_id;
}

// The token of `url`, a link of `kind` made by `links`.
std::string_view TokenOf(std::string_view url, LinkKind kind) {
  const std::string prefix = std::string(kPublicUrl) + std::string(cdp::campaigns::PathOf(kind));
  Check(url.starts_with(prefix), "a link does not start with its public URL and path", url);
  return url.substr(prefix.size());
}

void CheckSigned(const Links& links, const MessageRef& ref, std::string_view target) {
  for (LinkKind kind : kKinds) {
    const std::string url =
        kind == LinkKind::kClick ? links.ClickUrl(ref, target) : links.Url(kind, ref);
    const std::string_view token = TokenOf(url, kind);
    for (LinkKind other : kKinds) {
      auto v = links.Verify(other, token);
      if (other != kind) {
        Check(!v, "a link verifies as another kind", url);
        continue;
      }
      Check(v && Same(v->ref, ref), "a signed link does not verify as its message", url);
      if (kind == LinkKind::kClick) Check(v->target == target, "a click lost its target", url);
    }
  }
}

// Every click link in tracked HTML verifies for `ref`. Only called when the input HTML
// holds no click path of its own, so every occurrence was written by Track.
void CheckTracked(const Links& links, const MessageRef& ref, std::string_view html,
                  std::string_view out) {
  const std::string open_prefix =
      std::string(kPublicUrl) + std::string(cdp::campaigns::PathOf(LinkKind::kOpen));
  Check(out.find(open_prefix) != std::string_view::npos, "tracked HTML lacks the open pixel");
  const std::string click_prefix =
      std::string(kPublicUrl) + std::string(cdp::campaigns::PathOf(LinkKind::kClick));
  for (size_t at = out.find(click_prefix); at != std::string_view::npos;
       at = out.find(click_prefix, at + 1)) {
    size_t end = at + click_prefix.size();
    while (end < out.size() && (std::isalnum(static_cast<unsigned char>(out[end])) ||
                                out[end] == '-' || out[end] == '_' || out[end] == '.'))
      ++end;
    const std::string_view token =
        out.substr(at + click_prefix.size(), end - at - click_prefix.size());
    auto v = links.Verify(LinkKind::kClick, token);
    Check(v && Same(v->ref, ref), "a tracked link does not verify for its message", html);
    std::string scheme = v->target.substr(0, v->target.find(':') + 1);
    for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    Check(scheme == "http:" || scheme == "https:",
          "a tracked link leads somewhere other than http(s)", v->target);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Links links("fuzz signing key", std::string(kPublicUrl));
  const std::string_view text = cdp::fuzz::AsText(data, size);

  // A token of its own: no mutation forges the MAC, so this is the refusal path (split,
  // base64url, MAC compare) that every public request reaches.
  for (LinkKind kind : kKinds) (void)links.Verify(kind, text);

  // Ids are hex or generated ("cmp_..."), never holding the payload's '\n' separator.
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    const size_t nul = text.find('\0', start);
    parts.push_back(text.substr(start, nul == std::string_view::npos ? nul : nul - start));
    if (nul == std::string_view::npos) break;
    start = nul + 1;
  }
  MessageRef ref{"b0f1e2d3", "cmp_0123456789ab", static_cast<int64_t>(size) - 7};
  if (parts.size() >= 3 && parts[0].find('\n') == std::string_view::npos &&
      parts[1].find('\n') == std::string_view::npos) {
    MessageRef fuzzed{std::string(parts[0]), std::string(parts[1]), 0};
    if (parts.size() >= 4)
      (void)std::from_chars(parts[3].data(), parts[3].data() + parts[3].size(), fuzzed.profile_id);
    CheckSigned(links, fuzzed, parts[2]);
  }

  const std::string out = links.Track(text, ref);
  if (text.find("/t/c/") == std::string_view::npos) CheckTracked(links, ref, text, out);
  return 0;
}
