// cdp: wiring only. Parses the command line, builds the objects, runs.
#include <curl/curl.h>
#include <fmt/format.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <condition_variable>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "api/routes.h"
#include "auth/authenticator.h"
#include "auth/oauth.h"
#include "campaigns/engine.h"
#include "cli/admin.h"
#include "cli/migrate.h"
#include "core/clock.h"
#include "core/ids.h"
#include "http/router.h"
#include "http/server.h"
#include "ratelimit/limiter.h"
#include "ratelimit/policy.h"
#include "ratelimit/redis_limiter.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"

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

// Where the data lives: a SQLite folder (--data), or a PostgreSQL database (--database).
struct StorageFlags {
  std::string data_dir = "./cdp-data";
  std::string database_url;

  bool postgres() const { return !database_url.empty(); }
  std::string Describe() const {
    return postgres() ? "database=" + cdp::store::RedactPostgresUrl(database_url)
                      : "data=" + data_dir;
  }
};

std::unique_ptr<cdp::store::Store> OpenStoreOrExit(const StorageFlags& storage, int readers) {
  cdp::Result<std::unique_ptr<cdp::store::Store>> store = cdp::Internal("no store");
  if (storage.postgres()) {
    cdp::store::PostgresOptions options;
    options.url = storage.database_url;
    options.read_connections = readers;
    store = cdp::store::OpenPostgresStore(options);
  } else {
    cdp::store::SqliteOptions options;
    options.data_dir = storage.data_dir;
    options.read_connections = readers;
    store = cdp::store::OpenSqliteStore(options);
  }
  if (!store.ok()) {
    fmt::print(stderr, "error: {}\n", store.status().message());
    std::exit(1);
  }
  return std::move(store).value();
}

// How campaigns are sent by this server.
struct CampaignFlags {
  std::string node;  // default: "local" on SQLite, a random name on PostgreSQL
  int retry_base_ms = 2000;
  std::string public_url;  // default: http:// and the listen address
  std::string redis_url;   // shared rate-limit counters; default: this process's memory
};

// How the server bounds connections; the defaults are ServerOptions'.
struct ConnectionFlags {
  size_t max_connections = cdp::http::kMaxConnections;
  int request_timeout_s = static_cast<int>(cdp::http::kRequestTimeout.count());
  int idle_timeout_s = static_cast<int>(cdp::http::kIdleTimeout.count());
};

