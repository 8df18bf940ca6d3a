#include "api/sources.h"

#include <fmt/format.h>

#include <boost/json.hpp>

#include "api/fields.h"
#include "core/json.h"
#include "core/time.h"
#include "http/envelope.h"

namespace cdp::api {
namespace {

namespace json = boost::json;

json::array Strings(const std::vector<std::string>& v) { return json::array(v.begin(), v.end()); }

}  // namespace

http::Response ListSources(const Call& call, Services& services) {
  if (Status st = OnlyKeys(call.body, {}); !st.ok()) return http::ErrorResponse(st);
  auto sources = services.store.sources.ListSources(call.brand_id);
  if (!sources.ok()) return http::ErrorResponse(sources.status());
  json::array out;
  for (const auto& s : *sources)
    out.push_back(json::object{{"id", s.id},
                               {"name", s.name},
                               {"allowed_origins", Strings(s.allowed_origins)},
                               {"created_at", FormatTimestamp(s.created_at)},
                               {"revoked", s.revoked_at.has_value()},
                               {"revoked_at", OptionalTimestamp(s.revoked_at)}});
  return http::SuccessResponse(json::object{{"sources", std::move(out)}});
}

http::Response SourceDebugger(const Call& call, Services& services) {
  if (Status st = OnlyKeys(call.body, {"source_id", "limit"}); !st.ok())
    return http::ErrorResponse(st);
  const json::value* id = call.body.if_contains("source_id");
  if (!id || !id->is_string() || id->get_string().empty())
    return http::ErrorResponse(
        InvalidArgument("source_id: required, the id `cdp source create` printed"));
  const std::string source_id(id->get_string());
  int64_t limit = static_cast<int64_t>(store::kSourceCallsKept);
  if (const json::value* v = call.body.if_contains("limit"); v && !v->is_null()) {
    if (!v->is_int64() || v->get_int64() < 1 ||
        v->get_int64() > static_cast<int64_t>(store::kSourceCallsKept))
      return http::ErrorResponse(InvalidArgument(
          fmt::format("limit: must be an integer from 1 to {}", store::kSourceCallsKept)));
    limit = v->get_int64();
  }
  auto source = services.store.sources.GetSource(call.brand_id, source_id);
  if (!source.ok()) return http::ErrorResponse(source.status());
  auto calls =
      services.store.sources.ListSourceCalls(call.brand_id, source_id, static_cast<size_t>(limit));
  if (!calls.ok()) return http::ErrorResponse(calls.status());
  json::array out;
  for (const auto& c : *calls) {
    auto detail = ParseJson(c.detail);
    out.push_back(json::object{
        {"at", FormatTimestamp(c.at)},
        {"path", c.path},
        {"status", c.status},
        {"accepted", c.accepted},
        {"rejected", c.rejected},
        {"detail", detail.ok() && detail->is_object() ? *detail : json::value(json::object())}});
  }
  return http::SuccessResponse(json::object{{"calls", std::move(out)}});
}

}  // namespace cdp::api
