// Router: the explicit route table from (method, path) to handler.
//
// Built once at start-up, then read concurrently by all server threads (no mutation after
// Run starts). Unknown path -> 404 "Invalid URL"; known path, other method -> 405.
#pragma once

#include <functional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "http/message.h"

namespace cdp::http {

using Handler = std::function<Response(const Request&)>;

// Delivers a response; callable once, from any thread.
using Reply = std::function<void(Response)>;
// A handler that does its cheap part on the network thread and replies later (e.g. once a
// write is durable). It must call `reply` exactly once, and must not block.
using AsyncHandler = std::function<void(const Request&, Reply)>;

enum class Execution {
  kInline,    // cheap and non-blocking: run on the network thread
  kBlocking,  // may wait on storage: run on the handler pool
  kAsync,     // an AsyncHandler: started on the network thread, replies when done
};

class Router {
 public:
  void Add(std::string method, std::string path, Handler handler,
           Execution execution = Execution::kBlocking);
  void AddAsync(std::string method, std::string path, AsyncHandler handler);
  // Every path that starts with `prefix` and goes on (e.g. "/t/c/" for "/t/c/TOKEN"), unless
  // an exact route matches first.
  void AddPrefix(std::string method, std::string prefix, Handler handler,
                 Execution execution = Execution::kBlocking);

  // How the route for `req` must be run; kInline for requests that match no route.
  Execution ExecutionFor(const Request& req) const;

  // Runs the handler for `req` or produces the 404/405 envelope. Never throws: a handler
  // exception becomes a 500 envelope.
  Response Dispatch(const Request& req) const;
  // For kAsync routes: starts the handler; `reply` gets the response (or a 500 envelope if
  // the handler throws before replying).
  void DispatchAsync(const Request& req, Reply reply) const;

 private:
  struct Route {
    Handler handler;
    AsyncHandler async_handler;
    Execution execution;
  };
  using Methods = std::unordered_map<std::string, Route>;
  const Methods* FindPath(const std::string& path) const;
  const Route* Find(const Request& req) const;
  std::unordered_map<std::string, Methods> routes_;        // by exact path
  std::vector<std::pair<std::string, Methods>> prefixes_;  // by path prefix, in order added
};

}  // namespace cdp::http
