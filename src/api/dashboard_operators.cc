#include "api/dashboard_operators.h"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <string>

#include "auth/operators.h"
#include "core/json.h"
#include "core/time.h"
#include "http/envelope.h"

namespace cdp::api {
namespace {

namespace json = boost::json;

json::object OperatorJson(const store::Operator& op) {
  return json::object{
      {"email", op.email}, {"role", op.role}, {"created_at", FormatTimestamp(op.created_at)}};
}

// A string field, required.
Result<std::string> Text(const json::object& body, std::string_view name) {
  const json::value* v = body.if_contains(name);
  if (!v || !v->is_string()) return InvalidArgument(fmt::format("{}: required, a string", name));
  return std::string(v->get_string());
}

store::AuditEntry Audit(const Call& call, Services& services, std::string action,
                        std::string target, json::object detail = {}) {
  return store::AuditEntry{0,
                           services.clock.NowMicros(),
                           call.actor,
                           std::move(action),
                           call.brand_id,
                           std::move(target),
                           json::serialize(detail)};
}

}  // namespace

http::Response ListOperators(const Call& call, Services& services) {
  if (Status st = OnlyKeys(call.body, {}); !st.ok()) return http::ErrorResponse(st);
  auto ops = services.store.operators.ListOperators(call.brand_id);
  if (!ops.ok()) return http::ErrorResponse(ops.status());
  json::array out;
  for (const auto& op : *ops) out.push_back(OperatorJson(op));
  return http::SuccessResponse(json::object{{"operators", std::move(out)}});
}

http::Response CreateOperator(const Call& call, Services& services) {
  if (Status st = OnlyKeys(call.body, {"email", "password", "role"}); !st.ok())
    return http::ErrorResponse(st);
  auto email = Text(call.body, "email");
  if (!email.ok()) return http::ErrorResponse(email.status());
  auto password = Text(call.body, "password");
  if (!password.ok()) return http::ErrorResponse(password.status());
  std::string role = "editor";
  if (call.body.contains("role")) {
    auto given = Text(call.body, "role");
    if (!given.ok()) return http::ErrorResponse(given.status());
    role = *given;
  }
  auto op = auth::NewOperator(call.brand_id, *email, *password, role, services.clock.NowMicros());
  if (!op.ok()) return http::ErrorResponse(op.status());
  Status st = services.store.operators.CreateOperator(
      *op, Audit(call, services, "operator.create", op->email, {{"role", op->role}}));
  if (!st.ok()) return http::ErrorResponse(st);
  return http::SuccessResponse(OperatorJson(*op));
}

http::Response RemoveOperator(const Call& call, Services& services) {
  if (Status st = OnlyKeys(call.body, {"email"}); !st.ok()) return http::ErrorResponse(st);
  auto given = Text(call.body, "email");
  if (!given.ok()) return http::ErrorResponse(given.status());
  auto email = auth::NormalizeEmail(*given);
  if (!email.ok()) return http::ErrorResponse(email.status());
  if (call.actor == fmt::format("operator:{}", *email))
    return http::ErrorResponse(InvalidArgument("email: you cannot remove yourself"));
  // Another brand's operator is not there, as far as this brand can tell.
  auto op = services.store.operators.GetOperatorByEmail(*email);
  if (!op.ok() || op->brand_id != call.brand_id)
    return http::ErrorResponse(op.ok() || op.status().code() == Code::kNotFound
                                   ? NotFound(fmt::format("no operator has the email {}", *email))
                                   : op.status());
  Status st = services.store.operators.DeleteOperator(
      *email, Audit(call, services, "operator.remove", *email));
  if (!st.ok()) return http::ErrorResponse(st);
  return http::SuccessResponse(json::object{{"email", *email}}, "removed");
}

}  // namespace cdp::api
