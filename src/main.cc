// cdp: wiring only. Builds the command line from the commands in cli/, parses it, and runs
// the command given.
#include <curl/curl.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <chrono>

#include "cli/admin_commands.h"
#include "cli/migrate.h"
#include "cli/serve.h"
#include "cli/storage.h"

namespace {

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
  cdp::cli::StorageFlags storage;  // --data / --database, shared by every command
  cdp::cli::ServeCommand serve(app, storage);
  cdp::cli::AdminCommands admin(app, storage);
  cdp::cli::MigrateCommand migrate(app, storage);
  CLI11_PARSE(app, argc, argv);

  if (serve.parsed()) return serve.Run();
  // Admin commands log only warnings, keeping stdout for their results.
  spdlog::set_level(spdlog::level::warn);
  if (migrate.parsed()) return migrate.Run();
  auto store = cdp::cli::OpenStoreOrExit(storage, 1);
  return admin.Run(*store);
}

}  // namespace

int main(int argc, char** argv) {
  curl_global_init(CURL_GLOBAL_DEFAULT);  // before any thread: libcurl's global state
  int rc = Main(argc, argv);
  curl_global_cleanup();
  spdlog::shutdown();  // flushes the log
  return rc;
}
