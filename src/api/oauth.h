// The OAuth 2.0 endpoints through which brands grant partner apps access (docs/access.md).
//
//   GET  /oauth/authorize  the consent page a brand sees (RFC 6749 4.1.1, PKCE S256 required)
//   POST /oauth/authorize  the brand's decision, authenticated with its API key (headers
//                          x-brand-id/x-api-key or form fields brand_id/api_key): 302 to the
//                          app's redirect URI with a code, or with error=access_denied
//   POST /oauth/token      code or refresh token -> tokens (client authenticated by HTTP Basic
//                          or client_id/client_secret fields)
//   POST /oauth/revoke     RFC 7009 by the app; or by the brand (its API key) for one token
//                          or, with client_id, for everything it granted that app
//
// /oauth/token and the app's /oauth/revoke answer errors in RFC 6749 5.2 form
// ({"error","error_description"}) with the usual envelope alongside, so that both OAuth
// client libraries and our envelope readers understand them.
#pragma once

#include "api/services.h"
#include "http/message.h"

namespace cdp::api {

http::Response ShowAuthorize(const http::Request& req, Services& services);
http::Response Authorize(const http::Request& req, Services& services);
http::Response IssueToken(const http::Request& req, Services& services);
http::Response RevokeToken(const http::Request& req, Services& services);

}  // namespace cdp::api
