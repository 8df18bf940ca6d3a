// Feedback on sent messages (docs/reports.md): where the links in a message lead (open
// pixel, click redirects, unsubscribe pages), the SMS provider's delivery receipts, and the
// bounce and complaint reports of a brand's mail system.
//
// The link endpoints are public (the recipient's mail client calls them) and trust only
// the link's signature (campaigns::Links): a bad or tampered token gets 404, and a click
// never redirects anywhere its signature does not cover.
#pragma once

#include "api/services.h"
#include "http/message.h"

namespace cdp::api {

// GET /t/o/TOKEN: counts an open; answers a 1x1 GIF.
http::Response TrackOpen(const http::Request& req, Services& services);
// GET /t/c/TOKEN: counts a click; 302 to the link's URL.
http::Response TrackClick(const http::Request& req, Services& services);
// GET /u/TOKEN: a page with one button that POSTs to the same URL. A GET never
// unsubscribes: mail scanners fetch links.
http::Response ShowUnsubscribe(const http::Request& req, Services& services);
// POST /u/TOKEN: RFC 8058 one-click unsubscribe (any body): email_opt_in becomes 0.
http::Response Unsubscribe(const http::Request& req, Services& services);
// POST /hooks/sms/TOKEN: a delivery receipt in Twilio's StatusCallback form
// (MessageStatus=delivered|undelivered|failed|..., ErrorCode).
http::Response SmsStatus(const http::Request& req, Services& services);

// POST /api/v1/message/bounce: {"type":"bounce"|"complaint","message_id", recipient?,
// action?, status?, diagnostic_code?, feedback_type?}: a permanent bounce marks the message
// bounced and sets email_opt_in to 2; a transient one (action "delayed" or status 4.x.x) is
// kept as a soft bounce; a complaint sets email_opt_in to 0.
http::Response ReportBounce(const Call& call, Services& services);

}  // namespace cdp::api
