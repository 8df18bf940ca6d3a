// Admin commands (`cdp brand ...`, `cdp key ...`): operate on the store directly, so they
// work while a server runs on the same data. Each returns the process exit code and prints
// to stdout (results) or stderr (errors).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "store/store.h"

namespace cdp::cli {

int CreateBrand(store::Store& store, const std::string& name, bool json);
int ListBrands(store::Store& store, bool json);
int RotateKey(store::Store& store, const std::string& brand_id, bool revoke_old, bool json);
int RevokeKey(store::Store& store, const std::string& brand_id, const std::string& prefix);
int ListKeys(store::Store& store, const std::string& brand_id, bool json);
// Sets the brand's per-minute limit of `group` ("users", "events", "campaigns", "reports" or
// "all"; 0: unlimited) when `per_minute` is given, then prints the limits in effect.
int BrandLimits(store::Store& store, const std::string& brand_id, const std::string& group,
                std::optional<int64_t> per_minute, bool json);

}  // namespace cdp::cli