int Serve(const std::string& listen, const StorageFlags& storage, int threads,
          const ConnectionFlags& connection_flags, const CampaignFlags& campaign_flags) {
  cdp::http::ServerOptions options;
  if (!SplitListen(listen, &options.address, &options.port)) {
    fmt::print(stderr, "error: --listen must be HOST:PORT, got '{}'\n", listen);
    return 2;
  }
  options.io_threads = threads;
  options.max_connections = connection_flags.max_connections;
  options.request_timeout = std::chrono::seconds(connection_flags.request_timeout_s);
  options.idle_timeout = std::chrono::seconds(connection_flags.idle_timeout_s);
  auto store = OpenStoreOrExit(storage, threads + 2);
  cdp::SystemClock clock;
  cdp::auth::Authenticator authenticator(*store, clock);
  cdp::campaigns::EngineOptions engine_options;
  engine_options.node = !campaign_flags.node.empty() ? campaign_flags.node
                        : storage.postgres()         ? "node-" + cdp::RandomHex(6)
                                                     : "local";
  engine_options.retry_base = std::chrono::milliseconds(campaign_flags.retry_base_ms);
  // The key signing tracking links: one per installation, so that every node (and every
  // restart) accepts the links of every other.
  auto link_key = store->GetOrCreateSecret("tracking_links", cdp::RandomHex(32));
  if (!link_key.ok()) {
    spdlog::error("cannot read the link-signing key: {}", link_key.status().message());
    return 1;
  }
  cdp::campaigns::Links links(*link_key, "");
  cdp::campaigns::Engine engine(*store, clock, links, engine_options);
  std::unique_ptr<cdp::ratelimit::Limiter> limiter;
  if (campaign_flags.redis_url.empty()) {
    limiter = std::make_unique<cdp::ratelimit::LocalLimiter>();
  } else {
    auto redis = cdp::ratelimit::OpenRedisLimiter({campaign_flags.redis_url});
    if (!redis.ok()) {
      spdlog::error("{}", redis.status().message());
      return 1;
    }
    limiter = std::move(redis).value();
  }
  cdp::ratelimit::Policy rate_limits(*store, *limiter, clock);
  cdp::auth::OAuth oauth(*store, clock);
  cdp::api::Services services{*store, authenticator, clock, &engine, &links, &rate_limits, &oauth};
  cdp::http::Router router;
  cdp::api::AddRoutes(router, services);
  cdp::http::Server server(options, router);
  if (auto st = server.Listen(); !st.ok()) {
    spdlog::error("{}", st.message());
    return 1;
  }
  const std::string host = options.address.find(':') != std::string::npos
                               ? "[" + options.address + "]"
                               : options.address;
  links = cdp::campaigns::Links(*link_key, !campaign_flags.public_url.empty()
                                               ? campaign_flags.public_url
                                               : fmt::format("http://{}:{}", host, server.port()));
  spdlog::info(
      "listening on {}:{} {} threads={} max_connections={} request_timeout={}s "
      "idle_timeout={}s public_url={} rate_limits={}",
      options.address, server.port(), storage.Describe(), threads, server.max_connections(),
      connection_flags.request_timeout_s, connection_flags.idle_timeout_s, links.public_url(),
      campaign_flags.redis_url.empty() ? std::string("local")
                                       : cdp::ratelimit::RedactRedisUrl(campaign_flags.redis_url));
  spdlog::default_logger()->flush();  // scripts and supervisors wait for this line
  if (!links.public_url().starts_with("https://"))
    spdlog::warn(
        "public URL {} is not https: mailbox providers ignore a plain-http List-Unsubscribe; "
        "set --public-url to where recipients reach this server over https",
        links.public_url());
  engine.Start();
  // Keys' last-use times, written every few seconds and once more at shutdown.
  std::mutex usage_mu;
  std::condition_variable_any usage_cv;
  std::jthread usage_writer([&](std::stop_token stop) {
    while (!stop.stop_requested()) {
      std::unique_lock lock(usage_mu);
      usage_cv.wait_for(lock, stop, std::chrono::seconds(5), [] { return false; });
      lock.unlock();
      if (auto st = authenticator.FlushUsage(); !st.ok())
        spdlog::warn("cannot record API key use: {}", st.message());
    }
  });
  server.Run();
  usage_writer.request_stop();
  usage_writer.join();
  engine.Stop();
  store.reset();  // drains and closes storage before we say so
  spdlog::info("stopped");
  return 0;
}

}  // namespace

