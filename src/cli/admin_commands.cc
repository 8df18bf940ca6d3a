#include "cli/admin_commands.h"

#include <limits>
#include <map>

#include "cli/admin.h"

namespace cdp::cli {

CLI::Option* AddGraceOption(CLI::App* cmd, std::optional<int64_t>& seconds,
                            CLI::Option* revoke_old) {
  return cmd
      ->add_option("--grace", seconds,
                   "keep the other keys working this long, then revoke them (e.g. 90m, 24h, 7d)")
      ->transform(CLI::AsNumberWithUnit(
          std::map<std::string, int64_t>{{"s", 1}, {"m", 60}, {"h", 3600}, {"d", 86400}},
          static_cast<CLI::AsNumberWithUnit::Options>(CLI::AsNumberWithUnit::CASE_SENSITIVE |
                                                      CLI::AsNumberWithUnit::UNIT_REQUIRED)))
      ->check(CLI::Range(int64_t{1}, int64_t{365} * 86400))
      ->excludes(revoke_old);
}

AdminCommands::AdminCommands(CLI::App& app, StorageFlags& storage) {
  AddBrand(app, storage);
  AddKey(app, storage);
  sources_.Register(app, storage);
  operators_.Register(app, storage);
  AddPartner(app, storage);
  AddAudit(app, storage);
}

void AdminCommands::AddBrand(CLI::App& app, StorageFlags& storage) {
  auto* brand = app.add_subcommand("brand", "manage brands");
  brand->require_subcommand(1);
  brand_create_ = brand->add_subcommand("create", "create a brand and print its first API key");
  brand_create_->add_option("NAME", brand_name_, "brand name")->required();
  brand_create_->add_flag("--json", as_json_, "print one JSON line");
  AddStorageOptions(brand_create_, storage);
  brand_list_ = brand->add_subcommand("list", "list brands");
  brand_list_->add_flag("--json", as_json_, "print JSON");
  AddStorageOptions(brand_list_, storage);
  brand_limits_ = brand->add_subcommand(
      "limits", "show a brand's API rate limits, or set one (running servers apply it within 2 s)");
  brand_limits_->add_option("--brand", brand_id_, "brand id")->required();
  brand_limits_->add_option("--group", limit_group_, "users, events, campaigns, reports or all")
      ->capture_default_str();
  brand_limits_->add_option("--per-minute", per_minute_, "requests per minute; 0: unlimited")
      ->check(CLI::Range(int64_t{0}, int64_t{1'000'000'000}));
  brand_limits_->add_flag("--json", as_json_, "print JSON");
  AddStorageOptions(brand_limits_, storage);
}

void AdminCommands::AddKey(CLI::App& app, StorageFlags& storage) {
  auto* key = app.add_subcommand("key", "manage API keys");
  key->require_subcommand(1);
  key_rotate_ = key->add_subcommand("rotate", "issue a new API key for a brand");
  key_rotate_->add_option("--brand", brand_id_, "brand id")->required();
  auto* revoke_old_flag = key_rotate_->add_flag("--revoke-old", revoke_old_,
                                                "revoke every other key of the brand at once");
  AddGraceOption(key_rotate_, grace_seconds_, revoke_old_flag);
  key_rotate_->add_flag("--json", as_json_, "print one JSON line");
  AddStorageOptions(key_rotate_, storage);
  key_revoke_ = key->add_subcommand("revoke", "deactivate an API key");
  key_revoke_->add_option("--brand", brand_id_, "brand id")->required();
  key_revoke_->add_option("--key", key_prefix_, "the key or its prefix (as `key list` shows)")
      ->required();
  AddStorageOptions(key_revoke_, storage);
  key_list_ = key->add_subcommand("list", "list a brand's keys, with when each was last used");
  key_list_->add_option("--brand", brand_id_, "brand id")->required();
  key_list_->add_flag("--json", as_json_, "print JSON");
  AddStorageOptions(key_list_, storage);
}

void AdminCommands::AddPartner(CLI::App& app, StorageFlags& storage) {
  auto* partner = app.add_subcommand("partner", "manage partner apps (OAuth 2.0 clients)");
  partner->require_subcommand(1);
  partner_create_ =
      partner->add_subcommand("create", "register a partner app and print its client credentials");
  partner_create_->add_option("NAME", partner_name_, "the app's name, shown to brands")->required();
  partner_create_
      ->add_option("--redirect-uri", redirect_uris_,
                   "where brands are sent back with a code (https; repeatable)")
      ->required();
  partner_create_->add_flag("--json", as_json_, "print one JSON line");
  AddStorageOptions(partner_create_, storage);
  partner_list_ = partner->add_subcommand(
      "list", "list partner apps, or with --brand the apps that brand granted access");
  partner_list_->add_option("--brand", brand_id_, "brand id");
  partner_list_->add_flag("--json", as_json_, "print JSON");
  AddStorageOptions(partner_list_, storage);
  partner_delete_ =
      partner->add_subcommand("delete", "delete a partner app and revoke all its tokens");
  partner_delete_->add_option("--client-id", client_id_, "the app's client id")->required();
  AddStorageOptions(partner_delete_, storage);
  partner_revoke_ =
      partner->add_subcommand("revoke", "revoke everything a brand granted a partner app");
  partner_revoke_->add_option("--brand", brand_id_, "brand id")->required();
  partner_revoke_->add_option("--client-id", client_id_, "the app's client id")->required();
  AddStorageOptions(partner_revoke_, storage);
}

void AdminCommands::AddAudit(CLI::App& app, StorageFlags& storage) {
  audit_ = app.add_subcommand(
      "audit", "show the audit log of brand, key, limit and partner changes, newest first");
  audit_->add_option("--brand", brand_id_, "only this brand's entries");
  audit_->add_option("--limit", audit_limit_, "entries to show")
      ->check(CLI::Range(int64_t{1}, int64_t{10000}))
      ->capture_default_str();
  audit_->add_option("--before", audit_before_, "only entries with an id below this (paging)")
      ->check(CLI::Range(int64_t{0}, std::numeric_limits<int64_t>::max()));
  audit_->add_flag("--json", as_json_, "print JSON");
  AddStorageOptions(audit_, storage);
}

int AdminCommands::Run(store::Store& store) const {
  if (brand_create_->parsed()) return CreateBrand(store, brand_name_, as_json_);
  if (brand_list_->parsed()) return ListBrands(store, as_json_);
  if (brand_limits_->parsed())
    return BrandLimits(store, brand_id_, limit_group_, per_minute_, as_json_);
  if (key_rotate_->parsed()) {
    std::optional<int64_t> retire_after;
    if (revoke_old_) retire_after = 0;
    if (grace_seconds_) retire_after = *grace_seconds_ * 1'000'000;
    return RotateKey(store, brand_id_, retire_after, as_json_);
  }
  if (key_revoke_->parsed()) return RevokeKey(store, brand_id_, key_prefix_);
  if (key_list_->parsed()) return ListKeys(store, brand_id_, as_json_);
  if (partner_create_->parsed())
    return CreatePartner(store, partner_name_, redirect_uris_, as_json_);
  if (partner_list_->parsed()) return ListPartners(store, brand_id_, as_json_);
  if (partner_delete_->parsed()) return DeletePartner(store, client_id_);
  if (partner_revoke_->parsed()) return RevokePartner(store, brand_id_, client_id_);
  if (audit_->parsed()) return ShowAudit(store, brand_id_, audit_before_, audit_limit_, as_json_);
  if (operators_.parsed()) return operators_.Run(store);
  return sources_.Run(store);
}

}  // namespace cdp::cli
