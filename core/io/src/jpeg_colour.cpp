#include "jpeg_colour.h"

#include <cstring>

namespace medsa::io {

namespace {

// What libjpeg (GDCM's bundled copy and DCMTK's alike, jdmarker.c) takes from the APPn segments
// it knows: a JFIF APP0 needs 14 bytes after the length field, an Adobe APP14 12 (up to the
// transform flag). Shorter ones are not errors or warnings for libjpeg, only a trace message:
// the segment is skipped as if it were not there, and so must it be here.
constexpr std::size_t kJfifBytes = 14;
constexpr std::size_t kAdobeBytes = 12;

bool isJfif(std::uint8_t marker, const std::uint8_t* payload, std::size_t size) {
  return marker == 0xe0 && size >= kJfifBytes && std::memcmp(payload, "JFIF\0", 5) == 0;
}

bool isAdobe(std::uint8_t marker, const std::uint8_t* payload, std::size_t size) {
  return marker == 0xee && size >= kAdobeBytes && std::memcmp(payload, "Adobe", 5) == 0;
}

/// Markers without a length field: libjpeg skips restart markers and TEM before the first scan.
bool hasNoLength(std::uint8_t marker) {
  return marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7);
}

}  // namespace

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
    if (hasNoLength(marker)) {
      pos += 2;
      continue;
    }
    const std::size_t length = static_cast<std::size_t>(d[pos + 2] << 8 | d[pos + 3]);
    if (length < 2 || pos + 2 + length > n) return JpegColour::Unknown;
    const std::uint8_t* payload = d + pos + 4;
    const std::size_t payloadSize = length - 2;
    if (isJfif(marker, payload, payloadSize)) jfif = true;
    if (isAdobe(marker, payload, payloadSize)) adobeTransform = payload[11];
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

bool jpegFrame(const std::uint8_t* d, std::size_t n, JpegFrame* frame, bool jpegLs) {
  // Strict where libjpeg warns in the header (SOI up to the first scan), since GDCM asserts on
  // any warning there: stray bytes between markers, a JFIF major version other than 1, an Adobe
  // transform that is neither RGB nor YCbCr for three components. Never stricter than libjpeg:
  // what it decodes silently must pass. CharLS (JPEG-LS) gives JFIF and Adobe no meaning.
  if (n < 4 || d[0] != 0xff || d[1] != 0xd8) return false;
  bool found = false;
  bool jfif = false;
  int adobeTransform = -1;
  std::size_t pos = 2;
  while (pos + 4 <= n) {
    if (d[pos] != 0xff) return false;
    const std::uint8_t marker = d[pos + 1];
    if (marker == 0xff) {
      ++pos;  // fill byte
      continue;
    }
    if (hasNoLength(marker)) {
      pos += 2;
      continue;
    }
    const std::size_t length = static_cast<std::size_t>(d[pos + 2] << 8 | d[pos + 3]);
    if (length < 2 || pos + 2 + length > n) return false;
    const std::uint8_t* payload = d + pos + 4;
    const std::size_t payloadSize = length - 2;
    if (!jpegLs && isJfif(marker, payload, payloadSize)) {
      if (payload[5] != 1) return false;
      jfif = true;
    }
    if (!jpegLs && isAdobe(marker, payload, payloadSize)) adobeTransform = payload[11];
    const bool isFrame = jpegLs ? marker == 0xf7
                                : (marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 &&
                                   marker != 0xc8 && marker != 0xcc);
    if (isFrame) {
      if (found || length < 8 || payloadSize != 6 + 3 * std::size_t(payload[5])) return false;
      frame->precision = payload[0];
      frame->height = payload[1] << 8 | payload[2];
      frame->width = payload[3] << 8 | payload[4];
      frame->components = payload[5];
      found = true;
    }
    if (marker == 0xda) {  // the first scan: the header is over
      if (found && frame->components == 3 && !jfif && adobeTransform > 1) return false;
      return found;
    }
    if (marker == 0xd9 || marker == 0xd8) return false;
    pos += 2 + length;
  }
  return false;
}

namespace {

std::uint32_t be32(const std::uint8_t* p) {
  return std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 | std::uint32_t(p[2]) << 8 | p[3];
}

/// The codestream inside a JP2 file (the contents of its jp2c box), or null.
const std::uint8_t* jp2Codestream(const std::uint8_t* d, std::size_t n, std::size_t* size) {
  std::size_t pos = 0;
  while (pos + 8 <= n) {
    std::uint64_t length = be32(d + pos);
    const bool codestream = std::memcmp(d + pos + 4, "jp2c", 4) == 0;
    std::size_t header = 8;
    if (length == 1) {
      if (pos + 16 > n) return nullptr;
      length = std::uint64_t(be32(d + pos + 8)) << 32 | be32(d + pos + 12);
      header = 16;
    } else if (length == 0) {
      length = n - pos;  // to the end of the file
    }
    if (length < header || length > n - pos) return nullptr;
    if (codestream) {
      *size = static_cast<std::size_t>(length) - header;
      return d + pos + header;
    }
    pos += static_cast<std::size_t>(length);
  }
  return nullptr;
}

}  // namespace

bool jpeg2000Frame(const std::uint8_t* d, std::size_t n, JpegFrame* frame) {
  if (n >= 12 && be32(d) == 12 && std::memcmp(d + 4, "jP  ", 4) == 0) {
    d = jp2Codestream(d, n, &n);
    if (!d) return false;
  }
  // SOC then SIZ: Lsiz Rsiz Xsiz Ysiz XOsiz YOsiz XTsiz YTsiz XTOsiz YTOsiz Csiz {Ssiz XRsiz YRsiz}
  if (n < 4 + 38 || d[0] != 0xff || d[1] != 0x4f || d[2] != 0xff || d[3] != 0x51) return false;
  const std::uint8_t* siz = d + 4;
  const std::size_t length = static_cast<std::size_t>(siz[0] << 8 | siz[1]);
  const std::size_t components = static_cast<std::size_t>(siz[36] << 8 | siz[37]);
  if (components == 0 || length != 38 + 3 * components || 4 + 2 + length > n + 2) return false;
  const std::uint32_t width = be32(siz + 4) - be32(siz + 12);
  const std::uint32_t height = be32(siz + 8) - be32(siz + 16);
  if (be32(siz + 12) > be32(siz + 4) || be32(siz + 16) > be32(siz + 8)) return false;
  int precision = 0;
  for (std::size_t c = 0; c < components; ++c) {
    const std::uint8_t* comp = siz + 38 + 3 * c;
    const int bits = (comp[0] & 0x7f) + 1;
    if (comp[1] != 1 || comp[2] != 1 || (c > 0 && bits != precision)) return false;
    precision = bits;
  }
  frame->precision = precision;
  frame->width = static_cast<int>(width);
  frame->height = static_cast<int>(height);
  frame->components = static_cast<int>(components);
  return true;
}

}  // namespace medsa::io
