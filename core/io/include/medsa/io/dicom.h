#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "medsa/core/error.h"
#include "medsa/core/image.h"
#include "medsa/core/progress.h"

namespace medsa::io {

/// One series found in a folder: files that share a SeriesInstanceUID, an image size and an
/// orientation (a localizer with three planes in one series becomes three entries).
struct DicomSeriesInfo {
  std::string seriesInstanceUid;
  std::string studyInstanceUid;
  std::string modality;
  std::string seriesDescription;
  int seriesNumber = 0;
  std::size_t rows = 0;
  std::size_t columns = 0;
  std::size_t frames = 0;          ///< slices or frames over all files
  std::vector<std::string> files;  ///< every file of the series, in path order
  /// What tells series apart when their descriptions match: the plane of the slices ("axial",
  /// "coronal", "sagittal", "oblique"; "" without an orientation) and the earliest acquisition
  /// (or series) time, as DICOM writes it (HHMMSS.frac).
  std::string plane;
  std::string acquisitionTime;
};

/// The result of scanning a folder.
struct DicomScan {
  std::vector<DicomSeriesInfo> series;  ///< largest first (most frames), then by series number
  /// Files that were not readable DICOM images, each as "path: reason" (a folder of mixed files
  /// is normal, so these are reported, not errors).
  std::vector<std::string> skipped;
};

/// Finds every DICOM image series under a folder, recursively. Reads headers only. Fails when the
/// folder does not exist, holds no DICOM image, or the work is cancelled.
Result<DicomScan> scanDicomFolder(const std::string& folder, ProgressSink* progress = nullptr,
                                  CancellationToken cancel = {});

/// Reads one series into a volume. Slices are sorted by Image Position (Patient) projected on
/// the slice normal (Instance Number when positions are missing); duplicates are dropped and gaps
/// kept, each reported in metadata.warnings. Multi-frame files contribute their frames (as z, or
/// as t when the frames are a time series). Rescale slope/intercept are applied.
Result<Image> readDicomSeries(const DicomSeriesInfo& series, ProgressSink* progress = nullptr,
                              CancellationToken cancel = {});

/// Reads a single DICOM file (single- or multi-frame).
Result<Image> readDicomFile(const std::string& path, ProgressSink* progress = nullptr,
                            CancellationToken cancel = {});

}  // namespace medsa::io
