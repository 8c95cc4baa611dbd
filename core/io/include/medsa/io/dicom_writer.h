#pragma once

#include <string>

#include "medsa/core/error.h"
#include "medsa/core/image.h"

namespace medsa::io {

struct DicomSeriesWriteOptions {
  std::string modality = "CT";
  std::string seriesDescription = "medsa synthetic series";
  /// Stored value = real value - intercept, kept in unsigned 16 bits (as CT scanners store HU).
  double rescaleIntercept = -1024;
  std::string fileNamePrefix = "slice";
};

/// Writes a 3D grey volume (i16 or u16) as a series of single-frame CT/MR-style DICOM files, one
/// per z slice, with its geometry (Image Position/Orientation (Patient), Pixel Spacing) and
/// rescale. For benchmarks and tests that need a real series; annotation export as DICOM SEG is
/// a different writer (dicom_seg.h).
Status writeDicomSeries(const Image& volume, const std::string& folder,
                        const DicomSeriesWriteOptions& options = {});

}  // namespace medsa::io
