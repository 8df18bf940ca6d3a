#include "support/server_process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "store/pg_test_database.h"

extern char** environ;

namespace cdp::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace json = boost::json;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Spawns the cdp binary with stdout/stderr sent to files; returns the pid.
pid_t Spawn(const std::vector<std::string>& args, const std::string& out_path,
            const std::string& err_path, const std::string& in_path = "/dev/null") {
  std::vector<std::string> argv_s = {CDP_BINARY};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, in_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                   0644);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                   0644);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + argv_s[0]);
  return pid;
}

int WaitExit(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

TempDir::TempDir() {
  char tmpl[] = "/tmp/cdp-test.XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

CommandResult RunCdp(const std::vector<std::string>& args) { return RunCdp(args, std::nullopt); }

CommandResult RunCdp(const std::vector<std::string>& args, const std::optional<std::string>& input) {
  TempDir dir;
  std::string out = dir.path() + "/out", err = dir.path() + "/err", in = "/dev/null";
  if (input) {
    in = dir.path() + "/in";
    std::ofstream(in, std::ios::binary) << *input;
  }
  pid_t pid = Spawn(args, out, err, in);
  CommandResult r;
  r.exit_code = WaitExit(pid);
  r.out = ReadFile(out);
  r.err = ReadFile(err);
  return r;
}

Brand CreateBrand(const std::vector<std::string>& storage_args, const std::string& name,
                  Limits limits) {
  std::vector<std::string> args = {"brand", "create", name, "--json"};
  args.insert(args.end(), storage_args.begin(), storage_args.end());
  CommandResult r = RunCdp(args);
  if (r.exit_code != 0) throw std::runtime_error("brand create failed: " + r.err);
  json::value v = json::parse(r.out);
  Brand brand{std::string(v.at("brand_id").as_string()), std::string(v.at("api_key").as_string())};
  if (limits == Limits::kUnlimited) {
    args = {"brand", "limits", "--brand", brand.id, "--group", "all", "--per-minute", "0"};
    args.insert(args.end(), storage_args.begin(), storage_args.end());
    r = RunCdp(args);
    if (r.exit_code != 0) throw std::runtime_error("brand limits failed: " + r.err);
  }
  return brand;
}

std::string HttpResponse::EnvelopeStatus() const {
  if (!json.is_object()) return "";
  const auto* r = json.as_object().if_contains("response");
  if (!r || !r->is_object()) return "";
  const auto* s = r->as_object().if_contains("status");
  return s && s->is_string() ? std::string(s->as_string()) : "";
}

std::string HttpResponse::Message() const {
  if (!json.is_object()) return "";
  const auto* r = json.as_object().if_contains("response");
  if (!r || !r->is_object()) return "";
  const auto* m = r->as_object().if_contains("message");
  return m && m->is_string() ? std::string(m->as_string()) : "";
}

const json::value& HttpResponse::Data() const {
  static const json::value kNull;
  if (!json.is_object()) return kNull;
  const auto* r = json.as_object().if_contains("response");
  if (!r || !r->is_object()) return kNull;
  const auto* d = r->as_object().if_contains("data");
  return d ? *d : kNull;
}

struct HttpClient::Conn {
  asio::io_context ioc;
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;
  bool open = false;
};

HttpClient::HttpClient(uint16_t port, std::chrono::seconds timeout)
    : port_(port), timeout_(timeout), conn_(std::make_unique<Conn>()) {}
HttpClient::~HttpClient() = default;

HttpResponse HttpClient::Send(const std::string& method, const std::string& path,
                              const std::string& body,
                              const std::map<std::string, std::string>& headers) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!conn_->open) {
      conn_->stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
      conn_->buffer.clear();
      conn_->open = true;
    }
    http::request<http::string_body> req{http::string_to_verb(method), path, 11};
    req.set(http::field::host, "127.0.0.1");
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    // Asynchronous operations run to completion here, because a tcp_stream's deadline only
    // applies to those: a server that never answers fails the call instead of hanging it.
    conn_->stream.expires_after(timeout_);
    beast::error_code ec;
    auto done = [&ec](beast::error_code e, size_t) { ec = e; };
    http::async_write(conn_->stream, req, done);
    conn_->ioc.restart();
    conn_->ioc.run();
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    if (!ec) {
      http::async_read(conn_->stream, conn_->buffer, parser, done);
      conn_->ioc.restart();
      conn_->ioc.run();
    }
    if (ec) {
      // A kept-alive connection the server closed: reconnect once.
      conn_->stream.close();
      conn_->open = false;
      if (attempt == 0 && (ec == http::error::end_of_stream ||
                           ec == asio::error::connection_reset || ec == asio::error::broken_pipe))
        continue;
      throw std::runtime_error("HTTP " + method + " " + path + ": " + ec.message());
    }
    auto res = parser.release();
    HttpResponse out;
    out.status = static_cast<int>(res.result_int());
    for (const auto& f : res) {
      std::string name(f.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      out.headers[name] = std::string(f.value());
    }
    out.body = res.body();
    boost::system::error_code jec;
    out.json = json::parse(out.body, jec);
    if (jec) out.json = nullptr;
    if (!res.keep_alive()) {
      conn_->stream.close();
      conn_->open = false;
    }
    return out;
  }
  throw std::runtime_error("unreachable");
}

