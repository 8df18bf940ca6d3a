// The Channel API: a brand's delivery settings per channel (docs/campaigns.md).
#pragma once

#include "api/services.h"
#include "http/message.h"

namespace cdp::api {

// POST /api/v1/channel/email: the SMTP settings, replaced whole -> the settings (redacted).
http::Response PutEmailChannel(const Call& call, Services& services);
// POST /api/v1/channel/sms: the HTTP provider settings, replaced whole -> the settings.
http::Response PutSmsChannel(const Call& call, Services& services);
// POST /api/v1/channel/get: {"channel"} -> the settings, secrets left out; 404 if unset.
http::Response GetChannel(const Call& call, Services& services);

}  // namespace cdp::api
