#pragma once

#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "medsa/core/error.h"

namespace medsa {

/// The scalar type of one pixel component. Readers keep the file's own type where it is one of
/// these, and widen otherwise (e.g. DICOM u32 with a rescale becomes f32).
enum class PixelType : std::uint8_t { U8, I16, U16, I32, F32, F64 };

/// "u8", "i16", "u16", "i32", "f32", "f64" (used by `medsa info` and in JSON).
std::string_view pixelTypeName(PixelType type);
/// Bytes of one component of this type.
std::size_t pixelTypeSize(PixelType type);

/// The PixelType of a C++ scalar type (only the six supported types compile).
template <typename T>
constexpr PixelType pixelTypeOf();
template <>
constexpr PixelType pixelTypeOf<std::uint8_t>() {
  return PixelType::U8;
}
template <>
constexpr PixelType pixelTypeOf<std::int16_t>() {
  return PixelType::I16;
}
template <>
constexpr PixelType pixelTypeOf<std::uint16_t>() {
  return PixelType::U16;
}
template <>
constexpr PixelType pixelTypeOf<std::int32_t>() {
  return PixelType::I32;
}
template <>
constexpr PixelType pixelTypeOf<float>() {
  return PixelType::F32;
}
template <>
constexpr PixelType pixelTypeOf<double>() {
  return PixelType::F64;
}

/// A window (center/width) as DICOM defines it, with the name the file gives it, if any.
struct WindowPreset {
  double center = 0;
  double width = 0;
  std::string name;
  friend bool operator==(const WindowPreset&, const WindowPreset&) = default;
};

/// Where the voxels are in the patient. LPS, millimetres, as DICOM and ITK.
struct ImageGeometry {
  std::array<double, 3> spacing{1, 1, 1};  ///< distance between voxel centres along x, y, z
  std::array<double, 3> origin{0, 0, 0};   ///< centre of voxel (0, 0, 0)
  /// Row-major 3x3; column j is the unit direction of voxel axis j (ITK's convention), so
  /// physical = origin + direction * (spacing .* index).
  std::array<double, 9> direction{1, 0, 0, 0, 1, 0, 0, 0, 1};
  double timeSpacing = 1;  ///< step of the t axis (ms for DICOM cine, the file's units otherwise)

  /// The physical (LPS) point of a continuous voxel index.
  std::array<double, 3> indexToPhysical(double i, double j, double k) const;
  /// Column `axis` of the direction matrix.
  std::array<double, 3> axisDirection(int axis) const;
  friend bool operator==(const ImageGeometry&, const ImageGeometry&) = default;
};

/// What the source said about the image, beyond the pixels and the geometry.
struct ImageMetadata {
  std::string format;    ///< "DICOM", "NIfTI-1", "NIfTI-2", "NRRD", "MetaImage", "PNG", "JPEG", ...
  std::string modality;  ///< DICOM Modality ("CT", "MR", "US", ...); empty if unknown
  std::string seriesDescription;  ///< DICOM (0008,103E)
  std::string studyDescription;   ///< DICOM (0008,1030)
  std::string seriesInstanceUid;  ///< DICOM (0020,000E)
  /// The source's photometric interpretation ("MONOCHROME1", "YBR_FULL_422", "PALETTE COLOR",
  /// "RGB", ...). Pixels are always grey (1 component) or RGB (3); MONOCHROME1 is kept as stored
  /// and inverted at display time (defaultWindow() sets invert).
  std::string photometric;
  std::string patientOrientation;     ///< DICOM (0020,0020), e.g. "L\\P"; empty if absent
  std::vector<WindowPreset> windows;  ///< presets from the file, in file order
  std::vector<double> frameTimesMs;   ///< time of each t step from the first, when known
  /// Things the reader noticed and tolerated (a gap between slices, a duplicate, a dropped alpha
  /// channel). Failures are Errors, never warnings.
  std::vector<std::string> warnings;
};

/// An image or volume: up to 4 axes (x, y, z, t; absent axes have size 1), 1 or 3 interleaved
/// components of one PixelType, geometry and metadata. Pixels are stored x fastest, then y, z,
/// t, components interleaved per voxel; values are real-world values (DICOM rescale applied).
/// A value type: copies are deep.
class Image {
 public:
  using Size = std::array<std::size_t, 4>;

