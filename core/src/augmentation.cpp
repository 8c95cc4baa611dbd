#include "medsa/core/augmentation.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace medsa {
namespace {

/// Where output pixel (x, y) takes its value from: the geometry of one augmentation.
struct Geometry {
  int width = 0, height = 0;  ///< of the output (swapped by odd quarter turns)
  int sourceWidth = 0, sourceHeight = 0;
  bool flipX = false, flipY = false;
  int quarterTurns = 0;
  double zoom = 1, shiftX = 0, shiftY = 0;

  /// The source pixel of an output pixel, or false when it falls outside the picture.
  bool source(int x, int y, int& sx, int& sy) const {
    // Undo scale and shift about the centre, in output coordinates.
    const double cx = (width - 1) / 2.0, cy = (height - 1) / 2.0;
    double u = (x - cx - shiftX) / zoom + cx;
    double v = (y - cy - shiftY) / zoom + cy;
    int ix = static_cast<int>(std::lround(u)), iy = static_cast<int>(std::lround(v));
    if (ix < 0 || iy < 0 || ix >= width || iy >= height) return false;
    // Undo the rotation (output = source turned clockwise by quarterTurns).
    int rx = ix, ry = iy;
    switch (quarterTurns) {
      case 1:
        rx = iy;
        ry = sourceHeight - 1 - ix;
        break;
      case 2:
        rx = sourceWidth - 1 - ix;
        ry = sourceHeight - 1 - iy;
        break;
      case 3:
        rx = sourceWidth - 1 - iy;
        ry = ix;
        break;
      default:
        break;
    }
    if (flipX) rx = sourceWidth - 1 - rx;
    if (flipY) ry = sourceHeight - 1 - ry;
    sx = rx;
    sy = ry;
    return sx >= 0 && sy >= 0 && sx < sourceWidth && sy < sourceHeight;
  }
};

}  // namespace

LabeledPicture augment(const LabeledPicture& picture, std::uint64_t seed,
                       const AugmentOptions& options) {
  std::mt19937_64 random(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const auto symmetric = [&](double amount) { return (unit(random) * 2 - 1) * amount; };

  Geometry g;
  g.sourceWidth = picture.image.width;
  g.sourceHeight = picture.image.height;
  g.flipX = options.flips && unit(random) < 0.5;
  g.flipY = options.flips && unit(random) < 0.5;
  g.quarterTurns = options.rotations ? static_cast<int>(random() % 4) : 0;
  const bool swapped = g.quarterTurns % 2 == 1;
  g.width = swapped ? g.sourceHeight : g.sourceWidth;
  g.height = swapped ? g.sourceWidth : g.sourceHeight;
  g.zoom = 1 + symmetric(options.scale);
  g.shiftX = symmetric(options.shift) * g.width;
  g.shiftY = symmetric(options.shift) * g.height;
  const double contrast = 1 + symmetric(options.contrast);
  const double brightness = symmetric(options.brightness) * 255;
  const double gamma = 1 + symmetric(options.gamma);

  LabeledPicture out;
  out.id = picture.id;
  out.labels = picture.labels;
  out.image.width = g.width;
  out.image.height = g.height;
  out.image.pixels.assign(static_cast<std::size_t>(g.width) * g.height * 3, 0);
  out.masks.assign(picture.masks.size(),
                   std::vector<std::uint8_t>(static_cast<std::size_t>(g.width) * g.height, 0));
  // One table for the intensity changes: gamma, then contrast about the middle, then brightness.
  std::uint8_t table[256];
  for (int v = 0; v < 256; ++v) {
    double x = 255 * std::pow(v / 255.0, gamma);
    x = (x - 127.5) * contrast + 127.5 + brightness;
    table[v] = static_cast<std::uint8_t>(std::clamp(std::lround(x), 0L, 255L));
  }
  for (int y = 0; y < g.height; ++y) {
    for (int x = 0; x < g.width; ++x) {
      int sx = 0, sy = 0;
      if (!g.source(x, y, sx, sy)) continue;  // outside the shifted picture: black, no object
      const std::size_t from = static_cast<std::size_t>(sy) * g.sourceWidth + sx;
      const std::size_t to = static_cast<std::size_t>(y) * g.width + x;
      for (int c = 0; c < 3; ++c)
        out.image.pixels[to * 3 + c] = table[picture.image.pixels[from * 3 + c]];
      for (std::size_t m = 0; m < picture.masks.size(); ++m)
        out.masks[m][to] = picture.masks[m][from];
    }
  }
  return out;
}

}  // namespace medsa
