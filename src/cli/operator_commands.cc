#include "cli/operator_commands.h"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <cstdio>
#include <iostream>

#include "auth/operators.h"
#include "auth/password.h"
#include "cli/admin.h"
#include "core/clock.h"
#include "core/time.h"

namespace cdp::cli {
namespace {

namespace json = boost::json;

int64_t Now() { return SystemClock().NowMicros(); }

// The first line of stdin, without its line ending.
std::string ReadPassword() {
  std::string line;
  std::getline(std::cin, line);
  if (line.ends_with('\r')) line.pop_back();
  return line;
}

int CreateOperator(store::Store& store, const std::string& brand_id, const std::string& email,
                   const std::string& role, bool as_json) {
  auto brand = store.GetBrand(brand_id);
  if (!brand.ok()) return Fail(brand.status());
  auto op = auth::NewOperator(brand_id, email, ReadPassword(), role, Now());
  if (!op.ok()) return Fail(op.status());
  Status st = store.CreateOperator(
      *op, Audit("operator.create", brand_id, op->email, {{"role", op->role}}));
  if (!st.ok()) return Fail(st);
  if (as_json)
    fmt::print("{}\n", json::serialize(json::object{
                           {"email", op->email}, {"brand_id", brand_id}, {"role", op->role}}));
  else
    fmt::print("operator {} ({}) of brand {} created\n", op->email, op->role, brand_id);
  return 0;
}

int ListOperators(store::Store& store, const std::string& brand_id, bool as_json) {
  auto brand = store.GetBrand(brand_id);
  if (!brand.ok()) return Fail(brand.status());
  auto ops = store.ListOperators(brand_id);
  if (!ops.ok()) return Fail(ops.status());
  json::array out;
  for (const auto& op : *ops) {
    if (as_json)
      out.push_back(json::object{{"email", op.email},
                                 {"role", op.role},
                                 {"created_at", FormatTimestamp(op.created_at)},
                                 {"updated_at", FormatTimestamp(op.updated_at)}});
    else
      fmt::print("{}  {}  created {}\n", op.email, op.role, FormatTimestamp(op.created_at));
  }
  if (as_json) fmt::print("{}\n", json::serialize(out));
  return 0;
}

int ResetPassword(store::Store& store, const std::string& given_email) {
  auto email = auth::NormalizeEmail(given_email);
  if (!email.ok()) return Fail(email.status());
  const std::string password = ReadPassword();
  if (Status st = auth::CheckPassword(password); !st.ok()) return Fail(st);
  auto hash = auth::HashPassword(password);
  if (!hash.ok()) return Fail(hash.status());
  Status st = store.SetPassword(*email, *hash, Now(), Audit("operator.reset", "", *email));
  if (!st.ok()) return Fail(st);
  fmt::print("new password set for {}; every session of it has ended\n", *email);
  return 0;
}

int RemoveOperator(store::Store& store, const std::string& given_email) {
  auto email = auth::NormalizeEmail(given_email);
  if (!email.ok()) return Fail(email.status());
  Status st = store.DeleteOperator(*email, Audit("operator.remove", "", *email));
  if (!st.ok()) return Fail(st);
  fmt::print("removed operator {} and its sessions\n", *email);
  return 0;
}

}  // namespace

void OperatorCommands::Register(CLI::App& app, StorageFlags& storage) {
  auto* group = app.add_subcommand("operator", "manage the people who sign in to the dashboard");
  group->require_subcommand(1);
  create_ = group->add_subcommand("create", "create an operator of a brand");
  create_->add_option("--brand", brand_id_, "brand id")->required();
  create_->add_option("--email", email_, "the operator's email (one operator per email)")
      ->required();
  create_
      ->add_flag("--password-stdin", password_stdin_,
                 "read the password (10 to 1,024 bytes) from the first line of stdin")
      ->required();
  create_->add_option("--role", role_, "editor (changes anything) or viewer (reads only)")
      ->capture_default_str();
  create_->add_flag("--json", as_json_, "print one JSON line");
  AddStorageOptions(create_, storage);

  list_ = group->add_subcommand("list", "list a brand's operators");
  list_->add_option("--brand", brand_id_, "brand id")->required();
  list_->add_flag("--json", as_json_, "print JSON");
  AddStorageOptions(list_, storage);

  reset_ = group->add_subcommand("reset", "set an operator's password and end its sessions");
  reset_->add_option("--email", email_, "the operator's email")->required();
  reset_
      ->add_flag("--password-stdin", password_stdin_,
                 "read the new password from the first line of stdin")
      ->required();
  AddStorageOptions(reset_, storage);

  remove_ = group->add_subcommand("remove", "remove an operator and end its sessions");
  remove_->add_option("--email", email_, "the operator's email")->required();
  AddStorageOptions(remove_, storage);
}

bool OperatorCommands::parsed() const {
  return create_ && (create_->parsed() || list_->parsed() || reset_->parsed() || remove_->parsed());
}

int OperatorCommands::Run(store::Store& store) const {
  if (!create_) return 2;
  if (create_->parsed()) return CreateOperator(store, brand_id_, email_, role_, as_json_);
  if (list_->parsed()) return ListOperators(store, brand_id_, as_json_);
  if (reset_->parsed()) return ResetPassword(store, email_);
  if (remove_->parsed()) return RemoveOperator(store, email_);
  return 2;
}

}  // namespace cdp::cli
