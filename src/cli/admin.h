// Admin commands (`cdp brand ...`, `cdp key ...`): operate on the store directly, so they
// work while a server runs on the same data. Each returns the process exit code and prints
// to stdout (results) or stderr (errors).
#pragma once

#include <string>

#include "store/store.h"

namespace cdp::cli {

int CreateBrand(store::Store& store, const std::string& name, bool json);
int ListBrands(store::Store& store, bool json);
int RotateKey(store::Store& store, const std::string& brand_id, bool revoke_old, bool json);
int RevokeKey(store::Store& store, const std::string& brand_id, const std::string& prefix);
int ListKeys(store::Store& store, const std::string& brand_id, bool json);

}  // namespace cdp::cli
