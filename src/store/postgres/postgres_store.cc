#include "store/postgres/postgres_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <string>
#include <utility>

#include "store/composed_store.h"
#include "store/postgres/backend.h"
#include "store/postgres/migrations.h"
#include "store/postgres/parts.h"
#include "store/sql/parts.h"

namespace cdp::store {

using postgres::Conn;

Result<std::unique_ptr<Store>> OpenPostgresStore(const PostgresOptions& options) {
  auto writer_conn = Conn::Open(options.url);
  if (!writer_conn.ok()) return std::move(writer_conn).take_status();
  if (options.apply_migrations) {
    auto migrated = postgres::Migrate(**writer_conn);
    if (!migrated.ok()) return std::move(migrated).take_status();
  } else {
    auto version = postgres::CheckSchemaVersion(**writer_conn);
    if (!version.ok()) return std::move(version).take_status();
    if (*version < postgres::LatestSchemaVersion())
      return FailedPrecondition(fmt::format(
          "database schema version {} is older than this cdp needs ({}); run `cdp migrate`",
          *version, postgres::LatestSchemaVersion()));
  }
  auto backend =
      std::make_shared<postgres::Backend>(std::move(writer_conn).value(), options.group_commit);
  for (int i = 0; i < std::max(1, options.read_connections); ++i) {
    auto conn = Conn::Open(options.url);
    if (!conn.ok()) return std::move(conn).take_status();
    backend->AddReader(std::move(conn).value());
  }
  StoreParts parts;
  parts.brands = sql::NewBrandStore(*backend);
  parts.partners = sql::NewPartnerStore(*backend);
  parts.profiles = postgres::NewProfileStore(*backend);
  parts.events = postgres::NewEventStore(*backend);
  parts.segments = sql::NewSegmentStore(
      *backend, postgres::NewSegmentEvaluator(*backend, options.segment_memory));
  parts.channels = sql::NewChannelStore(*backend);
  parts.push = sql::NewPushStore(*backend, postgres::NewSubscriberPages(*backend));
  parts.campaigns = sql::NewCampaignStore(*backend, postgres::NewMessageRows(*backend));
  parts.sources = sql::NewSourceStore(*backend);
  parts.operators = sql::NewOperatorStore(*backend);
  // Writes never stop for good on PostgreSQL (a lost connection fails only its group):
  // WriteHealth stays OK.
  parts.shared = std::move(backend);
  return ComposeStore(std::move(parts));
}

Result<PostgresSchema> MigratePostgres(const std::string& url) {
  auto conn = Conn::Open(url);
  if (!conn.ok()) return std::move(conn).take_status();
  auto migrated = postgres::Migrate(**conn);
  if (!migrated.ok()) return std::move(migrated).take_status();
  return PostgresSchema{migrated->from_version, migrated->to_version};
}

std::string RedactPostgresUrl(std::string_view url) {
  std::string out(url);
  auto scheme = out.find("://");
  if (scheme != std::string::npos) {
    size_t start = scheme + 3;
    size_t end = out.find_first_of("/?#", start);
    if (end == std::string::npos) end = out.size();
    size_t at = out.rfind('@', end);
    if (at != std::string::npos && at > start) {
      size_t colon = out.find(':', start);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  // key=value strings, or a password given as a URL parameter.
  constexpr std::string_view kPassword = "password=";
  if (size_t pos = out.find(kPassword); pos != std::string::npos) {
    size_t value = pos + kPassword.size();
    size_t end = out.find_first_of(" &", value);
    out.replace(value, (end == std::string::npos ? out.size() : end) - value, "***");
  }
  return out;
}

}  // namespace cdp::store
