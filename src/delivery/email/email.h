// Email over SMTP (delivery/email/smtp_client.h): one connection per sender, reused across
// messages, pipelining when the server allows it.
#pragma once

#include <memory>

#include "delivery/sender.h"
#include "delivery/settings.h"

namespace cdp::delivery {

// Sends multipart/alternative mail (text and HTML parts, either may be empty;
// delivery/email/mime.h) as settings.from unless the message names a sender. SMTP 4xx,
// timeouts and connection failures are transient, 5xx permanent.
std::unique_ptr<Sender> MakeSmtpSender(const EmailSettings& settings);

}  // namespace cdp::delivery
