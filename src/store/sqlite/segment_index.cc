#include "store/sqlite/segment_index.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <boost/json.hpp>
#include <limits>
#include <variant>

#include "segments/column.h"

namespace cdp::store::sqlite {
namespace {

using segments::AttributeRef;
using segments::Bits;
using segments::Column;
using segments::Node;

// Beyond this many changes since a brand last looked, rebuilding is cheaper than re-reading
// each changed row.
constexpr size_t kRebuildAfter = 200000;
constexpr uint32_t kGone = std::numeric_limits<uint32_t>::max();

// The SQL value of a profile attribute, as segments/sql.h reads it (SQLite dialect), with
// the attribute's path bound to placeholder `param` when it has one.
struct ProfileExpr {
  std::string text;
  std::optional<std::string> bound;
};
ProfileExpr ExprFor(const AttributeRef& a, int param) {
  if (a.source == AttributeRef::Source::kProfileColumn) return {a.name, std::nullopt};
  if (a.name.find('"') == std::string::npos)
    return {fmt::format("attributes ->> ?{}", param), "$.\"" + a.name + "\""};
  return {fmt::format("(SELECT value FROM json_each(attributes) WHERE key = ?{})", param), a.name};
}

// The key of a column in a brand's index.
std::string ColumnKey(const AttributeRef& a) {
  return (a.source == AttributeRef::Source::kProfileColumn ? "c:" : "a:") + a.name;
}

// A profile attribute's value: booleans (typed per brand) read as 1/0 from SQLite's JSON.
void Store(Column& col, size_t row, const Stmt& s, int c, segments::ValueType type) {
  if (s.IsNull(c))
    col.SetNull(row);
  else if (s.IsNumber(c) && type == segments::ValueType::kBoolean)
    col.SetBool(row, s.Int(c) != 0);
  else if (s.IsNumber(c))
    col.SetNumber(row, s.Real(c));
  else
    col.SetText(row, s.Text(c));
}

// An event's value for a `where` attribute: from its attributes JSON (its type as sent:
// event attributes have none fixed per brand), or its ltv column.
void StoreEventValue(Column& col, size_t row, const AttributeRef& a,
                     const boost::json::object* attributes, const Stmt& s, int ltv_col) {
  if (a.source == AttributeRef::Source::kEventColumn) {
    if (s.IsNull(ltv_col))
      col.SetNull(row);
    else
      col.SetNumber(row, s.Real(ltv_col));
    return;
  }
  const boost::json::value* v = attributes ? attributes->if_contains(a.name) : nullptr;
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

std::optional<boost::json::object> ParseObject(std::string_view text) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.get_object());
}

struct EventRef {
  int64_t rowid;
  int64_t ts;
  uint32_t ordinal;  // kGone once the event is deleted or moved to another brand/name
};

// The events of one name, in rowid order, with the attributes `where` filters asked about
// as columns over the same positions.
struct EventList {
  std::vector<EventRef> refs;
  std::map<std::string, Column> attributes;  // by ColumnKey
  std::map<std::string, AttributeRef> refs_of;
};

}  // namespace

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

// One brand's index. Every method runs under mu (one evaluation per brand at a time).
class SegmentIndex::Brand {
 public:
  Brand(std::string id, const ChangeLog& log) : id_(std::move(id)), log_(log) {}

  std::mutex mu;

  // Applies the changes published since the last call (or rebuilds).
  Status Refresh(Db& db) {
    std::vector<ChangeLog::Change> changes;
    uint64_t last = 0;
    if (!built_ || !log_.Since(seq_, changes, last) || changes.size() > kRebuildAfter)
      return Rebuild(db);
    seq_ = last;
    std::vector<int64_t> profiles, events;
    for (const auto& c : changes) (c.event ? events : profiles).push_back(c.rowid);
    for (auto* v : {&profiles, &events}) {
      std::sort(v->begin(), v->end());
      v->erase(std::unique(v->begin(), v->end()), v->end());
    }
    CDP_RETURN_IF_ERROR(ReloadProfiles(db, profiles));
    CDP_RETURN_IF_ERROR(ReloadEvents(db, events));
    return built_ ? Status::Ok() : Rebuild(db);
  }

