#pragma once

#include <cstddef>
#include <cstdint>

namespace medsa::io {

enum class JpegColour { Unknown, YCbCr, Rgb };

/// How a 3-component JPEG stream is coded, by libjpeg's rules: a JFIF marker means YCbCr; an
/// Adobe marker's transform flag decides (0: RGB); otherwise component ids 'R', 'G', 'B' mean RGB
/// and anything else YCbCr. GDCM returns the coded components unconverted, and DICOM headers
/// sometimes say RGB for YCbCr streams, so the stream is what we trust.
JpegColour jpegColour(const std::uint8_t* data, std::size_t size);

/// The frame header (SOFn) of a JPEG stream.
struct JpegFrame {
  int precision = 0;
  int width = 0;
  int height = 0;
  int components = 0;
};

/// Finds the first frame header; false when the stream has none before its first scan. GDCM's
/// JPEG codec asserts (aborts) when the stream's size or colour model is not what the DICOM
/// header says, so this is checked before GDCM sees the data.
bool jpegFrame(const std::uint8_t* data, std::size_t size, JpegFrame* frame, bool jpegLs = false);

/// The image header (SIZ) of a JPEG 2000 codestream, bare or in a JP2 file. Components must all
/// be full resolution; false when anything is missing or odd. GDCM's JPEG 2000 codec writes
/// past its buffer when the stream disagrees with the DICOM header, so this is checked first.
bool jpeg2000Frame(const std::uint8_t* data, std::size_t size, JpegFrame* frame);

}  // namespace medsa::io
