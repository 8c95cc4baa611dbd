#pragma once
// Painting of the synthetic scenes (core/synthetic_scene.h): value-noise textures, how a region
// looks and is painted, and the blur of the whole picture. Internal to medsa_core.

#include <algorithm>
#include <array>
#include <cstdint>
#include <numbers>
#include <vector>

#include "medsa/core/random.h"

namespace medsa::scene {

constexpr double kPi = std::numbers::pi;
using Colour = std::array<double, 3>;

inline double clamp01(double v) { return std::clamp(v, 0.0, 1.0); }
inline double smooth(double t) { return t * t * (3 - 2 * t); }

// Smooth random values on a lattice of `cell` pixels, interpolated with smoothstep: in [-1, 1].
class ValueNoise {
 public:
  ValueNoise(Rng& rng, double cell, int width, int height)
      : cell_(std::max(cell, 1.0)),
        cols_(static_cast<int>(width / cell_) + 3),
        rows_(static_cast<int>(height / cell_) + 3),
        values_(static_cast<std::size_t>(cols_) * rows_) {
    for (double& v : values_) v = rng.uniform(-1, 1);
  }
  double at(double x, double y) const {
    const double gx = std::max(x / cell_, 0.0), gy = std::max(y / cell_, 0.0);
    const int ix = std::min(static_cast<int>(gx), cols_ - 2);
    const int iy = std::min(static_cast<int>(gy), rows_ - 2);
    const double fx = smooth(std::min(gx - ix, 1.0)), fy = smooth(std::min(gy - iy, 1.0));
    const double* r0 = &values_[static_cast<std::size_t>(iy) * cols_ + ix];
    const double* r1 = r0 + cols_;
    return (r0[0] * (1 - fx) + r0[1] * fx) * (1 - fy) + (r1[0] * (1 - fx) + r1[1] * fx) * fy;
  }

 private:
  double cell_;
  int cols_, rows_;
  std::vector<double> values_;
};

// Octaves of value noise, each half the cell and half the amplitude of the last.
class Fractal {
 public:
  Fractal(Rng& rng, double cell, int octaves, int width, int height) {
    double amplitude = 1, total = 0;
    for (int o = 0; o < octaves && cell >= 1.0; ++o, cell /= 2, amplitude /= 2) {
      layers_.emplace_back(rng, cell, width, height);
      amplitudes_.push_back(amplitude);
      total += amplitude;
    }
    for (double& a : amplitudes_) a /= std::max(total, 1e-9);
  }
  double at(double x, double y) const {
    double sum = 0;
    for (std::size_t i = 0; i < layers_.size(); ++i) sum += amplitudes_[i] * layers_[i].at(x, y);
    return sum;
  }

 private:
  std::vector<ValueNoise> layers_;
  std::vector<double> amplitudes_;
};

enum class Texture { None, Noise, Stripes, Spots };

// How a region is painted.
struct Appearance {
  Colour base{0.5, 0.5, 0.5};
  Texture texture = Texture::None;
  double textureAmp = 0, textureCell = 8;
  Colour tint{1, 1, 1};  // per-channel weight of the texture
  double stripeAngle = 0, stripePeriod = 6;
  double gradientAmp = 0, gradientAngle = 0;  // linear shading across the region
  double domeAmp = 0;                         // brighter (or darker) towards the middle
  double rimAmp = 0, rimWidth = 0;            // a band along the boundary
};

struct Canvas {
  int width = 0, height = 0;
  std::vector<float> pixels;  // RGB interleaved, linear [0, 1]
  float* at(int x, int y) { return &pixels[(static_cast<std::size_t>(y) * width + x) * 3]; }
};

struct Rect {
  int x0 = 0, y0 = 0, x1 = 0, y1 = 0;  // x1, y1 exclusive
  bool empty() const { return x1 <= x0 || y1 <= y0; }
};

/// The bounding box of a mask's set pixels (empty when none is set).
Rect boundsOf(const std::vector<std::uint8_t>& mask, int width, int height);

/// Paints `look` on the pixels of `mask` (inside `box`).
void paint(Canvas& canvas, const std::vector<std::uint8_t>& mask, Rect box, const Appearance& look,
           Rng& rng);

/// A separable Gaussian blur of the whole canvas (edges mirrored); nothing below sigma 0.3.
void gaussianBlur(Canvas& canvas, double sigma);

}  // namespace medsa::scene
