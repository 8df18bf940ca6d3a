// BrandIndex: building a brand's index and applying changed rows to it.
#include "store/segment_brand.h"

#include <algorithm>
#include <boost/json.hpp>
#include <numeric>

namespace cdp::store {
namespace {

using segments::AttributeRef;
using segments::Column;

// Beyond this many changes since a brand last looked, rebuilding is cheaper than re-reading
// each changed row.
constexpr size_t kRebuildAfter = 200000;

// A profile value; a number is a boolean for an attribute the brand types as one.
void Store(Column& col, size_t row, const Cell& v, segments::ValueType type) {
  switch (v.kind) {
    case Cell::Kind::kNull:
      col.SetNull(row);
      return;
    case Cell::Kind::kBool:
    case Cell::Kind::kNumber:
      if (type == segments::ValueType::kBoolean)
        col.SetBool(row, static_cast<int64_t>(v.number) != 0);
      else
        col.SetNumber(row, v.number);
      return;
    case Cell::Kind::kText:
      col.SetText(row, v.text);
      return;
  }
}

std::optional<boost::json::object> ParseObject(std::string_view text) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.get_object());
}

// An event's value for a `where` attribute: from its attributes JSON (its type as sent:
// event attributes have none fixed per brand), or its ltv column.
void StoreEventValue(Column& col, size_t row, const AttributeRef& a, std::string_view attributes,
                     const Cell& ltv) {
  if (a.source == AttributeRef::Source::kEventColumn) {
    if (ltv.kind == Cell::Kind::kNull)
      col.SetNull(row);
    else
      col.SetNumber(row, ltv.number);
    return;
  }
  auto object = ParseObject(attributes);
  const boost::json::value* v = object ? object->if_contains(a.name) : nullptr;
  if (!v || v->is_null())
    col.SetNull(row);
  else if (v->is_bool())
    col.SetBool(row, v->get_bool());
  else if (v->is_number())
    col.SetNumber(row, v->to_number<double>());
  else if (v->is_string())
    col.SetText(row, v->get_string());
  else
    col.SetText(row, boost::json::serialize(*v));
}

// The key of a column in a brand's index.
std::string ColumnKey(const AttributeRef& a) {
  return (a.source == AttributeRef::Source::kProfileColumn ? "c:" : "a:") + a.name;
}

// A value read during a callback, kept beyond it.
struct OwnedCell {
  Cell::Kind kind;
  double number;
  std::string text;
  Cell view() const { return Cell{kind, number, text}; }
};

void SortUnique(std::vector<int64_t>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

}  // namespace

Status BrandIndex::Refresh(SegmentRows& rows) {
  if (!built_) return Rebuild(rows);
  std::vector<int64_t> profiles, events;
  uint64_t next = 0;
  auto reaches = rows.ChangesSince(cursor_, profiles, events, next);
  if (!reaches.ok()) return std::move(reaches).take_status();
  if (!*reaches || profiles.size() + events.size() > kRebuildAfter) return Rebuild(rows);
  SortUnique(profiles);
  SortUnique(events);
  Status s = ReloadProfiles(rows, profiles);
  if (s.ok()) s = ReloadEvents(rows, events);
  if (!s.ok()) {
    built_ = false;  // partly applied: built again on the next call
    return s;
  }
  cursor_ = next;
  return Status::Ok();
}

size_t BrandIndex::Bytes() const {
  size_t bytes = ids_.capacity() * sizeof(int64_t) + by_id_.capacity() * sizeof(uint32_t) +
                 live_.capacity() * sizeof(uint64_t);
  for (const auto& [_, col] : columns_) bytes += col.Bytes();
  for (const auto& [_, list] : events_) {
    bytes += list.refs.capacity() * sizeof(EventRef) + list.by_id.capacity() * sizeof(uint32_t);
    for (const auto& [_, col] : list.attributes) bytes += col.Bytes();
  }
  return bytes;
}

Status BrandIndex::Rebuild(SegmentRows& rows) {
  built_ = false;
  // Changes from here on are applied again: re-reading a row is idempotent.
  auto cursor = rows.Cursor();
  if (!cursor.ok()) return std::move(cursor).take_status();
  cursor_ = *cursor;
  ids_.clear();
  CDP_RETURN_IF_ERROR(rows.ProfileIds([&](int64_t id) { ids_.push_back(id); }));
  std::sort(ids_.begin(), ids_.end());
  ids_.shrink_to_fit();
  by_id_.resize(ids_.size());
  std::iota(by_id_.begin(), by_id_.end(), 0u);
  live_ = segments::NewBits(ids_.size());
  for (size_t i = 0; i < ids_.size(); ++i) segments::SetBit(live_, i);
  for (auto& [key, col] : columns_) CDP_RETURN_IF_ERROR(LoadColumn(rows, refs_.at(key), col));
  for (auto& [name, list] : events_) CDP_RETURN_IF_ERROR(LoadEvents(rows, name, list));
  built_ = true;
  return Status::Ok();
}

