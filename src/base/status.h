// File: status.h
// The one error convention of Tessera: recoverable failures are values.
// A Status is a code plus a message; `Result<T>` (result.h) carries a value or a Status.
// Exceptions are reserved for start-up/config failures and bugs; none crosses a layer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace tessera {

// StatusCode: a subset of Abseil's canonical codes; each maps to one HTTP status in http/problem.cc.
enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // the caller sent something malformed (400)
  kNotFound,            // no such record (404)
  kAlreadyExists,       // unique constraint (409)
  kAborted,             // update conflict: retry the read-modify-write
  kFailedPrecondition,  // state forbids it (e.g. disabled account)
  kUnauthenticated,     // bad or missing credentials (401)
  kPermissionDenied,    // authenticated but not allowed (403)
  kResourceExhausted,   // overloaded: shed load, retry shortly (503)
  kRateLimited,         // this caller made too many attempts (429, with retry_after_s)
  kUnavailable,         // transient: database down (503)
  kInternal,            // a bug or an unexpected failure (500)
};

std::string_view StatusCodeName(StatusCode code);

// FieldError: what is wrong with one input field, for validation answers (RFC 9457 `errors`).
struct FieldError {
  std::string field;
  std::string message;
};

// Which unique key a kAlreadyExists clashed on: a value of the enum its store interface
// declares for its unique keys (accounts/user_store.h `UserUniqueKey`: id, email, username …).
// The store engine sets it from the constraint the database names (store/sql/unique_keys.h),
// never from message text, and callers read it back only as that same enum type: a key of
// one interface never equals a key of another, even with the same number.
class UniqueKey {
 public:
  template <typename Key>
  requires std::is_enum_v<Key>
  constexpr explicit UniqueKey(Key key) : type_(&kTypeTag<Key>), value_(static_cast<int>(key)) {}

  // The key as a `Key`; nullopt when it is a key of another interface.
  template <typename Key>
  constexpr std::optional<Key> As() const {
    if (type_ != &kTypeTag<Key>) return std::nullopt;
    return static_cast<Key>(value_);
  }
  friend constexpr bool operator==(const UniqueKey&, const UniqueKey&) = default;

 private:
  // One object per enum type: its address tells the types apart.
  template <typename T>
  static constexpr char kTypeTag = 0;

  const void* type_;
  int value_;
};

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

  bool IsNotFound() const { return code_ == StatusCode::kNotFound; }
  bool IsAlreadyExists() const { return code_ == StatusCode::kAlreadyExists; }

  // Per-field detail of a kInvalidArgument or kAlreadyExists; empty for most statuses.
  const std::vector<FieldError>& field_errors() const { return field_errors_; }
  Status&& WithFieldErrors(std::vector<FieldError> errors) && {
    field_errors_ = std::move(errors);
    return std::move(*this);
  }
  // The unique key of a kAlreadyExists from the store; see UniqueKey.
  const std::optional<UniqueKey>& unique_key() const { return unique_key_; }
  // Whether this is a clash on exactly `key` (a value of a store interface's key enum).
  template <typename Key>
  bool ClashedOn(Key key) const {
    return code_ == StatusCode::kAlreadyExists && unique_key_ && unique_key_->As<Key>() == key;
  }
  Status&& WithUniqueKey(UniqueKey key) && {
    unique_key_ = key;
    return std::move(*this);
  }
  // Seconds after which a kRateLimited or kResourceExhausted call may succeed; 0 = unknown.
  int64_t retry_after_s() const { return retry_after_s_; }
  Status&& WithRetryAfter(int64_t seconds) && {
    retry_after_s_ = seconds;
    return std::move(*this);
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::vector<FieldError> field_errors_;
  int64_t retry_after_s_ = 0;
  std::optional<UniqueKey> unique_key_;
};

inline Status OkStatus() { return Status(); }
inline Status InvalidArgumentError(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status NotFoundError(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status AlreadyExistsError(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
inline Status AbortedError(std::string m) { return {StatusCode::kAborted, std::move(m)}; }
inline Status FailedPreconditionError(std::string m) {
  return {StatusCode::kFailedPrecondition, std::move(m)};
}
inline Status UnauthenticatedError(std::string m) {
  return {StatusCode::kUnauthenticated, std::move(m)};
}
inline Status PermissionDeniedError(std::string m) {
  return {StatusCode::kPermissionDenied, std::move(m)};
}
inline Status ResourceExhaustedError(std::string m) {
  return {StatusCode::kResourceExhausted, std::move(m)};
}
inline Status RateLimitedError(std::string m, int64_t retry_after_s) {
  return Status(StatusCode::kRateLimited, std::move(m)).WithRetryAfter(retry_after_s);
}
inline Status UnavailableError(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status InternalError(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

// A validation failure listing every offending field (so a form can show all at once).
inline Status ValidationError(std::vector<FieldError> errors) {
  return Status(StatusCode::kInvalidArgument, "validation failed").WithFieldErrors(std::move(errors));
}

}  // namespace tessera

// Propagates a non-OK Status (or the error of a Result) to the caller.
#define TESSERA_RETURN_IF_ERROR(expr)               \
  do {                                              \
    ::tessera::Status tessera_status_ = (expr);     \
    if (!tessera_status_.ok()) return tessera_status_; \
  } while (0)

#define TESSERA_CONCAT_INNER(a, b) a##b
#define TESSERA_CONCAT(a, b) TESSERA_CONCAT_INNER(a, b)
// TESSERA_ASSIGN_OR_RETURN(auto x, MakeX()): binds the value or returns the error.
#define TESSERA_ASSIGN_OR_RETURN(lhs, expr) \
  TESSERA_ASSIGN_OR_RETURN_IMPL(TESSERA_CONCAT(tessera_result_, __LINE__), lhs, expr)
#define TESSERA_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return std::move(tmp).status();      \
  lhs = std::move(tmp).value()
