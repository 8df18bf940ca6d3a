// Mime: the text of one campaign email (RFC 5322 header, MIME body), as the SMTP client
// sends it after DATA. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "delivery/sender.h"

namespace cdp::delivery {

// Quoted-printable (RFC 2045 6.7) of UTF-8 text: line breaks (LF or CRLF) become CRLF, other
// lines are cut with soft breaks so that none exceeds 76 characters, '=', control characters,
// bytes >= 0x80 and whitespace before a line break are escaped.
std::string QuotedPrintable(std::string_view text);

// A header value: line breaks replaced by spaces (values come from templates filled with user
// data, so no header can be injected), and RFC 2047 encoded-words ("=?UTF-8?B?...?=", folded
// onto continuation lines) when it is not plain ASCII.
std::string HeaderValue(std::string_view value);

// The message sent from `from`: Date (`date`, RFC 5322 format), From, To, Subject,
// Message-ID, MIME-Version, Reply-To (when given), the message's extra headers, and a
// multipart/alternative body with a quoted-printable UTF-8 part per non-empty text and html
// (an empty text part when both are empty). Lines end in CRLF; no line exceeds 998
// characters unless a header value does. Not dot-stuffed.
std::string ComposeMail(const Outgoing& message, std::string_view from, std::string_view date);

// "Name <a@b>" or "a@b" -> "a@b": the address for the SMTP envelope.
std::string EnvelopeAddress(std::string_view address);

// The current time as an RFC 5322 date in UTC, e.g. "Tue, 01 Dec 2026 09:00:00 +0000".
std::string RfcDateNow();

}  // namespace cdp::delivery
