#pragma once

#include <string>
#include <string_view>

#include "medsa/core/error.h"
#include "medsa/core/image.h"
#include "medsa/core/progress.h"

namespace medsa::io {

/// The formats medsa_io reads, as recognised from a file's first bytes (never from its name).
enum class FileFormat {
  Unknown,
  Dicom,
  Nifti1,     ///< .nii, .hdr/.img (also gzip-compressed)
  Nifti2,     ///< .nii (also gzip-compressed)
  Nrrd,       ///< .nrrd, .nhdr
  MetaImage,  ///< .mha, .mhd
  Png,
  Jpeg,
  Tiff,
  Bmp,
};

/// "DICOM", "NIfTI-1", "NIfTI-2", "NRRD", "MetaImage", "PNG", "JPEG", "TIFF", "BMP", "unknown".
std::string_view fileFormatName(FileFormat format);

/// Recognises a file's format from its content (gzip is looked into). Fails only when the file
/// cannot be read or is empty; a readable file of no known format is FileFormat::Unknown.
Result<FileFormat> detectFormat(const std::string& path);

struct ReadOptions {
  /// For a folder: the DICOM series to read, as its SeriesInstanceUID or its position in
  /// scanDicomFolder()'s list ("0", "1", ...). Empty: the series with the most slices.
  std::string series;
  /// For a 4D file or series: read only this t index. -1: every time point.
  int volume = -1;
};

/// Reads an image file, or the DICOM series of a folder (searched recursively), into an Image.
/// The format comes from the content, so a misnamed file still opens (with a warning in
/// metadata.warnings). Every failure is an Error naming the file and the reason.
Result<Image> readImage(const std::string& path, const ReadOptions& options = {},
                        ProgressSink* progress = nullptr, CancellationToken cancel = {});

}  // namespace medsa::io
