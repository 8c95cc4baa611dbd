#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace medsa {

/// What went wrong, as a stable code the UI can translate (the message is English, for logs and
/// CLI).
enum class ErrorCode {
  InvalidArgument,     ///< a caller or user passed something unusable
  FileNotFound,        ///< the path does not exist or cannot be opened
  ReadFailed,          ///< an OS-level read error
  WriteFailed,         ///< an OS-level write error (disk full, permissions)
  NotAnImage,          ///< the file is not of any format we read
  UnsupportedFormat,   ///< a known format in a variant we do not support (e.g. a transfer syntax)
  Truncated,           ///< the file ends before its header says it should
  CorruptData,         ///< headers or payload contradict themselves
  InconsistentSeries,  ///< DICOM slices that do not form one volume
  CheckpointInvalid,   ///< a model file with missing, unexpected or mis-shaped tensors
  Unavailable,         ///< a capability missing in this build or on this machine (e.g. CUDA)
  Cancelled,           ///< the user cancelled long work
  Conflict,            ///< someone else holds or changed it (a team's case)
  Internal,            ///< a bug: an invariant of ours did not hold
};

/// Stable identifier of a code, e.g. "file-not-found" (used in JSON output and logs).
std::string_view errorCodeName(ErrorCode code);

/// An error value that crosses layer and thread boundaries; exceptions never do.
struct Error {
  ErrorCode code = ErrorCode::Internal;
  std::string message;  ///< the reason, in English
  std::string path;     ///< the file concerned, empty when none

  /// "path: message" (or the message alone), the form the CLI prints.
  std::string describe() const;
};

/// Either a value or an Error. A small stand-in for C++23 std::expected.
template <typename T>
class Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : state_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  // By value: `for (auto& x : load().value())` would otherwise iterate a dead temporary.
  T value() && { return std::get<T>(std::move(state_)); }
  const Error& error() const { return std::get<Error>(state_); }

  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Error> state_;
};

/// Result for operations that produce nothing but may fail.
class Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), failed_(true) {}  // NOLINT: implicit by design

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return error_; }

 private:
  Error error_;
  bool failed_ = false;
};

}  // namespace medsa
