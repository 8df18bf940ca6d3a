// End-to-end tests of `cdp serve --database postgres://...`: the real binary over HTTP on a
// fresh PostgreSQL database per test (tests/store/pg_test_database.h), one node or two on
// the same database. Skipped when CDP_TEST_PG_URL is unset (scripts/test sets it).
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "store/pg_test_database.h"
#include "support/redis_server.h"
#include "support/server_process.h"

namespace cdp::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

class Postgres : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = PgServerUrl();
    if (!server) GTEST_SKIP() << kNoPgServer;
    auto db = PgTestDatabase::Create(*server);
    ASSERT_TRUE(db.ok()) << db.status().message();
    db_ = std::move(db).value();
    storage_ = {"--database", db_->url()};
  }

  std::unique_ptr<ServerProcess> StartNode(const std::string& name) {
    return std::make_unique<ServerProcess>(storage_, dir_.path() + "/" + name + ".log");
  }

  // Runs an admin command against the test database.
  CommandResult Admin(std::vector<std::string> args) {
    args.insert(args.end(), storage_.begin(), storage_.end());
    return RunCdp(args);
  }

  static int64_t CountEvents(HttpClient& client, const Brand& brand, const std::string& name) {
    auto r = client.Call(brand, "/api/v1/event/count",
                         fmt::format(R"({{"event_name":"{}","start_date":"2026-01-01",)"
                                     R"("end_date":"2026-12-31"}})",
                                     name));
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? r.Data().at("events").to_number<int64_t>() : -1;
  }

  TempDir dir_;
  std::unique_ptr<PgTestDatabase> db_;
  std::vector<std::string> storage_;
};

// A batch of `count` events of `name`, messageIds m<first>.. in the given order.
std::string EventBatch(const std::string& name, const std::vector<int>& ids) {
  json::array nv;
  for (int id : ids)
    nv.push_back(json::object{{"userId", fmt::format("user{}", id % 17)},
                              {"event_name", name},
                              {"event_time", "2026-03-05T10:00:00Z"},
                              {"messageId", fmt::format("m{}", id)},
                              {"attributes", json::object{{"n", id}}}});
  return json::serialize(json::object{{"nv", nv}});
}

TEST_F(Postgres, ServesTheUserAndEventApisOnAFreshDatabase) {
  Brand brand = CreateBrand(storage_, "Acme");
  auto node = StartNode("node");
  HttpClient client(node->port());

  auto created = client.Call(brand, "/api/v1/user/create",
                             R"({"nv":[{"userID":"1234","user_attributes":{"name":"John",)"
                             R"("email":"john@example.com","plan":"gold"}}]})");
  ASSERT_EQ(created.status, 200) << created.body;
  EXPECT_EQ(created.Data().at("saved"), json::value(1));

  auto user = client.Call(brand, "/api/v1/user/userData", R"({"userId":"1234"})");
  ASSERT_EQ(user.status, 200) << user.body;
  EXPECT_EQ(user.Data().at("name"), json::value("John"));
  EXPECT_EQ(user.Data().at("attributes").at("plan"), json::value("gold"));

  auto wrong_type =
      client.Call(brand, "/api/v1/user/create", R"({"userId":"1235","attributes":{"plan":5}})");
  EXPECT_EQ(wrong_type.status, 400) << wrong_type.body;
  EXPECT_THAT(wrong_type.body, HasSubstr("plan"));

  const std::string event =
      R"({"userId":"1234","event_name":"purchase","event_time":"2026-03-05T10:00:00+0530",)"
      R"("ltv":49.5,"attributes":{"sku":"A1"},"messageId":"order-991"})";
  auto tracked = client.Call(brand, "/api/v1/event/track", event);
  ASSERT_EQ(tracked.status, 200) << tracked.body;
  EXPECT_EQ(tracked.Data().at("stored"), json::value(1));
  auto again = client.Call(brand, "/api/v1/event/track", event);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.Data().at("duplicates"), json::value(1));

  auto page = client.Call(brand, "/api/v1/event/get",
                          R"({"event_name":"purchase","start_date":"2026-03-01",)"
                          R"("end_date":"2026-03-31","attributes":{"sku":"A1"}})");
  ASSERT_EQ(page.status, 200) << page.body;
  const auto& users = page.Data().at("users").as_array();
  ASSERT_EQ(users.size(), 1u) << page.body;
  EXPECT_EQ(users[0].at("userId"), json::value("1234"));
  EXPECT_EQ(users[0].at("event").at("count"), json::value(1));
  EXPECT_EQ(users[0].at("event").at("first"), json::value("2026-03-05T04:30:00Z"));

  auto other_sku = client.Call(brand, "/api/v1/event/count",
                               R"({"event_name":"purchase","start_date":"2026-03-01",)"
                               R"("end_date":"2026-03-31","attributes":{"sku":"B2"}})");
  ASSERT_EQ(other_sku.status, 200) << other_sku.body;
  EXPECT_EQ(other_sku.Data().at("events"), json::value(0));

  auto deleted = client.Call(brand, "/api/v1/user/delete", R"({"userId":"1234"})");
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(client.Call(brand, "/api/v1/user/userData", R"({"userId":"1234"})").status, 404);
  EXPECT_EQ(CountEvents(client, brand, "purchase"), 0);
}

