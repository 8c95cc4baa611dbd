#include "medsa/core/image.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace medsa {

std::string_view pixelTypeName(PixelType type) {
  switch (type) {
    case PixelType::U8:
      return "u8";
    case PixelType::I16:
      return "i16";
    case PixelType::U16:
      return "u16";
    case PixelType::I32:
      return "i32";
    case PixelType::F32:
      return "f32";
    case PixelType::F64:
      return "f64";
  }
  return "u8";
}

std::size_t pixelTypeSize(PixelType type) {
  switch (type) {
    case PixelType::U8:
      return 1;
    case PixelType::I16:
    case PixelType::U16:
      return 2;
    case PixelType::I32:
    case PixelType::F32:
      return 4;
    case PixelType::F64:
      return 8;
  }
  return 1;
}

std::array<double, 3> ImageGeometry::indexToPhysical(double i, double j, double k) const {
  const double scaled[3] = {i * spacing[0], j * spacing[1], k * spacing[2]};
  std::array<double, 3> p = origin;
  for (int row = 0; row < 3; ++row) {
    for (int col = 0; col < 3; ++col) p[row] += direction[row * 3 + col] * scaled[col];
  }
  return p;
}

std::array<double, 3> ImageGeometry::axisDirection(int axis) const {
  return {direction[axis], direction[3 + axis], direction[6 + axis]};
}

namespace {

/// Bytes for an image of this shape, or an error for an invalid or overflowing shape.
Result<std::size_t> byteCountOf(const Image::Size& size, int components, PixelType type) {
  if (components != 1 && components != 3) {
    return Error{ErrorCode::InvalidArgument,
                 "an image has 1 or 3 components, not " + std::to_string(components),
                 {}};
  }
  // The byte count is checked for overflow axis by axis: sizes come from file headers.
  std::size_t count = pixelTypeSize(type) * static_cast<std::size_t>(components);
  for (std::size_t n : size) {
    if (n == 0) return Error{ErrorCode::InvalidArgument, "an image axis has size 0", {}};
    if (count > std::numeric_limits<std::size_t>::max() / n) {
      return Error{ErrorCode::InvalidArgument, "image size overflows memory arithmetic", {}};
    }
    count *= n;
  }
  return count;
}

}  // namespace

Result<Image> Image::create(Size size, int components, PixelType type) {
  Result<std::size_t> bytes = byteCountOf(size, components, type);
  if (!bytes) return bytes.error();
  const std::size_t count = bytes.value();
  Image image;
  image.size_ = size;
  image.components_ = components;
  image.type_ = type;
  try {
    image.bytes_.assign(count, 0);
  } catch (const std::bad_alloc&) {
    return Error{ErrorCode::ReadFailed,
                 "not enough memory for " + std::to_string(count >> 20) + " MiB of pixels",
                 {}};
  }
  return image;
}

Result<Image> Image::fromBytes(Size size, int components, PixelType type,
                               std::vector<std::uint8_t>&& bytes) {
  Result<std::size_t> count = byteCountOf(size, components, type);
  if (!count) return count.error();
  if (count.value() != bytes.size()) {
    return Error{ErrorCode::InvalidArgument,
                 "pixel buffer has " + std::to_string(bytes.size()) + " bytes, the image needs " +
                     std::to_string(count.value()),
                 {}};
  }
  Image image;
  image.size_ = size;
  image.components_ = components;
  image.type_ = type;
  image.bytes_ = std::move(bytes);
  return image;
}

std::vector<std::uint8_t> Image::releaseBytes() {
  std::vector<std::uint8_t> bytes = std::move(bytes_);
  bytes_.clear();
  size_ = {0, 0, 0, 0};
  components_ = 0;
  return bytes;
}

int Image::dimension() const {
  if (size_[3] > 1) return 4;
  if (size_[2] > 1) return 3;
  return 2;
}

double Image::value(std::size_t x, std::size_t y, std::size_t z, std::size_t t,
                    int component) const {
  const std::size_t index = componentIndex(x, y, z, t) + static_cast<std::size_t>(component);
  return visitPixels(*this, [&](const auto* p) { return static_cast<double>(p[index]); });
}

void Image::setValue(std::size_t x, std::size_t y, std::size_t z, std::size_t t, int component,
                     double value) {
  const std::size_t index = componentIndex(x, y, z, t) + static_cast<std::size_t>(component);
  visitPixels(*this, [&](auto* p) {
    using T = std::remove_pointer_t<decltype(p)>;
    if constexpr (std::is_integral_v<T>) {
      const double clamped =
          std::clamp(std::round(value), static_cast<double>(std::numeric_limits<T>::lowest()),
                     static_cast<double>(std::numeric_limits<T>::max()));
      p[index] = static_cast<T>(clamped);
    } else {
      p[index] = static_cast<T>(value);
    }
  });
}

std::pair<double, double> Image::valueRange() const {
  if (isEmpty()) return {0, 0};
  const std::size_t n = voxelCount() * static_cast<std::size_t>(components_);
  return visitPixels(*this, [n](const auto* p) {
    using T = std::remove_const_t<std::remove_pointer_t<decltype(p)>>;
    T lo = std::numeric_limits<T>::max();
    T hi = std::numeric_limits<T>::lowest();
    bool any = false;
    for (std::size_t i = 0; i < n; ++i) {
      if constexpr (std::is_floating_point_v<T>) {
        if (std::isnan(p[i])) continue;
      }
      lo = std::min(lo, p[i]);
      hi = std::max(hi, p[i]);
      any = true;
    }
    if (!any) return std::pair<double, double>{0, 0};
    return std::pair<double, double>{static_cast<double>(lo), static_cast<double>(hi)};
  });
}

}  // namespace medsa
