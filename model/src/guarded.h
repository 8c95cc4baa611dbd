#pragma once
// Exceptions never cross medsa_model's public API: LibTorch reports failures (out of memory,
// a CUDA error, an internal check) by throwing, and these wrappers turn them into Error values.

#include <exception>
#include <new>
#include <string>

#include "medsa/core/error.h"

namespace medsa::model {

/// The first line of an exception message (c10::Error appends a long backtrace).
inline std::string firstLine(const char* what) {
  std::string text(what);
  return text.substr(0, text.find('\n'));
}

/// Runs `body` (returning Result<T> or Status) and converts any exception into an Error.
template <typename Body>
auto guarded(const char* what, Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return Error{ErrorCode::Internal, std::string(what) + ": out of memory", {}};
  } catch (const std::exception& e) {
    return Error{ErrorCode::Internal, std::string(what) + ": " + firstLine(e.what()), {}};
  }
}

}  // namespace medsa::model
