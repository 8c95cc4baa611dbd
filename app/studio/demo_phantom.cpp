#include "demo_phantom.h"

#include <cmath>
#include <cstdint>

namespace medsa::app {
namespace {

// Inside an axis-aligned ellipsoid centred at (cx, cy, cz) with radii (rx, ry, rz), in voxels.
bool inside(double x, double y, double z, double cx, double cy, double cz, double rx, double ry,
            double rz) {
  const double dx = (x - cx) / rx, dy = (y - cy) / ry, dz = (z - cz) / rz;
  return dx * dx + dy * dy + dz * dz <= 1.0;
}

}  // namespace

std::shared_ptr<Image> makeDemoPhantom() {
  constexpr std::size_t nx = 192, ny = 160, nz = 96;
  Result<Image> created = Image::create({nx, ny, nz, 1}, 1, PixelType::I16);
  if (!created) return nullptr;
  auto image = std::make_shared<Image>(std::move(created).value());
  image->geometry.spacing = {1.6, 1.6, 2.5};
  image->geometry.origin = {-153.6, -128.0, -120.0};
  image->metadata.format = "built-in phantom";
  image->metadata.modality = "CT";
  image->metadata.seriesDescription = "Med-SA Studio demo phantom";
  image->metadata.windows = {{40, 400, "Abdomen"}};
  std::int16_t* voxels = image->data<std::int16_t>();
  std::uint32_t noise = 12345;  // xorshift: the same speckle every run
  for (std::size_t z = 0; z < nz; ++z) {
    for (std::size_t y = 0; y < ny; ++y) {
      for (std::size_t x = 0; x < nx; ++x) {
        const double fx = static_cast<double>(x), fy = static_cast<double>(y);
        const double fz = static_cast<double>(z);
        double hu = -1000;
        // x runs to patient left, y to posterior, z to superior (LPS).
        if (inside(fx, fy, fz, 96, 82, 48, 84, 64, 400)) hu = -90;     // fat
        if (inside(fx, fy, fz, 96, 82, 48, 78, 58, 400)) hu = 35;      // muscle/soft tissue
        if (fz > 58) {                                                 // chest
          if (inside(fx, fy, fz, 60, 78, 96, 30, 42, 50)) hu = -840;   // right lung
          if (inside(fx, fy, fz, 132, 78, 96, 30, 42, 50)) hu = -840;  // left lung
        }
        if (inside(fx, fy, fz, 64, 74, 44, 36, 34, 26)) hu = 62;     // liver
        if (inside(fx, fy, fz, 56, 66, 48, 9, 9, 7)) hu = 15;        // lesion in liver
        if (inside(fx, fy, fz, 128, 64, 46, 20, 16, 18)) hu = 48;    // spleen/stomach
        if (inside(fx, fy, fz, 62, 112, 28, 11, 14, 16)) hu = 155;   // right kidney
        if (inside(fx, fy, fz, 130, 112, 30, 11, 14, 16)) hu = 155;  // left kidney
        if (inside(fx, fy, fz, 104, 98, 48, 7, 7, 400)) hu = 210;    // aorta (contrast)
        if (inside(fx, fy, fz, 96, 124, 48, 13, 11, 400)) hu = 650;  // vertebral bodies
        if (inside(fx, fy, fz, 96, 124, 48, 9, 7, 400)) hu = 260;    // cancellous bone
        if (std::fmod(fz, 12.0) < 1.5 && inside(fx, fy, fz, 96, 124, 48, 13, 11, 400)) hu = 80;
        if (inside(fx, fy, fz, 96, 140, 48, 5, 4, 400)) hu = 20;  // spinal canal
        noise ^= noise << 13;
        noise ^= noise >> 17;
        noise ^= noise << 5;
        hu += static_cast<double>(noise % 21) - 10;
        voxels[(z * ny + y) * nx + x] = static_cast<std::int16_t>(std::lround(hu));
      }
    }
  }
  return image;
}

}  // namespace medsa::app