std::optional<uint32_t> BrandIndex::Ordinal(int64_t id) const {
  auto it = std::lower_bound(by_id_.begin(), by_id_.end(), id,
                             [&](uint32_t o, int64_t v) { return ids_[o] < v; });
  if (it == by_id_.end() || ids_[*it] != id) return std::nullopt;
  return *it;
}

void BrandIndex::AddProfiles(const std::vector<int64_t>& ids) {
  std::vector<int64_t> fresh;
  for (int64_t id : ids)
    if (!Ordinal(id)) fresh.push_back(id);
  if (fresh.empty()) return;
  const size_t old = by_id_.size();
  const bool in_order = old == 0 || fresh.front() > ids_[by_id_.back()];
  for (int64_t id : fresh) {
    by_id_.push_back(static_cast<uint32_t>(ids_.size()));
    ids_.push_back(id);
  }
  if (!in_order)
    std::inplace_merge(by_id_.begin(), by_id_.begin() + static_cast<std::ptrdiff_t>(old),
                       by_id_.end(), [&](uint32_t a, uint32_t b) { return ids_[a] < ids_[b]; });
  live_.resize((ids_.size() + 63) / 64, 0);
  for (auto& [_, col] : columns_) col.Resize(ids_.size());
}

Status BrandIndex::LoadColumn(SegmentRows& rows, const AttributeRef& a, Column& col) {
  col = Column();
  col.Resize(ids_.size());
  return rows.ProfileValues(a, [&](int64_t id, const Cell& v) {
    if (auto at = Ordinal(id)) Store(col, *at, v, a.type);
  });
}

Status BrandIndex::LoadEvents(SegmentRows& rows, const std::string& name, EventList& list) {
  list.refs.clear();
  CDP_RETURN_IF_ERROR(rows.Events(name, [&](int64_t id, int64_t profile, int64_t ts) {
    auto at = Ordinal(profile);
    list.refs.push_back({id, ts, at ? *at : kGone});
  }));
  list.refs.shrink_to_fit();
  list.by_id.resize(list.refs.size());
  std::iota(list.by_id.begin(), list.by_id.end(), 0u);
  std::sort(list.by_id.begin(), list.by_id.end(),
            [&](uint32_t a, uint32_t b) { return list.refs[a].id < list.refs[b].id; });
  for (auto& [key, col] : list.attributes)
    CDP_RETURN_IF_ERROR(LoadEventColumn(rows, name, list, list.refs_of.at(key), col));
  return Status::Ok();
}

Status BrandIndex::LoadEventColumn(SegmentRows& rows, const std::string& name,
                                   const EventList& list, const AttributeRef& a, Column& col) {
  col = Column();
  col.Resize(list.refs.size());
  return rows.EventValues(name, [&](int64_t id, std::string_view attributes, const Cell& ltv) {
    if (auto at = Position(list, id)) StoreEventValue(col, *at, a, attributes, ltv);
  });
}

std::optional<uint32_t> BrandIndex::Position(const EventList& list, int64_t id, size_t sorted) {
  const auto end =
      list.by_id.begin() + static_cast<std::ptrdiff_t>(std::min(sorted, list.by_id.size()));
  auto it = std::lower_bound(list.by_id.begin(), end, id,
                             [&](uint32_t p, int64_t v) { return list.refs[p].id < v; });
  if (it == end || list.refs[*it].id != id) return std::nullopt;
  return *it;
}

Result<Column*> BrandIndex::ColumnFor(SegmentRows& rows, const AttributeRef& a) {
  const std::string key = ColumnKey(a);
  auto it = columns_.find(key);
  if (it != columns_.end()) return &it->second;
  refs_[key] = a;
  Column& col = columns_[key];
  CDP_RETURN_IF_ERROR(LoadColumn(rows, a, col));
  return &col;
}

Result<Column*> BrandIndex::EventColumnFor(SegmentRows& rows, const std::string& name,
                                           EventList& list, const AttributeRef& a) {
  const std::string key = ColumnKey(a);
  auto it = list.attributes.find(key);
  if (it != list.attributes.end()) return &it->second;
  list.refs_of[key] = a;
  Column& col = list.attributes[key];
  CDP_RETURN_IF_ERROR(LoadEventColumn(rows, name, list, a, col));
  return &col;
}

