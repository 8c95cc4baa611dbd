#include "dicom_rle.h"

#include <cstring>

namespace medsa::io {
namespace {

std::uint32_t le32(const std::uint8_t* p) {
  return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 |
         std::uint32_t(p[3]) << 24;
}

/// PackBits: n >= 0 copies n + 1 bytes, -127..-1 repeats the next byte 1 - n times, -128 is a
/// no-op. Fills exactly `out.size()` bytes or fails.
bool unpackSegment(const std::uint8_t* in, std::size_t size, std::vector<std::uint8_t>& out) {
  std::size_t i = 0;
  std::size_t o = 0;
  while (o < out.size()) {
    if (i >= size) return false;
    const auto n = static_cast<std::int8_t>(in[i++]);
    if (n >= 0) {
      const std::size_t count = static_cast<std::size_t>(n) + 1;
      if (i + count > size || o + count > out.size()) return false;
      std::memcpy(out.data() + o, in + i, count);
      i += count;
      o += count;
    } else if (n != -128) {
      const std::size_t count = static_cast<std::size_t>(1 - n);
      if (i >= size || o + count > out.size()) return false;
      std::memset(out.data() + o, in[i++], count);
      o += count;
    }
  }
  return true;
}

}  // namespace

Result<std::vector<std::uint8_t>> decodeRle(const std::vector<RleFragment>& frames,
                                            std::size_t pixelsPerFrame, int samples,
                                            int bytesPerSample, const std::string& path) {
  const std::size_t segments = static_cast<std::size_t>(samples * bytesPerSample);
  const std::size_t frameBytes = pixelsPerFrame * segments;
  std::vector<std::uint8_t> out(frames.size() * frameBytes);
  std::vector<std::uint8_t> plane(pixelsPerFrame);
  for (std::size_t f = 0; f < frames.size(); ++f) {
    const RleFragment& frame = frames[f];
    const std::string where = "RLE frame " + std::to_string(f + 1) + ": ";
    if (frame.size < 64) return Error{ErrorCode::CorruptData, where + "header cut off", path};
    if (le32(frame.data) != segments) {
      return Error{ErrorCode::CorruptData,
                   where + std::to_string(le32(frame.data)) + " segments where " +
                       std::to_string(segments) + " are needed",
                   path};
    }
    for (std::size_t s = 0; s < segments; ++s) {
      const std::size_t begin = le32(frame.data + 4 + 4 * s);
      const std::size_t end = s + 1 < segments ? le32(frame.data + 8 + 4 * s) : frame.size;
      if (begin < 64 || begin > end || end > frame.size) {
        return Error{ErrorCode::CorruptData, where + "segment offsets out of range", path};
      }
      if (!unpackSegment(frame.data + begin, end - begin, plane)) {
        return Error{ErrorCode::CorruptData, where + "a segment decodes to the wrong length", path};
      }
      // Segments run sample by sample, most significant byte first.
      const std::size_t sample = s / static_cast<std::size_t>(bytesPerSample);
      const std::size_t byte = static_cast<std::size_t>(bytesPerSample) - 1 -
                               s % static_cast<std::size_t>(bytesPerSample);
      std::uint8_t* target = out.data() + f * frameBytes;
      for (std::size_t p = 0; p < pixelsPerFrame; ++p) {
        target[(p * static_cast<std::size_t>(samples) + sample) * bytesPerSample + byte] = plane[p];
      }
    }
  }
  return out;
}

}  // namespace medsa::io
