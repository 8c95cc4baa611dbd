#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "medsa/core/error.h"

// Structure checks for photographs, done on the bytes before OpenCV decodes them: OpenCV (through
// libjpeg) returns a grey-filled picture for a truncated JPEG instead of failing, and it has no
// public API for the EXIF orientation of a PNG or for telling why a decode failed.
namespace medsa::io {

/// What the structure walk learned.
struct PhotoStructure {
  int orientation = 1;  ///< EXIF/TIFF orientation, 1..8 (1: as stored)
};

/// JPEG: every segment in bounds, entropy-coded data followed by a marker, an end-of-image marker
/// present. Truncated or CorruptData otherwise.
Result<PhotoStructure> checkJpeg(const std::vector<std::uint8_t>& bytes, const std::string& path);
/// PNG: IHDR first, every chunk in bounds up to IEND; orientation from an eXIf chunk.
Result<PhotoStructure> checkPng(const std::vector<std::uint8_t>& bytes, const std::string& path);
/// TIFF: the first IFD readable, its strips or tiles inside the file; Orientation tag read.
Result<PhotoStructure> checkTiff(const std::vector<std::uint8_t>& bytes, const std::string& path);
/// BMP: the pixel array of an uncompressed bitmap inside the file.
Result<PhotoStructure> checkBmp(const std::vector<std::uint8_t>& bytes, const std::string& path);

/// The Orientation (0x0112) of the first IFD of a TIFF-structured block (an EXIF payload after
/// "Exif\0\0", or a TIFF file); 1 when absent or unreadable.
int tiffOrientation(const std::uint8_t* data, std::size_t size);

}  // namespace medsa::io
