// Email over SMTP with libcurl: one connection per sender, reused across messages.
#pragma once

#include <memory>

#include "delivery/sender.h"
#include "delivery/settings.h"

namespace cdp::delivery {

// Sends multipart/alternative mail (text and HTML parts, either may be empty) as
// settings.from unless the message names a sender. SMTP 4xx and connection failures are
// transient, 5xx permanent.
std::unique_ptr<Sender> MakeSmtpSender(const EmailSettings& settings);

}  // namespace cdp::delivery
