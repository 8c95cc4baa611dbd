#include "medsa/core/error.h"

namespace medsa {

std::string_view errorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::InvalidArgument:
      return "invalid-argument";
    case ErrorCode::FileNotFound:
      return "file-not-found";
    case ErrorCode::ReadFailed:
      return "read-failed";
    case ErrorCode::WriteFailed:
      return "write-failed";
    case ErrorCode::NotAnImage:
      return "not-an-image";
    case ErrorCode::UnsupportedFormat:
      return "unsupported-format";
    case ErrorCode::Truncated:
      return "truncated";
    case ErrorCode::CorruptData:
      return "corrupt-data";
    case ErrorCode::InconsistentSeries:
      return "inconsistent-series";
    case ErrorCode::CheckpointInvalid:
      return "checkpoint-invalid";
    case ErrorCode::Unavailable:
      return "unavailable";
    case ErrorCode::Cancelled:
      return "cancelled";
    case ErrorCode::Conflict:
      return "conflict";
    case ErrorCode::Internal:
      return "internal";
  }
  return "internal";
}

std::string Error::describe() const {
  if (path.empty()) return message;
  return path + ": " + message;
}

}  // namespace medsa