int Main(int argc, char** argv) {
  // Buffered stdout, flushed every second and on warnings: one write(2) per buffer instead
  // of per request line. A crash can lose at most the last second of access-log lines.
  auto logger = spdlog::basic_logger_mt("cdp", "/dev/stdout");
  logger->flush_on(spdlog::level::warn);
  spdlog::flush_every(std::chrono::seconds(1));
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%fZ %l %v", spdlog::pattern_time_type::utc);
  spdlog::set_default_logger(logger);

  CLI::App app{"cdp: a self-hosted Customer Data Platform"};
  app.require_subcommand(1);
  StorageFlags storage;
  auto add_data = [&](CLI::App* cmd) {
    auto* data =
        cmd->add_option("--data", storage.data_dir, "data folder (SQLite)")->capture_default_str();
    cmd->add_option("--database", storage.database_url,
                    "PostgreSQL URL, postgres://user:password@host:port/db (instead of --data)")
        ->excludes(data);
  };

  auto* serve = app.add_subcommand("serve", "run the HTTP API server");
  std::string listen = "127.0.0.1:8080";
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  serve->add_option("--listen", listen, "address to listen on, HOST:PORT (port 0: any free)")
      ->capture_default_str();
  serve->add_option("--threads", threads, "network threads")->check(CLI::Range(1, 256));
  add_data(serve);
  ConnectionFlags connection_flags;
  serve
      ->add_option("--max-connections", connection_flags.max_connections,
                   "open connections at most; beyond, a new one replaces the longest-idle "
                   "connection without a request in flight")
      ->check(CLI::Range(size_t{1}, size_t{1'000'000}))
      ->capture_default_str();
  serve
      ->add_option("--request-timeout", connection_flags.request_timeout_s,
                   "seconds from a request's first byte until all of it must have arrived")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  serve
      ->add_option("--idle-timeout", connection_flags.idle_timeout_s,
                   "seconds a connection may wait for a request's first byte (new or kept alive)")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  CampaignFlags campaign_flags;
  serve->add_option("--node", campaign_flags.node,
                    "this node's name for campaign leases (distinct per node sharing a database)");
  serve
      ->add_option("--retry-base-ms", campaign_flags.retry_base_ms,
                   "delay before the first retry of a transient delivery failure (doubles "
                   "after each)")
      ->check(CLI::Range(10, 3600000))
      ->capture_default_str();
  serve
      ->add_option("--public-url", campaign_flags.public_url,
                   "where recipients reach this server, for tracking, unsubscribe and receipt "
                   "links in messages (default: http:// and the listen address)")
      ->check([](const std::string& url) {
        return url.starts_with("http://") || url.starts_with("https://")
                   ? std::string()
                   : std::string("must start with http:// or https://");
      });

  serve->add_option("--redis", campaign_flags.redis_url,
                    "Redis for rate-limit counters shared by several nodes: "
                    "redis://[:PASSWORD@]HOST[:PORT][/DB] or unix:///PATH (default: in memory)");

  bool as_json = false;
  std::string brand_id;
  auto* brand = app.add_subcommand("brand", "manage brands");
  brand->require_subcommand(1);
  auto* brand_create =
      brand->add_subcommand("create", "create a brand and print its first API key");
  std::string brand_name;
  brand_create->add_option("NAME", brand_name, "brand name")->required();
  brand_create->add_flag("--json", as_json, "print one JSON line");
  add_data(brand_create);
  auto* brand_list = brand->add_subcommand("list", "list brands");
  brand_list->add_flag("--json", as_json, "print JSON");
  add_data(brand_list);
  auto* brand_limits = brand->add_subcommand(
      "limits", "show a brand's API rate limits, or set one (running servers apply it within 2 s)");
  std::string limit_group = "all";
  std::optional<int64_t> per_minute;
  brand_limits->add_option("--brand", brand_id, "brand id")->required();
  brand_limits->add_option("--group", limit_group, "users, events, campaigns, reports or all")
      ->capture_default_str();
  brand_limits->add_option("--per-minute", per_minute, "requests per minute; 0: unlimited")
      ->check(CLI::Range(int64_t{0}, int64_t{1'000'000'000}));
  brand_limits->add_flag("--json", as_json, "print JSON");
  add_data(brand_limits);

  auto* key = app.add_subcommand("key", "manage API keys");
  key->require_subcommand(1);
  std::string key_prefix;
  bool revoke_old = false;
  std::optional<int64_t> grace_seconds;
  auto* key_rotate = key->add_subcommand("rotate", "issue a new API key for a brand");
  key_rotate->add_option("--brand", brand_id, "brand id")->required();
  auto* revoke_old_flag = key_rotate->add_flag("--revoke-old", revoke_old,
                                               "revoke every other key of the brand at once");
  key_rotate
      ->add_option("--grace", grace_seconds,
                   "keep the other keys working this long, then revoke them (e.g. 90m, 24h, 7d)")
      ->transform(CLI::AsNumberWithUnit(
          std::map<std::string, int64_t>{{"s", 1}, {"m", 60}, {"h", 3600}, {"d", 86400}},
          static_cast<CLI::AsNumberWithUnit::Options>(CLI::AsNumberWithUnit::CASE_SENSITIVE |
                                                      CLI::AsNumberWithUnit::UNIT_REQUIRED)))
      ->check(CLI::Range(int64_t{1}, int64_t{365} * 86400))
      ->excludes(revoke_old_flag);
  key_rotate->add_flag("--json", as_json, "print one JSON line");
  add_data(key_rotate);
  auto* key_revoke = key->add_subcommand("revoke", "deactivate an API key");
  key_revoke->add_option("--brand", brand_id, "brand id")->required();
  key_revoke->add_option("--key", key_prefix, "the key or its prefix (as `key list` shows)")
      ->required();
  add_data(key_revoke);
  auto* key_list = key->add_subcommand("list", "list a brand's keys, with when each was last used");
  key_list->add_option("--brand", brand_id, "brand id")->required();
  key_list->add_flag("--json", as_json, "print JSON");
  add_data(key_list);

  auto* partner = app.add_subcommand("partner", "manage partner apps (OAuth 2.0 clients)");
  partner->require_subcommand(1);
  std::string partner_name, client_id;
  std::vector<std::string> redirect_uris;
  auto* partner_create =
      partner->add_subcommand("create", "register a partner app and print its client credentials");
  partner_create->add_option("NAME", partner_name, "the app's name, shown to brands")->required();
  partner_create
      ->add_option("--redirect-uri", redirect_uris,
                   "where brands are sent back with a code (https; repeatable)")
      ->required();
  partner_create->add_flag("--json", as_json, "print one JSON line");
  add_data(partner_create);
  auto* partner_list = partner->add_subcommand(
      "list", "list partner apps, or with --brand the apps that brand granted access");
  partner_list->add_option("--brand", brand_id, "brand id");
  partner_list->add_flag("--json", as_json, "print JSON");
  add_data(partner_list);
  auto* partner_delete =
      partner->add_subcommand("delete", "delete a partner app and revoke all its tokens");
  partner_delete->add_option("--client-id", client_id, "the app's client id")->required();
  add_data(partner_delete);
  auto* partner_revoke =
      partner->add_subcommand("revoke", "revoke everything a brand granted a partner app");
  partner_revoke->add_option("--brand", brand_id, "brand id")->required();
  partner_revoke->add_option("--client-id", client_id, "the app's client id")->required();
  add_data(partner_revoke);

  auto* audit = app.add_subcommand(
      "audit", "show the audit log of brand, key, limit and partner changes, newest first");
  int64_t audit_limit = 50, audit_before = 0;
  audit->add_option("--brand", brand_id, "only this brand's entries");
  audit->add_option("--limit", audit_limit, "entries to show")
      ->check(CLI::Range(int64_t{1}, int64_t{10000}))
      ->capture_default_str();
  audit->add_option("--before", audit_before, "only entries with an id below this (paging)")
      ->check(CLI::Range(int64_t{0}, std::numeric_limits<int64_t>::max()));
  audit->add_flag("--json", as_json, "print JSON");
  add_data(audit);

  auto* migrate = app.add_subcommand("migrate", "apply the database schema migrations");
  add_data(migrate);

  CLI11_PARSE(app, argc, argv);

  if (serve->parsed()) return Serve(listen, storage, threads, connection_flags, campaign_flags);
  // Admin commands log only warnings, keeping stdout for their results.
  spdlog::set_level(spdlog::level::warn);
  if (migrate->parsed())
    return storage.postgres() ? cdp::cli::MigratePostgres(storage.database_url)
                              : cdp::cli::MigrateSqlite(storage.data_dir);
  auto store = OpenStoreOrExit(storage, 1);
  if (brand_create->parsed()) return cdp::cli::CreateBrand(*store, brand_name, as_json);
  if (brand_list->parsed()) return cdp::cli::ListBrands(*store, as_json);
  if (brand_limits->parsed())
    return cdp::cli::BrandLimits(*store, brand_id, limit_group, per_minute, as_json);
  if (key_rotate->parsed()) {
    std::optional<int64_t> retire_after;
    if (revoke_old) retire_after = 0;
    if (grace_seconds) retire_after = *grace_seconds * 1'000'000;
    return cdp::cli::RotateKey(*store, brand_id, retire_after, as_json);
  }
  if (key_revoke->parsed()) return cdp::cli::RevokeKey(*store, brand_id, key_prefix);
  if (key_list->parsed()) return cdp::cli::ListKeys(*store, brand_id, as_json);
  if (partner_create->parsed())
    return cdp::cli::CreatePartner(*store, partner_name, redirect_uris, as_json);
  if (partner_list->parsed()) return cdp::cli::ListPartners(*store, brand_id, as_json);
  if (partner_delete->parsed()) return cdp::cli::DeletePartner(*store, client_id);
  if (partner_revoke->parsed()) return cdp::cli::RevokePartner(*store, brand_id, client_id);
  if (audit->parsed())
    return cdp::cli::ShowAudit(*store, brand_id, audit_before, audit_limit, as_json);
  return 2;
}

int main(int argc, char** argv) {
  curl_global_init(CURL_GLOBAL_DEFAULT);  // before any thread: libcurl's global state
  int rc = Main(argc, argv);
  curl_global_cleanup();
  spdlog::shutdown();  // flushes the log
  return rc;
}
