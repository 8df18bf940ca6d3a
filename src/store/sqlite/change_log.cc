#include "store/sqlite/change_log.h"

namespace cdp::store::sqlite {

void ChangeLog::Touch(std::string_view table, int64_t rowid) {
  if (table == "events")
    pending_.push_back({true, rowid});
  else if (table == "profiles")
    pending_.push_back({false, rowid});
}

void ChangeLog::Publish() {
  if (pending_.empty()) return;
  std::lock_guard lock(mu_);
  for (const auto& c : pending_) log_.push_back(c);
  pending_.clear();
  if (log_.size() > kMaxEntries) {
    const size_t drop = log_.size() - kMaxEntries / 2;
    log_.erase(log_.begin(), log_.begin() + static_cast<std::ptrdiff_t>(drop));
    first_ += drop;
  }
}

bool ChangeLog::Since(uint64_t after, std::vector<Change>& out, uint64_t& last) const {
  std::lock_guard lock(mu_);
  last = first_ + log_.size() - 1;
  if (after + 1 < first_) return false;
  for (uint64_t s = after + 1; s <= last; ++s) out.push_back(log_[s - first_]);
  return true;
}

uint64_t ChangeLog::last() const {
  std::lock_guard lock(mu_);
  return first_ + log_.size() - 1;
}

}  // namespace cdp::store::sqlite
