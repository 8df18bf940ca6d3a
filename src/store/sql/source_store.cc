#include <fmt/format.h>

#include <boost/json.hpp>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/sql/parts.h"
#include "store/sql/rows.h"

namespace cdp::store::sql {
namespace {

const Query kBrandExists("SELECT id FROM brands WHERE id = $1");
const Query kInsertSource(
    "INSERT INTO sources (brand_id, id, name, allowed_origins, created_at) "
    "VALUES ($1, $2, $3, $4, $5)");
const Query kGetSource(
    "SELECT brand_id, id, name, allowed_origins, created_at, revoked_at FROM sources "
    "WHERE brand_id = $1 AND id = $2");
// The same, in a write transaction: a concurrent change of the source on another node waits.
const Query kLockSource(
    "SELECT brand_id, id, name, allowed_origins, created_at, revoked_at FROM sources "
    "WHERE brand_id = $1 AND id = $2",
    Query::Lock::kForUpdate);
const Query kListSources(
    "SELECT brand_id, id, name, allowed_origins, created_at, revoked_at FROM sources "
    "WHERE brand_id = $1 ORDER BY created_at, id");
const Query kSetOrigins("UPDATE sources SET allowed_origins = $3 WHERE brand_id = $1 AND id = $2");
// A source revoked already keeps its first revocation time.
const Query kRevokeSource(
    "UPDATE sources SET revoked_at = $3 WHERE brand_id = $1 AND id = $2 AND revoked_at IS NULL");
const Query kInsertKey(
    "INSERT INTO write_keys (hash, brand_id, source_id, prefix, created_at) "
    "VALUES ($1, $2, $3, $4, $5)");
const Query kListKeys(
    "SELECT brand_id, source_id, prefix, hash, created_at, revoked_at FROM write_keys "
    "WHERE brand_id = $1 AND source_id = $2 ORDER BY created_at, prefix");
// The source's keys other than $4 stop working at $3 unless they stop earlier already.
const Query kRetireKeys(
    "UPDATE write_keys SET revoked_at = $3 WHERE brand_id = $1 AND source_id = $2 "
    "AND hash <> $4 AND (revoked_at IS NULL OR revoked_at > $3)");
const Query kRevokeKeys(
    "UPDATE write_keys SET revoked_at = $3 WHERE brand_id = $1 AND source_id = $2 "
    "AND (revoked_at IS NULL OR revoked_at > $3)");
const Query kFindKey(
    "SELECT k.brand_id, k.source_id, k.prefix, k.hash, k.created_at, k.revoked_at, "
    "s.brand_id, s.id, s.name, s.allowed_origins, s.created_at, s.revoked_at "
    "FROM write_keys k JOIN sources s ON s.brand_id = k.brand_id AND s.id = k.source_id "
    "WHERE k.hash = $1");
const Query kInsertCall(
    "INSERT INTO source_calls (brand_id, source_id, at, path, status, accepted, rejected, "
    "detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)");
// Newest: latest `at`, then latest recorded. $3: how many to keep.
const Query kTrimCalls(
    "DELETE FROM source_calls WHERE brand_id = $1 AND source_id = $2 AND id NOT IN ("
    "SELECT id FROM source_calls WHERE brand_id = $1 AND source_id = $2 "
    "ORDER BY at DESC, id DESC LIMIT $3)");
const Query kListCalls(
    "SELECT brand_id, source_id, at, path, status, accepted, rejected, detail FROM source_calls "
    "WHERE brand_id = $1 AND source_id = $2 ORDER BY at DESC, id DESC LIMIT $3");

// sources.allowed_origins: a JSON array of strings.
std::string EncodeOrigins(const std::vector<std::string>& origins) {
  boost::json::array a;
  for (const auto& o : origins) a.emplace_back(o);
  return boost::json::serialize(a);
}
std::vector<std::string> DecodeOrigins(std::string_view text) {
  std::vector<std::string> out;
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec || !v.is_array()) return out;
  for (const auto& o : v.get_array())
    if (o.is_string()) out.emplace_back(o.get_string());
  return out;
}

// The source in columns `first`.. of row `i`.
Source ReadSource(const Rows& r, int i, int first = 0) {
  Source s;
  s.brand_id = r.Text(i, first);
  s.id = r.Text(i, first + 1);
  s.name = r.Text(i, first + 2);
  s.allowed_origins = DecodeOrigins(r.Text(i, first + 3));
  s.created_at = r.Int(i, first + 4);
  s.revoked_at = r.OptInt(i, first + 5);
  return s;
}

WriteKey ReadKey(const Rows& r, int i) {
  WriteKey k;
  k.brand_id = r.Text(i, 0);
  k.source_id = r.Text(i, 1);
  k.prefix = r.Text(i, 2);
  k.hash = r.Text(i, 3);
  k.created_at = r.Int(i, 4);
  k.revoked_at = r.OptInt(i, 5);
  return k;
}

SourceCall ReadCall(const Rows& r, int i) {
  SourceCall c;
  c.brand_id = r.Text(i, 0);
  c.source_id = r.Text(i, 1);
  c.at = r.Int(i, 2);
  c.path = r.Text(i, 3);
  c.status = static_cast<int>(r.Int(i, 4));
  c.accepted = r.Int(i, 5);
  c.rejected = r.Int(i, 6);
  c.detail = r.Text(i, 7);
  return c;
}

Status NoSource(std::string_view brand_id, std::string_view source_id) {
  return NotFound(fmt::format("brand {} has no source {}", brand_id, source_id));
}

Status InsertKey(Connection& c, const WriteKey& key) {
  return c
      .Exec(kInsertKey, Params()
                            .Add(key.hash)
                            .Add(key.brand_id)
                            .Add(key.source_id)
                            .Add(key.prefix)
                            .Add(key.created_at))
      .status();
}

// The source, locked for the write transaction; NotFound when there is none.
Result<Source> LockSource(Connection& c, std::string_view brand_id, std::string_view source_id) {
  auto rows = c.Exec(kLockSource, Params().Add(brand_id).Add(source_id));
  if (!rows.ok()) return std::move(rows).take_status();
  if (rows->empty()) return NoSource(brand_id, source_id);
  return ReadSource(*rows, 0);
}

class PortableSourceStore final : public SourceStore {
 public:
  explicit PortableSourceStore(Executor& executor) : executor_(executor) {}

