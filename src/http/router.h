// Router: the explicit route table from (method, path) to handler.
//
// Built once at start-up, then read concurrently by all server threads (no mutation after
// Run starts). Unknown path -> 404 "Invalid URL"; known path, other method -> 405.
#pragma once

#include <functional>
#include <string>
#include <unordered_map>

#include "http/message.h"

namespace cdp::http {

using Handler = std::function<Response(const Request&)>;

enum class Execution {
  kInline,    // cheap and non-blocking: run on the network thread
  kBlocking,  // may wait on storage: run on the handler pool
};

class Router {
 public:
  void Add(std::string method, std::string path, Handler handler,
           Execution execution = Execution::kBlocking);

  // How the route for `req` must be run; kInline for requests that match no route.
  Execution ExecutionFor(const Request& req) const;

  // Runs the handler for `req` or produces the 404/405 envelope. Never throws: a handler
  // exception becomes a 500 envelope.
  Response Dispatch(const Request& req) const;

 private:
  struct Route {
    Handler handler;
    Execution execution;
  };
  // path -> method -> route
  std::unordered_map<std::string, std::unordered_map<std::string, Route>> routes_;
};

}  // namespace cdp::http
