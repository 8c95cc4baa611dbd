#include "dicom_color.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace medsa::io {
namespace {

template <typename T>
void ybrToRgb(T* s, std::size_t pixels, double maxValue) {
  const double half = (maxValue + 1) / 2;
  for (std::size_t i = 0; i < pixels; ++i, s += 3) {
    const double y = s[0];
    const double cb = s[1] - half;
    const double cr = s[2] - half;
    const double rgb[3] = {y + 1.402 * cr, y - 0.344136 * cb - 0.714136 * cr, y + 1.772 * cb};
    for (int c = 0; c < 3; ++c) {
      s[c] = static_cast<T>(std::lround(std::clamp(rgb[c], 0.0, maxValue)));
    }
  }
}

}  // namespace

void ybrFullToRgb8(std::uint8_t* samples, std::size_t pixels) { ybrToRgb(samples, pixels, 255); }

void ybrFullToRgb16(std::uint16_t* samples, std::size_t pixels, int bits) {
  ybrToRgb(samples, pixels, std::ldexp(1.0, std::clamp(bits, 1, 16)) - 1);
}

void planarToInterleaved(std::vector<std::uint8_t>& bytes, std::size_t frames, std::size_t pixels,
                         std::size_t sampleBytes) {
  std::vector<std::uint8_t> out(bytes.size());
  const std::size_t plane = pixels * sampleBytes;
  for (std::size_t f = 0; f < frames; ++f) {
    const std::uint8_t* src = bytes.data() + f * plane * 3;
    std::uint8_t* dst = out.data() + f * plane * 3;
    for (std::size_t p = 0; p < pixels; ++p) {
      for (std::size_t c = 0; c < 3; ++c) {
        std::memcpy(dst + (p * 3 + c) * sampleBytes, src + c * plane + p * sampleBytes,
                    sampleBytes);
      }
    }
  }
  bytes.swap(out);
}

std::vector<std::uint8_t> expandYbr422(const std::vector<std::uint8_t>& bytes, std::size_t frames,
                                       std::size_t columns, std::size_t rows) {
  std::vector<std::uint8_t> out(frames * rows * columns * 3);
  const std::size_t pairs = frames * rows * columns / 2;
  for (std::size_t p = 0; p < pairs; ++p) {
    const std::uint8_t* in = bytes.data() + p * 4;
    std::uint8_t* o = out.data() + p * 6;
    o[0] = in[0];
    o[1] = in[2];
    o[2] = in[3];
    o[3] = in[1];
    o[4] = in[2];
    o[5] = in[3];
  }
  return out;
}

std::vector<std::uint8_t> applyPalette(const std::vector<std::uint8_t>& indices, bool wideIndices,
                                       const PaletteChannel channels[3], bool wideOutput) {
  const std::size_t count = wideIndices ? indices.size() / 2 : indices.size();
  std::vector<std::uint8_t> out(count * 3 * (wideOutput ? 2 : 1));
  for (std::size_t i = 0; i < count; ++i) {
    long index = wideIndices ? static_cast<long>(indices[2 * i] | indices[2 * i + 1] << 8)
                             : static_cast<long>(indices[i]);
    for (std::size_t c = 0; c < 3; ++c) {
      const PaletteChannel& channel = channels[c];
      const long entry =
          std::clamp(index - channel.firstMapped, 0L, static_cast<long>(channel.data.size()) - 1);
      const std::uint16_t value = channel.data[static_cast<std::size_t>(entry)];
      if (wideOutput) {
        std::memcpy(out.data() + (i * 3 + c) * 2, &value, 2);
      } else {
        out[i * 3 + c] = static_cast<std::uint8_t>(value);
      }
    }
  }
  return out;
}

}  // namespace medsa::io
