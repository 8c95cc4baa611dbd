#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "medsa/core/error.h"

// A structural walk over a DICOM file's elements before GDCM parses it. Debian's GDCM is built
// with assertions on, and some malformed or cut-off files make it abort the process (e.g. a
// header cut inside the file meta information). Walking the element tree ourselves, with bounds
// checks, turns those files into Errors and leaves GDCM only files whose structure is sound.
namespace medsa::io {

struct DicomLayout {
  std::string transferSyntax;  ///< from the file meta information; empty without one
  bool explicitVr = true;      ///< of the data set as found (files that lie are handled)
  bool bigEndian = false;
  bool deflated = false;
  std::size_t dataSetOffset = 0;                ///< where the data set starts (after meta)
  std::optional<std::size_t> pixelDataElement;  ///< where the (7FE0,0010) element starts
  std::optional<std::size_t> pixelDataOffset;   ///< where its value starts
  std::optional<std::size_t> pixelDataLength;   ///< its defined length (none if encapsulated)
};

/// Walks every element (sequences and items included) of a DICOM file held in memory. With
/// `stopAtPixelData` the walk ends at the top-level Pixel Data element, so the bytes after it
/// need not be present. Truncated when an element runs past the end, CorruptData when the
/// structure is invalid (unknown VR, misplaced delimiters, nesting deeper than 32).
Result<DicomLayout> walkDicom(const std::uint8_t* data, std::size_t size, bool stopAtPixelData,
                              const std::string& path);

}  // namespace medsa::io
