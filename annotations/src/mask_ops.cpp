#include "medsa/annotations/mask_ops.h"

#include <algorithm>
#include <cmath>

namespace medsa::annotations {

Mask maskOf(const LabelSlice& slice, std::uint16_t value) {
  Mask mask(slice.values.size(), 0);
  for (std::size_t i = 0; i < mask.size(); ++i) mask[i] = slice.values[i] == value ? 1 : 0;
  return mask;
}

Mask holesOf(const Mask& mask, int width, int height) {
  const std::size_t n = static_cast<std::size_t>(width) * static_cast<std::size_t>(height);
  Mask outside(n, 0);
  std::vector<std::size_t> stack;
  auto seed = [&](int x, int y) {
    const std::size_t i = static_cast<std::size_t>(y) * width + x;
    if (!mask[i] && !outside[i]) {
      outside[i] = 1;
      stack.push_back(i);
    }
  };
  for (int x = 0; x < width; ++x) {
    seed(x, 0);
    seed(x, height - 1);
  }
  for (int y = 0; y < height; ++y) {
    seed(0, y);
    seed(width - 1, y);
  }
  while (!stack.empty()) {
    const std::size_t i = stack.back();
    stack.pop_back();
    const int x = static_cast<int>(i % width), y = static_cast<int>(i / width);
    if (x > 0) seed(x - 1, y);
    if (x + 1 < width) seed(x + 1, y);
    if (y > 0) seed(x, y - 1);
    if (y + 1 < height) seed(x, y + 1);
  }
  Mask holes(n, 0);
  for (std::size_t i = 0; i < n; ++i) holes[i] = (!mask[i] && !outside[i]) ? 1 : 0;
  return holes;
}

Mask smallIslandsOf(const Mask& mask, int width, int height, std::size_t minPixels) {
  const std::size_t n = static_cast<std::size_t>(width) * static_cast<std::size_t>(height);
  Mask seen(n, 0), islands(n, 0);
  std::vector<std::size_t> stack, component;
  for (std::size_t start = 0; start < n; ++start) {
    if (!mask[start] || seen[start]) continue;
    component.clear();
    stack.push_back(start);
    seen[start] = 1;
    while (!stack.empty()) {
      const std::size_t i = stack.back();
      stack.pop_back();
      component.push_back(i);
      const int x = static_cast<int>(i % width), y = static_cast<int>(i / width);
      for (int dy = -1; dy <= 1; ++dy) {
        for (int dx = -1; dx <= 1; ++dx) {
          const int nx = x + dx, ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
          const std::size_t j = static_cast<std::size_t>(ny) * width + nx;
          if (mask[j] && !seen[j]) {
            seen[j] = 1;
            stack.push_back(j);
          }
        }
      }
    }
    if (component.size() < minPixels) {
      for (std::size_t i : component) islands[i] = 1;
    }
  }
  return islands;
}

void paintDisc(Mask& mask, int width, int height, double cx, double cy, double radius) {
  const int x0 = std::max(0, static_cast<int>(std::floor(cx - radius)));
  const int x1 = std::min(width - 1, static_cast<int>(std::ceil(cx + radius)));
  const int y0 = std::max(0, static_cast<int>(std::floor(cy - radius)));
  const int y1 = std::min(height - 1, static_cast<int>(std::ceil(cy + radius)));
  const double r2 = std::max(radius * radius, 0.25);
  for (int y = y0; y <= y1; ++y) {
    for (int x = x0; x <= x1; ++x) {
      // Pixel centres at +0.5, as the prompts.
      const double dx = x + 0.5 - cx, dy = y + 0.5 - cy;
      if (dx * dx + dy * dy <= r2) mask[static_cast<std::size_t>(y) * width + x] = 1;
    }
  }
}

void paintSegment(Mask& mask, int width, int height, double x0, double y0, double x1, double y1,
                  double radius) {
  const double length = std::hypot(x1 - x0, y1 - y0);
  const int steps = std::max(1, static_cast<int>(std::ceil(length / std::max(0.5, radius / 2))));
  for (int s = 0; s <= steps; ++s) {
    const double t = static_cast<double>(s) / steps;
    paintDisc(mask, width, height, x0 + t * (x1 - x0), y0 + t * (y1 - y0), radius);
  }
}

std::size_t area(const Mask& mask) {
  return static_cast<std::size_t>(
      std::count_if(mask.begin(), mask.end(), [](std::uint8_t v) { return v != 0; }));
}

double maskIou(const Mask& a, const Mask& b) {
  std::size_t inter = 0, uni = 0;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    inter += (a[i] && b[i]) ? 1 : 0;
    uni += (a[i] || b[i]) ? 1 : 0;
  }
  return uni == 0 ? 1.0 : static_cast<double>(inter) / static_cast<double>(uni);
}

void paintPolygon(Mask& mask, int width, int height, const std::vector<double>& xs,
                  const std::vector<double>& ys) {
  const std::size_t n = std::min(xs.size(), ys.size());
  if (n < 3 || width <= 0 || height <= 0) return;
  std::vector<double> crossings;
  for (int y = 0; y < height; ++y) {
    // Scan line through the pixel centres; an edge counts when it spans the line half-open,
    // so a vertex exactly on the line is counted once.
    const double yc = y + 0.5;
    crossings.clear();
    for (std::size_t i = 0, j = n - 1; i < n; j = i++) {
      if ((ys[i] <= yc) == (ys[j] <= yc)) continue;
      crossings.push_back(xs[j] + (yc - ys[j]) * (xs[i] - xs[j]) / (ys[i] - ys[j]));
    }
    std::sort(crossings.begin(), crossings.end());
    for (std::size_t k = 0; k + 1 < crossings.size(); k += 2) {
      const int x0 = std::max(0, static_cast<int>(std::ceil(crossings[k] - 0.5)));
      const int x1 = std::min(width - 1, static_cast<int>(std::ceil(crossings[k + 1] - 0.5)) - 1);
      for (int x = x0; x <= x1; ++x) mask[static_cast<std::size_t>(y) * width + x] = 1;
    }
  }
}

}  // namespace medsa::annotations
