#include "medsa/core/distance_transform.h"

#include <limits>

namespace medsa {
namespace {

// Stands for "no outside pixel on this line yet"; large but finite so that differences of two
// such values stay exact-enough numbers instead of inf - inf.
constexpr double kFar = 1e20;

// One dimension of the transform: d[q] = min_p (q - p)^2 + f[p] (the lower envelope of parabolas).
void envelope(const double* f, int n, double* d, int* v, double* z) {
  int k = 0;
  v[0] = 0;
  z[0] = -std::numeric_limits<double>::infinity();
  z[1] = std::numeric_limits<double>::infinity();
  for (int q = 1; q < n; ++q) {
    // z[0] = -inf, so the search stops at k = 0 at the latest (s is always finite).
    double s;
    while (true) {
      const int p = v[k];
      s = ((f[q] + double(q) * q) - (f[p] + double(p) * p)) / (2.0 * (q - p));
      if (s > z[k]) break;
      --k;
    }
    ++k;
    v[k] = q;
    z[k] = s;
    z[k + 1] = std::numeric_limits<double>::infinity();
  }
  k = 0;
  for (int q = 0; q < n; ++q) {
    while (z[k + 1] < q) ++k;
    const double offset = q - v[k];
    d[q] = offset * offset + f[v[k]];
  }
}

}  // namespace

std::vector<double> squaredDistanceToOutside(const std::uint8_t* inside, int width, int height,
                                             bool borderIsOutside) {
  if (width <= 0 || height <= 0) return {};
  // With an outside border, work on a frame one pixel larger on every side.
  const int pad = borderIsOutside ? 1 : 0;
  const int w = width + 2 * pad, h = height + 2 * pad;
  std::vector<double> grid(static_cast<std::size_t>(w) * h, 0.0);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      if (inside[static_cast<std::size_t>(y) * width + x])
        grid[static_cast<std::size_t>(y + pad) * w + x + pad] = kFar;
    }
  }
  const int longest = w > h ? w : h;
  std::vector<double> f(longest), d(longest), z(longest + 1);
  std::vector<int> v(longest);
  for (int x = 0; x < w; ++x) {  // columns
    for (int y = 0; y < h; ++y) f[y] = grid[static_cast<std::size_t>(y) * w + x];
    envelope(f.data(), h, d.data(), v.data(), z.data());
    for (int y = 0; y < h; ++y) grid[static_cast<std::size_t>(y) * w + x] = d[y];
  }
  for (int y = 0; y < h; ++y) {  // rows
    double* row = grid.data() + static_cast<std::size_t>(y) * w;
    for (int x = 0; x < w; ++x) f[x] = row[x];
    envelope(f.data(), w, d.data(), v.data(), z.data());
    for (int x = 0; x < w; ++x) row[x] = d[x];
  }
  std::vector<double> out(static_cast<std::size_t>(width) * height);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const double value = grid[static_cast<std::size_t>(y + pad) * w + x + pad];
      // Only a picture with no outside pixel at all keeps the placeholder.
      out[static_cast<std::size_t>(y) * width + x] = value >= kFar / 2 ? kFar : value;
    }
  }
  return out;
}

Components connectedComponents(const std::uint8_t* mask, int width, int height) {
  Components result;
  const std::size_t n = static_cast<std::size_t>(width > 0 ? width : 0) * (height > 0 ? height : 0);
  result.labels.assign(n, 0);
  std::vector<std::int64_t> stack;
  for (std::size_t start = 0; start < n; ++start) {
    if (!mask[start] || result.labels[start]) continue;
    const std::int32_t label = static_cast<std::int32_t>(result.areas.size()) + 1;
    std::int64_t area = 0;
    result.labels[start] = label;
    stack.push_back(static_cast<std::int64_t>(start));
    while (!stack.empty()) {
      const std::int64_t index = stack.back();
      stack.pop_back();
      ++area;
      const int x = static_cast<int>(index % width), y = static_cast<int>(index / width);
      for (int dy = -1; dy <= 1; ++dy) {
        for (int dx = -1; dx <= 1; ++dx) {
          const int nx = x + dx, ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
          const std::size_t next = static_cast<std::size_t>(ny) * width + nx;
          if (mask[next] && !result.labels[next]) {
            result.labels[next] = label;
            stack.push_back(static_cast<std::int64_t>(next));
          }
        }
      }
    }
    result.areas.push_back(area);
  }
  return result;
}

}  // namespace medsa
