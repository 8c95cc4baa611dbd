#include "medsa/core/synthetic_scene.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include "medsa/core/distance_transform.h"
#include "medsa/core/random.h"
#include "scene_paint.h"

namespace medsa {
namespace {

using namespace scene;
bool isGreyStyle(SceneStyle s) {
  return s == SceneStyle::Ct || s == SceneStyle::Mr || s == SceneStyle::Ultrasound;
}

template <std::size_t N>
int pickWeighted(const std::array<double, N>& weights, Rng& rng) {
  double total = 0;
  for (double w : weights) total += std::max(w, 0.0);
  if (total <= 0) return 0;
  double pick = rng.uniform() * total;
  for (std::size_t i = 0; i < N; ++i) {
    pick -= std::max(weights[i], 0.0);
    if (pick < 0) return static_cast<int>(i);
  }
  return static_cast<int>(N) - 1;
}

// ---- shapes -------------------------------------------------------------------------------

// A closed star-shaped outline around a centre: ellipse, blob or polygon.
struct Outline {
  enum Kind { Ellipse, Blob, Polygon } kind = Ellipse;
  double cx = 0, cy = 0, r = 10, aspect = 1, rotation = 0;
  std::vector<double> amp, phase;  // blob harmonics 2, 3, ...
  std::vector<double> vx, vy;      // polygon corners relative to the centre, unrotated
  double cosRot = 1, sinRot = 0;   // of `rotation`, computed once (inside() is per pixel)
  void setRotation(double angle) {
    rotation = angle;
    cosRot = std::cos(angle);
    sinRot = std::sin(angle);
  }
  double reach() const {  // radius of a circle that holds the outline
    double extra = 1;
    for (double a : amp) extra += std::fabs(a);
    return r * std::max(aspect, 1.0) * extra + 1;
  }
  // Whether (x, y) lies inside the outline shrunk about its centre by `scale`.
  bool inside(double x, double y, double scale = 1) const {
    const double dx = x - cx, dy = y - cy;
    double u = (dx * cosRot + dy * sinRot) / scale, v = (-dx * sinRot + dy * cosRot) / scale;
    if (kind == Polygon) {
      bool in = false;
      const std::size_t n = vx.size();
      for (std::size_t i = 0, j = n - 1; i < n; j = i++) {
        if ((vy[i] > v) != (vy[j] > v) &&
            u < (vx[j] - vx[i]) * (v - vy[i]) / (vy[j] - vy[i]) + vx[i])
          in = !in;
      }
      return in;
    }
    u /= aspect;
    const double rho = std::sqrt(u * u + v * v);
    double radius = r;
    if (kind == Blob) {
      const double phi = std::atan2(v, u);
      double m = 1;
      for (std::size_t k = 0; k < amp.size(); ++k) m += amp[k] * std::cos((k + 2) * phi + phase[k]);
      radius *= m;
    }
    return rho <= radius;
  }
};

Outline randomOutline(Rng& rng, double cx, double cy, double r, int forced = -1) {
  Outline o;
  const int kind = forced >= 0 ? forced : rng.uniformInt(0, 2);
  o.kind = static_cast<Outline::Kind>(kind);
  o.cx = cx;
  o.cy = cy;
  o.r = r;
  o.aspect = std::exp(rng.uniform(-0.5, 0.5));
  o.setRotation(rng.uniform(0, kPi));
  if (o.kind == Outline::Blob) {
    const int harmonics = rng.uniformInt(2, 5);
    for (int k = 0; k < harmonics; ++k) {
      o.amp.push_back(rng.uniform(0, 0.28) / (1 + 0.6 * k));
      o.phase.push_back(rng.uniform(0, 2 * kPi));
    }
  } else if (o.kind == Outline::Polygon) {
    const int corners = rng.uniformInt(3, 9);
    const bool concave = rng.bernoulli(0.35);
    std::vector<double> angles;
    for (int i = 0; i < corners; ++i) angles.push_back(rng.uniform(0, 2 * kPi));
    std::sort(angles.begin(), angles.end());
    for (int i = 0; i < corners; ++i) {
      const double radius = r * (concave ? rng.uniform(0.45, 1.0) : rng.uniform(0.8, 1.0));
      o.vx.push_back(radius * std::cos(angles[i]) * o.aspect);
      o.vy.push_back(radius * std::sin(angles[i]));
    }
    // Three corners bunched on one side make a sliver: spread them evenly instead.
    if (corners <= 4) {
      for (int i = 0; i < corners; ++i) {
        const double a = angles[0] + 2 * kPi * i / corners + rng.uniform(-0.3, 0.3);
        o.vx[i] = r * std::cos(a) * o.aspect;
        o.vy[i] = r * std::sin(a);
      }
    }
  }
  return o;
}

void rasterise(const Outline& o, double scale, int width, int height,
               std::vector<std::uint8_t>& mask, bool set = true) {
  const double reach = o.reach() * scale;
  const int x0 = std::max(0, static_cast<int>(o.cx - reach)),
            x1 = std::min(width - 1, static_cast<int>(o.cx + reach) + 1);
  const int y0 = std::max(0, static_cast<int>(o.cy - reach)),
            y1 = std::min(height - 1, static_cast<int>(o.cy + reach) + 1);
  for (int y = y0; y <= y1; ++y)
    for (int x = x0; x <= x1; ++x)
      if (o.inside(x + 0.5, y + 0.5, scale)) mask[static_cast<std::size_t>(y) * width + x] = set;
}

// A smooth curve of varying width: a random walk of direction, stamped as discs.
void rasteriseTube(Rng& rng, double x, double y, double length, double width0, double width1,
                   int width, int height, std::vector<std::uint8_t>& mask) {
  double angle = rng.uniform(0, 2 * kPi), turn = 0;
  const double step = 0.5;
  const int steps = static_cast<int>(length / step);
  const double bendiness = rng.uniform(0.001, 0.006);
  for (int i = 0; i <= steps; ++i) {
    const double t = static_cast<double>(i) / std::max(steps, 1);
    const double radius = (width0 + (width1 - width0) * t) / 2;
    const int rx0 = std::max(0, static_cast<int>(x - radius - 1)),
              rx1 = std::min(width - 1, static_cast<int>(x + radius + 1));
    const int ry0 = std::max(0, static_cast<int>(y - radius - 1)),
              ry1 = std::min(height - 1, static_cast<int>(y + radius + 1));
    for (int py = ry0; py <= ry1; ++py)
      for (int px = rx0; px <= rx1; ++px)
        if ((px + 0.5 - x) * (px + 0.5 - x) + (py + 0.5 - y) * (py + 0.5 - y) <= radius * radius)
          mask[static_cast<std::size_t>(py) * width + px] = 1;
    turn = std::clamp(turn + rng.normal() * bendiness, -0.03, 0.03);
    angle += turn;
    x += step * std::cos(angle);
    y += step * std::sin(angle);
  }
}

// ---- styles -------------------------------------------------------------------------------

Colour randomColour(Rng& rng, bool grey) {
  if (grey) {
    const double g = rng.uniform(0.05, 0.95);
    return {g, g, g};
  }
  return {rng.uniform(0.05, 0.95), rng.uniform(0.05, 0.95), rng.uniform(0.05, 0.95)};
}

// An object colour for the style, at least `minContrast` (mean over channels) from each colour
// of `against` (what the object sits on or touches).
Colour objectColour(SceneStyle style, const std::vector<Colour>& against, bool grey, Rng& rng) {
  const double minContrast = 0.09;
  const auto contrast = [&](const Colour& c) {
    double least = 1;
    for (const Colour& other : against) {
      double diff = 0;
      for (int k = 0; k < 3; ++k) diff += std::fabs(c[k] - other[k]) / 3;
      least = std::min(least, diff);
    }
    return least;
  };
  Colour c{};
  for (int attempt = 0; attempt < 16; ++attempt) {
    switch (style) {
      case SceneStyle::Fundus:
        c = rng.bernoulli(0.5)
                ? Colour{rng.uniform(0.85, 1.0), rng.uniform(0.65, 0.9), rng.uniform(0.25, 0.55)}
                : Colour{rng.uniform(0.35, 0.6), rng.uniform(0.06, 0.2), rng.uniform(0.03, 0.1)};
        break;
      case SceneStyle::Dermoscopy:
        c = rng.bernoulli(0.8)
                ? Colour{rng.uniform(0.2, 0.6), rng.uniform(0.12, 0.4), rng.uniform(0.08, 0.3)}
                : Colour{rng.uniform(0.6, 0.8), rng.uniform(0.3, 0.45), rng.uniform(0.3, 0.45)};
        break;
      case SceneStyle::Ultrasound: {
        // Mostly darker than the tissue (cysts, vessels), sometimes brighter (calcifications).
        const double g = rng.bernoulli(0.7) ? rng.uniform(0.02, 0.25) : rng.uniform(0.05, 0.95);
        c = {g, g, g};
        break;
      }
      default:
        c = randomColour(rng, grey);
    }
    if (contrast(c) >= minContrast) return c;
  }
  // Rarely nothing fits (grey between two greys): take the extreme farthest from them all.
  const Colour dark{0.03, 0.03, 0.03}, bright{0.95, 0.95, 0.95};
  return contrast(dark) > contrast(bright) ? dark : bright;
}

Appearance objectLook(SceneStyle style, const Colour& base, bool grey, double scale, Rng& rng) {
  Appearance a;
  a.base = base;
  const int texture = rng.uniformInt(0, 3);
  a.texture = static_cast<Texture>(texture);
  a.textureAmp = a.texture == Texture::None ? 0 : rng.uniform(0.01, 0.07);
  a.textureCell = rng.uniform(2, 14) * scale;
  a.stripePeriod = rng.uniform(3, 10) * scale;
  a.stripeAngle = rng.uniform(0, kPi);
  if (!grey) a.tint = {rng.uniform(0.5, 1), rng.uniform(0.5, 1), rng.uniform(0.5, 1)};
  if (rng.bernoulli(0.5)) {
    a.gradientAmp = rng.uniform(-0.08, 0.08);
    a.gradientAngle = rng.uniform(0, 2 * kPi);
  }
  if (rng.bernoulli(0.4)) a.domeAmp = rng.uniform(-0.1, 0.12);
  const double rimChance = style == SceneStyle::Ultrasound ? 0.5 : 0.2;
  if (rng.bernoulli(rimChance)) {
    a.rimAmp = rng.uniform(-0.12, 0.15);
    a.rimWidth = rng.uniform(1.0, 3.0) * scale;
  }
  return a;
}

struct StyleFrame {
  Colour background{0.5, 0.5, 0.5};  // what objects are contrasted against
  bool grey = true;
  std::vector<std::uint8_t> fieldOfView;  // 1 = picture content, 0 = black surround
};

// Paints the style's background (body, retina, skin...) and returns what objects sit on.
StyleFrame paintBackground(SceneStyle style, Canvas& canvas, double scale, Rng& rng) {
  const int w = canvas.width, h = canvas.height;
  StyleFrame frame;
  frame.fieldOfView.assign(static_cast<std::size_t>(w) * h, 1);
  frame.grey = isGreyStyle(style) || (style == SceneStyle::Generic && rng.bernoulli(0.5));
  std::vector<std::uint8_t> all(static_cast<std::size_t>(w) * h, 1);
  const Rect whole{0, 0, w, h};
  Appearance look;
  look.texture = Texture::Noise;
  look.textureCell = rng.uniform(6, 40) * scale;
  look.textureAmp = rng.uniform(0.0, 0.08);
  const double cx = w / 2.0 + rng.uniform(-0.05, 0.05) * w,
               cy = h / 2.0 + rng.uniform(-0.05, 0.05) * h;
  switch (style) {
    case SceneStyle::Generic: {
      look.base = randomColour(rng, frame.grey);
      look.texture = static_cast<Texture>(rng.uniformInt(0, 3));
      look.textureAmp = rng.uniform(0.0, 0.1);
      look.stripePeriod = rng.uniform(3, 12) * scale;
      look.stripeAngle = rng.uniform(0, kPi);
      look.gradientAmp = rng.uniform(-0.15, 0.15);
      look.gradientAngle = rng.uniform(0, 2 * kPi);
      if (!frame.grey) look.tint = {rng.uniform(0.5, 1), rng.uniform(0.5, 1), rng.uniform(0.5, 1)};
      paint(canvas, all, whole, look, rng);
      frame.background = look.base;
      return frame;
    }
    case SceneStyle::Ct:
    case SceneStyle::Mr: {
      const double air = rng.uniform(0.0, 0.05);
      Appearance outside;
      outside.base = {air, air, air};
      paint(canvas, all, whole, outside, rng);
      // The body (or head): a large ellipse, unlabelled, with a darker (fat / skull) rim.
      Outline body = randomOutline(rng, cx, cy, 0.46 * std::min(w, h), Outline::Blob);
      body.aspect = std::exp(rng.uniform(-0.15, 0.35)) * w / std::max(w, h) * 1.0;
      body.r = 0.45 * std::min(w, h) * rng.uniform(0.9, 1.1);
      for (double& a : body.amp) a *= 0.3;
      std::vector<std::uint8_t> mask(static_cast<std::size_t>(w) * h, 0);
      rasterise(body, 1.0, w, h, mask);
      const double tissue =
          style == SceneStyle::Ct ? rng.uniform(0.35, 0.5) : rng.uniform(0.25, 0.55);
      look.base = {tissue, tissue, tissue};
      look.rimWidth = rng.uniform(3, 9) * scale;
      look.rimAmp = style == SceneStyle::Ct ? -rng.uniform(0.05, 0.15) : rng.uniform(-0.15, 0.2);
      look.textureAmp = style == SceneStyle::Ct ? rng.uniform(0.01, 0.04) : rng.uniform(0.03, 0.08);
      paint(canvas, mask, boundsOf(mask, w, h), look, rng);
      frame.background = look.base;
      return frame;
    }
    case SceneStyle::Ultrasound: {
      const double tissue = rng.uniform(0.3, 0.55);
      look.base = {tissue, tissue, tissue};
      look.textureAmp = rng.uniform(0.03, 0.08);
      look.gradientAmp = rng.uniform(-0.15, 0.0);  // attenuation with depth
      look.gradientAngle = kPi / 2;
      paint(canvas, all, whole, look, rng);
      // A sector from an apex above the top edge.
      const double apexX = cx, apexY = -rng.uniform(0.05, 0.3) * h;
      const double half = rng.uniform(0.45, 0.75);
      const double reach = h * rng.uniform(1.05, 1.3) - apexY;
      for (int y = 0; y < h; ++y) {
        for (int x = 0; x < w; ++x) {
          const double dx = x + 0.5 - apexX, dy = y + 0.5 - apexY;
          const bool in = std::fabs(std::atan2(dx, dy)) <= half && std::hypot(dx, dy) <= reach;
          frame.fieldOfView[static_cast<std::size_t>(y) * w + x] = in;
        }
      }
      frame.background = look.base;
      return frame;
    }
    case SceneStyle::Fundus: {
      look.base = {rng.uniform(0.7, 0.9), rng.uniform(0.28, 0.45), rng.uniform(0.08, 0.2)};
      look.tint = {1, 0.6, 0.3};
      look.domeAmp = 0;
      paint(canvas, all, whole, look, rng);
      const double radius = std::min(w, h) * rng.uniform(0.46, 0.52);
      for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
          frame.fieldOfView[static_cast<std::size_t>(y) * w + x] =
              (x + 0.5 - cx) * (x + 0.5 - cx) + (y + 0.5 - cy) * (y + 0.5 - cy) <= radius * radius;
      frame.grey = false;
      frame.background = look.base;
      return frame;
    }
    case SceneStyle::Dermoscopy: {
      look.base = {rng.uniform(0.75, 0.95), rng.uniform(0.55, 0.75), rng.uniform(0.45, 0.65)};
      look.tint = {1, 0.9, 0.8};
      look.textureAmp = rng.uniform(0.02, 0.06);
      paint(canvas, all, whole, look, rng);
      if (rng.bernoulli(0.6)) {  // the dermatoscope's round window
        const double radius = std::hypot(w, h) * rng.uniform(0.38, 0.5);
        for (int y = 0; y < h; ++y)
          for (int x = 0; x < w; ++x)
            frame.fieldOfView[static_cast<std::size_t>(y) * w + x] =
                (x + 0.5 - w / 2.0) * (x + 0.5 - w / 2.0) +
                    (y + 0.5 - h / 2.0) * (y + 0.5 - h / 2.0) <=
                radius * radius;
      }
      frame.grey = false;
      frame.background = look.base;
      return frame;
    }
  }
  return frame;
}

// ---- whole-picture effects ----------------------------------------------------------------

void hairs(Canvas& canvas, double scale, Rng& rng) {
  const int w = canvas.width, h = canvas.height;
  const int count = rng.uniformInt(1, 7);
  for (int i = 0; i < count; ++i) {
    std::vector<std::uint8_t> mask(static_cast<std::size_t>(w) * h, 0);
    const double thickness = rng.uniform(1.0, 2.5) * scale;
    rasteriseTube(rng, rng.uniform(0, w), rng.uniform(0, h), rng.uniform(0.3, 0.9) * w, thickness,
                  thickness, w, h, mask);
    const double dark = rng.uniform(0.05, 0.25);
    for (std::size_t p = 0; p < mask.size(); ++p) {
      if (!mask[p]) continue;
      float* px = &canvas.pixels[p * 3];
      px[0] = static_cast<float>(dark);
      px[1] = static_cast<float>(dark * 0.8);
      px[2] = static_cast<float>(dark * 0.7);
    }
  }
}

// ---- the scene ----------------------------------------------------------------------------

struct Piece {
  std::vector<std::uint8_t> mask;  // as drawn (before anything drawn later covers it)
  Appearance look;
  ShapeKind kind = ShapeKind::Ellipse;
  bool labelled = true;
};

}  // namespace

std::string_view shapeKindName(ShapeKind kind) {
  static constexpr std::string_view names[] = {"ellipse", "blob",   "polygon", "tube",
                                               "ring",    "nested", "touching"};
  return names[static_cast<int>(kind)];
}

std::string_view sceneStyleName(SceneStyle style) {
  static constexpr std::string_view names[] = {"generic",    "ct",     "mr",
                                               "ultrasound", "fundus", "dermoscopy"};
  return names[static_cast<int>(style)];
}

SceneMix SceneMix::training() {
  SceneMix mix;
  mix.shapes = {1.2, 1.5, 1.0, 0.8, 0.7, 0.8, 0.8};
  mix.styles = {1.5, 1.0, 1.0, 1.0, 1.0, 1.0};
  return mix;
}

SceneMix SceneMix::hardShapes() {
  SceneMix mix = training();
  mix.shapes = {0.6, 1.0, 1.0, 1.6, 1.6, 1.4, 1.6};
  return mix;
}

std::optional<SceneMix> SceneMix::named(std::string_view name) {
  if (name == "training") return training();
  if (name == "hard") return hardShapes();
  return std::nullopt;
}

SceneMix SceneMix::heldOut() {
  SceneMix mix;
  mix.shapes = {0.6, 1.0, 1.4, 1.0, 1.0, 1.0, 1.0};
  mix.styles = {0.6, 1.2, 1.2, 1.0, 1.0, 1.0};
  mix.minShapes = 1;
  mix.maxShapes = 3;
  return mix;
}

SyntheticScene generateScene(std::uint64_t seed, std::uint64_t index, const SceneOptions& options) {
  Rng rng = Rng::derived(seed, index, 0x5ce0e);
  const SceneMix& mix = options.mix;
  const int size = std::max(options.size, 16);
  int w = size, h = size;
  if (rng.bernoulli(mix.nonSquare)) {
    const int shorter = std::max(16, static_cast<int>(size * rng.uniform(0.6, 0.95)));
    if (rng.bernoulli(0.5))
      w = shorter;
    else
      h = shorter;
  }
  const double scale = size / 256.0;  // sizes below are tuned for 256-pixel pictures
  const int minSide = std::min(w, h);

  SyntheticScene scene;
  scene.style = static_cast<SceneStyle>(pickWeighted(mix.styles, rng));
  Canvas canvas{w, h, std::vector<float>(static_cast<std::size_t>(w) * h * 3, 0.f)};
  const StyleFrame frame = paintBackground(scene.style, canvas, scale, rng);
  const std::size_t n = static_cast<std::size_t>(w) * h;

  std::vector<Piece> pieces;
  const auto blank = [&] { return std::vector<std::uint8_t>(n, 0); };
  const auto look = [&](std::vector<Colour> against) {
    return objectLook(scene.style, objectColour(scene.style, against, frame.grey, rng), frame.grey,
                      scale, rng);
  };

  // Unlabelled structures behind the objects: not everything in a picture is the target.
  const bool vessels = scene.style == SceneStyle::Fundus;
  if (vessels || rng.bernoulli(mix.distractors)) {
    const int count = vessels ? rng.uniformInt(3, 8) : rng.uniformInt(1, 3);
    for (int i = 0; i < count; ++i) {
      Piece piece{blank(), {}, ShapeKind::Tube, false};
      if (vessels || rng.bernoulli(0.4)) {
        const double width0 = rng.uniform(2.5, 7) * scale;
        rasteriseTube(rng, rng.uniform(0.2, 0.8) * w, rng.uniform(0.2, 0.8) * h,
                      rng.uniform(0.3, 0.8) * minSide, width0, width0 * rng.uniform(0.3, 1.0), w, h,
                      piece.mask);
      } else {
        rasterise(randomOutline(rng, rng.uniform(0, w), rng.uniform(0, h),
                                rng.uniform(0.02, 0.06) * minSide),
                  1.0, w, h, piece.mask);
      }
      piece.look = look({frame.background});
      if (vessels) {
        piece.look.base = {rng.uniform(0.4, 0.6), rng.uniform(0.08, 0.18), rng.uniform(0.03, 0.1)};
        piece.look.texture = Texture::None;
      }
      pieces.push_back(std::move(piece));
    }
  }

  // The objects, placed so that a new one hides at most a little of the earlier ones.
  std::vector<std::uint8_t> covered = blank();
  const int shapes = rng.uniformInt(mix.minShapes, std::max(mix.minShapes, mix.maxShapes));
  const double logMin = std::log(mix.minRadius), logMax = std::log(mix.maxRadius);
  for (int s = 0; s < shapes; ++s) {
    const ShapeKind kind = static_cast<ShapeKind>(pickWeighted(mix.shapes, rng));
    for (int attempt = 0; attempt < 8; ++attempt) {
      const double r = std::exp(rng.uniform(logMin, logMax)) * minSide;
      const double cx = rng.uniform(0.15, 0.85) * w, cy = rng.uniform(0.15, 0.85) * h;
      std::vector<Piece> made;
      switch (kind) {
        case ShapeKind::Ellipse:
        case ShapeKind::Blob:
        case ShapeKind::Polygon: {
          Piece piece{blank(), look({frame.background}), kind, true};
          rasterise(randomOutline(rng, cx, cy, r, static_cast<int>(kind)), 1.0, w, h, piece.mask);
          made.push_back(std::move(piece));
          break;
        }
        case ShapeKind::Tube: {
          Piece piece{blank(), look({frame.background}), kind, true};
          // At least 8 px wide at 256: SAM's masks have a quarter of the input's resolution, so
          // thinner bands could not reach the IoU of 0.9 that NoC@90 asks for.
          const double width0 = rng.uniform(8, 18) * scale;
          rasteriseTube(rng, cx, cy, rng.uniform(0.35, 0.8) * minSide, width0,
                        std::max(8.0 * scale, width0 * rng.uniform(0.6, 1.2)), w, h, piece.mask);
          made.push_back(std::move(piece));
          break;
        }
        case ShapeKind::Ring: {
          Piece piece{blank(), look({frame.background}), kind, true};
          const double radius = std::max(r, 0.12 * minSide);
          const Outline outer = randomOutline(rng, cx, cy, radius, rng.uniformInt(0, 1));
          rasterise(outer, 1.0, w, h, piece.mask);
          rasterise(outer, rng.uniform(0.45, 0.72), w, h, piece.mask, /*set=*/false);
          made.push_back(std::move(piece));
          break;
        }
        case ShapeKind::Nested: {
          const double radius = std::max(r, 0.12 * minSide);
          Piece outer{blank(), look({frame.background}), kind, true};
          rasterise(randomOutline(rng, cx, cy, radius, rng.uniformInt(0, 2)), 1.0, w, h,
                    outer.mask);
          const double inner = radius * rng.uniform(0.3, 0.5);
          const double offset = (radius * 0.8 - inner) * rng.uniform(0, 0.6);
          const double angle = rng.uniform(0, 2 * kPi);
          Piece core{blank(), look({outer.look.base, frame.background}), kind, true};
          rasterise(randomOutline(rng, cx + offset * std::cos(angle), cy + offset * std::sin(angle),
                                  inner, rng.uniformInt(0, 1)),
                    1.0, w, h, core.mask);
          made.push_back(std::move(outer));
          made.push_back(std::move(core));
          break;
        }
        case ShapeKind::Touching: {
          const double ra = r * 0.8, rb = r * rng.uniform(0.5, 0.9);
          const double angle = rng.uniform(0, 2 * kPi), gap = (ra + rb) * rng.uniform(0.7, 0.92);
          Piece a{blank(), look({frame.background}), kind, true};
          rasterise(randomOutline(rng, cx, cy, ra, rng.uniformInt(0, 2)), 1.0, w, h, a.mask);
          Piece b{blank(), look({a.look.base, frame.background}), kind, true};
          rasterise(randomOutline(rng, cx + gap * std::cos(angle), cy + gap * std::sin(angle), rb,
                                  rng.uniformInt(0, 2)),
                    1.0, w, h, b.mask);
          made.push_back(std::move(a));
          made.push_back(std::move(b));
          break;
        }
      }
      // Accept when the new shape hides little of what is there already.
      std::int64_t area = 0, overlapping = 0;
      for (const Piece& piece : made) {
        for (std::size_t p = 0; p < n; ++p) {
          area += piece.mask[p];
          overlapping += piece.mask[p] && covered[p];
        }
      }
      if (area == 0 || (overlapping > area / 5 && attempt < 7)) continue;
      for (Piece& piece : made) {
        for (std::size_t p = 0; p < n; ++p) covered[p] |= piece.mask[p];
        pieces.push_back(std::move(piece));
      }
      break;
    }
  }

  // What each pixel shows: the last piece drawn over it, inside the field of view.
  std::vector<std::int16_t> owner(n, -1);
  for (std::size_t i = 0; i < pieces.size(); ++i)
    for (std::size_t p = 0; p < n; ++p)
      if (pieces[i].mask[p] && frame.fieldOfView[p]) owner[p] = static_cast<std::int16_t>(i);
  const std::int64_t minArea = std::max<std::int64_t>(40, static_cast<std::int64_t>(0.0035 * n));
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    std::vector<std::uint8_t> visible(n, 0);
    std::int64_t drawn = 0, shown = 0;
    for (std::size_t p = 0; p < n; ++p) {
      drawn += pieces[i].mask[p];
      visible[p] = owner[p] == static_cast<std::int16_t>(i);
      shown += visible[p];
    }
    if (shown == 0) continue;
    paint(canvas, visible, boundsOf(visible, w, h), pieces[i].look, rng);
    if (pieces[i].labelled && shown >= minArea && shown * 10 >= drawn * 4) {
      scene.picture.masks.push_back(std::move(visible));
      scene.kinds.push_back(pieces[i].kind);
    }
  }

