#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "medsa/annotations/label_map.h"

namespace medsa::annotations {

/// A binary mask on a slice: width * height bytes, non-zero = inside.
using Mask = std::vector<std::uint8_t>;

/// Pixels of `slice` equal to `value`.
Mask maskOf(const LabelSlice& slice, std::uint16_t value);
/// The pixels of background not connected (4-neighbourhood) to the slice border through
/// background: the holes of `mask`.
Mask holesOf(const Mask& mask, int width, int height);
/// The 8-connected components of `mask` smaller than `minPixels`.
Mask smallIslandsOf(const Mask& mask, int width, int height, std::size_t minPixels);
/// A filled disc of `radius` pixels around (cx, cy), or'ed into `mask`.
void paintDisc(Mask& mask, int width, int height, double cx, double cy, double radius);
/// Discs every half radius along the segment, so a fast stroke leaves no gaps.
void paintSegment(Mask& mask, int width, int height, double x0, double y0, double x1, double y1,
                  double radius);
/// The pixels whose centres lie inside the closed polygon (even-odd rule) through `xs`/`ys`,
/// in pixel coordinates, or'ed into `mask`.
void paintPolygon(Mask& mask, int width, int height, const std::vector<double>& xs,
                  const std::vector<double>& ys);
/// Number of non-zero pixels.
std::size_t area(const Mask& mask);
/// Intersection over union of two masks of the same size (1 when both are empty).
double maskIou(const Mask& a, const Mask& b);

}  // namespace medsa::annotations
