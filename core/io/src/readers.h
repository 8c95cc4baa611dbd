#pragma once

#include <string>

#include "medsa/core/error.h"
#include "medsa/core/image.h"
#include "medsa/io/image_reader.h"

// The per-format readers behind readImage(). Each returns an Image whose metadata.format is set
// and whose errors carry the path.
namespace medsa::io {

/// NIfTI-1 (and Analyze), NRRD and MetaImage through ITK's ImageIO classes.
Result<Image> readItkVolume(const std::string& path, FileFormat format);

/// NIfTI-2, which ITK 5.2 does not read, with ITK's rules for choosing qform or sform.
Result<Image> readNifti2(const std::string& path);

/// PNG, JPEG, TIFF and BMP through OpenCV, EXIF orientation applied.
Result<Image> readPhoto(const std::string& path, FileFormat format);

/// The largest decompressed size we accept for a file of `fileBytes` on disk: deflate cannot
/// expand data more than about 1032 times, so a header claiming more is corrupt (and would
/// otherwise make us allocate whatever it says).
std::uint64_t plausibleDecodedBytes(std::uint64_t fileBytes);

/// Checks that a geometry read from a header is usable: finite, positive spacing, a direction
/// matrix whose columns are unit vectors at right angles (within tolerance).
Status checkGeometry(const ImageGeometry& geometry, const std::string& path);

}  // namespace medsa::io
