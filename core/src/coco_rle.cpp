#include "medsa/core/coco_rle.h"

#include <algorithm>
#include <limits>

namespace medsa {

Result<CocoRle> encodeCocoRle(const std::uint8_t* mask, std::size_t width, std::size_t height) {
  if (width != 0 && height > std::numeric_limits<std::uint32_t>::max() / width) {
    return Error{ErrorCode::InvalidArgument,
                 "a COCO RLE mask holds at most 2^32 - 1 pixels (pycocotools' 32-bit counts)",
                 {}};
  }
  CocoRle rle;
  rle.height = height;
  rle.width = width;
  bool inside = false;
  std::uint32_t run = 0;
  for (std::size_t x = 0; x < width; ++x) {
    for (std::size_t y = 0; y < height; ++y) {
      const bool set = mask[y * width + x] != 0;
      if (set != inside) {
        rle.counts.push_back(run);
        run = 0;
        inside = set;
      }
      ++run;
    }
  }
  rle.counts.push_back(run);
  return rle;
}

Result<std::vector<std::uint8_t>> decodeCocoRle(const CocoRle& rle) {
  const std::uint64_t total = std::uint64_t(rle.height) * rle.width;
  std::uint64_t sum = 0;
  for (std::uint32_t count : rle.counts) sum += count;
  if (sum != total) {
    return Error{ErrorCode::CorruptData,
                 "COCO RLE counts add up to " + std::to_string(sum) + " pixels, not " +
                     std::to_string(rle.height) + " x " + std::to_string(rle.width),
                 {}};
  }
  std::vector<std::uint8_t> mask(static_cast<std::size_t>(total), 0);
  std::size_t t = 0;
  for (std::size_t i = 0; i < rle.counts.size(); ++i) {
    if (i % 2 == 1) {
      for (std::size_t k = t; k < t + rle.counts[i]; ++k) {
        mask[(k % rle.height) * rle.width + k / rle.height] = 1;
      }
    }
    t += rle.counts[i];
  }
  return mask;
}

std::string cocoRleCountsToString(const std::vector<std::uint32_t>& counts) {
  std::string text;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    std::int64_t x = counts[i];
    // pycocotools starts the differences at the fourth count, not the third.
    if (i > 2) x -= counts[i - 2];
    bool more = true;
    while (more) {
      int c = static_cast<int>(x & 0x1f);
      x >>= 5;  // arithmetic shift: a negative difference ends in a group of its sign bits
      more = (c & 0x10) ? x != -1 : x != 0;
      if (more) c |= 0x20;
      text.push_back(static_cast<char>(c + 48));
    }
  }
  return text;
}

Result<std::vector<std::uint32_t>> cocoRleCountsFromString(std::string_view text) {
  auto corrupt = [](std::string reason) {
    return Error{ErrorCode::CorruptData, "COCO RLE counts string: " + std::move(reason), {}};
  };
  std::vector<std::uint32_t> counts;
  std::size_t p = 0;
  while (p < text.size()) {
    std::int64_t x = 0;
    int k = 0;
    bool more = true;
    while (more) {
      if (p >= text.size()) return corrupt("it ends inside a count");
      const int c = static_cast<unsigned char>(text[p]) - 48;
      if (c < 0 || c > 63) return corrupt("character " + std::to_string(p) + " is out of range");
      // Seven groups already exceed 32 bits; more would shift past the 64-bit accumulator.
      if (k >= 8) return corrupt("count " + std::to_string(counts.size()) + " is too long");
      x |= static_cast<std::int64_t>(c & 0x1f) << (5 * k);
      more = (c & 0x20) != 0;
      ++p;
      ++k;
      if (!more && (c & 0x10)) x |= ~((std::int64_t(1) << (5 * k)) - 1);  // sign-extend
    }
    if (counts.size() > 2) x += counts[counts.size() - 2];
    if (x < 0 || x > std::numeric_limits<std::uint32_t>::max()) {
      return corrupt("count " + std::to_string(counts.size()) + " is " + std::to_string(x));
    }
    counts.push_back(static_cast<std::uint32_t>(x));
  }
  return counts;
}

std::uint64_t cocoRleArea(const CocoRle& rle) {
  std::uint64_t area = 0;
  for (std::size_t i = 1; i < rle.counts.size(); i += 2) area += rle.counts[i];
  return area;
}

std::array<std::uint64_t, 4> cocoRleBox(const CocoRle& rle) {
  if (rle.height == 0) return {0, 0, 0, 0};
  const std::uint64_t h = rle.height;
  std::uint64_t xMin = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t yMin = xMin;
  std::uint64_t xMax = 0;
  std::uint64_t yMax = 0;
  std::uint64_t t = 0;
  bool any = false;
  for (std::size_t i = 0; i < rle.counts.size(); ++i) {
    if (i % 2 == 1 && rle.counts[i] > 0) {
      const std::uint64_t first = t;
      const std::uint64_t last = t + rle.counts[i] - 1;
      const std::uint64_t x0 = first / h;
      const std::uint64_t x1 = last / h;
      xMin = std::min(xMin, x0);
      xMax = std::max(xMax, x1);
      if (x0 == x1) {
        yMin = std::min(yMin, first % h);
        yMax = std::max(yMax, last % h);
      } else {  // a run over a column boundary covers the bottom and the top row
        yMin = 0;
        yMax = h - 1;
      }
      any = true;
    }
    t += rle.counts[i];
  }
  if (!any) return {0, 0, 0, 0};
  return {xMin, yMin, xMax - xMin + 1, yMax - yMin + 1};
}

}  // namespace medsa
