#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "medsa/core/error.h"
#include "medsa/core/image.h"

namespace medsa::io {

/// What medsa_io needs from one DICOM file's header, parsed once (scan) and reused (read).
struct DicomHeader {
  std::string path;
  std::string transferSyntax;  ///< UID
  std::string sopClassUid;
  std::string sopInstanceUid;
  std::string seriesUid;
  std::string studyUid;
  std::string modality;
  std::string seriesDescription;
  std::string studyDescription;
  std::string acquisitionTime;  ///< (0008,0032), else the Series Time (0008,0031): HHMMSS.frac
  std::string photometric;
  std::string patientOrientation;
  int seriesNumber = 0;
  std::optional<long> instanceNumber;
  std::optional<long> acquisitionNumber;
  std::optional<double> triggerTime;  ///< (0018,1060), orders cardiac phases

  std::size_t rows = 0;
  std::size_t columns = 0;
  std::size_t frames = 1;
  int samplesPerPixel = 1;
  int bitsAllocated = 0;
  int bitsStored = 0;
  int highBit = -1;
  int pixelRepresentation = 0;
  int planarConfiguration = 0;

  std::optional<std::array<double, 3>> position;      ///< Image Position (Patient), first frame
  std::optional<std::array<double, 6>> orientation;   ///< Image Orientation (Patient)
  std::optional<std::array<double, 2>> pixelSpacing;  ///< (between rows, between columns)
  std::optional<double> sliceThickness;
  std::optional<double> spacingBetweenSlices;
  double slope = 1;
  double intercept = 0;
  std::vector<WindowPreset> windows;

  /// Multi-frame: per-frame positions (enhanced objects), RT Dose grid offsets, timing.
  std::vector<std::array<double, 3>> framePositions;
  std::vector<double> gridFrameOffsets;
  double frameTimeMs = 0;
  std::vector<double> frameTimeVectorMs;
  std::vector<std::uint32_t> frameIncrementPointers;  ///< (group << 16 | element) each

  bool isImage() const { return rows > 0 && columns > 0 && bitsAllocated > 0; }
  /// True when the frames of this file are a time series (cine) rather than slices.
  bool framesAreTime() const;
};

/// Reads a DICOM file's header (stops before Pixel Data). NotAnImage for a DICOM object without
/// an image (a plan, a report), CorruptData/Truncated when GDCM cannot parse it.
Result<DicomHeader> readDicomHeader(const std::string& path);

struct DicomSeriesInfo;
/// The series this file's header describes, with the file alone in it (dicom_scan.cpp): its
/// UIDs, modality, description, number, size, plane, acquisition time, frames.
DicomSeriesInfo seriesOfFile(const DicomHeader& header);

/// "CT", "MR", ... or the SOP class name in words for non-image objects, for messages.
std::string describeSopClass(const std::string& sopClassUid);

/// Silences GDCM's warning/error printing (we report errors ourselves); idempotent.
void quietGdcm();

}  // namespace medsa::io
