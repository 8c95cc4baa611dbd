#pragma once

#include <cstdint>
#include <vector>

#include "medsa/io/image_reader.h"

namespace medsa::io {

/// How many leading bytes detectFormatFromBytes() wants to see.
constexpr std::size_t kFormatProbeBytes = 1024;

/// Recognises a format from a file's first bytes (already decompressed for gzip files).
FileFormat detectFormatFromBytes(const std::vector<std::uint8_t>& head);

}  // namespace medsa::io
