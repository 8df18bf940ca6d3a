// Admin commands (`cdp brand ...`, `cdp key ...`, `cdp partner ...`, `cdp audit`, and
// `cdp source ...` in cli/source_commands.h): operate on the store directly, so they work
// while a server runs on the same data. Each returns the process exit code and prints to
// stdout (results) or stderr (errors). Every change is recorded in the audit log as done by
// "cli:$USER".
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/store.h"

namespace cdp::cli {

// What every admin command shares: prints `st` to stderr and returns the exit code (2 for
// an unknown or invalid argument, 1 otherwise); the audit entry of a change made from the
// command line, by the operating-system user ("cli:$USER"); a time or null, as JSON.
int Fail(const Status& st);
store::AuditEntry Audit(std::string action, std::string brand_id, std::string target,
                        boost::json::object detail = {});
boost::json::value OptionalTime(const std::optional<int64_t>& t);

int CreateBrand(store::Store& store, const std::string& name, bool json);
int ListBrands(store::Store& store, bool json);
// Issues a new key. With `retire_others_after` (micros; 0: at once), every other key of the
// brand stops working that long from now; without, they stay active.
int RotateKey(store::Store& store, const std::string& brand_id,
              std::optional<int64_t> retire_others_after, bool json);
int RevokeKey(store::Store& store, const std::string& brand_id, const std::string& prefix);
int ListKeys(store::Store& store, const std::string& brand_id, bool json);
// Sets the brand's per-minute limit of `group` ("users", "events", "campaigns", "reports" or
// "all"; 0: unlimited) when `per_minute` is given, then prints the limits in effect.
int BrandLimits(store::Store& store, const std::string& brand_id, const std::string& group,
                std::optional<int64_t> per_minute, bool json);

// Partner apps: register one (prints its client id and secret), list them (or, with a
// brand, the apps that brand granted access), delete one (revoking all its tokens), or
// revoke what one brand granted an app.
int CreatePartner(store::Store& store, const std::string& name,
                  const std::vector<std::string>& redirect_uris, bool json);
int ListPartners(store::Store& store, const std::string& brand_id, bool json);
int DeletePartner(store::Store& store, const std::string& client_id);
int RevokePartner(store::Store& store, const std::string& brand_id, const std::string& client_id);

// The audit log, newest first: `limit` entries before id `before` (0: the newest), of one
// brand or (empty) all.
int ShowAudit(store::Store& store, const std::string& brand_id, int64_t before, int64_t limit,
              bool json);

}  // namespace cdp::cli
