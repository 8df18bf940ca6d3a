#include "http/router.h"

#include <exception>

#include "http/envelope.h"

namespace cdp::http {

void Router::Add(std::string method, std::string path, Handler handler, Execution execution) {
  routes_[std::move(path)][std::move(method)] = Route{std::move(handler), nullptr, execution};
}

void Router::AddAsync(std::string method, std::string path, AsyncHandler handler) {
  routes_[std::move(path)][std::move(method)] =
      Route{nullptr, std::move(handler), Execution::kAsync};
}

void Router::AddPrefix(std::string method, std::string prefix, Handler handler,
                       Execution execution) {
  for (auto& [p, methods] : prefixes_) {
    if (p == prefix) {
      methods[std::move(method)] = Route{std::move(handler), nullptr, execution};
      return;
    }
  }
  prefixes_.push_back({std::move(prefix), {}});
  prefixes_.back().second[std::move(method)] = Route{std::move(handler), nullptr, execution};
}

const Router::Methods* Router::FindPath(const std::string& path) const {
  if (auto p = routes_.find(path); p != routes_.end()) return &p->second;
  for (const auto& [prefix, methods] : prefixes_)
    if (path.size() > prefix.size() && path.starts_with(prefix)) return &methods;
  return nullptr;
}

const Router::Route* Router::Find(const Request& req) const {
  const Methods* methods = FindPath(req.path);
  if (!methods) return nullptr;
  auto m = methods->find(req.method);
  return m == methods->end() ? nullptr : &m->second;
}

void Router::DispatchAsync(const Request& req, Reply reply) const {
  const Route* route = Find(req);
  if (!route || !route->async_handler) {
    reply(Dispatch(req));
    return;
  }
  try {
    route->async_handler(req, reply);
  } catch (const std::exception& e) {
    reply(ErrorResponse(Internal(std::string("internal error: ") + e.what())));
  } catch (...) {
    reply(ErrorResponse(Internal("internal error")));
  }
}

Execution Router::ExecutionFor(const Request& req) const {
  const Route* route = Find(req);
  return route ? route->execution : Execution::kInline;
}

Response Router::Dispatch(const Request& req) const {
  const Methods* methods = FindPath(req.path);
  if (!methods) return ErrorResponse(NotFound("Invalid URL: no endpoint " + req.path));
  auto m = methods->find(req.method);
  if (m == methods->end()) {
    std::string allowed;
    for (const auto& [method, _] : *methods) allowed += (allowed.empty() ? "" : ", ") + method;
    Response res =
        ErrorResponse(Status(Code::kInvalidArgument, "method " + req.method + " not allowed on " +
                                                         req.path + "; use " + allowed));
    res.status = 405;
    res.headers.emplace_back("Allow", allowed);
    return res;
  }
  if (!m->second.handler) return ErrorResponse(Internal("route has no synchronous handler"));
  try {
    return m->second.handler(req);
  } catch (const std::exception& e) {
    return ErrorResponse(Internal(std::string("internal error: ") + e.what()));
  } catch (...) {
    return ErrorResponse(Internal("internal error"));
  }
}

}  // namespace cdp::http
