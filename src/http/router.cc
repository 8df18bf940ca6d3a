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

const Router::Route* Router::Find(const Request& req) const {
  auto p = routes_.find(req.path);
  if (p == routes_.end()) return nullptr;
  auto m = p->second.find(req.method);
  return m == p->second.end() ? nullptr : &m->second;
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
  auto p = routes_.find(req.path);
  if (p == routes_.end()) return ErrorResponse(NotFound("Invalid URL: no endpoint " + req.path));
  auto m = p->second.find(req.method);
  if (m == p->second.end()) {
    std::string allowed;
    for (const auto& [method, _] : p->second) allowed += (allowed.empty() ? "" : ", ") + method;
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
