// Small helpers of the portable parts: the audit entry every access change writes, and
// reading all rows of a result. Only store/sql includes this header.
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

}  // namespace cdp::store::sql
