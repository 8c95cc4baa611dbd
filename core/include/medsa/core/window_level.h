#pragma once

#include <cstdint>

#include "medsa/core/error.h"
#include "medsa/core/image.h"
#include "medsa/core/rgb_image.h"

namespace medsa {

/// A display window in real-world values (HU for CT), as DICOM's Window Center/Width.
struct WindowLevel {
  double center = 128;
  double width = 256;
  bool invert = false;  ///< show high values dark (MONOCHROME1)
  friend bool operator==(const WindowLevel&, const WindowLevel&) = default;
};

/// The window an image opens with: the file's first preset if it has one; otherwise 0..255 for
/// 8-bit pixels (a photograph is shown unchanged) and the image's value range for anything else.
/// invert is set for MONOCHROME1 sources.
WindowLevel defaultWindow(const Image& image);

/// Maps a value through DICOM's linear VOI function (PS3.3 C.11.2.1.2.1) onto 0..255: values at or
/// below the window's bottom become 0, above its top 255. A width below 1 is a hard threshold at
/// the center.
std::uint8_t applyWindow(double value, const WindowLevel& window);

/// Converts a 2D image (e.g. from extractSlice) to the 8-bit RGB picture the viewer and the engine
/// consume. Grey pixels go through the window into R, G and B alike; RGB pixels have each
/// component windowed the same way. Fails for a volume (z or t above 1) or an empty image.
Result<RgbImage> toRgb(const Image& slice, const WindowLevel& window);

}  // namespace medsa
