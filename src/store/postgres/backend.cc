#include "store/postgres/backend.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "store/postgres/segment_rows.h"
#include "store/postgres/sql_connection.h"

namespace cdp::store::postgres {
namespace {

constexpr std::chrono::minutes kPruneEvery{5};

}  // namespace

Backend::Backend(std::unique_ptr<Conn> writer_conn, const GroupCommitOptions& options)
    : writer_(PostgresTransaction(std::move(writer_conn)), options),
      pruner_([this] { PruneSegmentFeed(); }) {}

Backend::~Backend() {
  {
    std::lock_guard lock(prune_mu_);
    stopping_ = true;
  }
  prune_cv_.notify_all();
  pruner_.join();
}

void Backend::PruneSegmentFeed() {
  std::unique_lock lock(prune_mu_);
  while (!prune_cv_.wait_for(lock, kPruneEvery, [this] { return stopping_; })) {
    lock.unlock();
    Status st = WithReader([](Conn& c) { return PgSegmentRows::Prune(c); });
    if (!st.ok()) spdlog::warn("segment feed: pruning failed: {}", st.message());
    lock.lock();
  }
}

Status Backend::Write(const std::function<Status(sql::Connection&)>& job) {
  return writer_.Submit([&job](Conn& c) -> Status {
    PgConnection connection(c);
    return job(connection);
  });
}

Status Backend::Read(const std::function<Status(sql::Connection&)>& job) {
  return WithReader([&job](Conn& c) -> Status {
    PgConnection connection(c);
    return job(connection);
  });
}

}  // namespace cdp::store::postgres