  Image() = default;
  /// Zero-filled pixels. Fails on a zero axis, components other than 1 or 3, or a size whose byte
  /// count does not fit in memory arithmetic.
  static Result<Image> create(Size size, int components, PixelType type);
  /// Adopts existing pixel bytes (no copy); fails like create(), or when the byte count does not
  /// match the size.
  static Result<Image> fromBytes(Size size, int components, PixelType type,
                                 std::vector<std::uint8_t>&& bytes);
  /// Moves the pixel bytes out, leaving the image empty.
  std::vector<std::uint8_t> releaseBytes();

  const Size& size() const { return size_; }
  std::size_t size(int axis) const { return size_[static_cast<std::size_t>(axis)]; }
  int components() const { return components_; }
  PixelType pixelType() const { return type_; }
  bool isEmpty() const { return bytes_.empty(); }
  /// Number of axes that are not 1 (at least 2 for a non-empty image): 2, 3 or 4.
  int dimension() const;

  std::size_t voxelCount() const { return size_[0] * size_[1] * size_[2] * size_[3]; }
  std::size_t byteCount() const { return bytes_.size(); }
  /// Index of the first component of voxel (x, y, z, t) in units of components.
  std::size_t componentIndex(std::size_t x, std::size_t y, std::size_t z = 0,
                             std::size_t t = 0) const {
    return (((t * size_[2] + z) * size_[1] + y) * size_[0] + x) *
           static_cast<std::size_t>(components_);
  }

  std::uint8_t* bytes() { return bytes_.data(); }
  const std::uint8_t* bytes() const { return bytes_.data(); }
  /// Typed view of the pixels; T must match pixelType() (checked with an assert in debug builds).
  template <typename T>
  T* data() {
    assert(pixelTypeOf<std::remove_const_t<T>>() == type_);
    return reinterpret_cast<T*>(bytes_.data());
  }
  template <typename T>
  const T* data() const {
    assert(pixelTypeOf<std::remove_const_t<T>>() == type_);
    return reinterpret_cast<const T*>(bytes_.data());
  }

  /// One component as a double, whatever the pixel type (convenient, not fast).
  double value(std::size_t x, std::size_t y, std::size_t z = 0, std::size_t t = 0,
               int component = 0) const;
  /// Sets one component, rounding and clamping to the pixel type.
  void setValue(std::size_t x, std::size_t y, std::size_t z, std::size_t t, int component,
                double value);
  /// Smallest and largest value over every component (NaN ignored); {0, 0} when empty.
  std::pair<double, double> valueRange() const;

  ImageGeometry geometry;
  ImageMetadata metadata;

 private:
  Size size_{0, 0, 0, 0};
  int components_ = 0;
  PixelType type_ = PixelType::U8;
  std::vector<std::uint8_t> bytes_;
};

/// Calls f(typed pointer) with the pixels as the C++ type of image.pixelType().
template <typename Image_, typename F>
decltype(auto) visitPixels(Image_& image, F&& f) {
  switch (image.pixelType()) {
    case PixelType::U8:
      return f(image.template data<std::uint8_t>());
    case PixelType::I16:
      return f(image.template data<std::int16_t>());
    case PixelType::U16:
      return f(image.template data<std::uint16_t>());
    case PixelType::I32:
      return f(image.template data<std::int32_t>());
    case PixelType::F32:
      return f(image.template data<float>());
    case PixelType::F64:
      break;
  }
  return f(image.template data<double>());
}

}  // namespace medsa
