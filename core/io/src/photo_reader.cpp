// Photographs (fundus, dermoscopy, ultrasound screenshots) through OpenCV. The file is decoded
// with IMREAD_UNCHANGED to keep 16-bit depth and every channel; that flag makes OpenCV ignore
// the EXIF orientation, so the orientation found by the structure check is applied here.
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cstring>

#include "file_bytes.h"
#include "photo_structure.h"
#include "readers.h"

namespace medsa::io {
namespace {

constexpr std::size_t kMaxPhotoBytes = std::size_t(1) << 31;

/// Turns the stored picture into the one the camera meant (EXIF orientation 2..8).
cv::Mat applyOrientation(const cv::Mat& stored, int orientation) {
  cv::Mat out;
  switch (orientation) {
    case 2:
      cv::flip(stored, out, 1);
      return out;
    case 3:
      cv::rotate(stored, out, cv::ROTATE_180);
      return out;
    case 4:
      cv::flip(stored, out, 0);
      return out;
    case 5:
      cv::transpose(stored, out);
      return out;
    case 6:
      cv::rotate(stored, out, cv::ROTATE_90_CLOCKWISE);
      return out;
    case 7: {
      cv::Mat transposed;
      cv::transpose(stored, transposed);
      cv::rotate(transposed, out, cv::ROTATE_180);
      return out;
    }
    case 8:
      cv::rotate(stored, out, cv::ROTATE_90_COUNTERCLOCKWISE);
      return out;
    default:
      return stored;
  }
}

bool pixelTypeOfDepth(int depth, PixelType* type) {
  switch (depth) {
    case CV_8U:
      *type = PixelType::U8;
      return true;
    case CV_8S:
    case CV_16S:
      *type = PixelType::I16;
      return true;
    case CV_16U:
      *type = PixelType::U16;
      return true;
    case CV_32S:
      *type = PixelType::I32;
      return true;
    case CV_32F:
      *type = PixelType::F32;
      return true;
    case CV_64F:
      *type = PixelType::F64;
      return true;
    default:
      return false;
  }
}

int cvDepthOf(PixelType type) {
  switch (type) {
    case PixelType::U8:
      return CV_8U;
    case PixelType::I16:
      return CV_16S;
    case PixelType::U16:
      return CV_16U;
    case PixelType::I32:
      return CV_32S;
    case PixelType::F32:
      return CV_32F;
    case PixelType::F64:
      break;
  }
  return CV_64F;
}

/// True when the alpha channel of a 4-channel picture is not fully opaque somewhere.
bool hasTransparency(const cv::Mat& bgra) {
  std::vector<cv::Mat> planes;
  cv::split(bgra, planes);
  double lo = 0;
  double hi = 0;
  cv::minMaxLoc(planes[3], &lo, &hi);
  const double opaque = bgra.depth() == CV_8U ? 255 : bgra.depth() == CV_16U ? 65535 : 1;
  return lo < opaque;
}

}  // namespace

Result<Image> readPhoto(const std::string& path, FileFormat format) {
  Result<std::vector<std::uint8_t>> bytes = readWholeFile(path, kMaxPhotoBytes);
  if (!bytes) return bytes.error();
  Result<PhotoStructure> structure = PhotoStructure{};
  switch (format) {
    case FileFormat::Jpeg:
      structure = checkJpeg(bytes.value(), path);
      break;
    case FileFormat::Png:
      structure = checkPng(bytes.value(), path);
      break;
    case FileFormat::Tiff:
      structure = checkTiff(bytes.value(), path);
      break;
    case FileFormat::Bmp:
      structure = checkBmp(bytes.value(), path);
      break;
    default:
      return Error{ErrorCode::Internal, "not a photograph format", path};
  }
  if (!structure) return structure.error();
  const std::string formatName(fileFormatName(format));

  cv::Mat decoded;
  try {
    const cv::Mat encoded(1, static_cast<int>(bytes->size()), CV_8U, bytes->data());
    decoded = cv::imdecode(encoded, cv::IMREAD_UNCHANGED);
  } catch (const cv::Exception& e) {
    return errorFromException(ErrorCode::CorruptData, path, formatName + ": " + e.what());
  }
  if (decoded.empty()) {
    return Error{ErrorCode::CorruptData, "the " + formatName + " data could not be decoded", path};
  }

  PixelType type = PixelType::U8;
  if (!pixelTypeOfDepth(decoded.depth(), &type)) {
    return Error{ErrorCode::UnsupportedFormat,
                 formatName + " pixels of OpenCV depth " + std::to_string(decoded.depth()) +
                     " are not supported",
                 path};
  }
  std::vector<std::string> warnings;
  cv::Mat picture;
  switch (decoded.channels()) {
    case 1:
      picture = decoded;
      break;
    case 2:  // grey + alpha (TIFF)
      cv::extractChannel(decoded, picture, 0);
      warnings.push_back("alpha channel dropped");
      break;
    case 3:
      cv::cvtColor(decoded, picture, cv::COLOR_BGR2RGB);
      break;
    case 4:
      if (hasTransparency(decoded)) warnings.push_back("alpha channel dropped");
      cv::cvtColor(decoded, picture, cv::COLOR_BGRA2RGB);
      break;
    default:
      return Error{
          ErrorCode::UnsupportedFormat,
          formatName + " with " + std::to_string(decoded.channels()) + " channels is not supported",
          path};
  }
  if (decoded.depth() == CV_8S) picture.convertTo(picture, CV_16S);
  picture = applyOrientation(picture, structure->orientation);
  if (!picture.isContinuous()) picture = picture.clone();

  const int components = picture.channels();
  Result<Image> created = Image::create(
      {static_cast<std::size_t>(picture.cols), static_cast<std::size_t>(picture.rows), 1, 1},
      components, type);
  if (!created) return Error{created.error().code, created.error().message, path};
  Image image = std::move(created).value();
  if (picture.depth() != cvDepthOf(type) ||
      image.byteCount() != picture.total() * picture.elemSize()) {
    return Error{ErrorCode::Internal, "decoded picture does not match its pixel type", path};
  }
  std::memcpy(image.bytes(), picture.data, image.byteCount());
  image.metadata.format = formatName;
  image.metadata.photometric = components == 3 ? "RGB" : "MONOCHROME2";
  image.metadata.warnings = std::move(warnings);
  if (structure->orientation != 1) {
    image.metadata.warnings.push_back("EXIF orientation " + std::to_string(structure->orientation) +
                                      " applied");
  }
  return image;
}

}  // namespace medsa::io
