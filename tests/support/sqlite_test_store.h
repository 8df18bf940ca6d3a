// The embedded store on a fresh folder, for unit tests of what runs over a real Store (the
// authenticators, OAuth, the campaign engine). Header-only: only the unit tests, which link
// the SQLite backend, include it.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include "store/sqlite/sqlite_store.h"
#include "store/store.h"

namespace cdp::testing {

// Opens (creating and migrating) the store in `dir`; throws when it cannot.
inline std::unique_ptr<store::Store> OpenSqliteTestStore(const std::string& dir) {
  store::SqliteOptions options;
  options.data_dir = dir;
  auto opened = store::OpenSqliteStore(options);
  if (!opened.ok())
    throw std::runtime_error("cannot open the test store: " + opened.status().message());
  return std::move(opened).value();
}

}  // namespace cdp::testing
