#include "ratelimit/redis_limiter.h"

#include <fmt/format.h>
#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <charconv>
#include <csignal>

namespace cdp::ratelimit {
namespace {

// KEYS[1]: the window's counter; ARGV[1]: the limit; ARGV[2]: the counter's lifetime (ms).
// Returns the count after admitting, or -1 when the window is full (nothing counted).
constexpr const char* kAdmitScript =
    "local n = tonumber(redis.call('GET', KEYS[1]) or '0') "
    "if n >= tonumber(ARGV[1]) then return -1 end "
    "n = redis.call('INCR', KEYS[1]) "
    "if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end "
    "return n";

struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

Reply Command(redisContext* ctx, const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (const auto& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  return Reply(static_cast<redisReply*>(
      redisCommandArgv(ctx, static_cast<int>(argv.size()), argv.data(), lens.data())));
}

// The error of a failed command ("" when it succeeded).
std::string ErrorOf(redisContext* ctx, const Reply& reply) {
  if (!reply) return ctx->errstr[0] ? ctx->errstr : "no reply";
  if (reply->type == REDIS_REPLY_ERROR) return std::string(reply->str, reply->len);
  return "";
}

}  // namespace

RedisLimiter::~RedisLimiter() {
  for (auto* ctx : idle_) redisFree(ctx);
}

Result<redisContext*> RedisLimiter::Connect() {
  timeval tv{static_cast<time_t>(timeout_.count() / 1000),
             static_cast<suseconds_t>((timeout_.count() % 1000) * 1000)};
  redisContext* ctx = target_.unix_socket
                          ? redisConnectUnixWithTimeout(target_.host_or_path.c_str(), tv)
                          : redisConnectWithTimeout(target_.host_or_path.c_str(), target_.port, tv);
  if (!ctx) return Unavailable("cannot allocate a Redis connection");
  auto fail = [&](std::string why) -> Result<redisContext*> {
    redisFree(ctx);
    return Unavailable("Redis: " + why);
  };
  if (ctx->err) return fail(ctx->errstr);
  if (redisSetTimeout(ctx, tv) != REDIS_OK) return fail("cannot set the timeout");
  if (!target_.password.empty()) {
    auto reply = Command(ctx, {"AUTH", target_.password});
    if (auto e = ErrorOf(ctx, reply); !e.empty()) return fail("AUTH: " + e);
  }
  if (target_.db != 0) {
    auto reply = Command(ctx, {"SELECT", std::to_string(target_.db)});
    if (auto e = ErrorOf(ctx, reply); !e.empty()) return fail("SELECT: " + e);
  }
  return ctx;
}

redisContext* RedisLimiter::Take() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      redisContext* ctx = idle_.back();
      idle_.pop_back();
      return ctx;
    }
  }
  auto ctx = Connect();
  if (!ctx.ok()) {
    Warn(ctx.status().message());
    return nullptr;
  }
  return *ctx;
}

void RedisLimiter::Give(redisContext* ctx) {
  std::lock_guard lock(mu_);
  idle_.push_back(ctx);
}

void RedisLimiter::Warn(const std::string& what) {
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::steady_clock::now().time_since_epoch())
                          .count();
  {
    std::lock_guard lock(mu_);
    if (last_warning_ != 0 && now - last_warning_ < 10) return;
    last_warning_ = now;
  }
  spdlog::warn("rate limits not enforced (admitting): {}", what);
}

Decision RedisLimiter::Admit(std::string_view key, int64_t limit, int64_t now) {
  const int64_t index = now / kWindowMicros;
  const int64_t window_end = (index + 1) * kWindowMicros;
  Decision d;
  d.limit = limit;
  d.reset_seconds = (window_end - now + 999'999) / 1'000'000;
  d.remaining = limit - 1;  // what a fail-open answer says
  redisContext* ctx = Take();
  if (!ctx) return d;
  const int64_t ttl_ms = (window_end - now) / 1000 + 60'000;
  auto reply = Command(ctx, {"EVAL", kAdmitScript, "1", fmt::format("cdp:rl:{}:{}", key, index),
                             std::to_string(limit), std::to_string(ttl_ms)});
  if (std::string e = ErrorOf(ctx, reply); !e.empty() || reply->type != REDIS_REPLY_INTEGER) {
    Warn(e.empty() ? "unexpected reply to the limit script" : e);
    redisFree(ctx);  // its state is unknown after an error: open a new one next time
    return d;
  }
  Give(ctx);
  const int64_t count = reply->integer;
  d.allowed = count >= 0;
  d.remaining = d.allowed ? limit - count : 0;
  return d;
}

Result<std::unique_ptr<RedisLimiter>> OpenRedisLimiter(const RedisOptions& options) {
  // hiredis writes with write(2): a connection Redis closed would raise SIGPIPE and kill the
  // process instead of failing the command.
  std::signal(SIGPIPE, SIG_IGN);
  auto url = boost::urls::parse_uri(options.url);
  if (!url) return InvalidArgument("--redis must be redis://HOST[:PORT][/DB] or unix:///PATH");
  RedisLimiter::Target target;
  auto db_from = [&](std::string_view text) -> bool {
    if (text.empty()) return true;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), target.db);
    return ec == std::errc() && p == text.data() + text.size() && target.db >= 0;
  };
  if (url->scheme() == "redis") {
    target.host_or_path = url->host();
    if (target.host_or_path.empty()) return InvalidArgument("--redis: the URL names no host");
    if (url->has_port()) target.port = url->port_number();
    if (url->has_password()) target.password = url->password();
    std::string path = url->path();
    if (!db_from(std::string_view(path).substr(path.empty() ? 0 : 1)))
      return InvalidArgument("--redis: the path must be a database number");
  } else if (url->scheme() == "unix") {
    target.unix_socket = true;
    target.host_or_path = url->path();
    for (const auto& p : url->params())
      if (p.key == "db" && !db_from(p.value))
        return InvalidArgument("--redis: db must be a database number");
    if (target.host_or_path.empty()) return InvalidArgument("--redis: the URL names no socket");
  } else {
    return InvalidArgument("--redis must be redis://HOST[:PORT][/DB] or unix:///PATH");
  }
  std::unique_ptr<RedisLimiter> limiter(new RedisLimiter(std::move(target), options.timeout));
  auto ctx = limiter->Connect();
  if (!ctx.ok()) return ctx.status();
  auto pong = Command(*ctx, {"PING"});
  if (std::string e = ErrorOf(*ctx, pong); !e.empty()) {
    redisFree(*ctx);
    return Unavailable("Redis: " + e);
  }
  limiter->Give(*ctx);
  return limiter;
}

std::string RedactRedisUrl(const std::string& url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed || !parsed->has_password()) return url;
  boost::urls::url copy(*parsed);
  copy.set_password("***");
  return std::string(copy.buffer());
}

}  // namespace cdp::ratelimit
