#pragma once

#include <string>
#include <string_view>

#include "medsa/core/error.h"

namespace medsa {

/// Replaces `path` with `bytes` so that a crash at any moment leaves either the old file or the
/// complete new one, never a torn file: write a temporary file in the same folder, flush it to
/// disk (fsync), then rename it over the target.
Status writeFileAtomically(const std::string& path, std::string_view bytes);

/// Reads a whole file; errors name the path and the reason (missing, unreadable, too large).
Result<std::string> readWholeFile(const std::string& path, std::size_t maxBytes = std::size_t(1)
                                                                                  << 36);

}  // namespace medsa