  Status CreateSource(const Source& source, const WriteKey& key, const AuditEntry& audit) override {
    return executor_.Write([&](Connection& c) -> Status {
      auto brand = c.Exec(kBrandExists, Params().Add(source.brand_id));
      if (!brand.ok()) return std::move(brand).take_status();
      if (brand->empty()) return NotFound(fmt::format("no brand {}", source.brand_id));
      Status st = c.Exec(kInsertSource, Params()
                                            .Add(source.brand_id)
                                            .Add(source.id)
                                            .Add(source.name)
                                            .Add(EncodeOrigins(source.allowed_origins))
                                            .Add(source.created_at))
                      .status();
      if (st.code() == Code::kAlreadyExists)
        return AlreadyExists(
            fmt::format("brand {} has a source {} already", source.brand_id, source.id));
      CDP_RETURN_IF_ERROR(st);
      CDP_RETURN_IF_ERROR(InsertKey(c, key));
      return InsertAudit(c, audit);
    });
  }

  Result<Source> GetSource(std::string_view brand_id, std::string_view source_id) override {
    std::optional<Source> source;
    CDP_RETURN_IF_ERROR(executor_.Read([&](Connection& c) -> Status {
      auto rows = c.Exec(kGetSource, Params().Add(brand_id).Add(source_id));
      if (!rows.ok()) return std::move(rows).take_status();
      if (!rows->empty()) source = ReadSource(*rows, 0);
      return Status::Ok();
    }));
    if (!source) return NoSource(brand_id, source_id);
    return std::move(*source);
  }

  Result<std::vector<Source>> ListSources(std::string_view brand_id) override {
    return ReadAll<Source>(executor_, kListSources, Params().Add(brand_id),
                           [](const Rows& r, int i) { return ReadSource(r, i); });
  }

  Result<std::vector<WriteKey>> ListWriteKeys(std::string_view brand_id,
                                              std::string_view source_id) override {
    return ReadAll<WriteKey>(executor_, kListKeys, Params().Add(brand_id).Add(source_id), ReadKey);
  }