TEST_F(Postgres, MergesAnAnonymousProfileAndItsEventsIntoTheKnownUser) {
  Brand brand = CreateBrand(storage_, "Acme");
  auto node = StartNode("node");
  HttpClient client(node->port());
  auto r = client.Call(
      brand, "/api/v1/event/create",
      R"({"nv":[{"anonymousId":"a1","event_name":"view","event_time":"2026-03-05T10:00:00Z"},)"
      R"({"userId":"u1","event_name":"view","event_time":"2026-03-05T11:00:00Z"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  r = client.Call(brand, "/api/v1/user/create", R"({"userId":"u1","anonymousId":"a1"})");
  ASSERT_EQ(r.status, 200) << r.body;

  auto page =
      client.Call(brand, "/api/v1/event/get",
                  R"({"event_name":"view","start_date":"2026-03-01","end_date":"2026-03-31"})");
  ASSERT_EQ(page.status, 200) << page.body;
  const auto& users = page.Data().at("users").as_array();
  ASSERT_EQ(users.size(), 1u) << page.body;
  EXPECT_EQ(users[0].at("userId"), json::value("u1"));
  EXPECT_EQ(users[0].at("anonymousId"), json::value("a1"));
  EXPECT_EQ(users[0].at("event").at("count"), json::value(2));
}

TEST_F(Postgres, TwoNodesShareOneRateLimitThroughRedis) {
  RedisServer redis(dir_.path());
  Brand brand = CreateBrand(storage_, "limited", Limits::kDefault);
  ASSERT_EQ(
      Admin({"brand", "limits", "--brand", brand.id, "--group", "users", "--per-minute", "10"})
          .exit_code,
      0);
  std::vector<std::string> args = storage_;
  args.insert(args.end(), {"--redis", redis.url()});
  ServerProcess a(args, dir_.path() + "/a.log"), b(args, dir_.path() + "/b.log");
  HttpClient client_a(a.port()), client_b(b.port());
  // Clock-minute windows: start with enough of one left for the 20 calls.
  auto first = client_a.Call(brand, "/api/v1/user/userData", R"({"userId":"nobody"})");
  ASSERT_EQ(first.status, 404) << first.body;
  if (std::stoi(first.headers["x-ratelimit-reset"]) < 10) {
    std::this_thread::sleep_for(
        std::chrono::seconds(std::stoi(first.headers["x-ratelimit-reset"]) + 1));
    first = client_a.Call(brand, "/api/v1/user/userData", R"({"userId":"nobody"})");
  }
  int admitted = first.status != 429;
  for (int i = 0; i < 19; ++i) {
    auto r = (i % 2 ? client_a : client_b)
                 .Call(brand, "/api/v1/user/userData", R"({"userId":"nobody"})");
    admitted += r.status != 429;
    EXPECT_EQ(r.headers["x-ratelimit-limit"], "10");
  }
  EXPECT_EQ(admitted, 10) << "one budget for both nodes";
  EXPECT_NE(a.Log().find("rate_limits=unix://"), std::string::npos);
}

TEST_F(Postgres, AWriteThroughOneNodeIsReadThroughTheOther) {
  Brand brand = CreateBrand(storage_, "Acme");
  auto a = StartNode("a");
  auto b = StartNode("b");
  HttpClient to_a(a->port()), to_b(b->port());

  auto created = to_a.Call(brand, "/api/v1/user/create",
                           R"({"userId":"u1","name":"Ann","attributes":{"tier":2}})");
  ASSERT_EQ(created.status, 200) << created.body;
  auto read = to_b.Call(brand, "/api/v1/user/userData", R"({"userId":"u1"})");
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(read.Data().at("name"), json::value("Ann"));
  EXPECT_EQ(read.Data().at("attributes").at("tier"), json::value(2));

  auto tracked =
      to_b.Call(brand, "/api/v1/event/track",
                R"({"userId":"u1","event_name":"login","event_time":"2026-03-05T10:00:00Z"})");
  ASSERT_EQ(tracked.status, 200) << tracked.body;
  EXPECT_EQ(CountEvents(to_a, brand, "login"), 1);

  // The type a node recorded for an attribute holds on the other.
  auto conflict =
      to_b.Call(brand, "/api/v1/user/create", R"({"userId":"u2","attributes":{"tier":"x"}})");
  EXPECT_EQ(conflict.status, 400) << conflict.body;

  auto deleted = to_a.Call(brand, "/api/v1/user/delete", R"({"userId":"u1"})");
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(to_b.Call(brand, "/api/v1/user/userData", R"({"userId":"u1"})").status, 404);
}

TEST_F(Postgres, ConcurrentIngestionThroughTwoNodesStoresEveryEventExactlyOnce) {
  Brand brand = CreateBrand(storage_, "Acme");
  auto a = StartNode("a");
  auto b = StartNode("b");
  constexpr int kEvents = 1200;
  constexpr int kBatch = 40;
  // Four clients, two per node, each sending every messageId, in its own order: as if
  // retries went to whichever node the load balancer picked.
  std::atomic<int64_t> stored{0};
  std::atomic<int> failures{0};
  std::mutex errors_mu;
  std::string first_error;
  auto client = [&](uint16_t port, unsigned seed) {
    HttpClient http(port);
    std::vector<int> ids(kEvents);
    for (int i = 0; i < kEvents; ++i) ids[i] = i;
    std::mt19937 rng(seed);
    std::shuffle(ids.begin(), ids.end(), rng);
    for (int start = 0; start < kEvents; start += kBatch) {
      std::vector<int> batch(ids.begin() + start, ids.begin() + start + kBatch);
      HttpResponse r;
      for (int attempt = 0; attempt < 5; ++attempt) {  // 503 means "retry"
        r = http.Call(brand, "/api/v1/event/create", EventBatch("buy", batch));
        if (r.status != 503) break;
      }
      if (r.status != 200) {
        ++failures;
        std::lock_guard lock(errors_mu);
        if (first_error.empty()) first_error = r.body;
        continue;
      }
      stored += r.Data().at("stored").to_number<int64_t>();
    }
  };
  std::vector<std::thread> clients;
  clients.emplace_back(client, a->port(), 1);
  clients.emplace_back(client, b->port(), 2);
  clients.emplace_back(client, a->port(), 3);
  clients.emplace_back(client, b->port(), 4);
  for (auto& t : clients) t.join();

  EXPECT_EQ(failures.load(), 0) << first_error;
  EXPECT_EQ(stored.load(), kEvents);
  HttpClient to_a(a->port()), to_b(b->port());
  EXPECT_EQ(CountEvents(to_a, brand, "buy"), kEvents);
  EXPECT_EQ(CountEvents(to_b, brand, "buy"), kEvents);
}

// Batches of `ids` users, each with a `visits` counter attribute of the given value and an
// email, as /user/create takes them.
std::string UserBatch(const std::vector<int>& ids, int visits) {
  json::array nv;
  for (int id : ids)
    nv.push_back(json::object{
        {"userID", fmt::format("user{}", id)},
        {"user_attributes", json::object{{"email", fmt::format("u{}@example.com", id)},
                                         {"attributes", json::object{{"visits", visits}}}}}});
  return json::serialize(json::object{{"nv", nv}});
}

TEST_F(Postgres, ConcurrentProfileBatchesThroughTwoNodesKeepOneProfilePerUser) {
  Brand brand = CreateBrand(storage_, "Acme");
  auto a = StartNode("a");
  auto b = StartNode("b");
  constexpr int kUsers = 300;
  constexpr int kBatch = 50;
  // Four clients, two per node, each writing every user in its own order, so that batches
  // create and update the same profiles at the same time on both nodes.
  std::atomic<int> failures{0};
  std::mutex errors_mu;
  std::string first_error;
  auto client = [&](uint16_t port, unsigned seed) {
    HttpClient http(port);
    std::vector<int> ids(kUsers);
    for (int i = 0; i < kUsers; ++i) ids[i] = i;
    std::mt19937 rng(seed);
    std::shuffle(ids.begin(), ids.end(), rng);
    for (int start = 0; start < kUsers; start += kBatch) {
      std::vector<int> batch(ids.begin() + start, ids.begin() + start + kBatch);
      HttpResponse r;
      for (int attempt = 0; attempt < 5; ++attempt) {  // 503 means "retry"
        r = http.Call(brand, "/api/v1/user/create", UserBatch(batch, static_cast<int>(seed)));
        if (r.status != 503) break;
      }
      if (r.status != 200 || r.Data().at("saved").to_number<int64_t>() != kBatch) {
        ++failures;
        std::lock_guard lock(errors_mu);
        if (first_error.empty()) first_error = r.body;
      }
    }
  };
  std::vector<std::thread> clients;
  clients.emplace_back(client, a->port(), 1);
  clients.emplace_back(client, b->port(), 2);
  clients.emplace_back(client, a->port(), 3);
  clients.emplace_back(client, b->port(), 4);
  for (auto& t : clients) t.join();
  EXPECT_EQ(failures.load(), 0) << first_error;

  HttpClient to_b(b->port());
  for (int id : {0, 1, 150, kUsers - 1}) {
    auto read =
        to_b.Call(brand, "/api/v1/user/userData", fmt::format(R"({{"userId":"user{}"}})", id));
    ASSERT_EQ(read.status, 200) << read.body;
    EXPECT_EQ(read.Data().at("email"), json::value(fmt::format("u{}@example.com", id)));
    // One of the four writers' values, whichever committed last.
    int64_t visits = read.Data().at("attributes").at("visits").to_number<int64_t>();
    EXPECT_GE(visits, 1);
    EXPECT_LE(visits, 4);
  }
  // No user was created twice by the two nodes: the database raises if the count differs.
  Status one_each =
      db_->Exec(fmt::format("DO $$ DECLARE n bigint; BEGIN SELECT COUNT(*) INTO n FROM profiles; "
                            "IF n <> {} THEN RAISE EXCEPTION 'profiles: %', n; END IF; END $$",
                            kUsers));
  EXPECT_TRUE(one_each.ok()) << one_each.message();
}

TEST_F(Postgres, NoAcknowledgedEventIsLostWhenANodeIsKilledDuringIngestion) {
  Brand brand = CreateBrand(storage_, "Acme");
  auto a = StartNode("a");
  auto b = StartNode("b");
  std::atomic<int> acknowledged{0};
  std::atomic<bool> stop{false};
  std::atomic<bool> sender_done{false};
  std::thread sender([&] {
    struct Done {
      std::atomic<bool>& flag;
      ~Done() { flag = true; }
    } done{sender_done};
    HttpClient http(a->port());
    for (int start = 0; !stop && start < 100000; start += 20) {
      std::vector<int> ids;
      for (int i = start; i < start + 20; ++i) ids.push_back(i);
      HttpResponse r;
      try {
        r = http.Call(brand, "/api/v1/event/create", EventBatch("tap", ids));
      } catch (const std::exception&) {
        return;  // the node is gone
      }
      if (r.status != 200) return;
      acknowledged += 20;
    }
  });
  while (acknowledged < 200 && !sender_done)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  if (sender_done) {
    sender.join();
    FAIL() << "ingestion failed before the node was killed";
  }
  a->Kill();
  stop = true;
  sender.join();

  HttpClient to_b(b->port());
  EXPECT_GE(CountEvents(to_b, brand, "tap"), acknowledged.load());
}

TEST_F(Postgres, AKeyRevokedByAnAdminCommandIsRefusedByEveryNode) {
  Brand brand = CreateBrand(storage_, "Acme");
  auto a = StartNode("a");
  auto b = StartNode("b");
  HttpClient to_a(a->port()), to_b(b->port());
  const std::string query = R"({"userId":"nobody"})";
  ASSERT_EQ(to_a.Call(brand, "/api/v1/user/userData", query).status, 404);
  ASSERT_EQ(to_b.Call(brand, "/api/v1/user/userData", query).status, 404);

  CommandResult rotated = Admin({"key", "rotate", "--brand", brand.id, "--json"});
  ASSERT_EQ(rotated.exit_code, 0) << rotated.err;
  Brand fresh{brand.id, std::string(json::parse(rotated.out).at("api_key").as_string())};
  CommandResult revoked = Admin({"key", "revoke", "--brand", brand.id, "--key", brand.key});
  ASSERT_EQ(revoked.exit_code, 0) << revoked.err;

  // Nodes cache keys briefly: poll until both refuse the old key.
  auto refused_by = [&](HttpClient& node) {
    for (int i = 0; i < 200; ++i) {
      if (node.Call(brand, "/api/v1/user/userData", query).status == 401) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  };
  EXPECT_TRUE(refused_by(to_a));
  EXPECT_TRUE(refused_by(to_b));
  EXPECT_EQ(to_a.Call(fresh, "/api/v1/user/userData", query).status, 404);
  EXPECT_EQ(to_b.Call(fresh, "/api/v1/user/userData", query).status, 404);
}

TEST_F(Postgres, MigrateAppliesTheSchemaOnceAndServeUsesIt) {
  CommandResult first = Admin({"migrate"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_THAT(first.out, HasSubstr("migrated from version 0"));
  CommandResult second = Admin({"migrate"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(second.out, HasSubstr("nothing to apply"));

  Brand brand = CreateBrand(storage_, "Acme");
  auto node = StartNode("node");
  HttpClient client(node->port());
  EXPECT_EQ(client.Call(brand, "/api/v1/user/create", R"({"userId":"u1"})").status, 200);
}

TEST_F(Postgres, ServeRefusesASchemaNewerThanItKnows) {
  ASSERT_EQ(Admin({"migrate"}).exit_code, 0);
  ASSERT_TRUE(db_->Exec("INSERT INTO schema_migrations (version) VALUES (999)").ok());
  try {
    auto node = StartNode("node");
    ADD_FAILURE() << "cdp serve started on a schema newer than it knows";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("newer than this cdp knows"));
  }
  CommandResult migrate = Admin({"migrate"});
  EXPECT_NE(migrate.exit_code, 0);
  EXPECT_THAT(migrate.err, HasSubstr("newer than this cdp knows"));
}

TEST_F(Postgres, DataAndDatabaseCannotBeGivenTogether) {
  CommandResult r = RunCdp({"brand", "list", "--data", dir_.path(), "--database", db_->url()});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err + r.out, HasSubstr("excludes"));
}

}  // namespace
}  // namespace cdp::testing
