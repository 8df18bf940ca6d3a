// SMS through an HTTP provider (delivery/http_post.h), in the Twilio-compatible format (see
// SmsSettings). One connection per sender, kept alive across messages.
#pragma once

#include <memory>

#include "delivery/sender.h"
#include "delivery/settings.h"

namespace cdp::delivery {

// 2xx: sent; 429, 5xx and transport failures: transient; other answers: permanent.
std::unique_ptr<Sender> MakeHttpSmsSender(const SmsSettings& settings);

}  // namespace cdp::delivery
