#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "medsa/core/error.h"

namespace medsa::io {

/// Pixel data as DCMTK's dcmjpeg decoded it, before our colour and bit handling.
struct DcmtkPixels {
  std::vector<std::uint8_t> bytes;  ///< little-endian samples
  int bitsAllocated = 0;
  std::string photometric;  ///< as DCMTK left it (it converts YBR to RGB when decoding JPEG)
  int planarConfiguration = 0;
};

/// Decodes a file's pixel data with DCMTK (JPEG baseline, extended 12-bit and lossless); the
/// fallback for what GDCM refuses. Serialised: DCMTK's codec registry is global.
Result<DcmtkPixels> decodeWithDcmtk(const std::string& path);

}  // namespace medsa::io
