// Store conformance: the dashboard's operators and their sessions.
#include <gtest/gtest.h>

#include <string>

#include "store/store_conformance.h"

namespace cdp::store::conformance {
namespace {

class StoreOperators : public StoreTest {
 protected:
  Operator Make(std::string id, std::string brand, std::string email, std::string role = "editor") {
    return Operator{
        std::move(id), std::move(brand), std::move(email), std::move(role), "scrypt$hash", kNow,
        kNow};
  }
  void Create(const Operator& op) {
    Status st = store_->CreateOperator(op, TestAudit("operator.create", op.brand_id));
    ASSERT_TRUE(st.ok()) << st.message();
  }
  static OperatorSession SessionOf(std::string id_hash, std::string operator_id,
                                   int64_t at = kNow) {
    OperatorSession s;
    s.id_hash = std::move(id_hash);
    s.operator_id = std::move(operator_id);
    s.csrf_token = "csrf";
    s.created_at = at;
    s.last_seen_at = at;
    s.expires_at = at + 1000;
    return s;
  }
  void StartSession(const OperatorSession& s) {
    Status st = store_->CreateSession(s);
    ASSERT_TRUE(st.ok()) << st.message();
  }
};

TEST_P(StoreOperators, ReadsBackAnOperatorByEmail) {
  Create(Make("op_1", "brand-a", "ada@example.com", "viewer"));
  auto op = store_->GetOperatorByEmail("ada@example.com");
  ASSERT_TRUE(op.ok()) << op.status().message();
  EXPECT_EQ(op->id, "op_1");
  EXPECT_EQ(op->brand_id, "brand-a");
  EXPECT_EQ(op->role, "viewer");
  EXPECT_EQ(op->password_hash, "scrypt$hash");
  EXPECT_EQ(op->created_at, kNow);
  EXPECT_EQ(store_->GetOperatorByEmail("bob@example.com").status().code(), Code::kNotFound);
}

TEST_P(StoreOperators, AnEmailIsOneOperatorAcrossBrands) {
  Create(Make("op_1", "brand-a", "ada@example.com"));
  Status st = store_->CreateOperator(Make("op_2", "brand-b", "ada@example.com"), TestAudit());
  EXPECT_EQ(st.code(), Code::kAlreadyExists);
  EXPECT_EQ(st.message(), "an operator with the email ada@example.com exists already");
}

TEST_P(StoreOperators, RefusesAnOperatorOfAnUnknownBrand) {
  Status st = store_->CreateOperator(Make("op_1", "nope", "ada@example.com"), TestAudit());
  EXPECT_EQ(st.code(), Code::kNotFound);
  EXPECT_EQ(st.message(), "no brand nope");
}

TEST_P(StoreOperators, ListsOnlyTheBrandsOperatorsOldestFirst) {
  Operator late = Make("op_2", "brand-a", "late@example.com");
  late.created_at = kNow + 5;
  Create(late);
  Create(Make("op_1", "brand-a", "early@example.com"));
  Create(Make("op_3", "brand-b", "other@example.com"));
  auto ops = store_->ListOperators("brand-a");
  ASSERT_TRUE(ops.ok());
  ASSERT_EQ(ops->size(), 2u);
  EXPECT_EQ((*ops)[0].email, "early@example.com");
  EXPECT_EQ((*ops)[1].email, "late@example.com");
}

TEST_P(StoreOperators, ASessionReadsItsOperatorsBrandAndRole) {
  Create(Make("op_1", "brand-b", "ada@example.com", "viewer"));
  StartSession(SessionOf("h1", "op_1"));
  auto s = store_->GetSession("h1");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->brand_id, "brand-b");
  EXPECT_EQ(s->email, "ada@example.com");
  EXPECT_EQ(s->role, "viewer");
  EXPECT_EQ(s->csrf_token, "csrf");
  EXPECT_EQ(s->expires_at, kNow + 1000);
  EXPECT_EQ(store_->GetSession("h2").status().code(), Code::kNotFound);
}

TEST_P(StoreOperators, RefusesASessionOfNoOperator) {
  EXPECT_EQ(store_->CreateSession(SessionOf("h1", "op_9")).code(), Code::kNotFound);
}

TEST_P(StoreOperators, TouchNeverMovesTheLastUseBack) {
  Create(Make("op_1", "brand-a", "ada@example.com"));
  StartSession(SessionOf("h1", "op_1"));
  ASSERT_TRUE(store_->TouchSession("h1", kNow + 50).ok());
  ASSERT_TRUE(store_->TouchSession("h1", kNow + 20).ok());
  EXPECT_EQ(store_->GetSession("h1")->last_seen_at, kNow + 50);
}

TEST_P(StoreOperators, DeletingASessionEndsOnlyThatOne) {
  Create(Make("op_1", "brand-a", "ada@example.com"));
  StartSession(SessionOf("h1", "op_1"));
  StartSession(SessionOf("h2", "op_1"));
  ASSERT_TRUE(store_->DeleteSession("h1").ok());
  ASSERT_TRUE(store_->DeleteSession("h1").ok());
  EXPECT_EQ(store_->GetSession("h1").status().code(), Code::kNotFound);
  EXPECT_TRUE(store_->GetSession("h2").ok());
}

TEST_P(StoreOperators, ANewPasswordEndsEverySessionAndIsAudited) {
  Create(Make("op_1", "brand-a", "ada@example.com"));
  StartSession(SessionOf("h1", "op_1"));
  ASSERT_TRUE(
      store_->SetPassword("ada@example.com", "scrypt$new", kNow + 9, TestAudit("operator.reset"))
          .ok());
  EXPECT_EQ(store_->GetSession("h1").status().code(), Code::kNotFound);
  auto op = store_->GetOperatorByEmail("ada@example.com");
  EXPECT_EQ(op->password_hash, "scrypt$new");
  EXPECT_EQ(op->updated_at, kNow + 9);
  auto audit = store_->ListAudit("brand-a", 0, 1);
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_EQ((*audit)[0].action, "operator.reset");
  EXPECT_EQ((*audit)[0].target, "ada@example.com");
  EXPECT_EQ(store_->SetPassword("bob@example.com", "x", kNow, TestAudit()).code(), Code::kNotFound);
}

TEST_P(StoreOperators, RemovingAnOperatorEndsItsSessions) {
  Create(Make("op_1", "brand-a", "ada@example.com"));
  StartSession(SessionOf("h1", "op_1"));
  ASSERT_TRUE(store_->DeleteOperator("ada@example.com", TestAudit("operator.remove")).ok());
  EXPECT_EQ(store_->GetOperatorByEmail("ada@example.com").status().code(), Code::kNotFound);
  EXPECT_EQ(store_->GetSession("h1").status().code(), Code::kNotFound);
  EXPECT_EQ(store_->ListAudit("brand-a", 0, 1)->at(0).action, "operator.remove");
  EXPECT_EQ(store_->DeleteOperator("ada@example.com", TestAudit()).code(), Code::kNotFound);
}

TEST_P(StoreOperators, PurgesSessionsThatEndedAbsolutelyOrWhileIdle) {
  Create(Make("op_1", "brand-a", "ada@example.com"));
  StartSession(SessionOf("old", "op_1", kNow - 2000));  // expired at kNow - 1000
  StartSession(SessionOf("idle", "op_1", kNow - 500));  // last seen long ago
  StartSession(SessionOf("fresh", "op_1", kNow - 10));
  auto purged = store_->PurgeSessions(kNow, kNow - 100);
  ASSERT_TRUE(purged.ok()) << purged.status().message();
  EXPECT_EQ(*purged, 2);
  EXPECT_TRUE(store_->GetSession("fresh").ok());
  EXPECT_EQ(store_->GetSession("idle").status().code(), Code::kNotFound);
}

INSTANTIATE_CONFORMANCE(StoreOperators);

}  // namespace
}  // namespace cdp::store::conformance
