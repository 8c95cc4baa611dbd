#include "medsa/io/image_writer.h"

#include <filesystem>
#include <random>

#include "file_bytes.h"
#include "writers.h"

namespace medsa::io {
namespace {
namespace fs = std::filesystem;

/// A sibling name with the same extension, so the writer picks the same format.
std::string temporarySibling(const std::string& path, const std::string& ext) {
  const fs::path target(path);
  std::string stem = target.filename().string();
  stem.resize(stem.size() - ext.size());
  std::random_device random;
  return (target.parent_path() / ("." + stem + ".tmp" + std::to_string(random() % 1000000) + ext))
      .string();
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
  // Detached headers name their data file: they are written in place.
  const bool detached = ext == ".nhdr" || ext == ".mhd";
  const std::string target = detached ? path : temporarySibling(path, ext);
  Status written = png ? writePng(image, target) : writeItkVolume(image, target);
  std::error_code ec;
  if (!written) {
    if (!detached) fs::remove(target, ec);
    return Error{written.error().code, written.error().message, path};
  }
  if (!detached) {
    fs::rename(target, path, ec);
    if (ec) {
      fs::remove(target, ec);
      return Error{ErrorCode::WriteFailed, "cannot move the written file into place", path};
    }
  }
  return {};
}

}  // namespace medsa::io
