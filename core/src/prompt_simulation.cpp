#include "medsa/core/prompt_simulation.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "medsa/core/distance_transform.h"

namespace medsa {
namespace {

std::size_t pixelCount(MaskView mask) {
  return mask.pixels && mask.width > 0 && mask.height > 0
             ? static_cast<std::size_t>(mask.width) * mask.height
             : 0;
}

PromptPoint pointAt(std::size_t index, int width, bool positive) {
  return {static_cast<double>(index % width), static_cast<double>(index / width), positive};
}

constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();

// Index of the largest distance, or kNone when none is positive. A region's maximum is often a
// ridge (a rectangle's middle line): of the tied pixels, the one nearest to their centroid wins,
// then the first in raster order, so that the click lands in the middle as a person's would.
std::size_t argmaxDistance(const std::vector<double>& distance, int width) {
  double bestValue = 0;
  for (double d : distance) bestValue = std::max(bestValue, d);
  if (bestValue <= 0) return kNone;
  double sumX = 0, sumY = 0, ties = 0;
  for (std::size_t i = 0; i < distance.size(); ++i) {
    if (distance[i] != bestValue) continue;
    sumX += static_cast<double>(i % width);
    sumY += static_cast<double>(i / width);
    ties += 1;
  }
  const double cx = sumX / ties, cy = sumY / ties;
  std::size_t best = kNone;
  double nearest = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < distance.size(); ++i) {
    if (distance[i] != bestValue) continue;
    const double dx = static_cast<double>(i % width) - cx, dy = static_cast<double>(i / width) - cy;
    if (dx * dx + dy * dy < nearest) {
      nearest = dx * dx + dy * dy;
      best = i;
    }
  }
  return best;
}

// Distances inside one error region only, computed on its bounding box (plus a margin) because
// regions are usually small next to the picture.
struct RegionDistances {
  int x0 = 0, y0 = 0, width = 0, height = 0;
  std::vector<double> distance;  // width * height, of the bounding box
};

RegionDistances regionDistances(const Components& components, int label, int width, int height,
                                const std::vector<PromptPoint>& earlier) {
  int x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      if (components.labels[static_cast<std::size_t>(y) * width + x] != label) continue;
      x0 = std::min(x0, x);
      x1 = std::max(x1, x);
      y0 = std::min(y0, y);
      y1 = std::max(y1, y);
    }
  }
  RegionDistances region;
  region.x0 = x0;
  region.y0 = y0;
  region.width = x1 - x0 + 1;
  region.height = y1 - y0 + 1;
  std::vector<std::uint8_t> inside(static_cast<std::size_t>(region.width) * region.height, 0);
  for (int y = 0; y < region.height; ++y) {
    for (int x = 0; x < region.width; ++x) {
      inside[static_cast<std::size_t>(y) * region.width + x] =
          components.labels[static_cast<std::size_t>(y + y0) * width + x + x0] == label;
    }
  }
  for (const PromptPoint& p : earlier) {
    const int x = static_cast<int>(std::floor(p.x)) - x0,
              y = static_cast<int>(std::floor(p.y)) - y0;
    if (x >= 0 && y >= 0 && x < region.width && y < region.height)
      inside[static_cast<std::size_t>(y) * region.width + x] = 0;
  }
  // The bounding box's edge is the region's edge or the picture's: outside either way.
  region.distance = squaredDistanceToOutside(inside.data(), region.width, region.height, true);
  return region;
}

// Error pixels (target xor predicted) and whether each is a false negative.
struct Errors {
  std::vector<std::uint8_t> any;
  Components components;
  std::vector<bool> falseNegative;  // per component
};

Errors findErrors(MaskView target, MaskView predicted) {
  Errors errors;
  const std::size_t n = pixelCount(target);
  if (n == 0 || pixelCount(predicted) != n) return errors;
  errors.any.resize(n);
  for (std::size_t i = 0; i < n; ++i)
    errors.any[i] = (target.pixels[i] != 0) != (predicted.pixels[i] != 0);
  // Components of the error pixels; a component never mixes false negatives and false positives
  // because they are labelled separately (an FN pixel next to an FP pixel is two regions).
  std::vector<std::uint8_t> fn(n), fp(n);
  for (std::size_t i = 0; i < n; ++i) {
    fn[i] = errors.any[i] && target.pixels[i];
    fp[i] = errors.any[i] && !target.pixels[i];
  }
  Components fnParts = connectedComponents(fn.data(), target.width, target.height);
  const Components fpParts = connectedComponents(fp.data(), target.width, target.height);
  // Merge both into one labelling: FP labels follow the FN labels.
  const std::int32_t offset = fnParts.count();
  for (std::size_t i = 0; i < n; ++i) {
    if (fpParts.labels[i]) fnParts.labels[i] = fpParts.labels[i] + offset;
  }
  errors.falseNegative.assign(fnParts.areas.size(), true);
  for (std::int64_t area : fpParts.areas) {
    fnParts.areas.push_back(area);
    errors.falseNegative.push_back(false);
  }
  errors.components = std::move(fnParts);
  return errors;
}

}  // namespace

