#include "campaigns/tracking.h"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <charconv>
#include <iterator>
#include <vector>

#include "core/ascii.h"
#include "core/base64.h"
#include "core/ids.h"

namespace cdp::campaigns {
namespace {

constexpr size_t kMacBytes = 16;
constexpr size_t kMaxTargetChars = 4000;
constexpr char kSep = '\n';  // never in ids, and never in a URL we track

// Each kind's letter in a payload and its path, indexed by LinkKind.
struct KindInfo {
  char letter;
  std::string_view path;
};
constexpr KindInfo kKinds[] = {{'o', "/t/o/"}, {'c', "/t/c/"}, {'u', "/u/"}, {'s', "/hooks/sms/"}};
static_assert(std::size(kKinds) == static_cast<size_t>(LinkKind::kSmsStatus) + 1);
char KindChar(LinkKind kind) { return kKinds[static_cast<size_t>(kind)].letter; }

bool IStartsWith(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (AsciiLower(s[i]) != AsciiLower(prefix[i])) return false;
  return true;
}

// Case-insensitive find of an ASCII `needle`.
size_t IFind(std::string_view hay, std::string_view needle, size_t from = 0) {
  for (size_t i = from; i + needle.size() <= hay.size(); ++i)
    if (IStartsWith(hay.substr(i), needle)) return i;
  return std::string_view::npos;
}

size_t IRFind(std::string_view hay, std::string_view needle) {
  for (size_t i = hay.size() < needle.size() ? 0 : hay.size() - needle.size() + 1; i-- > 0;)
    if (IStartsWith(hay.substr(i), needle)) return i;
  return std::string_view::npos;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

// The end ('>') of the tag opening at `start`, skipping quoted attribute values.
size_t TagEnd(std::string_view html, size_t start) {
  char quote = 0;
  for (size_t i = start; i < html.size(); ++i) {
    const char c = html[i];
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '>') {
      return i;
    }
  }
  return std::string_view::npos;
}

// The character references an author's href may hold (&amp; above all); others stay.
std::string HtmlUnescape(std::string_view s) {
  static constexpr std::pair<std::string_view, char> kNamed[] = {
      {"&amp;", '&'}, {"&quot;", '"'}, {"&apos;", '\''}, {"&lt;", '<'}, {"&gt;", '>'}};
  std::string out;
  for (size_t i = 0; i < s.size();) {
    if (s[i] != '&') {
      out += s[i++];
      continue;
    }
    bool done = false;
    for (const auto& [name, c] : kNamed) {
      if (IStartsWith(s.substr(i), name)) {
        out += c;
        i += name.size();
        done = true;
        break;
      }
    }
    if (!done && s.substr(i).starts_with("&#")) {
      const bool hex = i + 2 < s.size() && AsciiLower(s[i + 2]) == 'x';
      const size_t digits = i + (hex ? 3 : 2);
      const size_t semi = s.find(';', digits);
      unsigned code = 0;
      if (semi != std::string_view::npos && semi > digits) {
        auto [p, ec] = std::from_chars(s.data() + digits, s.data() + semi, code, hex ? 16 : 10);
        if (ec == std::errc() && p == s.data() + semi && code > 0 && code < 0x80) {
          out += static_cast<char>(code);
          i = semi + 1;
          done = true;
        }
      }
    }
    if (!done) out += s[i++];
  }
  return out;
}

// Inserts `piece` before the last </body>, or appends it.
std::string BeforeBodyEnd(std::string_view html, std::string_view piece) {
  const size_t at = IRFind(html, "</body");
  if (at == std::string_view::npos) return fmt::format("{}{}", html, piece);
  return fmt::format("{}{}{}", html.substr(0, at), piece, html.substr(at));
}

// Splits `s` on kSep into exactly `n` fields, the last taking the rest.
std::optional<std::vector<std::string_view>> Fields(std::string_view s, size_t n) {
  std::vector<std::string_view> out;
  while (out.size() + 1 < n) {
    const size_t sep = s.find(kSep);
    if (sep == std::string_view::npos) return std::nullopt;
    out.push_back(s.substr(0, sep));
    s.remove_prefix(sep + 1);
  }
  out.push_back(s);
  return out;
}

}  // namespace

std::string_view PathOf(LinkKind kind) { return kKinds[static_cast<size_t>(kind)].path; }

Links::Links(std::string key, std::string public_url)
    : key_(std::move(key)), public_url_(std::move(public_url)) {
  while (!public_url_.empty() && public_url_.back() == '/') public_url_.pop_back();
}

std::string Links::Sign(std::string_view payload) const {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(payload.data()), payload.size(), mac, &len);
  return Base64Url(std::string_view(reinterpret_cast<const char*>(mac), kMacBytes));
}

std::string Links::Url(LinkKind kind, const MessageRef& ref) const {
  const std::string payload = fmt::format("{}{}{}{}{}{}{}", KindChar(kind), kSep, ref.brand_id,
                                          kSep, ref.campaign_id, kSep, ref.profile_id);
  return fmt::format("{}{}{}.{}", public_url_, PathOf(kind), Base64Url(payload), Sign(payload));
}

