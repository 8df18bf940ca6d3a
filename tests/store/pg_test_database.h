// Test helper: a fresh PostgreSQL database per test on the server named by CDP_TEST_PG_URL
// (scripts/test starts a throwaway one; see scripts/pg-test-server). Tests of the
// PostgreSQL backend skip when the variable is unset. Used by the store conformance suite
// and the end-to-end tests of `cdp serve --database`.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "core/status.h"

namespace cdp::testing {

// $CDP_TEST_PG_URL, or nullopt when it is unset or empty.
std::optional<std::string> PgServerUrl();

// The message a test skips with when PgServerUrl() is unset.
inline constexpr const char* kNoPgServer =
    "CDP_TEST_PG_URL is not set: PostgreSQL tests skipped (scripts/test starts a server; or "
    "run scripts/pg-test-server start and export its URL)";

// An empty database with a random name, created through a maintenance connection to the
// server and dropped (with any connections still open to it) on destruction.
class PgTestDatabase {
 public:
  // Unavailable when the server cannot be reached.
  static Result<std::unique_ptr<PgTestDatabase>> Create(const std::string& server_url);
  ~PgTestDatabase();
  PgTestDatabase(const PgTestDatabase&) = delete;
  PgTestDatabase& operator=(const PgTestDatabase&) = delete;

  // postgres:// URL of this database.
  const std::string& url() const { return url_; }
  // Runs SQL on this database, for states the API cannot reach (e.g. a newer schema).
  Status Exec(const std::string& sql);

 private:
  PgTestDatabase(std::string server_url, std::string name, std::string url)
      : server_url_(std::move(server_url)), name_(std::move(name)), url_(std::move(url)) {}

  std::string server_url_;
  std::string name_;
  std::string url_;
};

}  // namespace cdp::testing
