#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "file_bytes.h"
#include "writers.h"

namespace medsa::io {

Status writePng(const Image& image, const std::string& path) {
  if (image.size(2) != 1 || image.size(3) != 1) {
    return Error{ErrorCode::InvalidArgument,
                 "PNG holds 2D images only; this one has z = " + std::to_string(image.size(2)) +
                     ", t = " + std::to_string(image.size(3)),
                 path};
  }
  if (image.pixelType() != PixelType::U8 && image.pixelType() != PixelType::U16) {
    return Error{ErrorCode::InvalidArgument,
                 "PNG holds u8 or u16 pixels, not " + std::string(pixelTypeName(image.pixelType())),
                 path};
  }
  const int depth = image.pixelType() == PixelType::U8 ? CV_8U : CV_16U;
  // OpenCV wants a non-const pointer; the Mat is only read from.
  const cv::Mat view(static_cast<int>(image.size(1)), static_cast<int>(image.size(0)),
                     CV_MAKETYPE(depth, image.components()),
                     const_cast<std::uint8_t*>(image.bytes()));
  try {
    cv::Mat ordered;
    if (image.components() == 3) {
      cv::cvtColor(view, ordered, cv::COLOR_RGB2BGR);
    } else {
      ordered = view;
    }
    std::vector<std::uint8_t> encoded;
    if (!cv::imencode(".png", ordered, encoded)) {
      return Error{ErrorCode::WriteFailed, "OpenCV could not encode the PNG", path};
    }
    std::FILE* file = std::fopen(path.c_str(), "wb");
    if (!file) return Error{ErrorCode::WriteFailed, "cannot create the file", path};
    const bool ok = std::fwrite(encoded.data(), 1, encoded.size(), file) == encoded.size();
    const bool closed = std::fclose(file) == 0;
    if (!ok || !closed) return Error{ErrorCode::WriteFailed, "cannot write the file", path};
  } catch (const cv::Exception& e) {
    return errorFromException(ErrorCode::WriteFailed, path, e.what());
  }
  return {};
}

}  // namespace medsa::io