std::string Links::ClickUrl(const MessageRef& ref, std::string_view target) const {
  const std::string payload =
      fmt::format("{}{}{}{}{}{}{}{}{}", KindChar(LinkKind::kClick), kSep, ref.brand_id, kSep,
                  ref.campaign_id, kSep, ref.profile_id, kSep, target);
  return fmt::format("{}{}{}.{}", public_url_, PathOf(LinkKind::kClick), Base64Url(payload),
                     Sign(payload));
}

std::optional<Links::Verified> Links::Verify(LinkKind kind, std::string_view token) const {
  const size_t dot = token.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  auto payload = FromBase64Url(token.substr(0, dot));
  if (!payload || !ConstantTimeEquals(Sign(*payload), token.substr(dot + 1))) return std::nullopt;
  auto fields = Fields(*payload, kind == LinkKind::kClick ? 5 : 4);
  if (!fields || (*fields)[0].size() != 1 || (*fields)[0][0] != KindChar(kind)) return std::nullopt;
  Verified v;
  v.ref.brand_id = std::string((*fields)[1]);
  v.ref.campaign_id = std::string((*fields)[2]);
  const std::string_view id = (*fields)[3];
  auto [p, ec] = std::from_chars(id.data(), id.data() + id.size(), v.ref.profile_id);
  if (ec != std::errc() || p != id.data() + id.size()) return std::nullopt;
  if (kind == LinkKind::kClick) v.target = std::string((*fields)[4]);
  return v;
}

std::string Links::Track(std::string_view html, const MessageRef& ref) const {
  const std::string unsubscribe_prefix = public_url_ + std::string(PathOf(LinkKind::kUnsubscribe));
  auto tracked = [&](std::string_view url) {
    if (!IStartsWith(url, "http://") && !IStartsWith(url, "https://")) return false;
    if (url.size() > kMaxTargetChars || url.starts_with(unsubscribe_prefix)) return false;
    for (char c : url)
      if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) return false;
    return true;
  };
  std::string out;
  size_t pos = 0;
  for (size_t a; (a = IFind(html, "<a", pos)) != std::string_view::npos;) {
    const size_t end = TagEnd(html, a);
    if (end == std::string_view::npos) break;
    if (a + 2 >= html.size() || !IsSpace(html[a + 2])) {  // <abbr>, <address>, ...
      out.append(html.substr(pos, end + 1 - pos));
      pos = end + 1;
      continue;
    }
    std::string_view tag = html.substr(a, end - a);
    // The href attribute: a whitespace-preceded name, '=', then a quoted or bare value.
    size_t value_start = 0, value_end = 0;
    for (size_t h = 0; (h = IFind(tag, "href", h)) != std::string_view::npos; h += 4) {
      if (!IsSpace(tag[h - 1])) continue;
      size_t i = h + 4;
      while (i < tag.size() && IsSpace(tag[i])) ++i;
      if (i >= tag.size() || tag[i] != '=') continue;
      ++i;
      while (i < tag.size() && IsSpace(tag[i])) ++i;
      if (i < tag.size() && (tag[i] == '"' || tag[i] == '\'')) {
        const size_t close = tag.find(tag[i], i + 1);
        if (close == std::string_view::npos) break;
        value_start = i + 1;
        value_end = close;
      } else {
        value_start = i;
        value_end = i;
        while (value_end < tag.size() && !IsSpace(tag[value_end])) ++value_end;
      }
      break;
    }
    out.append(html.substr(pos, a - pos));
    const std::string target = HtmlUnescape(tag.substr(value_start, value_end - value_start));
    if (value_end > value_start && tracked(target)) {
      out.append(tag.substr(0, value_start));
      out.append(ClickUrl(ref, target));  // base64url and '/': nothing to escape
      out.append(tag.substr(value_end));
    } else {
      out.append(tag);
    }
    pos = end;
  }
  out.append(html.substr(pos));
  return BeforeBodyEnd(out,
                       fmt::format(R"(<img src="{}" width="1" height="1" alt="" style="border:0">)",
                                   Url(LinkKind::kOpen, ref)));
}

std::string WithUnsubscribeFooter(std::string_view html, std::string_view url) {
  if (html.empty() || html.find(url) != std::string_view::npos) return std::string(html);
  return BeforeBodyEnd(html, fmt::format(R"(<p style="font-size:12px;color:#777777">)"
                                         R"(<a href="{}">Unsubscribe</a> from these emails.</p>)",
                                         url));
}

std::string WithUnsubscribeLine(std::string_view text, std::string_view url) {
  if (text.empty() || text.find(url) != std::string_view::npos) return std::string(text);
  return fmt::format("{}\n\n--\nUnsubscribe: {}\n", text, url);
}

}  // namespace cdp::campaigns
