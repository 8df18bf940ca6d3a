#include "cli/serve.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <thread>

#include "api/routes.h"
#include "auth/authenticator.h"
#include "auth/key_usage_flusher.h"
#include "auth/oauth.h"
#include "auth/sessions.h"
#include "auth/write_keys.h"
#include "campaigns/engine.h"
#include "campaigns/tracking.h"
#include "core/clock.h"
#include "core/ids.h"
#include "delivery/provider_channel_factory.h"
#include "http/router.h"
#include "ratelimit/limiter.h"
#include "ratelimit/policy.h"
#include "ratelimit/redis_limiter.h"
#include "tracking/call_log.h"

namespace cdp::cli {
namespace {

// "host:port" or "[v6]:port".
bool SplitListen(const std::string& listen, std::string* host, uint16_t* port) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) return false;
  *host = listen.substr(0, colon);
  if (host->size() >= 2 && host->front() == '[' && host->back() == ']')
    *host = host->substr(1, host->size() - 2);
  try {
    int p = std::stoi(listen.substr(colon + 1));
    if (p < 0 || p > 65535) return false;
    *port = static_cast<uint16_t>(p);
  } catch (...) {
    return false;
  }
  return !host->empty();
}

// --public-url, or http:// and the address the server is bound to.
std::string PublicUrl(const CampaignFlags& flags, const std::string& address, uint16_t port) {
  if (!flags.public_url.empty()) return flags.public_url;
  const std::string host = address.find(':') != std::string::npos ? "[" + address + "]" : address;
  return fmt::format("http://{}:{}", host, port);
}

}  // namespace

ServeCommand::ServeCommand(CLI::App& app, StorageFlags& storage)
    : cmd_(app.add_subcommand("serve", "run the HTTP API server")),
      storage_(storage),
      threads_(static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))) {
  cmd_->add_option("--listen", listen_, "address to listen on, HOST:PORT (port 0: any free)")
      ->capture_default_str();
  cmd_->add_option("--threads", threads_, "network threads")->check(CLI::Range(1, 256));
  AddStorageOptions(cmd_, storage);
  cmd_->add_option("--segment-memory", storage.segment_memory,
                   "most memory the segment index holds, e.g. 2GB (default: a quarter of RAM); "
                   "least recently used brands are dropped beyond it")
      ->transform(CLI::AsSizeValue(false));
  cmd_->add_option("--max-connections", connection_.max_connections,
                   "open connections at most; beyond, a new one replaces the longest-idle "
                   "connection without a request in flight")
      ->check(CLI::Range(size_t{1}, size_t{1'000'000}))
      ->capture_default_str();
  cmd_->add_option("--request-timeout", connection_.request_timeout_s,
                   "seconds from a request's first byte until all of it must have arrived")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  cmd_->add_option("--idle-timeout", connection_.idle_timeout_s,
                   "seconds a connection may wait for a request's first byte (new or kept alive)")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  cmd_->add_option("--node", campaign_.node,
                   "this node's name for campaign leases (distinct per node sharing a database)");
  cmd_->add_option("--retry-base-ms", campaign_.retry_base_ms,
                   "delay before the first retry of a transient delivery failure (doubles "
                   "after each)")
      ->check(CLI::Range(10, 3600000))
      ->capture_default_str();
  cmd_->add_option("--public-url", campaign_.public_url,
                   "where recipients reach this server, for tracking, unsubscribe and receipt "
                   "links in messages (default: http:// and the listen address)")
      ->check([](const std::string& url) {
        return url.starts_with("http://") || url.starts_with("https://")
                   ? std::string()
                   : std::string("must start with http:// or https://");
      });
  cmd_->add_option("--redis", campaign_.redis_url,
                   "Redis for rate-limit counters shared by several nodes: "
                   "redis://[:PASSWORD@]HOST[:PORT][/DB] or unix:///PATH (default: in memory)");
  cmd_->add_option("--session-idle-seconds", sessions_.idle_s,
                   "a dashboard session ends this long after its last call")
      ->check(CLI::Range(int64_t{1}, int64_t{365} * 86400))
      ->capture_default_str();
  cmd_->add_option("--session-max-seconds", sessions_.max_s,
                   "a dashboard session ends this long after sign-in, whatever its use")
      ->check(CLI::Range(int64_t{1}, int64_t{365} * 86400))
      ->capture_default_str();
}

