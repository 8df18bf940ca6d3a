#include "support/redis_server.h"

#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace cdp::testing {
namespace {

bool Accepts(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

RedisServer::RedisServer(const std::string& dir) : dir_(dir), socket_(dir + "/redis.sock") {
  Start();
}

RedisServer::~RedisServer() { Stop(); }

void RedisServer::Start() {
  if (pid_ > 0) return;
  ::unlink(socket_.c_str());
  pid_ = ::fork();
  if (pid_ == 0) {
    const std::string log = dir_ + "/redis.log";
    const char* argv[] = {"/usr/bin/redis-server",
                          "--port",
                          "0",
                          "--unixsocket",
                          socket_.c_str(),
                          "--save",
                          "",
                          "--appendonly",
                          "no",
                          "--dir",
                          dir_.c_str(),
                          "--logfile",
                          log.c_str(),
                          nullptr};
    ::execv(argv[0], const_cast<char* const*>(argv));
    ::_exit(127);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!Accepts(socket_)) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("redis-server exited (is it installed?)");
    }
    if (std::chrono::steady_clock::now() > deadline) {
      Stop();
      throw std::runtime_error("redis-server did not listen on " + socket_);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void RedisServer::Stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

}  // namespace cdp::testing