  Status AddWriteKey(const WriteKey& key, std::optional<int64_t> retire_others_at,
                     const AuditEntry& audit) override {
    return executor_.Write([&](Connection& c) -> Status {
      auto source = LockSource(c, key.brand_id, key.source_id);
      if (!source.ok()) return std::move(source).take_status();
      if (source->revoked_at) return NoSource(key.brand_id, key.source_id);
      if (retire_others_at)
        CDP_RETURN_IF_ERROR(
            c.Exec(
                 kRetireKeys,
                 Params().Add(key.brand_id).Add(key.source_id).Add(*retire_others_at).Add(key.hash))
                .status());
      CDP_RETURN_IF_ERROR(InsertKey(c, key));
      return InsertAudit(c, audit);
    });
  }

  Status RevokeSource(std::string_view brand_id, std::string_view source_id, int64_t now,
                      const AuditEntry& audit) override {
    return executor_.Write([&](Connection& c) -> Status {
      auto source = LockSource(c, brand_id, source_id);
      if (!source.ok()) return std::move(source).take_status();
      const Params params = Params().Add(brand_id).Add(source_id).Add(now);
      CDP_RETURN_IF_ERROR(c.Exec(kRevokeSource, params).status());
      CDP_RETURN_IF_ERROR(c.Exec(kRevokeKeys, params).status());
      return InsertAudit(c, audit);
    });
  }

  Status SetAllowedOrigins(std::string_view brand_id, std::string_view source_id,
                           const std::vector<std::string>& origins,
                           const AuditEntry& audit) override {
    return executor_.Write([&](Connection& c) -> Status {
      auto source = LockSource(c, brand_id, source_id);
      if (!source.ok()) return std::move(source).take_status();
      CDP_RETURN_IF_ERROR(
          c.Exec(kSetOrigins, Params().Add(brand_id).Add(source_id).Add(EncodeOrigins(origins)))
              .status());
      return InsertAudit(c, audit);
    });
  }

  Result<KeyedSource> FindWriteKey(std::string_view hash) override {
    std::optional<KeyedSource> found;
    CDP_RETURN_IF_ERROR(executor_.Read([&](Connection& c) -> Status {
      auto rows = c.Exec(kFindKey, Params().Add(hash));
      if (!rows.ok()) return std::move(rows).take_status();
      if (!rows->empty()) found = KeyedSource{ReadKey(*rows, 0), ReadSource(*rows, 0, 6)};
      return Status::Ok();
    }));
    if (!found) return NotFound("no such write key");
    return std::move(*found);
  }

  Status RecordSourceCalls(const std::vector<SourceCall>& calls) override {
    if (calls.empty()) return Status::Ok();
    return executor_.Write([&](Connection& c) -> Status {
      std::set<std::pair<std::string, std::string>> sources;
      for (const auto& call : calls) {
        CDP_RETURN_IF_ERROR(c.Exec(kInsertCall, Params()
                                                    .Add(call.brand_id)
                                                    .Add(call.source_id)
                                                    .Add(call.at)
                                                    .Add(call.path)
                                                    .Add(call.status)
                                                    .Add(call.accepted)
                                                    .Add(call.rejected)
                                                    .Add(call.detail))
                                .status());
        sources.emplace(call.brand_id, call.source_id);
      }
      for (const auto& [brand_id, source_id] : sources)
        CDP_RETURN_IF_ERROR(c.Exec(kTrimCalls, Params().Add(brand_id).Add(source_id).Add(
                                                   static_cast<int64_t>(kSourceCallsKept)))
                                .status());
      return Status::Ok();
    });
  }

  Result<std::vector<SourceCall>> ListSourceCalls(std::string_view brand_id,
                                                  std::string_view source_id,
                                                  size_t limit) override {
    return ReadAll<SourceCall>(
        executor_, kListCalls,
        Params().Add(brand_id).Add(source_id).Add(static_cast<int64_t>(limit)), ReadCall);
  }

 private:
  Executor& executor_;
};

}  // namespace

std::unique_ptr<SourceStore> NewSourceStore(Executor& executor) {
  return std::make_unique<PortableSourceStore>(executor);
}

}  // namespace cdp::store::sql
