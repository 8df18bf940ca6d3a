// BrandIndex: evaluating a rule tree over a brand's columns and event lists, with the
// semantics of the SQL that segments/sql.h compiles (docs/segments.md).
#include <algorithm>
#include <bit>
#include <limits>

#include "store/segment_brand.h"

namespace cdp::store {

using segments::AttributeRef;
using segments::Bits;
using segments::Node;

Result<Bits> BrandIndex::Evaluate(SegmentRows& rows, const Node& n, int64_t now) {
  switch (n.kind) {
    case Node::Kind::kAll:
    case Node::Kind::kAny: {
      const bool all = n.kind == Node::Kind::kAll;
      Bits out = all ? live_ : segments::NewBits(ids_.size());
      for (const auto& child : n.children) {
        auto b = Evaluate(rows, child, now);
        if (!b.ok()) return b;
        for (size_t w = 0; w < out.size(); ++w) out[w] = all ? out[w] & (*b)[w] : out[w] | (*b)[w];
      }
      return out;
    }
    case Node::Kind::kNot: {
      auto b = Evaluate(rows, n.children.at(0), now);
      if (!b.ok()) return b;
      for (size_t w = 0; w < b->size(); ++w) (*b)[w] = ~(*b)[w] & live_[w];
      return b;
    }
    case Node::Kind::kAttribute:
      return Attribute(rows, n.attribute, now);
    case Node::Kind::kReachable:
      return Reachable(rows, n.channel);
    case Node::Kind::kEvent:
      return Event(rows, n.event, now);
  }
  return segments::NewBits(ids_.size());
}

int64_t BrandIndex::Count(const Bits& b) const {
  int64_t n = 0;
  for (size_t w = 0; w < b.size(); ++w) n += std::popcount(b[w] & live_[w]);
  return n;
}

SegmentIndex::IdPage BrandIndex::Page(const Bits& b, int64_t after, size_t limit) const {
  SegmentIndex::IdPage page;
  auto it = std::upper_bound(by_id_.begin(), by_id_.end(), after,
                             [&](int64_t v, uint32_t o) { return v < ids_[o]; });
  for (; it != by_id_.end(); ++it) {
    const uint32_t i = *it;
    if (!segments::TestBit(b, i) || !segments::TestBit(live_, i)) continue;
    if (page.ids.size() == limit) {
      page.next_after = page.ids.back();
      break;
    }
    page.ids.push_back(ids_[i]);
  }
  return page;
}

Result<Bits> BrandIndex::Attribute(SegmentRows& rows, const segments::AttributeCondition& c,
                                   int64_t now) {
  Bits out = segments::NewBits(ids_.size());
  if (c.attribute.absent) {
    if (c.op == segments::AttributeOp::kNeq || c.op == segments::AttributeOp::kNotExists)
      out = live_;
    return out;
  }
  auto col = ColumnFor(rows, c.attribute);
  if (!col.ok()) return std::move(col).take_status();
  (*col)->Match(c, now, out);
  return out;
}

Result<Bits> BrandIndex::Reachable(SegmentRows& rows, segments::Channel channel) {
  AttributeRef opt_in, address;
  opt_in.name = channel == segments::Channel::kEmail ? "email_opt_in"
                : channel == segments::Channel::kSms ? "sms_opt_in"
                                                     : "whatsapp_opt_in";
  address.name = channel == segments::Channel::kEmail ? "email" : "mobile";
  auto opt = ColumnFor(rows, opt_in);
  if (!opt.ok()) return std::move(opt).take_status();
  auto addr = ColumnFor(rows, address);
  if (!addr.ok()) return std::move(addr).take_status();
  Bits out = segments::NewBits(ids_.size());
  for (size_t i = 0; i < ids_.size(); ++i) {
    if (!(*opt)->IsNumber(i) || (*opt)->Number(i) != 1 || (*addr)->IsNull(i)) continue;
    if ((*addr)->IsNumber(i) || !(*addr)->Text(i).empty()) segments::SetBit(out, i);
  }
  return out;
}

Result<Bits> BrandIndex::Event(SegmentRows& rows, const segments::EventCondition& e, int64_t now) {
  auto list = EventsFor(rows, e.name);
  if (!list.ok()) return std::move(list).take_status();
  const std::vector<EventRef>& refs = (*list)->refs;
  // Positions of the events that pass every `where` filter.
  std::optional<Bits> pass;
  for (const auto& w : e.where) {
    auto col = EventColumnFor(rows, e.name, **list, w.attribute);
    if (!col.ok()) return std::move(col).take_status();
    Bits b = segments::NewBits(refs.size());
    (*col)->Match(w, now, b);
    if (!pass)
      pass = std::move(b);
    else
      for (size_t k = 0; k < b.size(); ++k) (*pass)[k] &= b[k];
  }
  int64_t lo = std::numeric_limits<int64_t>::min(), hi = std::numeric_limits<int64_t>::max();
  if (e.within_days) lo = now - *e.within_days * segments::kMicrosPerDay;
  if (e.from) lo = *e.from;
  if (e.to) hi = *e.to;  // exclusive
  const bool lapsed = e.op == segments::EventOp::kLastMoreThanDaysAgo;
  std::vector<uint32_t> count(ids_.size(), 0);
  std::vector<int64_t> last;
  if (lapsed) last.assign(ids_.size(), std::numeric_limits<int64_t>::min());
  for (size_t k = 0; k < refs.size(); ++k) {
    const EventRef& r = refs[k];
    if (r.ordinal == kGone || r.ts < lo || r.ts >= hi) continue;
    if (pass && !segments::TestBit(*pass, k)) continue;
    ++count[r.ordinal];
    if (lapsed) last[r.ordinal] = std::max(last[r.ordinal], r.ts);
  }
  const int64_t n = e.count;
  const int64_t before = now - e.days * segments::kMicrosPerDay;
  Bits out = segments::NewBits(ids_.size());
  for (size_t i = 0; i < ids_.size(); ++i) {
    const int64_t c = count[i];
    bool m = false;
    switch (e.op) {
      case segments::EventOp::kDid:
        m = c > 0;
        break;
      case segments::EventOp::kDidNot:
        m = c == 0;
        break;
      case segments::EventOp::kAtLeast:
        m = c >= n;
        break;
      case segments::EventOp::kAtMost:
        m = c <= n;
        break;
      case segments::EventOp::kExactly:
        m = c == n;
        break;
      case segments::EventOp::kLastMoreThanDaysAgo:
        m = c > 0 && last[i] < before;
        break;
    }
    if (m) segments::SetBit(out, i);
  }
  return out;
}

}  // namespace cdp::store
