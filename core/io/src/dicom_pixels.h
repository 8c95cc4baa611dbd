#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "dicom_header.h"
#include "medsa/core/error.h"

namespace medsa::io {

/// The scalar type of decoded DICOM samples (before rescale).
enum class StoredType { U8, I8, U16, I16, U32, I32, F32, F64 };
std::size_t storedTypeSize(StoredType type);

/// A file's frames after decompression and colour conversion: frame after frame, rows top to
/// bottom, samples interleaved; grey (MONOCHROME1/2 as stored) or RGB.
struct DicomPixels {
  std::size_t columns = 0;
  std::size_t rows = 0;
  std::size_t frames = 0;
  int samples = 1;  ///< 1 or 3
  StoredType type = StoredType::U16;
  std::vector<std::uint8_t> bytes;
  std::string photometric;  ///< "MONOCHROME1", "MONOCHROME2" or "RGB"
  bool decodedByDcmtk = false;

  std::size_t frameBytes() const { return columns * rows * samples * storedTypeSize(type); }
};

struct DecodeOptions {
  /// Decode with DCMTK even when GDCM can (tests exercise the fallback this way).
  bool forceDcmtk = false;
};

/// Reads and decodes the pixel data of the file `header` describes. Errors say why: missing or
/// truncated pixel data, an unsupported transfer syntax, a damaged compressed stream.
Result<DicomPixels> decodeDicomPixels(const DicomHeader& header, const DecodeOptions& options = {});

/// "JPEG Baseline", "RLE Lossless", ... for a transfer syntax UID (for messages).
std::string transferSyntaxName(const std::string& uid);

}  // namespace medsa::io