HttpResponse HttpClient::Post(const std::string& path, const std::string& body,
                              const std::map<std::string, std::string>& headers) {
  return Send("POST", path, body, headers);
}

HttpResponse HttpClient::Get(const std::string& path) { return Send("GET", path, "", {}); }

HttpResponse HttpClient::Call(const Brand& brand, const std::string& path,
                              const std::string& body) {
  return Send(
      "POST", path, body,
      {{"x-brand-id", brand.id}, {"x-api-key", brand.key}, {"content-type", "application/json"}});
}

std::string HttpClient::Raw(const std::string& bytes) {
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
  stream.expires_after(std::chrono::seconds(5));
  beast::error_code ec;
  asio::write(stream, asio::buffer(bytes), ec);
  std::string out;
  char buf[4096];
  for (;;) {
    size_t n = stream.read_some(asio::buffer(buf), ec);
    out.append(buf, n);
    if (ec) break;
  }
  return out;
}

ServerProcess::ServerProcess(std::vector<std::string> storage_args, std::string log_path)
    : storage_args_(std::move(storage_args)), log_path_(std::move(log_path)) {
  { std::ofstream truncate(log_path_, std::ios::trunc); }
  Start();
}

void ServerProcess::Start() {
  std::vector<std::string> args = {"serve", "--listen", "127.0.0.1:0", "--threads", "2"};
  args.insert(args.end(), storage_args_.begin(), storage_args_.end());
  // Earlier runs logged into the same file: look for this run's line after theirs.
  const size_t start = ReadFile(log_path_).size();
  pid_ = Spawn(args, log_path_, log_path_);
  // "listening on 127.0.0.1:PORT ..." (no <regex>: GCC 12 warns inside it under ASan).
  auto port_in = [](const std::string& log) -> int {
    const size_t at = log.find("listening on ");
    const size_t colon = at == std::string::npos ? at : log.find(':', at);
    if (colon == std::string::npos) return 0;
    size_t end = colon + 1;
    while (end < log.size() && std::isdigit(static_cast<unsigned char>(log[end]))) ++end;
    return end > colon + 1 ? std::stoi(log.substr(colon + 1, end - colon - 1)) : 0;
  };
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    std::string log = ReadFile(log_path_).substr(start);
    if (int port = port_in(log); port > 0) {
      port_ = static_cast<uint16_t>(port);
      return;
    }
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("cdp serve exited during start-up:\n" + log);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  Kill();
  throw std::runtime_error("cdp serve did not start listening within 20 s:\n" +
                           ReadFile(log_path_).substr(start));
}

void ServerProcess::Restart() {
  if (pid_ > 0) Terminate();
  port_ = 0;
  Start();
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) Terminate();
}

int ServerProcess::Terminate() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int code = WaitExit(pid_);
  pid_ = -1;
  return code;
}

void ServerProcess::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  WaitExit(pid_);
  pid_ = -1;
}

std::string ServerProcess::Log() const { return ReadFile(log_path_); }

namespace {

// With CDP_E2E_BACKEND=postgres but no PostgreSQL server to use, every test of the run is
// skipped with the reason, rather than failing in its fixture. gtest prints no per-test
// "[  SKIPPED ]" line for a skip here, so it is printed for ctest's SKIP_REGULAR_EXPRESSION.
class PostgresBackendRequirement : public ::testing::Environment {
 public:
  void SetUp() override {
    const char* backend = std::getenv("CDP_E2E_BACKEND");
    if (backend && std::string(backend) == "postgres" && !PgServerUrl()) {
      std::printf("[  SKIPPED ] CDP_E2E_BACKEND=postgres: %s\n", kNoPgServer);
      GTEST_SKIP() << kNoPgServer;
    }
  }
};

[[maybe_unused]] const bool kRequirementRegistered = [] {
  ::testing::AddGlobalTestEnvironment(new PostgresBackendRequirement);
  return true;
}();

}  // namespace

TestStorage FreshStorage(const std::string& dir) {
  const char* backend = std::getenv("CDP_E2E_BACKEND");
  if (!backend || std::string(backend) == "sqlite")
    return TestStorage{{"--data", dir + "/data"}, nullptr};
  if (std::string(backend) != "postgres")
    throw std::runtime_error("CDP_E2E_BACKEND must be sqlite or postgres");
  auto url = PgServerUrl();
  if (!url) throw std::runtime_error(kNoPgServer);
  auto db = PgTestDatabase::Create(*url);
  if (!db.ok()) throw std::runtime_error(db.status().message());
  std::shared_ptr<PgTestDatabase> held(std::move(db).value());
  return TestStorage{{"--database", held->url()}, held};
}

namespace {
std::vector<std::string> Concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}
}  // namespace

TestServer::TestServer(const std::vector<std::string>& serve_flags, const std::string& brand_name)
    : fresh(FreshStorage(dir.path())),
      storage(fresh.args),
      brand(CreateBrand(storage, brand_name)),
      server(Concat(storage, serve_flags), dir.path() + "/server.log"),
      client(server.port()) {}

}  // namespace cdp::testing