std::optional<PromptBox> boxFromMask(MaskView mask) {
  int x0 = mask.width, y0 = mask.height, x1 = -1, y1 = -1;
  if (pixelCount(mask) == 0) return std::nullopt;
  for (int y = 0; y < mask.height; ++y) {
    const std::uint8_t* row = mask.pixels + static_cast<std::size_t>(y) * mask.width;
    for (int x = 0; x < mask.width; ++x) {
      if (!row[x]) continue;
      x0 = std::min(x0, x);
      x1 = std::max(x1, x);
      y0 = std::min(y0, y);
      y1 = std::max(y1, y);
    }
  }
  if (x1 < 0) return std::nullopt;
  return PromptBox{double(x0), double(y0), double(x1), double(y1)};
}

PromptBox jitterBox(const PromptBox& box, double fraction, int width, int height, Rng& rng) {
  const double w = box.x1 - box.x0 + 1, h = box.y1 - box.y0 + 1;
  const auto move = [&](double value, double side, double limit) {
    return std::clamp(value + rng.uniform(-fraction, fraction) * side, 0.0, limit);
  };
  PromptBox out{move(box.x0, w, width - 1.0), move(box.y0, h, height - 1.0),
                move(box.x1, w, width - 1.0), move(box.y1, h, height - 1.0)};
  // A jitter never turns the box inside out.
  if (out.x1 < out.x0) std::swap(out.x0, out.x1);
  if (out.y1 < out.y0) std::swap(out.y0, out.y1);
  return out;
}

std::optional<PromptPoint> centralClick(MaskView mask) {
  if (pixelCount(mask) == 0) return std::nullopt;
  const std::vector<double> distance =
      squaredDistanceToOutside(mask.pixels, mask.width, mask.height, true);
  const std::size_t best = argmaxDistance(distance, mask.width);
  if (best == kNone) return std::nullopt;
  return pointAt(best, mask.width, true);
}

std::optional<PromptPoint> randomInteriorClick(MaskView mask, Rng& rng, double minFraction) {
  if (pixelCount(mask) == 0) return std::nullopt;
  const std::vector<double> distance =
      squaredDistanceToOutside(mask.pixels, mask.width, mask.height, true);
  const std::size_t best = argmaxDistance(distance, mask.width);
  if (best == kNone) return std::nullopt;
  const double threshold = distance[best] * minFraction * minFraction;  // squared distances
  std::vector<std::size_t> candidates;
  for (std::size_t i = 0; i < distance.size(); ++i) {
    if (distance[i] > 0 && distance[i] >= threshold) candidates.push_back(i);
  }
  const std::size_t chosen =
      candidates[static_cast<std::size_t>(rng.uniformInt(0, int(candidates.size()) - 1))];
  return pointAt(chosen, mask.width, true);
}

std::optional<PromptPoint> correctionClick(MaskView target, MaskView predicted,
                                           const std::vector<PromptPoint>& earlier) {
  const Errors errors = findErrors(target, predicted);
  if (errors.components.count() == 0) return std::nullopt;
  int largest = 0;  // equal areas: false negatives first, then raster order
  for (int k = 1; k < errors.components.count(); ++k) {
    if (errors.components.areas[k] > errors.components.areas[largest]) largest = k;
  }
  const RegionDistances region =
      regionDistances(errors.components, largest + 1, target.width, target.height, earlier);
  std::size_t best = argmaxDistance(region.distance, region.width);
  if (best == kNone) {
    // Every pixel of the region was clicked already: fall back to ignoring earlier clicks.
    const RegionDistances plain =
        regionDistances(errors.components, largest + 1, target.width, target.height, {});
    best = argmaxDistance(plain.distance, plain.width);
  }
  const int x = region.x0 + static_cast<int>(best % region.width);
  const int y = region.y0 + static_cast<int>(best / region.width);
  return PromptPoint{double(x), double(y), bool(errors.falseNegative[largest])};
}

std::optional<PromptPoint> randomCorrectionClick(MaskView target, MaskView predicted, Rng& rng) {
  const Errors errors = findErrors(target, predicted);
  const int count = errors.components.count();
  if (count == 0) return std::nullopt;
  std::int64_t total = 0;
  for (std::int64_t area : errors.components.areas) total += area;
  std::int64_t pick = static_cast<std::int64_t>(rng.uniform() * static_cast<double>(total));
  int chosen = 0;
  while (chosen < count - 1 && pick >= errors.components.areas[chosen]) {
    pick -= errors.components.areas[chosen];
    ++chosen;
  }
  const RegionDistances region =
      regionDistances(errors.components, chosen + 1, target.width, target.height, {});
  const std::size_t best = argmaxDistance(region.distance, region.width);
  const double threshold = region.distance[best] * 0.25;  // half the distance, squared
  std::vector<std::size_t> candidates;
  for (std::size_t i = 0; i < region.distance.size(); ++i) {
    if (region.distance[i] > 0 && region.distance[i] >= threshold) candidates.push_back(i);
  }
  const std::size_t index =
      candidates[static_cast<std::size_t>(rng.uniformInt(0, int(candidates.size()) - 1))];
  const int x = region.x0 + static_cast<int>(index % region.width);
  const int y = region.y0 + static_cast<int>(index / region.width);
  return PromptPoint{double(x), double(y), bool(errors.falseNegative[chosen])};
}

}  // namespace medsa
