// Links: the public URLs a message carries back to cdp (open pixel, click redirects,
// unsubscribe, SMS delivery receipts), signed so that nobody can forge or enumerate them.
//
// A URL is `{public_url}/{path}/{token}` with token = base64url(payload) "." base64url(mac):
// the payload names the kind, brand, campaign and recipient (and, for a click, the target
// URL), the mac is HMAC-SHA256 of the payload under an installation-wide key, truncated to
// 128 bits. Verification is stateless: a click redirects only to the URL its own signature
// covers, so a tampered token gets nothing (no open redirect). Plain value; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cdp::campaigns {

// One message of one campaign: the recipient's internal profile id.
struct MessageRef {
  std::string brand_id;
  std::string campaign_id;
  int64_t profile_id = 0;
};

// The kinds of link, each under its own path.
enum class LinkKind { kOpen, kClick, kUnsubscribe, kSmsStatus };
// "/t/o/", "/t/c/", "/u/", "/hooks/sms/": the path before the token.
std::string_view PathOf(LinkKind kind);

class Links {
 public:
  // `key`: the signing secret; `public_url`: where clients reach this server, such as
  // https://cdp.example.com (a trailing '/' is ignored).
  Links(std::string key, std::string public_url);

  std::string Url(LinkKind kind, const MessageRef& ref) const;
  std::string ClickUrl(const MessageRef& ref, std::string_view target) const;

  struct Verified {
    MessageRef ref;
    std::string target;  // a click's destination
  };
  // nullopt when the token is malformed, of another kind, or its signature is wrong.
  std::optional<Verified> Verify(LinkKind kind, std::string_view token) const;

  // Email HTML with every http(s) link rewritten to its click URL (except the unsubscribe
  // link) and an open pixel before </body> (or at the end).
  std::string Track(std::string_view html, const MessageRef& ref) const;

  const std::string& public_url() const { return public_url_; }

 private:
  std::string Sign(std::string_view payload) const;

  std::string key_;
  std::string public_url_;
};

// `html` with an unsubscribe paragraph before </body> (or at the end), unless it already
// holds `url`; empty HTML stays empty.
std::string WithUnsubscribeFooter(std::string_view html, std::string_view url);
// `text` with an unsubscribe line at the end, unless it already holds `url`.
std::string WithUnsubscribeLine(std::string_view text, std::string_view url);

}  // namespace cdp::campaigns
