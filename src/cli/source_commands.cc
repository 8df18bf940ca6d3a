#include "cli/source_commands.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <cstdio>

#include "auth/write_keys.h"
#include "cli/admin.h"
#include "cli/admin_commands.h"
#include "core/clock.h"
#include "core/time.h"

namespace cdp::cli {
namespace {

namespace json = boost::json;

int64_t Now() { return SystemClock().NowMicros(); }

// An origin as browsers send it: scheme://host[:port], lower-case, no path. A trailing '/'
// is dropped, so that a URL copied from the address bar works.
Result<std::string> NormalizeOrigin(std::string_view given) {
  std::string origin(given);
  if (origin.ends_with('/')) origin.pop_back();
  std::transform(origin.begin(), origin.end(), origin.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const size_t scheme = origin.starts_with("https://") ? 8 : origin.starts_with("http://") ? 7 : 0;
  const std::string_view host = std::string_view(origin).substr(scheme);
  const bool plain = std::none_of(host.begin(), host.end(), [](unsigned char c) {
    return std::isspace(c) || std::iscntrl(c) || c == '/' || c == '?' || c == '#' || c == '@';
  });
  if (scheme == 0 || host.empty() || !plain || origin.size() > 300)
    return InvalidArgument(
        fmt::format("origin '{}' must be http(s)://host[:port], with no path", given));
  return origin;
}

Result<std::vector<std::string>> NormalizeOrigins(const std::vector<std::string>& given) {
  std::vector<std::string> out;
  for (const auto& g : given) {
    auto origin = NormalizeOrigin(g);
    if (!origin.ok()) return std::move(origin).take_status();
    if (std::find(out.begin(), out.end(), *origin) == out.end()) out.push_back(*origin);
  }
  return out;
}

std::string DescribeOrigins(const std::vector<std::string>& origins) {
  return origins.empty() ? std::string("any origin") : fmt::format("{}", fmt::join(origins, " "));
}

void PrintKeyOnce(const std::string& source_id, const std::string& secret, bool as_json,
                  std::string_view note) {
  if (as_json) {
    fmt::print("{}\n",
               json::serialize(json::object{{"source_id", source_id}, {"write_key", secret}}));
    return;
  }
  fmt::print("source_id: {}\nwrite_key: {}\n", source_id, secret);
  fmt::print(stderr, "{}Store the write key now: it is not shown again.\n", note);
}

int CreateSource(store::Store& store, const std::string& brand_id, const std::string& name,
                 const std::vector<std::string>& given_origins, bool as_json) {
  if (name.empty() || name.size() > 200)
    return Fail(InvalidArgument("source name must be 1 to 200 characters"));
  auto origins = NormalizeOrigins(given_origins);
  if (!origins.ok()) return Fail(origins.status());
  const int64_t now = Now();
  store::Source source{brand_id, auth::NewSourceId(), name, *origins, now, std::nullopt};
  auto key = auth::IssueWriteKey(brand_id, source.id, now);
  json::array origins_json(origins->begin(), origins->end());
  Status st = store.CreateSource(
      source, key.record,
      Audit("source.create", brand_id, source.id,
            {{"name", name}, {"allowed_origins", origins_json}, {"key", key.record.prefix}}));
  if (!st.ok()) return Fail(st);
  PrintKeyOnce(source.id, key.secret, as_json, "");
  return 0;
}

int ListSources(store::Store& store, const std::string& brand_id, bool as_json) {
  auto brand = store.GetBrand(brand_id);
  if (!brand.ok()) return Fail(brand.status());
  auto sources = store.ListSources(brand_id);
  if (!sources.ok()) return Fail(sources.status());
  const int64_t now = Now();
  json::array out;
  for (const auto& s : *sources) {
    auto keys = store.ListWriteKeys(brand_id, s.id);
    if (!keys.ok()) return Fail(keys.status());
    if (as_json) {
      json::array keys_json;
      for (const auto& k : *keys)
        keys_json.push_back(json::object{{"prefix", k.prefix},
                                         {"created_at", FormatTimestamp(k.created_at)},
                                         {"active", k.ActiveAt(now) && !s.revoked_at},
                                         {"revoked_at", OptionalTime(k.revoked_at)}});
      out.push_back(json::object{
          {"source_id", s.id},
          {"name", s.name},
          {"allowed_origins", json::array(s.allowed_origins.begin(), s.allowed_origins.end())},
          {"created_at", FormatTimestamp(s.created_at)},
          {"revoked_at", OptionalTime(s.revoked_at)},
          {"keys", std::move(keys_json)}});
      continue;
    }
    fmt::print("{}  {}  created {}  {}  origins: {}\n", s.id, s.name, FormatTimestamp(s.created_at),
               s.revoked_at ? fmt::format("revoked {}", FormatTimestamp(*s.revoked_at))
                            : std::string("active"),
               DescribeOrigins(s.allowed_origins));
    for (const auto& k : *keys) {
      std::string state = "active";
      if (k.revoked_at)
        state = fmt::format("{} {}", k.ActiveAt(now) ? "active until" : "revoked",
                            FormatTimestamp(*k.revoked_at));
      fmt::print("  key {}...  created {}  {}\n", k.prefix, FormatTimestamp(k.created_at), state);
    }
  }
  if (as_json) fmt::print("{}\n", json::serialize(out));
  return 0;
}

int RotateSourceKey(store::Store& store, const std::string& brand_id, const std::string& source_id,
                    std::optional<int64_t> retire_others_after, bool as_json) {
  const int64_t now = Now();
  auto key = auth::IssueWriteKey(brand_id, source_id, now);
  std::optional<int64_t> retire_at;
  if (retire_others_after) retire_at = now + *retire_others_after;
  Status st = store.AddWriteKey(
      key.record, retire_at,
      Audit("source.rotate", brand_id, source_id,
            {{"key", key.record.prefix}, {"others_stop_at", OptionalTime(retire_at)}}));
  if (!st.ok()) return Fail(st);
  std::string others = "Older keys stay active until the source is revoked. ";
  if (retire_at)
    others = *retire_others_after == 0
                 ? "Every other key of the source is revoked. "
                 : fmt::format("Every other key of the source stops working at {}. ",
                               FormatTimestamp(*retire_at));
  PrintKeyOnce(source_id, key.secret, as_json, others);
  return 0;
}

int RevokeSource(store::Store& store, const std::string& brand_id, const std::string& source_id) {
  Status st =
      store.RevokeSource(brand_id, source_id, Now(), Audit("source.revoke", brand_id, source_id));
  if (!st.ok()) return Fail(st);
  fmt::print("revoked source {} and every write key of it\n", source_id);
  return 0;
}

int SetOrigins(store::Store& store, const std::string& brand_id, const std::string& source_id,
               const std::vector<std::string>& given) {
  auto origins = NormalizeOrigins(given);
  if (!origins.ok()) return Fail(origins.status());
  Status st = store.SetAllowedOrigins(
      brand_id, source_id, *origins,
      Audit("source.origins", brand_id, source_id,
            {{"allowed_origins", json::array(origins->begin(), origins->end())}}));
  if (!st.ok()) return Fail(st);
  fmt::print("source {} accepts browser calls from {}\n", source_id, DescribeOrigins(*origins));
  return 0;
}

int ShowDebugger(store::Store& store, const std::string& brand_id, const std::string& source_id,
                 int64_t limit, bool as_json) {
  auto source = store.GetSource(brand_id, source_id);
  if (!source.ok()) return Fail(source.status());
  auto calls = store.ListSourceCalls(brand_id, source_id, static_cast<size_t>(limit));
  if (!calls.ok()) return Fail(calls.status());
  json::array out;
  for (const auto& c : *calls) {
    if (as_json) {
      boost::system::error_code ec;
      json::value detail = json::parse(c.detail, ec);
      out.push_back(json::object{{"at", FormatTimestamp(c.at)},
                                 {"path", c.path},
                                 {"status", c.status},
                                 {"accepted", c.accepted},
                                 {"rejected", c.rejected},
                                 {"detail", ec ? json::value(json::object()) : detail}});
    } else {
      fmt::print("{}  {:<12} {}  accepted={} rejected={}  {}\n", FormatTimestamp(c.at), c.path,
                 c.status, c.accepted, c.rejected, c.detail);
    }
  }
  if (as_json)
    fmt::print("{}\n", json::serialize(out));
  else if (calls->empty())
    fmt::print(stderr, "no calls recorded for source {} yet\n", source_id);
  return 0;
}

}  // namespace

void SourceCommands::Register(CLI::App& app, StorageFlags& storage) {
  auto* source = app.add_subcommand(
      "source", "manage sources (websites, apps, backends) and their tracking write keys");
  source->require_subcommand(1);
  create_ = source->add_subcommand("create", "create a source and print its write key");
  create_->add_option("--brand", brand_id_, "brand id")->required();
  create_->add_option("--name", name_, "the source's name, e.g. \"Web shop\"")->required();
  create_->add_option("--origin", origins_,
                      "an origin (https://host[:port]) whose pages may send from a browser "
                      "(repeatable; none: any)");
  create_->add_flag("--json", as_json_, "print one JSON line");
  AddStorageOptions(create_, storage);

  list_ = source->add_subcommand("list", "list a brand's sources and their keys");
  list_->add_option("--brand", brand_id_, "brand id")->required();
  list_->add_flag("--json", as_json_, "print JSON");
  AddStorageOptions(list_, storage);

  rotate_ = source->add_subcommand("rotate", "issue a new write key for a source");
  rotate_->add_option("--brand", brand_id_, "brand id")->required();
  rotate_->add_option("--source", source_id_, "source id")->required();
  auto* revoke_old = rotate_->add_flag("--revoke-old", revoke_old_,
                                       "revoke every other key of the source at once");
  AddGraceOption(rotate_, grace_seconds_, revoke_old);
  rotate_->add_flag("--json", as_json_, "print one JSON line");
  AddStorageOptions(rotate_, storage);

  revoke_ = source->add_subcommand("revoke", "revoke a source and every write key of it");
  revoke_->add_option("--brand", brand_id_, "brand id")->required();
  revoke_->add_option("--source", source_id_, "source id")->required();
  AddStorageOptions(revoke_, storage);

  set_origins_ = source->add_subcommand(
      "origins", "set the origins whose pages may send from a browser (none given: any)");
  set_origins_->add_option("--brand", brand_id_, "brand id")->required();
  set_origins_->add_option("--source", source_id_, "source id")->required();
  set_origins_->add_option("--origin", origins_, "an origin, https://host[:port] (repeatable)");
  AddStorageOptions(set_origins_, storage);

  debugger_ = source->add_subcommand(
      "debugger", "show a source's latest calls to the tracking API, newest first");
  debugger_->add_option("--brand", brand_id_, "brand id")->required();
  debugger_->add_option("--source", source_id_, "source id")->required();
  debugger_->add_option("--limit", limit_, "calls to show")
      ->check(CLI::Range(int64_t{1}, static_cast<int64_t>(store::kSourceCallsKept)))
      ->capture_default_str();
  debugger_->add_flag("--json", as_json_, "print JSON");
  AddStorageOptions(debugger_, storage);
}

int SourceCommands::Run(store::Store& store) const {
  if (!create_) return 2;
  if (create_->parsed()) return CreateSource(store, brand_id_, name_, origins_, as_json_);
  if (list_->parsed()) return ListSources(store, brand_id_, as_json_);
  if (rotate_->parsed()) {
    std::optional<int64_t> retire_after;
    if (revoke_old_) retire_after = 0;
    if (grace_seconds_) retire_after = *grace_seconds_ * 1'000'000;
    return RotateSourceKey(store, brand_id_, source_id_, retire_after, as_json_);
  }
  if (revoke_->parsed()) return RevokeSource(store, brand_id_, source_id_);
  if (set_origins_->parsed()) return SetOrigins(store, brand_id_, source_id_, origins_);
  if (debugger_->parsed()) return ShowDebugger(store, brand_id_, source_id_, limit_, as_json_);
  return 2;
}

}  // namespace cdp::cli
