#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

// Colour conversions of decoded DICOM pixels (PS3.3 C.7.6.3.1.2). GDCM leaves JPEG data in
// YCbCr when the file says YBR_FULL or YBR_FULL_422, so we convert.
namespace medsa::io {

/// YBR_FULL to RGB in place, 8-bit interleaved samples.
void ybrFullToRgb8(std::uint8_t* samples, std::size_t pixels);
/// YBR_FULL to RGB in place, 16-bit interleaved samples with `bits` significant bits.
void ybrFullToRgb16(std::uint16_t* samples, std::size_t pixels, int bits);

/// Planar (RRR...GGG...BBB per frame) to interleaved, for `frames` frames of `pixels` pixels.
void planarToInterleaved(std::vector<std::uint8_t>& bytes, std::size_t frames, std::size_t pixels,
                         std::size_t sampleBytes);

/// Uncompressed YBR_FULL_422 (Y0 Y1 Cb Cr per pixel pair, 8-bit) to full YBR_FULL samples.
std::vector<std::uint8_t> expandYbr422(const std::vector<std::uint8_t>& bytes, std::size_t frames,
                                       std::size_t columns, std::size_t rows);

/// One channel of a palette colour lookup table (PS3.3 C.7.6.3.1.5).
struct PaletteChannel {
  std::size_t entries = 0;          ///< descriptor value 1 (0 means 65536)
  long firstMapped = 0;             ///< descriptor value 2: the stored value of entry 0
  std::vector<std::uint16_t> data;  ///< one value per entry, in [0, 2^bits)
};

/// Maps stored indices through the red, green and blue tables into interleaved RGB samples of
/// the tables' depth (8 or 16 bits; 16-bit samples written in host order). Indices below the
/// first mapped value take entry 0, above the table its last entry.
std::vector<std::uint8_t> applyPalette(const std::vector<std::uint8_t>& indices, bool wideIndices,
                                       const PaletteChannel channels[3], bool wideOutput);

}  // namespace medsa::io
