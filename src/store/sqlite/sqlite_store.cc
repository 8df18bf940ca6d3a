#include "store/sqlite/sqlite_store.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "store/composed_store.h"
#include "store/sql/parts.h"
#include "store/sqlite/backend.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/sqlite_db.h"

namespace cdp::store {
namespace {

using sqlite::Db;
using sqlite::WalLimits;

Result<size_t> PageSize(Db& db) {
  auto stmt = db.Prepare("PRAGMA page_size");
  if (!stmt.ok()) return std::move(stmt).take_status();
  auto row = stmt->Step();
  if (!row.ok()) return std::move(row).take_status();
  if (!*row) return Internal("PRAGMA page_size returned nothing");
  size_t out = static_cast<size_t>(stmt->Int(0));
  stmt->Reset();
  return out;
}

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options) {
  std::error_code ec;
  std::filesystem::create_directories(options.data_dir, ec);
  if (ec) return Unavailable("cannot create data folder " + options.data_dir + ": " + ec.message());
  std::string path = (std::filesystem::path(options.data_dir) / "cdp.db").string();
  auto writer_db = Db::Open(path);
  if (!writer_db.ok()) return std::move(writer_db).take_status();
  CDP_RETURN_IF_ERROR(sqlite::Migrate(**writer_db));
  (*writer_db)->PersistWal();
  CDP_RETURN_IF_ERROR((*writer_db)->Exec("PRAGMA synchronous=NORMAL"));
  int wal_fd = ::open((path + "-wal").c_str(), O_RDWR | O_CLOEXEC);
  if (wal_fd < 0)
    return Unavailable("cannot open the write-ahead log " + path + "-wal: " + std::strerror(errno));
  CDP_RETURN_IF_ERROR((*writer_db)->Exec("PRAGMA wal_autocheckpoint=0"));
  // A log left longer (by an outage of checkpoints) is cut back when it next starts over.
  CDP_RETURN_IF_ERROR(
      (*writer_db)
          ->Exec(fmt::format("PRAGMA journal_size_limit={}", 2 * options.wal_restart_bytes)));
  auto page_size = PageSize(**writer_db);
  if (!page_size.ok()) {
    ::close(wal_fd);
    return std::move(page_size).take_status();
  }
  const size_t frame_bytes = *page_size + 24;
  WalLimits limits{
      static_cast<int>(std::max<size_t>(1, options.wal_checkpoint_bytes / frame_bytes)),
      static_cast<int>(std::max<size_t>(1, options.wal_restart_bytes / frame_bytes))};
  auto checkpoint_db = Db::Open(path);
  if (!checkpoint_db.ok()) {
    ::close(wal_fd);
    return std::move(checkpoint_db).take_status();
  }
  auto core = std::make_shared<sqlite::Backend>(std::move(writer_db).value(), wal_fd,
                                                std::move(checkpoint_db).value(), options, limits);
  for (int i = 0; i < std::max(1, options.read_connections); ++i) {
    auto db = Db::Open(path);
    if (!db.ok()) return std::move(db).take_status();
    core->readers().Add(std::move(db).value());
  }
  StoreParts parts;
  parts.brands = sql::NewBrandStore(*core);
  parts.partners = sql::NewPartnerStore(*core);
  parts.channels = sql::NewChannelStore(*core);
  parts.profiles = core;
  parts.events = core;
  parts.segments = sql::NewSegmentStore(*core, core);
  parts.push = sql::NewPushStore(*core, core);
  parts.campaigns = sql::NewCampaignStore(*core, core);
  parts.sources = sql::NewSourceStore(*core);
  parts.operators = sql::NewOperatorStore(*core);
  parts.write_health = [store = core.get()] { return store->WriteHealth(); };
  parts.shared = std::move(core);
  return ComposeStore(std::move(parts));
}

}  // namespace cdp::store
