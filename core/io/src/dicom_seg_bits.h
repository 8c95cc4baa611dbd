#pragma once

// Pieces of DICOM SEG writing and reading that are plain arithmetic: bit packing of binary
// frames, DS number text, CIELab colours, and the text limits of the value representations.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace medsa::io {

/// Sets bit `index` of a Bits Allocated 1 pixel stream: pixels follow each other without gaps,
/// across frame boundaries too, the first one in the lowest bit of the first byte (PS3.5 8.1.1 and
/// D.2). DCMTK 3.6.7 shifts each frame into the last byte of the one before but keeps only as
/// many bytes as the frame alone needs, so the bits that spill further are lost (and read back
/// the same way): DCMTK issue #1132, fixed in 3.6.9.
inline void setPackedBit(std::vector<std::uint8_t>& stream, std::size_t index) {
  stream[index >> 3] |= static_cast<std::uint8_t>(1u << (index & 7));
}
inline bool packedBit(const std::uint8_t* stream, std::size_t index) {
  return (stream[index >> 3] >> (index & 7)) & 1u;
}

/// A decimal string (DS) of at most 16 characters holding `value` as precisely as they allow.
std::string decimalString(double value);

/// DICOM's recommended display CIELab value (each 0..65535) of an 8-bit sRGB colour, and back.
std::array<std::uint16_t, 3> rgbToDicomLab(const std::array<std::uint8_t, 3>& rgb);
std::array<std::uint8_t, 3> dicomLabToRgb(const std::array<std::uint16_t, 3>& lab);

/// Text fit for a LO (Long String) element: at most 64 characters, no backslash or control
/// characters (replaced by '/' and ' ').
std::string longString(const std::string& text);

/// Text fit for a CS (Code String) element: upper case letters, digits, space and '_', at most
/// 16 characters; `fallback` when nothing is left.
std::string codeString(const std::string& text, const std::string& fallback);

}  // namespace medsa::io
