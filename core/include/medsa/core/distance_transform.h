#pragma once

#include <cstdint>
#include <vector>

namespace medsa {

/// Exact squared Euclidean distance from every pixel to the nearest pixel that is not `inside`
/// (0 for those), by Felzenszwalb and Huttenlocher's lower-envelope algorithm (linear time).
/// With `borderIsOutside`, the picture's edge counts as outside too: a click should keep away
/// from the edge as from the object's boundary. `inside`: width * height bytes, non-zero = in.
std::vector<double> squaredDistanceToOutside(const std::uint8_t* inside, int width, int height,
                                             bool borderIsOutside = true);

/// Connected components of the non-zero pixels (8-connected). labels: 0 outside, else 1..count
/// numbered in raster order of their first pixel; areas[k - 1] is the pixel count of label k.
struct Components {
  std::vector<std::int32_t> labels;
  std::vector<std::int64_t> areas;
  int count() const { return static_cast<int>(areas.size()); }
};
Components connectedComponents(const std::uint8_t* mask, int width, int height);

}  // namespace medsa
