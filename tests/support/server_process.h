// Test harness for end-to-end tests: runs the real `cdp` binary and talks HTTP to it.
//
// ServerProcess starts `cdp serve --listen 127.0.0.1:0` on a data folder, reads the bound
// port from its log, and stops it with SIGTERM (or SIGKILL, to test durability). HttpClient
// is a small synchronous HTTP/1.1 client over Boost.Beast. Not thread-safe per object; use
// one HttpClient per thread.
#pragma once

#include <sys/types.h>

#include <boost/json/value.hpp>
#include <cstdint>
#include <map>
#include <memory>
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

// Runs the cdp binary with `args` (no shell) and waits for it.
CommandResult RunCdp(const std::vector<std::string>& args);

struct Brand {
  std::string id;
  std::string key;
};

// `cdp brand create NAME --json` with the given storage arguments (e.g. {"--data", dir}).
Brand CreateBrand(const std::vector<std::string>& storage_args, const std::string& name);

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
  explicit HttpClient(uint16_t port);
  ~HttpClient();

  HttpResponse Post(const std::string& path, const std::string& body,
                    const std::map<std::string, std::string>& headers = {});
  HttpResponse Get(const std::string& path);
  // POST with the brand's credentials and a JSON content type.
  HttpResponse Call(const Brand& brand, const std::string& path, const std::string& body);
  // Sends raw bytes and reads whatever comes back until the server closes (or 5 s).
  std::string Raw(const std::string& bytes);

 private:
  HttpResponse Send(const std::string& method, const std::string& path, const std::string& body,
                    const std::map<std::string, std::string>& headers);
  uint16_t port_;
  struct Conn;
  Conn* conn_ = nullptr;
};

class ServerProcess {
 public:
  // Starts `cdp serve --listen 127.0.0.1:0 --threads 2` plus `storage_args` and waits for
  // it to listen; the log goes to `log_path`.
  ServerProcess(std::vector<std::string> storage_args, std::string log_path);
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  // SIGTERM and wait; returns the exit status (exit code, or 128 + signal).
  int Terminate();
  // SIGKILL and wait.
  void Kill();
  std::string Log() const;

 private:
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

// One server on a fresh store with one brand: the usual test fixture.
struct TestServer {
  TempDir dir;
  TestStorage fresh;
  std::vector<std::string> storage;
  Brand brand;
  ServerProcess server;
  HttpClient client;

  TestServer();
  HttpResponse Call(const std::string& path, const std::string& body) {
    return client.Call(brand, path, body);
  }
};

}  // namespace cdp::testing
