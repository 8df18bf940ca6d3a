// The dashboard's operator endpoints, for the signed-in operator's brand:
// /dashboard/api/operator/list (every operator: email, role, created_at), /create (email,
// password, role: another operator of the brand) and /remove (email: one of the brand's
// operators other than the caller, and its sessions). Handlers as in services.h; admitted
// by a dashboard session only (api/routes.cc). Changes are audited as done by the operator.
#pragma once

#include "api/services.h"
#include "http/message.h"

namespace cdp::api {

http::Response ListOperators(const Call& call, Services& services);
http::Response CreateOperator(const Call& call, Services& services);
http::Response RemoveOperator(const Call& call, Services& services);

}  // namespace cdp::api
