#include "pil_resize.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace medsa::model {
namespace {

// PIL keeps 22 fractional bits for 8-bit resampling (32 - 8 - 2).
constexpr int kPrecisionBits = 22;

struct Taps {
  std::vector<int> first;    // first input index per output index
  std::vector<int> count;    // taps per output index
  std::vector<int> weights;  // fixed-point, maxTaps per output index
  int maxTaps = 0;
};

// One output pixel's contributing input pixels and weights, exactly as PIL computes them.
Taps computeTaps(int inSize, int outSize) {
  const double scale = static_cast<double>(inSize) / outSize;
  const double filterScale = std::max(scale, 1.0);
  const double support = 1.0 * filterScale;  // the bilinear (triangle) filter has support 1
  Taps taps;
  taps.maxTaps = static_cast<int>(std::ceil(support)) * 2 + 1;
  taps.first.resize(outSize);
  taps.count.resize(outSize);
  taps.weights.assign(static_cast<size_t>(outSize) * taps.maxTaps, 0);
  std::vector<double> k(taps.maxTaps);
  for (int xx = 0; xx < outSize; ++xx) {
    const double centre = (xx + 0.5) * scale;
    int xmin = static_cast<int>(centre - support + 0.5);
    xmin = std::max(xmin, 0);
    int xmax = static_cast<int>(centre + support + 0.5);
    xmax = std::min(xmax, inSize) - xmin;
    double total = 0;
    for (int x = 0; x < xmax; ++x) {
      const double distance = std::fabs((x + xmin - centre + 0.5) / filterScale);
      k[x] = distance < 1.0 ? 1.0 - distance : 0.0;
      total += k[x];
    }
    for (int x = 0; x < xmax; ++x) {
      const double w = total != 0.0 ? k[x] / total : k[x];
      taps.weights[static_cast<size_t>(xx) * taps.maxTaps + x] = static_cast<int>(
          w < 0 ? -0.5 + w * (1 << kPrecisionBits) : 0.5 + w * (1 << kPrecisionBits));
    }
    taps.first[xx] = xmin;
    taps.count[xx] = xmax;
  }
  return taps;
}

std::uint8_t clip8(std::int32_t value) {
  return static_cast<std::uint8_t>(std::clamp(value >> kPrecisionBits, 0, 255));
}

// Resamples along x (horizontal) or y; input and output are interleaved RGB.
RgbImage resamplePass(const RgbImage& in, int outWidth, int outHeight, bool horizontal) {
  const Taps taps =
      horizontal ? computeTaps(in.width, outWidth) : computeTaps(in.height, outHeight);
  RgbImage out(outWidth, outHeight);
  // 32-bit sums as PIL's: 8-bit values times weights that add up to 2^22 stay below 2^31.
  const std::int32_t half = 1 << (kPrecisionBits - 1);
  // A tap's step through the input: the next pixel of a row, or the next row.
  const std::ptrdiff_t step = horizontal ? 3 : static_cast<std::ptrdiff_t>(in.width) * 3;
  // Rows are independent: split between the cores. Chunks of at least ~16k output pixels keep
  // small crops on one thread.
  const std::int64_t rowsPerChunk = std::max<std::int64_t>(1, 16384 / std::max(outWidth, 1));
  at::parallel_for(0, outHeight, rowsPerChunk, [&](std::int64_t begin, std::int64_t end) {
    for (int y = static_cast<int>(begin); y < static_cast<int>(end); ++y) {
      std::uint8_t* o = out.pixel(0, y);
      for (int x = 0; x < outWidth; ++x, o += 3) {
        const int index = horizontal ? x : y;
        const int* w = &taps.weights[static_cast<std::size_t>(index) * taps.maxTaps];
        const int count = taps.count[index];
        const std::uint8_t* p =
            horizontal ? in.pixel(taps.first[index], y) : in.pixel(x, taps.first[index]);
        std::int32_t r = half, g = half, b = half;
        for (int t = 0; t < count; ++t, p += step) {
          r += p[0] * w[t];
          g += p[1] * w[t];
          b += p[2] * w[t];
        }
        o[0] = clip8(r);
        o[1] = clip8(g);
        o[2] = clip8(b);
      }
    }
  });
  return out;
}

}  // namespace

RgbImage resizeBilinearAntialiased(const RgbImage& image, int width, int height) {
  // PIL's order: across the rows first, then down the columns; an axis kept is not resampled.
  if (width == image.width) {
    return height == image.height ? image : resamplePass(image, width, height, false);
  }
  RgbImage across = resamplePass(image, width, image.height, /*horizontal=*/true);
  if (height == image.height) return across;
  return resamplePass(across, width, height, /*horizontal=*/false);
}

}  // namespace medsa::model
