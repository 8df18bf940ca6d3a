// Small helpers of the portable parts: the audit entry every access change writes, and
// reading rows. Only store/sql includes this header.
#pragma once

#include <vector>

#include "core/status.h"
#include "store/brand_store.h"
#include "store/sql/connection.h"

namespace cdp::store::sql {

// Appends `e` to the audit log, in the transaction of the change it records.
Status InsertAudit(Connection& c, const AuditEntry& e);

// Every row of `r`, each read by read(r, row).
template <typename T, typename F>
std::vector<T> AllOf(const Rows& r, F read) {
  std::vector<T> out;
  out.reserve(static_cast<size_t>(r.size()));
  for (int i = 0; i < r.size(); ++i) out.push_back(read(r, i));
  return out;
}

// Every row of `query` on a read connection, each read by read(rows, row).
template <typename T, typename F>
Result<std::vector<T>> ReadAll(Executor& executor, const Query& query, const Params& params,
                               F read) {
  std::vector<T> out;
  CDP_RETURN_IF_ERROR(executor.Read([&](Connection& c) -> Status {
    auto rows = c.Exec(query, params);
    if (!rows.ok()) return std::move(rows).take_status();
    out = AllOf<T>(*rows, read);
    return Status::Ok();
  }));
  return out;
}

}  // namespace cdp::store::sql
