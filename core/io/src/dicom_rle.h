#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "medsa/core/error.h"

namespace medsa::io {

/// One compressed frame (a Pixel Data fragment).
struct RleFragment {
  const std::uint8_t* data = nullptr;
  std::size_t size = 0;
};

/// Decodes DICOM RLE Lossless frames (PS3.5 Annex G) into interleaved little-endian samples.
/// Our own decoder: GDCM 3.0.21 shifts 16- and 32-bit multi-sample RLE data by bytes.
Result<std::vector<std::uint8_t>> decodeRle(const std::vector<RleFragment>& frames,
                                            std::size_t pixelsPerFrame, int samples,
                                            int bytesPerSample, const std::string& path);

}  // namespace medsa::io