int ServeCommand::Run() const {
  http::ServerOptions options;
  if (!SplitListen(listen_, &options.address, &options.port)) {
    fmt::print(stderr, "error: --listen must be HOST:PORT, got '{}'\n", listen_);
    return 2;
  }
  options.io_threads = threads_;
  options.max_connections = connection_.max_connections;
  options.request_timeout = std::chrono::seconds(connection_.request_timeout_s);
  options.idle_timeout = std::chrono::seconds(connection_.idle_timeout_s);
  auto store = OpenStoreOrExit(storage_, threads_ + 2);
  SystemClock clock;
  auth::Authenticator authenticator(*store, clock);
  campaigns::EngineOptions engine_options;
  engine_options.node = !campaign_.node.empty() ? campaign_.node
                        : storage_.postgres()   ? "node-" + RandomHex(6)
                                                : "local";
  engine_options.retry_base = std::chrono::milliseconds(campaign_.retry_base_ms);
  // The key signing tracking links: one per installation, so that every node (and every
  // restart) accepts the links of every other.
  auto link_key = store->GetOrCreateSecret("tracking_links", RandomHex(32));
  if (!link_key.ok()) {
    spdlog::error("cannot read the link-signing key: {}", link_key.status().message());
    return 1;
  }
  std::unique_ptr<ratelimit::Limiter> limiter;
  if (campaign_.redis_url.empty()) {
    limiter = std::make_unique<ratelimit::LocalLimiter>();
  } else {
    auto redis = ratelimit::OpenRedisLimiter({campaign_.redis_url});
    if (!redis.ok()) {
      spdlog::error("{}", redis.status().message());
      return 1;
    }
    limiter = std::move(redis).value();
  }
  ratelimit::Policy rate_limits(*store, *limiter, clock);
  auth::OAuth oauth(*store, clock);

  // Bound first: without --public-url the links carry the port the server actually got.
  // The router is filled below, before Run serves anything from it.
  http::Router router;
  http::Server server(options, router);
  if (auto st = server.Listen(); !st.ok()) {
    spdlog::error("{}", st.message());
    return 1;
  }
  const campaigns::Links links(*link_key, PublicUrl(campaign_, options.address, server.port()));
  const delivery::ProviderChannelFactory channels;
  campaigns::Engine engine(*store, clock, links, channels, engine_options);
  auth::WriteKeys write_keys(*store, clock);
  // The sources' debugger: each source's latest tracking calls, written every second.
  tracking::CallLog call_log(*store);
  // Operators' sign-ins count against the same limiter as the API (shared with --redis).
  auth::SessionOptions session_options;
  session_options.idle_micros = sessions_.idle_s * 1'000'000;
  session_options.max_age_micros = sessions_.max_s * 1'000'000;
  auth::Sessions sessions(*store, limiter.get(), clock, session_options);
  api::Services services{*store, authenticator, clock, &engine, &links, &rate_limits, &oauth};
  services.write_keys = &write_keys;
  services.call_log = &call_log;
  services.sessions = &sessions;
  services.public_url = links.public_url();
  api::AddRoutes(router, services);

  spdlog::info(
      "listening on {}:{} {} threads={} max_connections={} request_timeout={}s "
      "idle_timeout={}s public_url={} rate_limits={}",
      options.address, server.port(), storage_.Describe(), threads_, server.max_connections(),
      connection_.request_timeout_s, connection_.idle_timeout_s, links.public_url(),
      campaign_.redis_url.empty() ? std::string("local")
                                  : ratelimit::RedactRedisUrl(campaign_.redis_url));
  spdlog::default_logger()->flush();  // scripts and supervisors wait for this line
  if (!links.public_url().starts_with("https://"))
    spdlog::warn(
        "public URL {} is not https: mailbox providers ignore a plain-http List-Unsubscribe; "
        "set --public-url to where recipients reach this server over https",
        links.public_url());
  engine.Start();
  // Keys' last-use times, written every few seconds and once more at shutdown.
  auth::KeyUsageFlusher key_usage(authenticator);
  server.Run();
  key_usage.Stop();
  call_log.Stop();
  engine.Stop();
  store.reset();  // drains and closes storage before we say so
  spdlog::info("stopped");
  return 0;
}

}  // namespace cdp::cli
