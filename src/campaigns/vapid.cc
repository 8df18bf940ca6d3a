#include "campaigns/vapid.h"

#include <boost/json.hpp>
#include <string>

#include "core/json.h"
#include "delivery/push/webpush.h"

namespace cdp::campaigns {

Result<delivery::VapidKeys> BrandVapidKeys(store::BrandStore& store, std::string_view brand_id) {
  namespace json = boost::json;
  auto fresh = delivery::GenerateVapidKeys();
  if (!fresh.ok()) return fresh.status();
  const std::string candidate = json::serialize(
      json::object{{"private_pem", fresh->private_pem}, {"public_key", fresh->public_key}});
  auto stored = store.GetOrCreateSecret("vapid/" + std::string(brand_id), candidate);
  if (!stored.ok()) return stored.status();
  auto doc = ParseJson(*stored);
  const json::object* obj = doc.ok() ? doc->if_object() : nullptr;
  const json::value* pem = obj ? obj->if_contains("private_pem") : nullptr;
  const json::value* pub = obj ? obj->if_contains("public_key") : nullptr;
  if (!pem || !pub || !pem->is_string() || !pub->is_string())
    return Internal("the brand's stored VAPID keys are not readable");
  return delivery::VapidKeys{std::string(pem->get_string()), std::string(pub->get_string())};
}

}  // namespace cdp::campaigns