  Result<Bits> Evaluate(Db& db, const Node& n, int64_t now) {
    switch (n.kind) {
      case Node::Kind::kAll:
      case Node::Kind::kAny: {
        const bool all = n.kind == Node::Kind::kAll;
        Bits out = all ? live_ : segments::NewBits(ids_.size());
        for (const auto& child : n.children) {
          auto b = Evaluate(db, child, now);
          if (!b.ok()) return b;
          for (size_t w = 0; w < out.size(); ++w)
            out[w] = all ? out[w] & (*b)[w] : out[w] | (*b)[w];
        }
        return out;
      }
      case Node::Kind::kNot: {
        auto b = Evaluate(db, n.children.at(0), now);
        if (!b.ok()) return b;
        for (size_t w = 0; w < b->size(); ++w) (*b)[w] = ~(*b)[w] & live_[w];
        return b;
      }
      case Node::Kind::kAttribute:
        return Attribute(db, n.attribute, now);
      case Node::Kind::kReachable:
        return Reachable(db, n.channel);
      case Node::Kind::kEvent:
        return Event(db, n.event, now);
    }
    return segments::NewBits(ids_.size());
  }

  int64_t Count(const Bits& b) const {
    int64_t n = 0;
    for (size_t w = 0; w < b.size(); ++w) n += std::popcount(b[w] & live_[w]);
    return n;
  }

  IdPage Page(const Bits& b, int64_t after, size_t limit) const {
    IdPage page;
    size_t i = std::upper_bound(ids_.begin(), ids_.end(), after) - ids_.begin();
    for (; i < ids_.size(); ++i) {
      if (!segments::TestBit(b, i) || !segments::TestBit(live_, i)) continue;
      if (page.ids.size() == limit) {
        page.next_after = page.ids.back();
        break;
      }
      page.ids.push_back(ids_[i]);
    }
    return page;
  }

 private:
  // --- Loading ---

  Status Rebuild(Db& db) {
    seq_ = log_.last();  // changes from here on are applied again: re-reading is idempotent
    ids_.clear();
    auto stmt = db.Prepare("SELECT id FROM profiles WHERE brand_id = ?1");
    if (!stmt.ok()) return std::move(stmt).take_status();
    stmt->Bind(1, id_);
    for (;;) {
      auto row = stmt->Step();
      if (!row.ok()) return std::move(row).take_status();
      if (!*row) break;
      ids_.push_back(stmt->Int(0));
    }
    stmt->Reset();
    std::sort(ids_.begin(), ids_.end());
    live_ = segments::NewBits(ids_.size());
    for (size_t i = 0; i < ids_.size(); ++i) segments::SetBit(live_, i);
    for (auto& [key, col] : columns_) CDP_RETURN_IF_ERROR(LoadColumn(db, refs_.at(key), col));
    for (auto& [name, list] : events_) CDP_RETURN_IF_ERROR(LoadEvents(db, name, list));
    built_ = true;
    return Status::Ok();
  }

  std::optional<size_t> Ordinal(int64_t id) const {
    auto it = std::lower_bound(ids_.begin(), ids_.end(), id);
    if (it == ids_.end() || *it != id) return std::nullopt;
    return static_cast<size_t>(it - ids_.begin());
  }

  // A new profile: SQLite gives max(rowid) + 1, so ids only grow, or come back as a dead
  // ordinal's. Anything else (not expected) marks the index for a rebuild.
  std::optional<size_t> AddProfile(int64_t id) {
    if (auto at = Ordinal(id)) return at;
    if (!ids_.empty() && id < ids_.back()) {
      built_ = false;
      return std::nullopt;
    }
    ids_.push_back(id);
    if (live_.size() * 64 < ids_.size()) live_.push_back(0);
    for (auto& [_, col] : columns_) col.Resize(ids_.size());
    return ids_.size() - 1;
  }

