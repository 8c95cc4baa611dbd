#pragma once

#include <string>

#include "medsa/core/error.h"
#include "medsa/core/image.h"

// The per-format writers behind writeImage(); each writes exactly `path`.
namespace medsa::io {

/// NIfTI-1, NRRD or MetaImage (chosen by ITK from the extension), data compressed.
Status writeItkVolume(const Image& image, const std::string& path);

/// A 2D PNG through OpenCV (u8 or u16, 1 or 3 components).
Status writePng(const Image& image, const std::string& path);

}  // namespace medsa::io
