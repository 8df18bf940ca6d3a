// Status and Result<T>: expected failures as values.
//
// Every layer returns these instead of throwing; the HTTP layer maps a Code to an HTTP
// status in exactly one place (http/status_mapping via api/envelope). Codes follow abseil's
// canonical set. Thread-compatible value types.
#pragma once

#include <boost/json/value.hpp>
#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace cdp {

enum class Code {
  kOk,
  kInvalidArgument,     // 400
  kUnauthenticated,     // 401
  kPermissionDenied,    // 403
  kNotFound,            // 404
  kAlreadyExists,       // 409
  kFailedPrecondition,  // 409
  kPayloadTooLarge,     // 413
  kResourceExhausted,   // 429
  kUnimplemented,       // 501
  kUnavailable,         // 503
  kInternal,            // 500
};

const char* CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // Structured detail for the response envelope's `data` (e.g. per-item errors).
  const boost::json::value& details() const { return details_; }
  Status&& WithDetails(boost::json::value details) && {
    details_ = std::move(details);
    return std::move(*this);
  }

 private:
  Code code_ = Code::kOk;
  std::string message_;
  boost::json::value details_;
};

inline Status InvalidArgument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
inline Status NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
inline Status Unauthenticated(std::string m) { return {Code::kUnauthenticated, std::move(m)}; }
inline Status AlreadyExists(std::string m) { return {Code::kAlreadyExists, std::move(m)}; }
inline Status FailedPrecondition(std::string m) {
  return {Code::kFailedPrecondition, std::move(m)};
}
inline Status Unavailable(std::string m) { return {Code::kUnavailable, std::move(m)}; }
inline Status Internal(std::string m) { return {Code::kInternal, std::move(m)}; }

// Either a value or a non-ok Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) { assert(!std::get<Status>(v_).ok()); }  // NOLINT

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  Status take_status() && { return ok() ? Status() : std::get<Status>(std::move(v_)); }

  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace cdp

// Returns early from the enclosing function with a non-ok Status.
#define CDP_RETURN_IF_ERROR(expr) \
  do {                            \
    ::cdp::Status _st = (expr);   \
    if (!_st.ok()) return _st;    \
  } while (0)
