#pragma once

#include <string>

#include "medsa/core/error.h"
#include "medsa/core/image.h"

namespace medsa::io {

/// Writes an image in the format its extension names, keeping the geometry exactly:
///   .nii, .nii.gz  NIfTI-1 (geometry stored as float32 by the format: ~1e-6 relative)
///   .nrrd, .nhdr   NRRD (gzip-compressed data)
///   .mha, .mhd     MetaImage (compressed data)
///   .png           2D only (z = t = 1), u8 or u16, 1 or 3 components (label masks, pictures)
/// Any pixel type for the volume formats; 2D images are written as one-slice volumes so that
/// the slice spacing survives. Single-file formats are written under a temporary name and renamed,
/// so a failed write never leaves a half-written file under `path`.
Status writeImage(const Image& image, const std::string& path);

}  // namespace medsa::io
