// FCM: the Android push provider, Firebase Cloud Messaging's HTTP v1 API
// (POST {base_url}/v1/projects/{project_id}/messages:send). It authorizes with a Google
// service account: an RS256 JWT exchanged at token_uri for an OAuth access token, which
// every provider of the process shares per (client_email, token_uri) until 5 minutes before
// it expires. The push fan-out makes one provider per sending thread; a provider is used by
// one thread at a time.
#pragma once

#include <memory>

#include "core/clock.h"
#include "delivery/push/push.h"

namespace cdp::delivery {

// Send() answers:
// - kSent with response "200 <the message name FCM returned>";
// - kPermanent, gone, when FCM says the registration token is no longer valid (404, or an
//   error whose details carry errorCode UNREGISTERED), or when to.token is empty;
// - kTransient on 429, 5xx and transport errors, at FCM or at the token endpoint;
// - kPermanent on other 4xx (e.g. INVALID_ARGUMENT), on a token endpoint's 4xx (e.g.
//   invalid_grant: response "token endpoint: 400 {...}"), on a private key that does not
//   parse and on notification data that is not a JSON object.
// A 401 drops the shared access token and retries once with a new one. response holds the
// code and the first 500 bytes of the answer. Requests time out after `timeout_seconds`.
std::unique_ptr<PushProvider> MakeFcmProvider(const FcmSettings& s, int timeout_seconds);
// The same with another clock (for the JWT's iat/exp and the token's lifetime); `clock`
// must outlive the provider.
std::unique_ptr<PushProvider> MakeFcmProvider(const FcmSettings& s, int timeout_seconds,
                                              const Clock& clock);

}  // namespace cdp::delivery