Result<BrandIndex::EventList*> BrandIndex::EventsFor(SegmentRows& rows, const std::string& name) {
  auto it = events_.find(name);
  if (it != events_.end()) return &it->second;
  auto& list = events_[name];
  CDP_RETURN_IF_ERROR(LoadEvents(rows, name, list));
  return &list;
}

Status BrandIndex::ReloadProfiles(SegmentRows& rows, const std::vector<int64_t>& ids) {
  if (ids.empty()) return Status::Ok();
  std::vector<AttributeRef> attributes;
  std::vector<Column*> cols;
  for (auto& [key, col] : columns_) {
    attributes.push_back(refs_.at(key));
    cols.push_back(&col);
  }
  auto store = [&](uint32_t at, auto&& value_of) {
    segments::SetBit(live_, at);
    for (size_t c = 0; c < cols.size(); ++c) Store(*cols[c], at, value_of(c), attributes[c].type);
  };
  std::vector<int64_t> seen;
  // Profiles not seen yet get their ordinals after the call, all at once.
  std::vector<std::pair<int64_t, std::vector<OwnedCell>>> fresh;
  CDP_RETURN_IF_ERROR(
      rows.ProfilesById(ids, attributes, [&](int64_t id, const std::vector<Cell>& values) {
        seen.push_back(id);
        if (auto at = Ordinal(id)) {
          store(*at, [&](size_t c) { return values[c]; });
          return;
        }
        auto& [_, owned] = fresh.emplace_back(id, std::vector<OwnedCell>());
        for (const Cell& v : values) owned.push_back({v.kind, v.number, std::string(v.text)});
      }));
  if (!fresh.empty()) {
    std::vector<int64_t> fresh_ids;
    for (const auto& [id, _] : fresh) fresh_ids.push_back(id);
    SortUnique(fresh_ids);
    AddProfiles(fresh_ids);
    for (const auto& row : fresh)  // not a structured binding: clang 14 can't capture one
      store(*Ordinal(row.first), [&](size_t c) { return row.second[c].view(); });
  }
  // Deleted, merged away, or another brand's.
  SortUnique(seen);
  std::vector<int64_t> gone;
  std::set_difference(ids.begin(), ids.end(), seen.begin(), seen.end(), std::back_inserter(gone));
  for (int64_t id : gone)
    if (auto at = Ordinal(id)) live_[*at >> 6] &= ~(uint64_t{1} << (*at & 63));
  return Status::Ok();
}

Status BrandIndex::ReloadEvents(SegmentRows& rows, const std::vector<int64_t>& ids) {
  if (ids.empty() || events_.empty()) return Status::Ok();
  // Each list's positions sorted by id before this call: new events are merged in after it
  // (an id is reported once, so a new one is never looked up again within the call).
  std::map<const EventList*, size_t> sorted;
  for (auto& [_, list] : events_) sorted[&list] = list.by_id.size();
  std::vector<int64_t> seen;
  CDP_RETURN_IF_ERROR(rows.EventsById(ids, [&](const EventRow& e) {
    seen.push_back(e.id);
    for (auto& [name, list] : events_) {
      const auto at = Position(list, e.id, sorted[&list]);
      if (e.name != name) {
        if (at) list.refs[*at].ordinal = kGone;  // renamed: not expected, but kept right
        continue;
      }
      auto who = Ordinal(e.profile);
      EventRef ref{e.id, e.ts, who ? *who : kGone};
      uint32_t pos;
      if (at) {
        pos = *at;
        list.refs[pos] = ref;
      } else {
        pos = static_cast<uint32_t>(list.refs.size());
        list.refs.push_back(ref);
        list.by_id.push_back(pos);
        for (auto& [_, col] : list.attributes) col.Resize(list.refs.size());
      }
      for (auto& [key, col] : list.attributes)
        StoreEventValue(col, pos, list.refs_of.at(key), e.attributes, e.ltv);
    }
  }));
  for (auto& entry : events_) {
    EventList& list = entry.second;
    const auto mid = list.by_id.begin() + static_cast<std::ptrdiff_t>(sorted[&list]);
    auto by = [&](uint32_t a, uint32_t b) { return list.refs[a].id < list.refs[b].id; };
    if (mid == list.by_id.end()) continue;
    std::sort(mid, list.by_id.end(), by);
    std::inplace_merge(list.by_id.begin(), mid, list.by_id.end(), by);
  }
  SortUnique(seen);
  std::vector<int64_t> gone;
  std::set_difference(ids.begin(), ids.end(), seen.begin(), seen.end(), std::back_inserter(gone));
  for (int64_t id : gone)
    for (auto& [_, list] : events_)
      if (auto at = Position(list, id)) list.refs[*at].ordinal = kGone;
  return Status::Ok();
}

}  // namespace cdp::store
