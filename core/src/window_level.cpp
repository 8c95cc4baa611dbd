#include "medsa/core/window_level.h"

#include <cmath>
#include <string>

namespace medsa {

WindowLevel defaultWindow(const Image& image) {
  WindowLevel window;
  window.invert = image.metadata.photometric == "MONOCHROME1";
  if (!image.metadata.windows.empty() && image.metadata.windows.front().width > 0) {
    window.center = image.metadata.windows.front().center;
    window.width = image.metadata.windows.front().width;
    return window;
  }
  if (image.pixelType() == PixelType::U8) return window;  // 0..255 as stored
  const auto [lo, hi] = image.valueRange();
  // With center (lo + hi + 1) / 2 and width hi - lo + 1, DICOM's function maps lo to 0 and hi
  // to 255 exactly.
  window.center = (lo + hi + 1) / 2;
  window.width = hi - lo + 1;
  return window;
}

std::uint8_t applyWindow(double value, const WindowLevel& window) {
  double y = 0;
  if (window.width < 1) {
    y = value > window.center ? 255 : 0;
  } else {
    const double bottom = window.center - 0.5 - (window.width - 1) / 2;
    const double top = window.center - 0.5 + (window.width - 1) / 2;
    if (value <= bottom) {
      y = 0;
    } else if (value > top) {
      y = 255;
    } else if (window.width == 1) {
      y = 255;  // a one-value window: the DICOM formula would divide by zero
    } else {
      y = ((value - (window.center - 0.5)) / (window.width - 1) + 0.5) * 255;
    }
  }
  if (std::isnan(value)) y = 0;
  auto out = static_cast<std::uint8_t>(std::lround(std::fmin(std::fmax(y, 0.0), 255.0)));
  return window.invert ? static_cast<std::uint8_t>(255 - out) : out;
}

Result<RgbImage> toRgb(const Image& slice, const WindowLevel& window) {
  if (slice.isEmpty()) return Error{ErrorCode::InvalidArgument, "the image is empty", {}};
  if (slice.size(2) != 1 || slice.size(3) != 1) {
    return Error{ErrorCode::InvalidArgument,
                 "only a 2D image converts to RGB; extract a slice first (z = " +
                     std::to_string(slice.size(2)) + ", t = " + std::to_string(slice.size(3)) + ")",
                 {}};
  }
  const auto width = static_cast<int>(slice.size(0));
  const auto height = static_cast<int>(slice.size(1));
  RgbImage rgb(width, height);
  const std::size_t pixels = static_cast<std::size_t>(width) * static_cast<std::size_t>(height);
  const bool grey = slice.components() == 1;
  visitPixels(slice, [&](const auto* p) {
    std::uint8_t* out = rgb.pixels.data();
    for (std::size_t i = 0; i < pixels; ++i) {
      if (grey) {
        const std::uint8_t v = applyWindow(static_cast<double>(p[i]), window);
        out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = v;
      } else {
        for (std::size_t c = 0; c < 3; ++c) {
          out[3 * i + c] = applyWindow(static_cast<double>(p[3 * i + c]), window);
        }
      }
    }
  });
  return rgb;
}

}  // namespace medsa
