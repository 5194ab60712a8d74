// Status and Result<T>: how every voxbase module reports an expected failure.
//
// A Status is a code plus a human-readable message; Result<T> holds either a value or a non-OK
// Status. Both are [[nodiscard]]: ignoring one is a compile error under -Werror. Exceptions are
// kept for start-up and configuration errors only. Value types, safe to copy between threads.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace voxbase {

enum class StatusCode {
  kOk,
  kInvalidArgument,    // the caller's input is wrong (HTTP 400)
  kUnauthenticated,    // credentials missing or wrong (401)
  kPermissionDenied,   // credentials fine, action not allowed (403)
  kNotFound,           // (404)
  kAlreadyExists,      // (409)
  kPayloadTooLarge,    // (413)
  kResourceExhausted,  // a bounded queue is full; retry later (503 + Retry-After)
  kUnavailable,        // not ready or shutting down (503)
  kDeadlineExceeded,   // waited too long (504)
  kUpstreamError,      // an outbound call failed or answered unusably (502)
  kFailedPrecondition,
  kCorruption,  // stored bytes failed a check
  kIOError,
  kInternal,
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

  // Marks a Status as deliberately not acted on (e.g. best-effort cleanup).
  void IgnoreError() const {}

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) {
  return {StatusCode::kInvalidArgument, std::move(m)};
}
inline Status Unauthenticated(std::string m) {
  return {StatusCode::kUnauthenticated, std::move(m)};
}
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
inline Status IOError(std::string m) { return {StatusCode::kIOError, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
inline Status UpstreamError(std::string m) { return {StatusCode::kUpstreamError, std::move(m)}; }

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(v_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace voxbase

// Returns early from the enclosing function when `expr` yields a non-OK Status.
#define VOX_RETURN_IF_ERROR(expr)              \
  do {                                         \
    ::voxbase::Status vox_status_ = (expr);    \
    if (!vox_status_.ok()) return vox_status_; \
  } while (false)
