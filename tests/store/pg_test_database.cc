#include "store/pg_test_database.h"

#include <fmt/format.h>

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <cstdlib>
#include <random>

#include "store/postgres/pg_conn.h"

namespace cdp::testing {
namespace {

using store::postgres::Conn;

// The server URL with its database replaced by `name`.
Result<std::string> WithDatabase(const std::string& server_url, const std::string& name) {
  auto parsed = boost::urls::parse_uri(server_url);
  if (!parsed)
    return InvalidArgument("CDP_TEST_PG_URL must be a postgres:// URL, got " + server_url);
  boost::urls::url url(*parsed);
  url.set_path("/" + name);
  return std::string(url.buffer());
}

}  // namespace

std::optional<std::string> PgServerUrl() {
  const char* url = std::getenv("CDP_TEST_PG_URL");
  if (url == nullptr || *url == '\0') return std::nullopt;
  return std::string(url);
}

Result<std::unique_ptr<PgTestDatabase>> PgTestDatabase::Create(const std::string& server_url) {
  std::random_device rd;
  std::string name = fmt::format("cdp_test_{:08x}{:08x}", rd(), rd());
  auto url = WithDatabase(server_url, name);
  if (!url.ok()) return std::move(url).take_status();
  auto admin = Conn::Open(server_url);
  if (!admin.ok()) return std::move(admin).take_status();
  // The name is ours ([a-z0-9_]); DDL takes no parameters.
  CDP_RETURN_IF_ERROR((*admin)->Run("CREATE DATABASE " + name));
  return std::unique_ptr<PgTestDatabase>(new PgTestDatabase(server_url, name, *url));
}

PgTestDatabase::~PgTestDatabase() {
  auto admin = Conn::Open(server_url_);
  if (admin.ok()) (void)(*admin)->Run("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
}

Status PgTestDatabase::Exec(const std::string& sql) {
  auto conn = Conn::Open(url_);
  if (!conn.ok()) return std::move(conn).take_status();
  return (*conn)->Run(sql);
}

}  // namespace cdp::testing
