#include "store/postgres/backend.h"

#include "store/postgres/sql_connection.h"

namespace cdp::store::postgres {

Backend::Backend(std::unique_ptr<Conn> writer_conn, const GroupCommitOptions& options)
    : writer_(PostgresTransaction(std::move(writer_conn)), options) {}

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
