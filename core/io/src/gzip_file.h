#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "medsa/core/error.h"

namespace medsa::io {

/// True when the bytes start with the gzip magic number.
bool isGzip(const std::vector<std::uint8_t>& head);

/// Decompresses up to `maxBytes` from the start of a gzip file. Returns fewer bytes when the
/// stream ends earlier; fails on a corrupt stream.
Result<std::vector<std::uint8_t>> gunzipHead(const std::string& path, std::size_t maxBytes);

/// Decompresses bytes [offset, offset + count) of a gzip file into `out`; Truncated when the
/// stream ends before, CorruptData when it is damaged.
Status gunzipRange(const std::string& path, std::uint64_t offset, std::size_t count,
                   std::uint8_t* out);

}  // namespace medsa::io
