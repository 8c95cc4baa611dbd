#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "medsa/core/error.h"
#include "medsa/core/image.h"
#include "medsa/io/image_reader.h"

// The per-format readers behind readImage(). Each returns an Image whose metadata.format is set
// and whose errors carry the path.
namespace medsa::io {

/// NRRD, MetaImage and Analyze 7.5 through ITK's ImageIO classes (FileFormat::Nifti1 means
/// ITK's NIfTI/Analyze reader).
Result<Image> readItkVolume(const std::string& path, FileFormat format);

/// NIfTI-1 and NIfTI-2 (.nii, .nii.gz, .hdr/.img) with ITK 5.2's rules for qform and sform;
/// Analyze headers (no NIfTI magic) go to readItkVolume.
Result<Image> readNifti(const std::string& path);

/// True when a header (decompressed) carries the NIfTI-1 or NIfTI-2 magic.
bool hasNiftiMagic(const std::vector<std::uint8_t>& head);

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
