// `cdp serve`: the HTTP API server with its campaign engine. Registers the subcommand and
// its options on the app; once parsed, Run opens the store, listens, builds the services on
// the bound address (tracking links need the final public URL), serves until SIGINT or
// SIGTERM and shuts down in order: the server answers what is in flight, the key-use
// flusher writes once more, the engine finishes the messages it is on, storage drains.
// The options are bound to members, so a ServeCommand stays where it was built while the
// app parses. Not thread-safe.
#pragma once

#include <CLI/CLI.hpp>
#include <cstddef>
#include <cstdint>
#include <string>

#include "cli/storage.h"
#include "http/server.h"

namespace cdp::cli {

// How campaigns are sent by this server.
struct CampaignFlags {
  std::string node;  // default: "local" on SQLite, a random name on PostgreSQL
  int retry_base_ms = 2000;
  std::string public_url;  // default: http:// and the listen address
  std::string redis_url;   // shared rate-limit counters; default: this process's memory
};

// How long the dashboard's sessions last (docs/dashboard.md).
struct SessionFlags {
  int64_t idle_s = 12 * 3600;
  int64_t max_s = 7 * 86400;
};

// How the server bounds connections; the defaults are ServerOptions'.
struct ConnectionFlags {
  size_t max_connections = http::kMaxConnections;
  int request_timeout_s = static_cast<int>(http::kRequestTimeout.count());
  int idle_timeout_s = static_cast<int>(http::kIdleTimeout.count());
};

class ServeCommand {
 public:
  ServeCommand(CLI::App& app, StorageFlags& storage);
  ServeCommand(const ServeCommand&) = delete;
  ServeCommand& operator=(const ServeCommand&) = delete;

  bool parsed() const { return cmd_->parsed(); }
  // Serves until stopped. Exit codes: 0 after a clean stop, 2 for a malformed --listen, 1
  // when storage, Redis or the address cannot be used.
  int Run() const;

 private:
  CLI::App* cmd_;
  const StorageFlags& storage_;
  std::string listen_ = "127.0.0.1:8080";
  int threads_;
  ConnectionFlags connection_;
  CampaignFlags campaign_;
  SessionFlags sessions_;
};

}  // namespace cdp::cli