  Status LoadColumn(Db& db, const AttributeRef& a, Column& col) {
    col = Column();
    col.Resize(ids_.size());
    ProfileExpr expr = ExprFor(a, 2);
    auto stmt =
        db.Prepare(fmt::format("SELECT id, {} FROM profiles WHERE brand_id = ?1", expr.text));
    if (!stmt.ok()) return std::move(stmt).take_status();
    stmt->Bind(1, id_);
    if (expr.bound) stmt->Bind(2, *expr.bound);
    for (;;) {
      auto row = stmt->Step();
      if (!row.ok()) return std::move(row).take_status();
      if (!*row) break;
      if (auto at = Ordinal(stmt->Int(0))) Store(col, *at, *stmt, 1, a.type);
    }
    stmt->Reset();
    return Status::Ok();
  }

  Status LoadEvents(Db& db, const std::string& name, EventList& list) {
    list.refs.clear();
    auto stmt =
        db.Prepare("SELECT id, profile_id, ts FROM events WHERE brand_id = ?1 AND name = ?2");
    if (!stmt.ok()) return std::move(stmt).take_status();
    stmt->Bind(1, id_).Bind(2, name);
    for (;;) {
      auto row = stmt->Step();
      if (!row.ok()) return std::move(row).take_status();
      if (!*row) break;
      auto at = Ordinal(stmt->Int(1));
      list.refs.push_back({stmt->Int(0), stmt->Int(2), at ? static_cast<uint32_t>(*at) : kGone});
    }
    stmt->Reset();
    std::sort(list.refs.begin(), list.refs.end(),
              [](const EventRef& a, const EventRef& b) { return a.rowid < b.rowid; });
    for (auto& [key, col] : list.attributes)
      CDP_RETURN_IF_ERROR(LoadEventColumn(db, name, list, list.refs_of.at(key), col));
    return Status::Ok();
  }

  Status LoadEventColumn(Db& db, const std::string& name, const EventList& list,
                         const AttributeRef& a, Column& col) {
    col = Column();
    col.Resize(list.refs.size());
    auto stmt =
        db.Prepare("SELECT id, attributes, ltv FROM events WHERE brand_id = ?1 AND name = ?2");
    if (!stmt.ok()) return std::move(stmt).take_status();
    stmt->Bind(1, id_).Bind(2, name);
    for (;;) {
      auto row = stmt->Step();
      if (!row.ok()) return std::move(row).take_status();
      if (!*row) break;
      size_t at = Position(list, stmt->Int(0));
      if (at == list.refs.size() || list.refs[at].rowid != stmt->Int(0)) continue;
      auto attributes = ParseObject(stmt->Text(1));
      StoreEventValue(col, at, a, attributes ? &*attributes : nullptr, *stmt, 2);
    }
    stmt->Reset();
    return Status::Ok();
  }

  static size_t Position(const EventList& list, int64_t rowid) {
    return std::lower_bound(list.refs.begin(), list.refs.end(), rowid,
                            [](const EventRef& e, int64_t r) { return e.rowid < r; }) -
           list.refs.begin();
  }

  Result<Column*> EventColumnFor(Db& db, const std::string& name, EventList& list,
                                 const AttributeRef& a) {
    const std::string key = ColumnKey(a);
    auto it = list.attributes.find(key);
    if (it != list.attributes.end()) return &it->second;
    list.refs_of[key] = a;
    Column& col = list.attributes[key];
    CDP_RETURN_IF_ERROR(LoadEventColumn(db, name, list, a, col));
    return &col;
  }

  Result<Column*> ColumnFor(Db& db, const AttributeRef& a) {
    const std::string key = ColumnKey(a);
    auto it = columns_.find(key);
    if (it != columns_.end()) return &it->second;
    refs_[key] = a;
    Column& col = columns_[key];
    CDP_RETURN_IF_ERROR(LoadColumn(db, a, col));
    return &col;
  }

