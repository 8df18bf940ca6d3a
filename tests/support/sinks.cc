#include "support/sinks.h"

#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <thread>

#include "core/base64.h"

namespace cdp::testing {

SinkProcess::SinkProcess(const std::string& script, const std::string& dir,
                         const std::string& answers, const std::string& options)
    : out_path_(dir + "/" + script + ".jsonl") {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  const std::string path = std::string(CDP_TEST_SUPPORT_DIR) + "/" + script;
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(fds[1], 1);
    const char* argv[] = {"/usr/bin/python3", path.c_str(),    out_path_.c_str(),
                          answers.c_str(),    options.c_str(), nullptr};
    ::execv(argv[0], const_cast<char* const*>(argv));
    ::_exit(127);
  }
  ::close(fds[1]);
  std::string line;
  pollfd p{fds[0], POLLIN, 0};
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (line.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    if (::poll(&p, 1, 100) <= 0) continue;
    char buf[64];
    ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n <= 0) break;
    line.append(buf, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  try {
    port_ = static_cast<uint16_t>(std::stoi(line));
  } catch (...) {
    throw std::runtime_error(
        script +
        " did not start (are python3-aiosmtpd, python3-h2 and python3-cryptography installed?)");
  }
}

SinkProcess::~SinkProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

std::vector<boost::json::value> SinkProcess::Records() const {
  std::vector<boost::json::value> out;
  std::ifstream in(out_path_);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(boost::json::parse(line));
  return out;
}

std::vector<boost::json::value> SinkProcess::WaitFor(size_t n, std::chrono::seconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto records = Records();
    if (records.size() >= n || std::chrono::steady_clock::now() > deadline) return records;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

SmtpSink::SmtpSink(const std::string& dir, const std::string& answers, const std::string& options)
    : SinkProcess("smtp_sink.py", dir, answers, options) {}

HttpSink::HttpSink(const std::string& dir, const std::string& answers)
    : SinkProcess("http_sink.py", dir, answers) {}

WebPushSink::WebPushSink(const std::string& dir, const std::string& answers)
    : SinkProcess("webpush_sink.py", dir, answers) {}

std::string WebPushSink::Origin() const { return "http://127.0.0.1:" + std::to_string(port()); }

WebPushBrowserKeys NewWebPushBrowserKeys() {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"), &EVP_PKEY_free);
  BIGNUM* d = nullptr;
  unsigned char scalar[32], point[65], auth[16];
  size_t point_len = 0;
  const bool ok = key && EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_PRIV_KEY, &d) == 1 &&
                  BN_bn2binpad(d, scalar, sizeof scalar) == sizeof scalar &&
                  EVP_PKEY_get_octet_string_param(key.get(), OSSL_PKEY_PARAM_PUB_KEY, point,
                                                  sizeof point, &point_len) == 1 &&
                  point_len == sizeof point && RAND_bytes(auth, sizeof auth) == 1;
  BN_clear_free(d);
  if (!ok) throw std::runtime_error("could not generate browser push keys");
  auto text = [](const unsigned char* p, size_t n) {
    return Base64Url(std::string_view(reinterpret_cast<const char*>(p), n));
  };
  return {text(scalar, sizeof scalar), text(point, sizeof point), text(auth, sizeof auth)};
}

FcmSink::FcmSink(const std::string& dir, const std::string& answers)
    : SinkProcess("fcm_sink.py", dir, answers) {}

std::string FcmSink::base_url() const { return "http://127.0.0.1:" + std::to_string(port()); }

std::string FcmSink::token_uri() const { return base_url() + "/token"; }

ApnsSink::ApnsSink(const std::string& dir, const std::string& answers)
    : SinkProcess("apns_sink.py", dir, answers) {}

std::string ApnsSink::base_url() const { return "http://127.0.0.1:" + std::to_string(port()); }

}  // namespace cdp::testing
