#include "scene_paint.h"

#include <cmath>

#include "medsa/core/distance_transform.h"

namespace medsa::scene {

Rect boundsOf(const std::vector<std::uint8_t>& mask, int width, int height) {
  Rect r{width, height, 0, 0};
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      if (!mask[static_cast<std::size_t>(y) * width + x]) continue;
      r.x0 = std::min(r.x0, x);
      r.y0 = std::min(r.y0, y);
      r.x1 = std::max(r.x1, x + 1);
      r.y1 = std::max(r.y1, y + 1);
    }
  }
  return r;
}

void paint(Canvas& canvas, const std::vector<std::uint8_t>& mask, Rect box, const Appearance& look,
           Rng& rng) {
  if (box.empty()) return;
  const int w = canvas.width;
  const int bw = box.x1 - box.x0, bh = box.y1 - box.y0;
  std::vector<double> distance;
  double maxDistance = 1;
  if (look.domeAmp != 0 || look.rimAmp != 0) {
    std::vector<std::uint8_t> local(static_cast<std::size_t>(bw) * bh);
    for (int y = 0; y < bh; ++y)
      for (int x = 0; x < bw; ++x)
        local[static_cast<std::size_t>(y) * bw + x] =
            mask[static_cast<std::size_t>(y + box.y0) * w + x + box.x0];
    // The box may be cut by the picture's edge; the object continues beyond it, so the edge is
    // not a boundary for shading.
    distance = squaredDistanceToOutside(local.data(), bw, bh, false);
    for (double& d : distance) {
      d = d >= 1e19 ? 0 : std::sqrt(d);
      maxDistance = std::max(maxDistance, d);
    }
  }
  const Fractal noise(rng, look.textureCell, 3, canvas.width, canvas.height);
  const double ox = rng.uniform(0, 1000), oy = rng.uniform(0, 1000);
  const double ca = std::cos(look.gradientAngle), sa = std::sin(look.gradientAngle);
  const double cs = std::cos(look.stripeAngle), ss = std::sin(look.stripeAngle);
  const double cx = (box.x0 + box.x1) / 2.0, cy = (box.y0 + box.y1) / 2.0;
  const double extent = std::max(bw, bh) / 2.0 + 1;
  for (int y = box.y0; y < box.y1; ++y) {
    for (int x = box.x0; x < box.x1; ++x) {
      if (!mask[static_cast<std::size_t>(y) * w + x]) continue;
      double t = 0;
      switch (look.texture) {
        case Texture::None:
          break;
        case Texture::Noise:
          t = noise.at(x, y);
          break;
        case Texture::Stripes: {
          const double along = (x * cs + y * ss) / look.stripePeriod;
          t = std::sin(2 * kPi * along + 4 * noise.at(x, y));
          break;
        }
        case Texture::Spots:
          t = noise.at(x + ox, y + oy) > 0.25 ? 1.0 : -0.2;
          break;
      }
      const double g = look.gradientAmp * (((x - cx) * ca + (y - cy) * sa) / extent);
      double shade = g;
      if (!distance.empty()) {
        const double d = distance[static_cast<std::size_t>(y - box.y0) * bw + x - box.x0];
        shade += look.domeAmp * (std::sqrt(d / maxDistance) - 0.5);
        if (look.rimWidth > 0 && d <= look.rimWidth) shade += look.rimAmp;
      }
      float* p = canvas.at(x, y);
      for (int c = 0; c < 3; ++c)
        p[c] = static_cast<float>(look.base[c] + shade + look.textureAmp * look.tint[c] * t);
    }
  }
}

void gaussianBlur(Canvas& canvas, double sigma) {
  if (sigma < 0.3) return;
  const int radius = static_cast<int>(std::ceil(3 * sigma));
  std::vector<double> kernel(2 * radius + 1);
  double total = 0;
  for (int i = -radius; i <= radius; ++i)
    total += kernel[i + radius] = std::exp(-0.5 * i * i / (sigma * sigma));
  for (double& k : kernel) k /= total;
  const int w = canvas.width, h = canvas.height;
  std::vector<float> tmp(canvas.pixels.size());
  for (int pass = 0; pass < 2; ++pass) {
    const std::vector<float>& src = pass == 0 ? canvas.pixels : tmp;
    std::vector<float>& dst = pass == 0 ? tmp : canvas.pixels;
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) {
        double sum[3] = {0, 0, 0};
        for (int i = -radius; i <= radius; ++i) {
          // Edges are mirrored so that borders keep their brightness.
          int sx = pass == 0 ? x + i : x, sy = pass == 0 ? y : y + i;
          if (sx < 0) sx = -sx - 1;
          if (sy < 0) sy = -sy - 1;
          if (sx >= w) sx = 2 * w - sx - 1;
          if (sy >= h) sy = 2 * h - sy - 1;
          sx = std::clamp(sx, 0, w - 1);
          sy = std::clamp(sy, 0, h - 1);
          const float* p = &src[(static_cast<std::size_t>(sy) * w + sx) * 3];
          const double k = kernel[i + radius];
          sum[0] += k * p[0];
          sum[1] += k * p[1];
          sum[2] += k * p[2];
        }
        float* q = &dst[(static_cast<std::size_t>(y) * w + x) * 3];
        q[0] = static_cast<float>(sum[0]);
        q[1] = static_cast<float>(sum[1]);
        q[2] = static_cast<float>(sum[2]);
      }
    }
  }
}

}  // namespace medsa::scene