  Result<EventList*> EventsFor(Db& db, const std::string& name) {
    auto it = events_.find(name);
    if (it != events_.end()) return &it->second;
    auto& list = events_[name];
    CDP_RETURN_IF_ERROR(LoadEvents(db, name, list));
    return &list;
  }

  // --- Applying changes ---

  Status ReloadProfiles(Db& db, const std::vector<int64_t>& rowids) {
    if (rowids.empty()) return Status::Ok();
    std::string sql = "SELECT brand_id";
    std::vector<std::pair<Column*, std::optional<std::string>>> cols;
    std::vector<segments::ValueType> types;
    int param = 2;
    for (auto& [key, col] : columns_) {
      types.push_back(refs_.at(key).type);
      ProfileExpr e = ExprFor(refs_.at(key), param);
      if (e.bound) ++param;
      sql += ", " + e.text;
      cols.emplace_back(&col, e.bound);
    }
    auto stmt = db.PrepareOneShot(sql + " FROM profiles WHERE id = ?1");
    if (!stmt.ok()) return std::move(stmt).take_status();
    for (int64_t rowid : rowids) {
      (*stmt)->Reset();
      (*stmt)->Bind(1, rowid);
      int p = 2;
      for (const auto& [_, bound] : cols)
        if (bound) (*stmt)->Bind(p++, *bound);
      auto row = (*stmt)->Step();
      if (!row.ok()) return std::move(row).take_status();
      if (!*row || (*stmt)->Text(0) != id_) {
        // Deleted, merged away, or another brand's.
        if (auto at = Ordinal(rowid)) live_[*at >> 6] &= ~(uint64_t{1} << (*at & 63));
        continue;
      }
      auto at = AddProfile(rowid);
      if (!at) continue;
      segments::SetBit(live_, *at);
      for (size_t c = 0; c < cols.size(); ++c)
        Store(*cols[c].first, *at, **stmt, int(c) + 1, types[c]);
    }
    return Status::Ok();
  }

  Status ReloadEvents(Db& db, const std::vector<int64_t>& rowids) {
    if (rowids.empty() || events_.empty()) return Status::Ok();
    auto stmt = db.Prepare(
        "SELECT brand_id, profile_id, name, ts, attributes, ltv FROM events WHERE id = ?1");
    if (!stmt.ok()) return std::move(stmt).take_status();
    for (int64_t rowid : rowids) {
      stmt->Reset();
      stmt->Bind(1, rowid);
      auto row = stmt->Step();
      if (!row.ok()) return std::move(row).take_status();
      std::optional<std::string> name;
      if (*row && stmt->Text(0) == id_) name = stmt->Text(2);
      for (auto& [list_name, list] : events_) {
        const bool belongs = name && *name == list_name;
        const size_t at = Position(list, rowid);
        const bool present = at < list.refs.size() && list.refs[at].rowid == rowid;
        if (!belongs) {
          if (present) list.refs[at].ordinal = kGone;
          continue;
        }
        auto who = Ordinal(stmt->Int(1));
        EventRef ref{rowid, stmt->Int(3), who ? static_cast<uint32_t>(*who) : kGone};
        if (present) {
          list.refs[at] = ref;
        } else if (at == list.refs.size()) {
          list.refs.push_back(ref);  // the usual case: a new event has the largest rowid
          for (auto& [_, col] : list.attributes) col.Resize(list.refs.size());
        } else {
          list.refs.insert(list.refs.begin() + static_cast<std::ptrdiff_t>(at), ref);
          list.attributes.clear();  // positions moved: reloaded when next asked for
          list.refs_of.clear();
        }
        if (list.attributes.empty()) continue;
        auto attributes = ParseObject(stmt->Text(4));
        for (auto& [key, col] : list.attributes)
          StoreEventValue(col, at, list.refs_of.at(key), attributes ? &*attributes : nullptr, *stmt,
                          5);
      }
    }
    stmt->Reset();
    return Status::Ok();
  }

