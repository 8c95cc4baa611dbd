#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "medsa/core/rgb_image.h"

namespace medsa {

/// A picture with the objects someone (or a generator) outlined in it: what training and
/// evaluation consume, whether it comes from a project, a synthetic generator or a test.
struct LabeledPicture {
  RgbImage image;
  /// One binary mask per object, image.width * image.height bytes each, non-zero = object.
  std::vector<std::vector<std::uint8_t>> masks;
  std::string id;  ///< names the picture in reports and embedding-cache keys
  /// The label value each mask is of (same order as `masks`; empty when it does not matter):
  /// a new adapter is judged per label, so none gets worse unseen in the mean.
  std::vector<int> labels;

  /// Whether every mask has the picture's size.
  bool isValid() const {
    if (!image.isValid()) return false;
    const std::size_t n = static_cast<std::size_t>(image.width) * image.height;
    for (const auto& mask : masks) {
      if (mask.size() != n) return false;
    }
    return true;
  }
};

}  // namespace medsa