  // Outside the field of view: the scanner's black surround.
  const double surround = rng.uniform(0.0, 0.04);
  for (std::size_t p = 0; p < n; ++p) {
    if (frame.fieldOfView[p]) continue;
    for (int c = 0; c < 3; ++c) canvas.pixels[p * 3 + c] = static_cast<float>(surround);
  }
  if (scene.style == SceneStyle::Dermoscopy && rng.bernoulli(0.6)) hairs(canvas, scale, rng);

  // Acquisition: smooth shading / bias field, speckle, blur, noise, gamma.
  const double bias = scene.style == SceneStyle::Mr ? rng.uniform(0.1, 0.35) : rng.uniform(0, 0.12);
  const Fractal field(rng, minSide * rng.uniform(0.4, 1.0), 2, w, h);
  double vignette = 0;
  if (scene.style == SceneStyle::Fundus || scene.style == SceneStyle::Dermoscopy)
    vignette = rng.uniform(0.1, 0.4);
  const double speckle = scene.style == SceneStyle::Ultrasound ? rng.uniform(0.35, 0.8) : 0;
  const double halfDiagonal = std::hypot(w, h) / 2;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      double gain = 1 + bias * field.at(x, y);
      if (vignette > 0) {
        const double dx = x - w / 2.0, dy = y - h / 2.0;
        gain *= 1 - vignette * (dx * dx + dy * dy) / (halfDiagonal * halfDiagonal);
      }
      if (speckle > 0) {
        // Rayleigh-distributed amplitude with mean 1, mixed in by `speckle`.
        const double a = rng.normal(), b = rng.normal();
        const double rayleigh = std::sqrt(a * a + b * b) / std::sqrt(kPi / 2);
        gain *= 1 - speckle + speckle * rayleigh;
      }
      float* p = canvas.at(x, y);
      for (int c = 0; c < 3; ++c) p[c] = static_cast<float>(p[c] * gain);
    }
  }
  double blur = rng.uniform(0.0, 1.3);
  if (scene.style == SceneStyle::Ultrasound) blur = rng.uniform(0.7, 1.6);
  gaussianBlur(canvas, blur * scale);

  const double sigma = scene.style == SceneStyle::Generic ? rng.uniform(0.0, 0.06)
                       : scene.style == SceneStyle::Ct    ? rng.uniform(0.01, 0.05)
                       : scene.style == SceneStyle::Mr    ? rng.uniform(0.01, 0.06)
                                                          : rng.uniform(0.005, 0.03);
  const bool rician = scene.style == SceneStyle::Mr;
  const double gamma = std::exp(rng.uniform(-0.2, 0.2));
  // pow per pixel and channel was the generator's largest cost: tabulate the curve.
  std::array<double, 1025> curve{};
  for (std::size_t i = 0; i < curve.size(); ++i) curve[i] = std::pow(i / 1024.0, gamma);
  const auto toneMap = [&](double v) {
    const double t = clamp01(v) * 1024;
    const auto i = std::min<std::size_t>(static_cast<std::size_t>(t), 1023);
    return curve[i] + (curve[i + 1] - curve[i]) * (t - i);
  };
  scene.picture.image = RgbImage(w, h);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      const float* p = canvas.at(x, y);
      std::uint8_t* out = scene.picture.image.pixel(x, y);
      // Grey pictures get one noise value for all three channels: they stay grey.
      const double shared1 = rng.normal(), shared2 = rng.normal();
      for (int c = 0; c < 3; ++c) {
        const double n1 = frame.grey ? shared1 : rng.normal();
        double v = p[c];
        if (rician) {
          const double n2 = frame.grey ? shared2 : rng.normal();
          const double re = v + sigma * n1, im = sigma * n2;
          v = std::sqrt(re * re + im * im);  // magnitude of complex Gaussian noise
        } else {
          v += sigma * n1;
        }
        v = toneMap(v);
        out[c] = static_cast<std::uint8_t>(std::lround(v * 255));
      }
    }
  }
  scene.picture.id = "synthetic-" + std::to_string(seed) + "-" + std::to_string(index);
  return scene;
}

std::vector<LabeledPicture> generateSceneSet(std::uint64_t seed, std::uint64_t first, int count,
                                             const SceneOptions& options) {
  std::vector<LabeledPicture> pictures;
  for (int i = 0; i < count; ++i)
    pictures.push_back(std::move(generateScene(seed, first + i, options).picture));
  return pictures;
}

}  // namespace medsa
