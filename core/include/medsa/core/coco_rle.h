#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "medsa/core/error.h"

namespace medsa {

/// A binary mask as COCO's run-length encoding (pycocotools' maskApi): pixels in column-major
/// order (index = x * height + y), runs alternating 0s and 1s, starting with 0s (a mask whose
/// first pixel is set starts with a run of length 0).
struct CocoRle {
  std::size_t height = 0;
  std::size_t width = 0;
  std::vector<std::uint32_t> counts;
  friend bool operator==(const CocoRle&, const CocoRle&) = default;
};

/// Encodes a row-major mask (width * height bytes, y * width + x; non-zero = inside). Fails when
/// the mask has more pixels than pycocotools' 32-bit counts can hold.
Result<CocoRle> encodeCocoRle(const std::uint8_t* mask, std::size_t width, std::size_t height);

/// The row-major mask (0 or 1 per pixel) of an RLE. Fails when the counts do not add up to
/// height * width.
Result<std::vector<std::uint8_t>> decodeCocoRle(const CocoRle& rle);

/// The compressed "counts" string exactly as pycocotools writes it (rleToString: each count, from
/// the fourth on as the difference to the count two before, in 5-bit groups with a continuation
/// bit, as characters 48..111).
std::string cocoRleCountsToString(const std::vector<std::uint32_t>& counts);

/// The inverse of cocoRleCountsToString. Unlike pycocotools it refuses what it did not write:
/// characters outside 48..111, a string ending inside a count, counts below 0 or above 2^32 - 1.
Result<std::vector<std::uint32_t>> cocoRleCountsFromString(std::string_view text);

/// Number of pixels inside (pycocotools' area: the sum of the odd-indexed counts).
std::uint64_t cocoRleArea(const CocoRle& rle);

/// The bounding box [x, y, width, height] of the pixels inside, 0-indexed, as pycocotools'
/// toBbox computes it; all zero for an empty mask.
std::array<std::uint64_t, 4> cocoRleBox(const CocoRle& rle);

}  // namespace medsa
