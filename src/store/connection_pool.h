// ConnectionPool: a fixed set of read connections of a store backend, handed out to one
// caller at a time. A caller that finds none free waits for one. Thread-safe.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace cdp::store {

template <typename Conn>
class ConnectionPool {
 public:
  void Add(std::unique_ptr<Conn> conn) {
    {
      std::lock_guard lock(mu_);
      free_.push_back(std::move(conn));
    }
    cv_.notify_one();
  }

  // Runs f(Conn&) with a connection of its own and returns what f returns.
  template <typename F>
  auto With(F&& f) {
    std::unique_ptr<Conn> conn;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return !free_.empty(); });
      conn = std::move(free_.back());
      free_.pop_back();
    }
    struct Return {
      ConnectionPool* pool;
      std::unique_ptr<Conn>* conn;
      ~Return() { pool->Add(std::move(*conn)); }
    } give_back{this, &conn};
    return std::forward<F>(f)(*conn);
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Conn>> free_;
};

}  // namespace cdp::store
