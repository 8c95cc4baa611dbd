#pragma once

#include <cmath>
#include <memory>

#include "medsa/core/image.h"

/// A 64 x 64 x 32 u8 volume: a bright sphere (radius 10, centre 32, 32, 16) on a dark background,
/// window 0..255, so the fake engine finds the sphere's cross-section on every slice it crosses.
inline std::shared_ptr<medsa::Image> makeSphereVolume() {
  auto image = std::make_shared<medsa::Image>(
      medsa::Image::create({64, 64, 32, 1}, 1, medsa::PixelType::U8).value());
  for (std::size_t z = 0; z < 32; ++z) {
    for (std::size_t y = 0; y < 64; ++y) {
      for (std::size_t x = 0; x < 64; ++x) {
        const double d = std::hypot(std::hypot(x - 32.0, y - 32.0), z - 16.0);
        image->setValue(x, y, z, 0, 0, d <= 10 ? 220 : 30);
      }
    }
  }
  return image;
}
