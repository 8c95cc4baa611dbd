#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace medsa {

/// An 8-bit RGB picture, rows top to bottom, pixels interleaved R, G, B. It is what the viewer
/// shows and what the segmentation engine consumes: a 2D photograph as it is, or one slice of a
/// volume after window/level.
struct RgbImage {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> pixels;  ///< width * height * 3 bytes

  RgbImage() = default;
  RgbImage(int w, int h) : width(w), height(h), pixels(static_cast<std::size_t>(w) * h * 3, 0) {}

  bool isValid() const {
    return width > 0 && height > 0 && pixels.size() == static_cast<std::size_t>(width) * height * 3;
  }
  std::uint8_t* pixel(int x, int y) {
    return pixels.data() + (static_cast<std::size_t>(y) * width + x) * 3;
  }
  const std::uint8_t* pixel(int x, int y) const {
    return pixels.data() + (static_cast<std::size_t>(y) * width + x) * 3;
  }
  friend bool operator==(const RgbImage&, const RgbImage&) = default;
};

}  // namespace medsa
