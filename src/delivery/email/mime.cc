#include "delivery/email/mime.h"

#include <fmt/format.h>

#include <ctime>

#include "core/base64.h"

namespace cdp::delivery {
namespace {

constexpr size_t kQpLine = 76;
// UTF-8 bytes per encoded-word: 39 bytes make 52 base64 characters, so that even the first
// word, behind "Subject: ", keeps its line within 76 characters.
constexpr size_t kWordBytes = 39;

std::string OneLine(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) out += (c == '\r' || c == '\n') ? ' ' : c;
  return out;
}

bool IsAscii(std::string_view s) {
  for (unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

// A boundary that cannot occur in quoted-printable text, where '=' is always followed by two
// hex digits or a line break, never by '_'.
constexpr std::string_view kBoundary = "=_cdp_alternative_=";

}  // namespace

std::string QuotedPrintable(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() + text.size() / 8 + 16);
  size_t line = 0;  // characters on the current output line
  auto put = [&](std::string_view piece) {
    // A soft break keeps the line, with its trailing '=', within kQpLine.
    if (line + piece.size() > kQpLine - 1) {
      out += "=\r\n";
      line = 0;
    }
    out += piece;
    line += piece.size();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\n' || (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n')) {
      if (c == '\r') ++i;
      out += "\r\n";
      line = 0;
      continue;
    }
    const bool at_line_end = i + 1 == text.size() || text[i + 1] == '\n' ||
                             (text[i + 1] == '\r' && i + 2 < text.size() && text[i + 2] == '\n');
    const bool plain =
        (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !at_line_end);
    if (plain) {
      const char ch = static_cast<char>(c);
      put(std::string_view(&ch, 1));
    } else {
      const char esc[3] = {'=', kHex[c >> 4], kHex[c & 15]};
      put(std::string_view(esc, 3));
    }
  }
  return out;
}

std::string HeaderValue(std::string_view value) {
  std::string s = OneLine(value);
  if (IsAscii(s)) return s;
  std::string out;
  size_t at = 0;
  while (at < s.size()) {
    size_t end = std::min(s.size(), at + kWordBytes);
    // Never split a UTF-8 sequence: back up to the start of a character.
    while (end < s.size() && end > at + 1 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80)
      --end;
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + Base64(std::string_view(s).substr(at, end - at)) + "?=";
    at = end;
  }
  return out;
}

std::string EnvelopeAddress(std::string_view address) {
  const size_t lt = address.rfind('<'), gt = address.rfind('>');
  if (lt != std::string_view::npos && gt != std::string_view::npos && lt < gt)
    return OneLine(address.substr(lt + 1, gt - lt - 1));
  return OneLine(address);
}

std::string RfcDateNow() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

std::string ComposeMail(const Outgoing& m, std::string_view from, std::string_view date) {
  std::string out;
  out.reserve(1024 + m.text.size() * 11 / 10 + m.html.size() * 11 / 10);
  auto header = [&](std::string_view name, std::string_view value) {
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  };
  header("Date", date);
  header("From", OneLine(from));
  header("To", OneLine(m.to));
  header("Subject", HeaderValue(m.subject));
  header("Message-ID", fmt::format("<{}>", OneLine(m.message_id)));
  header("MIME-Version", "1.0");
  if (!m.reply_to.empty()) header("Reply-To", OneLine(m.reply_to));
  for (const auto& [name, value] : m.headers) header(OneLine(name), OneLine(value));
  header("Content-Type", fmt::format("multipart/alternative; boundary=\"{}\"", kBoundary));
  out += "\r\n";
  // Text first: the last alternative is the preferred one.
  auto part = [&](std::string_view body, std::string_view type) {
    out += "--";
    out += kBoundary;
    out += "\r\n";
    header("Content-Type", type);
    header("Content-Transfer-Encoding", "quoted-printable");
    out += "\r\n";
    out += QuotedPrintable(body);
    out += "\r\n";
  };
  if (!m.text.empty() || m.html.empty()) part(m.text, "text/plain; charset=UTF-8");
  if (!m.html.empty()) part(m.html, "text/html; charset=UTF-8");
  out += "--";
  out += kBoundary;
  out += "--\r\n";
  return out;
}

}  // namespace cdp::delivery
