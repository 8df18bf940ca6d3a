// The dashboard's sessions (docs/dashboard.md): signing in and out, and the admission of an
// operator's call to /dashboard/api/... in place of the brand's key. Used by api/routes.cc.
// Stateless functions over Services (whose `sessions` must be set); thread-safe.
#pragma once

#include "api/services.h"
#include "auth/scopes.h"
#include "core/status.h"
#include "http/message.h"
#include "http/router.h"

namespace cdp::api {

// Whether a route changes data. Every route declares it: a viewer's session calls kRead
// routes only.
enum class Access { kRead, kChange };

// The operator calling a dashboard endpoint, checked in this order: the cdp_session
// cookie's session (else Unauthenticated, 401), the X-CSRF-Token header against the
// session's token, the Origin header (when present) against this server's, and for a
// kChange route that the operator is no viewer (each else PermissionDenied, 403). The
// principal holds every scope (operators are not scoped like partners' tokens); its actor is
// "operator:EMAIL".
Result<auth::Principal> AuthenticateOperator(const http::Request& req, Services& services,
                                             Access access);

// POST /dashboard/api/session/login, GET /dashboard/api/session and
// POST /dashboard/api/session/logout.
void AddSessionRoutes(http::Router& router, Services& services);

}  // namespace cdp::api
