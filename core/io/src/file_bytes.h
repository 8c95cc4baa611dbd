#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "medsa/core/error.h"

namespace medsa::io {

/// Size of a regular file; FileNotFound when missing, InvalidArgument for a folder or device.
Result<std::uint64_t> regularFileSize(const std::string& path);

/// Up to `maxBytes` bytes from the start of a file (fewer when the file is shorter).
Result<std::vector<std::uint8_t>> readFileHead(const std::string& path, std::size_t maxBytes);

/// The whole file; fails with ReadFailed above `maxBytes` rather than exhausting memory.
Result<std::vector<std::uint8_t>> readWholeFile(const std::string& path, std::size_t maxBytes);

/// The lower-cased extension including a compound ".gz" ("x.nii.gz" -> ".nii.gz").
std::string lowerExtension(const std::string& path);

/// Maps a caught exception's text and a path to the Error we report.
Error errorFromException(ErrorCode code, const std::string& path, const std::string& what);

}  // namespace medsa::io
