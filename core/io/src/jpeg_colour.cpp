#include "jpeg_colour.h"

#include <cstring>

namespace medsa::io {

JpegColour jpegColour(const std::uint8_t* d, std::size_t n) {
  if (n < 4 || d[0] != 0xff || d[1] != 0xd8) return JpegColour::Unknown;
  bool jfif = false;
  int adobeTransform = -1;
  std::size_t pos = 2;
  while (pos + 4 <= n) {
    if (d[pos] != 0xff) return JpegColour::Unknown;
    const std::uint8_t marker = d[pos + 1];
    if (marker == 0xff) {
      ++pos;  // fill byte
      continue;
    }
    const std::size_t length = static_cast<std::size_t>(d[pos + 2] << 8 | d[pos + 3]);
    if (length < 2 || pos + 2 + length > n) return JpegColour::Unknown;
    const std::uint8_t* payload = d + pos + 4;
    const std::size_t payloadSize = length - 2;
    if (marker == 0xe0 && payloadSize >= 5 && std::memcmp(payload, "JFIF\0", 5) == 0) jfif = true;
    if (marker == 0xee && payloadSize >= 12 && std::memcmp(payload, "Adobe", 5) == 0) {
      adobeTransform = payload[11];
    }
    const bool frame =
        marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
    if (frame) {
      if (payloadSize < 6 || payload[5] != 3 || payloadSize < 6 + 9) return JpegColour::Unknown;
      if (jfif) return JpegColour::YCbCr;
      if (adobeTransform >= 0) return adobeTransform == 0 ? JpegColour::Rgb : JpegColour::YCbCr;
      const bool rgbIds = payload[6] == 'R' && payload[9] == 'G' && payload[12] == 'B';
      return rgbIds ? JpegColour::Rgb : JpegColour::YCbCr;
    }
    if (marker == 0xda || marker == 0xd9) return JpegColour::Unknown;
    pos += 2 + length;
  }
  return JpegColour::Unknown;
}

}  // namespace medsa::io
