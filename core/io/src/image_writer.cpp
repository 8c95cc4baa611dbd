#include "medsa/io/image_writer.h"

#include <algorithm>

#include "file_bytes.h"
#include "medsa/core/atomic_file.h"
#include "medsa/io/image_reader.h"
#include "writers.h"

namespace medsa::io {
namespace {

/// Reads the written file back: a format writer that ran out of disk space may only print a
/// warning (ITK's NIfTI writer does), and a cut-short file must never count as saved.
Status verifyWritten(const Image& image, const std::string& file, const std::string& path) {
  Result<Image> back = readImage(file);
  if (!back) {
    return Error{ErrorCode::WriteFailed,
                 "the written file does not read back (is the disk full?): " + back.error().message,
                 path};
  }
  if (back->size() != image.size() || back->pixelType() != image.pixelType() ||
      back->components() != image.components() ||
      !std::equal(image.bytes(), image.bytes() + image.byteCount(), back->bytes())) {
    return Error{ErrorCode::WriteFailed, "the written file differs from what was written", path};
  }
  return {};
}

}  // namespace

Status writeImage(const Image& image, const std::string& path) {
  if (image.isEmpty()) return Error{ErrorCode::InvalidArgument, "the image is empty", path};
  const std::string ext = lowerExtension(path);
  const bool png = ext == ".png";
  const bool volume = ext == ".nii" || ext == ".nii.gz" || ext == ".nrrd" || ext == ".nhdr" ||
                      ext == ".mha" || ext == ".mhd";
  if (!png && !volume) {
    return Error{ErrorCode::InvalidArgument,
                 "cannot tell the format from '" + ext +
                     "': use .nii, .nii.gz, .nrrd, .nhdr, .mha, .mhd or .png",
                 path};
  }
  const auto write = [&](const std::string& file) {
    Status written = png ? writePng(image, file) : writeItkVolume(image, file);
    if (written) written = verifyWritten(image, file, path);
    return written ? written : Status(Error{written.error().code, written.error().message, path});
  };
  // Detached headers name their data file: they are written in place.
  if (ext == ".nhdr" || ext == ".mhd") return write(path);
  // The temporary file keeps the extension, so the writer picks the same format.
  Result<FileReplacement> replacement = beginFileReplacement(path, ext);
  if (!replacement) return replacement.error();
  if (Status written = write(replacement->temporary); !written) {
    abandonFileReplacement(replacement.value());
    return written;
  }
  return finishFileReplacement(replacement.value());
}

}  // namespace medsa::io
