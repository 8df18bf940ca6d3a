#include "store/segment_index.h"

#include <spdlog/spdlog.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <chrono>

#include "store/segment_brand.h"

namespace cdp::store {

using segments::Bits;

SegmentIndex::SegmentIndex(size_t budget_bytes) : budget_(budget_bytes) {}
SegmentIndex::~SegmentIndex() = default;

std::shared_ptr<BrandIndex> SegmentIndex::For(std::string_view brand_id) {
  std::lock_guard lock(mu_);
  auto it = brands_.find(brand_id);
  if (it == brands_.end())
    it = brands_.emplace(std::string(brand_id), Entry{std::make_shared<BrandIndex>()}).first;
  it->second.used = ++tick_;
  return it->second.brand;
}

void SegmentIndex::Settle(std::string_view brand_id, size_t bytes) {
  std::vector<std::shared_ptr<BrandIndex>> dropped;  // freed after the lock is released
  std::unique_lock lock(mu_);
  auto self = brands_.find(brand_id);
  if (self != brands_.end()) self->second.bytes = bytes;
  size_t total = 0;
  for (const auto& [_, e] : brands_) total += e.bytes;
  while (total > budget_ && !brands_.empty()) {
    // The least recently used brand goes first; the one just evaluated goes last.
    auto victim = brands_.end();
    for (auto it = brands_.begin(); it != brands_.end(); ++it)
      if (it->second.bytes > 0 &&
          (victim == brands_.end() || it->second.used < victim->second.used))
        victim = it;
    if (victim == brands_.end()) break;
    if (victim == self) {
      const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::steady_clock::now().time_since_epoch())
                              .count();
      if (now - last_oversize_warning_ >= 60) {
        last_oversize_warning_ = now;
        spdlog::warn(
            "segment index: brand {} needs {} MiB, more than --segment-memory allows ({} MiB); "
            "its segments are read from the database on every evaluation",
            brand_id, bytes >> 20, budget_ >> 20);
      }
    } else {
      spdlog::info("segment index: dropped brand {} ({} MiB), least recently used", victim->first,
                   victim->second.bytes >> 20);
    }
    total -= victim->second.bytes;
    // An evaluation still running on it keeps it alive until it ends.
    dropped.push_back(std::move(victim->second.brand));
    brands_.erase(victim);
    evictions_.fetch_add(1);
  }
  lock.unlock();
  if (dropped.empty()) return;
  dropped.clear();
#if defined(__GLIBC__)
  // glibc keeps freed memory in the arena of the thread that allocated it (one of many
  // handler threads), so without this a dropped brand stays in the process's RSS.
  malloc_trim(0);
#endif
}

size_t SegmentIndex::TotalBytes() const {
  std::lock_guard lock(mu_);
  size_t total = 0;
  for (const auto& [_, e] : brands_) total += e.bytes;
  return total;
}

Status SegmentIndex::Evaluate(SegmentRows& rows, std::string_view brand_id,
                              const segments::Node& rule, int64_t now,
                              const std::function<void(const BrandIndex&, const Bits&)>& use) {
  auto b = For(brand_id);
  size_t bytes = 0;
  {
    std::lock_guard lock(b->mu);
    CDP_RETURN_IF_ERROR(b->Refresh(rows));
    auto bits = b->Evaluate(rows, rule, now);
    if (!bits.ok()) return std::move(bits).take_status();
    use(*b, *bits);
    bytes = b->Bytes();
  }
  Settle(brand_id, bytes);
  return Status::Ok();
}

Result<int64_t> SegmentIndex::Count(SegmentRows& rows, std::string_view brand_id,
                                    const segments::Node& rule, int64_t now) {
  int64_t count = 0;
  CDP_RETURN_IF_ERROR(
      Evaluate(rows, brand_id, rule, now,
               [&](const BrandIndex& b, const Bits& bits) { count = b.Count(bits); }));
  return count;
}

Result<SegmentIndex::IdPage> SegmentIndex::Members(SegmentRows& rows, std::string_view brand_id,
                                                   const segments::Node& rule, int64_t now,
                                                   int64_t after_profile, size_t limit) {
  IdPage page;
  CDP_RETURN_IF_ERROR(Evaluate(
      rows, brand_id, rule, now,
      [&](const BrandIndex& b, const Bits& bits) { page = b.Page(bits, after_profile, limit); }));
  return page;
}

}  // namespace cdp::store
