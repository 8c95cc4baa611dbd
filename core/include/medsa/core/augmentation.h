#pragma once

#include <cstdint>

#include "medsa/core/labeled_picture.h"

namespace medsa {

/// How much a training picture may be changed. Geometry moves the masks with the picture;
/// intensity changes touch the picture only. Zero turns a change off.
struct AugmentOptions {
  bool flips = true;        ///< left-right and up-down, each with probability 1/2
  bool rotations = true;    ///< by 0, 90, 180 or 270 degrees
  double contrast = 0.2;    ///< contrast scaled by 1 +- this
  double brightness = 0.1;  ///< shifted by +- this fraction of the range
  double gamma = 0.3;       ///< gamma in [1 - this, 1 + this]
  double scale = 0.1;       ///< zoom by 1 +- this about the centre (nearest neighbour)
  double shift = 0.05;      ///< translate by up to this fraction of the size
};

/// A randomly changed copy of `picture` (masks follow the geometry; labels and id are kept).
/// The same seed gives the same copy, so training runs can be repeated.
LabeledPicture augment(const LabeledPicture& picture, std::uint64_t seed,
                       const AugmentOptions& options = {});

}  // namespace medsa
