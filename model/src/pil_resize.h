#pragma once
// The picture's resize to the model's input as the official SAM does it (through PIL), without
// Torch: its rows are split between the cores, so the file is compiled with OpenMP.

#include "medsa/core/rgb_image.h"

namespace medsa::model {

/// Bilinear resize of an 8-bit RGB picture that reproduces PIL's Image.resize(BILINEAR)
/// bit for bit: a triangle filter widened by the scale when shrinking (antialiasing),
/// fixed-point weights, horizontal then vertical pass, each rounded to 8 bits.
RgbImage resizeBilinearAntialiased(const RgbImage& image, int width, int height);

}  // namespace medsa::model
