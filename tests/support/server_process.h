// Test harness for end-to-end tests: runs the real `cdp` binary and talks HTTP to it.
//
// TempDir is a scratch folder; RunCdp runs an admin command (no shell) and CreateBrand makes
// a brand with it. ServerProcess starts `cdp serve --listen 127.0.0.1:0` on a store, reads
// the bound port from its log, and stops it with SIGTERM, or SIGKILL to test durability, and
// can start it again on the same store. HttpClient is a small synchronous HTTP/1.1 client
// over Boost.Beast. TestServer bundles the usual fixture: a fresh store, a brand, a running
// server and a client. Matching answers against expected JSON is support/json_match.h.
// Objects are not thread-safe; use one HttpClient per thread.
#pragma once

#include <sys/types.h>

#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cdp::testing {

// A fresh folder under /tmp, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs the cdp binary with `args` (no shell) and waits for it; stdin is empty, or `input`.
CommandResult RunCdp(const std::vector<std::string>& args);
CommandResult RunCdp(const std::vector<std::string>& args, const std::optional<std::string>& input);

struct Brand {
  std::string id;
  std::string key;
};

// `cdp brand create NAME --json` with the given storage arguments (e.g. {"--data", dir}),
// then, unless `limits` is kDefault, `cdp brand limits --group all --per-minute 0`: tests
// of other things must not trip over the API rate limits.
enum class Limits { kUnlimited, kDefault };
Brand CreateBrand(const std::vector<std::string>& storage_args, const std::string& name,
                  Limits limits = Limits::kUnlimited);

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  boost::json::value json;  // null when the body is not JSON

  // response.status, response.message of the envelope ("" when absent).
  std::string EnvelopeStatus() const;
  std::string Message() const;
  const boost::json::value& Data() const;
};

class HttpClient {
 public:
  // `timeout` bounds each request, from writing it to reading the whole answer; a request
  // that takes longer throws.
  explicit HttpClient(uint16_t port, std::chrono::seconds timeout = std::chrono::seconds(60));
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  HttpResponse Post(const std::string& path, const std::string& body,
                    const std::map<std::string, std::string>& headers = {});
  HttpResponse Get(const std::string& path);
  // POST with the brand's credentials and a JSON content type.
  HttpResponse Call(const Brand& brand, const std::string& path, const std::string& body);
  // Any method, with exactly the given headers (plus Host and Content-Length). Reuses the
  // connection while the server keeps it alive; throws when no answer comes.
  HttpResponse Send(const std::string& method, const std::string& path, const std::string& body,
                    const std::map<std::string, std::string>& headers);
  // Sends raw bytes on a new connection and returns whatever comes back until the server
  // closes it (or 5 s pass): for requests Beast would refuse to write.
  std::string Raw(const std::string& bytes);

 private:
  uint16_t port_;
  std::chrono::seconds timeout_;
  struct Conn;
  std::unique_ptr<Conn> conn_;
};

class ServerProcess {
 public:
  // Starts `cdp serve --listen 127.0.0.1:0 --threads 2` plus `storage_args` and waits (up to
  // 20 s) for its "listening on HOST:PORT" line; throws with the log when it exits or never
  // listens. stdout and stderr go to `log_path` (a file, so the server never blocks on them).
  ServerProcess(std::vector<std::string> storage_args, std::string log_path);
  // Terminates the server if it still runs.
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0; }
  // SIGTERM and wait; returns the exit status (exit code, or 128 + signal).
  int Terminate();
  // SIGKILL (kill -9) and wait: the process gets no chance to flush or close anything.
  void Kill();
  // Starts the server again on the same storage (terminating it first if it runs), on a
  // new port; its log is appended to the same file.
  void Restart();
  // Everything the server has logged so far, over all its runs.
  std::string Log() const;

 private:
  void Start();

  std::vector<std::string> storage_args_;
  std::string log_path_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

// Storage arguments for a fresh, empty store of the backend the end-to-end run is for:
// `--data DIR/data` by default, or `--database URL` of a fresh PostgreSQL database when
// CDP_E2E_BACKEND=postgres (on the server CDP_TEST_PG_URL names). The database, if any, is
// dropped when the returned holder is destroyed.
struct TestStorage {
  std::vector<std::string> args;
  std::shared_ptr<void> database;  // keeps a PostgreSQL test database alive
};
TestStorage FreshStorage(const std::string& dir);

// One server on a fresh store with one brand: the usual test fixture. `serve_flags` go to
// `cdp serve` after the storage arguments.
struct TestServer {
  TempDir dir;
  TestStorage fresh;
  std::vector<std::string> storage;
  Brand brand;
  ServerProcess server;
  HttpClient client;

  explicit TestServer(const std::vector<std::string>& serve_flags = {},
                      const std::string& brand_name = "test");
  HttpResponse Call(const std::string& path, const std::string& body) {
    return client.Call(brand, path, body);
  }
};

}  // namespace cdp::testing
