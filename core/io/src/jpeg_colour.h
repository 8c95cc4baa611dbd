#pragma once

#include <cstddef>
#include <cstdint>

namespace medsa::io {

enum class JpegColour { Unknown, YCbCr, Rgb };

/// How a 3-component JPEG stream is coded, by libjpeg's rules: a JFIF marker means YCbCr; an
/// Adobe marker's transform flag decides (0: RGB); otherwise component ids 'R', 'G', 'B' mean RGB
/// and anything else YCbCr. GDCM returns the coded components unconverted, and DICOM headers
/// sometimes say RGB for YCbCr streams, so the stream is what we trust.
JpegColour jpegColour(const std::uint8_t* data, std::size_t size);

}  // namespace medsa::io
