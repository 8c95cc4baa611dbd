#include "demo_photo.h"

#include <QImage>

#include <cstring>

namespace medsa::app {

std::shared_ptr<Image> makeDemoFundus() {
  // Decoded by Qt, not medsa_io: a resource is not a file path, and this JPEG is ours.
  QImage picture(QStringLiteral(":/demo/fundus.jpg"));
  if (picture.isNull()) return nullptr;
  picture = picture.convertToFormat(QImage::Format_RGB888);
  const auto width = static_cast<std::size_t>(picture.width());
  const auto height = static_cast<std::size_t>(picture.height());
  Result<Image> created = Image::create({width, height, 1, 1}, 3, PixelType::U8);
  if (!created) return nullptr;
  auto image = std::make_shared<Image>(std::move(created).value());
  image->metadata.format = "built-in photograph";
  image->metadata.modality = "OP";  // DICOM's code for ophthalmic photography
  image->metadata.seriesDescription = "Med-SA Studio demo fundus photograph";
  auto* pixels = image->data<std::uint8_t>();
  for (std::size_t y = 0; y < height; ++y) {
    std::memcpy(pixels + y * width * 3, picture.constScanLine(static_cast<int>(y)), width * 3);
  }
  return image;
}

}  // namespace medsa::app