  // --- Conditions ---

  Result<Bits> Attribute(Db& db, const segments::AttributeCondition& c, int64_t now) {
    Bits out = segments::NewBits(ids_.size());
    if (c.attribute.absent) {
      if (c.op == segments::AttributeOp::kNeq || c.op == segments::AttributeOp::kNotExists)
        out = live_;
      return out;
    }
    auto col = ColumnFor(db, c.attribute);
    if (!col.ok()) return std::move(col).take_status();
    (*col)->Match(c, now, out);
    return out;
  }

  Result<Bits> Reachable(Db& db, segments::Channel channel) {
    AttributeRef opt_in, address;
    opt_in.name = channel == segments::Channel::kEmail ? "email_opt_in"
                  : channel == segments::Channel::kSms ? "sms_opt_in"
                                                       : "whatsapp_opt_in";
    address.name = channel == segments::Channel::kEmail ? "email" : "mobile";
    auto opt = ColumnFor(db, opt_in);
    if (!opt.ok()) return std::move(opt).take_status();
    auto addr = ColumnFor(db, address);
    if (!addr.ok()) return std::move(addr).take_status();
    Bits out = segments::NewBits(ids_.size());
    for (size_t i = 0; i < ids_.size(); ++i) {
      if (!(*opt)->IsNumber(i) || (*opt)->Number(i) != 1 || (*addr)->IsNull(i)) continue;
      if ((*addr)->IsNumber(i) || !(*addr)->Text(i).empty()) segments::SetBit(out, i);
    }
    return out;
  }

  Result<Bits> Event(Db& db, const segments::EventCondition& e, int64_t now) {
    auto list = EventsFor(db, e.name);
    if (!list.ok()) return std::move(list).take_status();
    const std::vector<EventRef>& refs = (*list)->refs;
    // Positions of the events that pass every `where` filter.
    std::optional<Bits> pass;
    for (const auto& w : e.where) {
      auto col = EventColumnFor(db, e.name, **list, w.attribute);
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

  const std::string id_;
  const ChangeLog& log_;
  bool built_ = false;
  uint64_t seq_ = 0;
  std::vector<int64_t> ids_;  // ordinal -> profile id, ascending
  Bits live_;                 // ordinals of profiles that exist
  std::map<std::string, Column> columns_;
  std::map<std::string, AttributeRef> refs_;
  std::map<std::string, EventList> events_;  // by name
};

SegmentIndex::SegmentIndex(const ChangeLog& log) : log_(log) {}
SegmentIndex::~SegmentIndex() = default;

SegmentIndex::Brand& SegmentIndex::For(std::string_view brand_id) {
  std::lock_guard lock(mu_);
  auto it = brands_.find(brand_id);
  if (it == brands_.end())
    it =
        brands_.emplace(std::string(brand_id), std::make_unique<Brand>(std::string(brand_id), log_))
            .first;
  return *it->second;
}

Result<int64_t> SegmentIndex::Count(Db& db, std::string_view brand_id, const Node& rule,
                                    int64_t now) {
  Brand& b = For(brand_id);
  std::lock_guard lock(b.mu);
  CDP_RETURN_IF_ERROR(b.Refresh(db));
  auto bits = b.Evaluate(db, rule, now);
  if (!bits.ok()) return std::move(bits).take_status();
  return b.Count(*bits);
}

Result<SegmentIndex::IdPage> SegmentIndex::Members(Db& db, std::string_view brand_id,
                                                   const Node& rule, int64_t now,
                                                   int64_t after_profile, size_t limit) {
  Brand& b = For(brand_id);
  std::lock_guard lock(b.mu);
  CDP_RETURN_IF_ERROR(b.Refresh(db));
  auto bits = b.Evaluate(db, rule, now);
  if (!bits.ok()) return std::move(bits).take_status();
  return b.Page(*bits, after_profile, limit);
}

}  // namespace cdp::store::sqlite
