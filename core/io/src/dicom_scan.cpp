#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <map>
#include <optional>
#include <tuple>

#include "dicom_header.h"
#include "file_bytes.h"
#include "format_detect.h"
#include "medsa/io/dicom.h"
#include "parallel.h"

namespace medsa::io {
namespace fs = std::filesystem;
namespace {

/// The anatomical plane of slices with these row and column directions (LPS): the axis the
/// slice normal is closest to, when it is within about 20 degrees of it.
std::string planeOf(const std::array<double, 6>& o) {
  const double n[3] = {o[1] * o[5] - o[2] * o[4], o[2] * o[3] - o[0] * o[5],
                       o[0] * o[4] - o[1] * o[3]};
  const double length = std::sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
  if (length < 1e-6) return {};
  int axis = 0;
  for (int k = 1; k < 3; ++k)
    if (std::abs(n[k]) > std::abs(n[axis])) axis = k;
  if (std::abs(n[axis]) / length < 0.94) return "oblique";
  return axis == 0 ? "sagittal" : axis == 1 ? "coronal" : "axial";
}

}  // namespace

DicomSeriesInfo seriesOfFile(const DicomHeader& h) {
  DicomSeriesInfo info;
  info.seriesInstanceUid = h.seriesUid;
  info.studyInstanceUid = h.studyUid;
  info.modality = h.modality;
  info.seriesDescription = h.seriesDescription;
  info.seriesNumber = h.seriesNumber;
  info.rows = h.rows;
  info.columns = h.columns;
  info.plane = h.orientation ? planeOf(*h.orientation) : std::string();
  info.acquisitionTime = h.acquisitionTime;
  info.frames = h.frames;
  info.files = {h.path};
  return info;
}

Result<DicomScan> scanDicomFolder(const std::string& folder, ProgressSink* sink,
                                  CancellationToken cancel) {
  std::error_code ec;
  if (!fs::exists(folder, ec)) return Error{ErrorCode::FileNotFound, "no such folder", folder};
  if (!fs::is_directory(folder, ec)) {
    return Error{ErrorCode::InvalidArgument, "not a folder", folder};
  }
  std::vector<std::string> paths;
  try {
    for (fs::recursive_directory_iterator it(folder, fs::directory_options::skip_permission_denied),
         end;
         it != end; it.increment(ec)) {
      if (ec) break;
      if (it->is_regular_file(ec)) paths.push_back(it->path().string());
    }
  } catch (const fs::filesystem_error& e) {
    return Error{ErrorCode::ReadFailed, std::string("cannot list the folder: ") + e.what(), folder};
  }
  std::sort(paths.begin(), paths.end());

  // Headers in parallel; a file that is not a DICOM image is noted, never fatal.
  std::vector<std::optional<DicomHeader>> headers(paths.size());
  std::vector<std::string> problems(paths.size());
  std::vector<char> dicom(paths.size(), 0);  // not vector<bool>: written from threads
  ProgressScope progress(sink, 0, 1, cancel);
  Status status = parallelFor(
      paths.size(),
      [&](std::size_t i) -> Status {
        Result<std::vector<std::uint8_t>> head = readFileHead(paths[i], kFormatProbeBytes);
        if (!head || detectFormatFromBytes(head.value()) != FileFormat::Dicom) return {};
        dicom[i] = 1;
        Result<DicomHeader> header = readDicomHeader(paths[i]);
        if (header) {
          headers[i] = std::move(header).value();
        } else {
          problems[i] = header.error().describe();
        }
        return {};
      },
      progress, "Scanning for DICOM series", folder);
  if (!status) return status.error();

  using Key = std::tuple<std::string, std::size_t, std::size_t, std::array<long, 6>>;
  std::map<Key, DicomSeriesInfo> bySeries;
  DicomScan scan;
  std::size_t notDicom = 0;
  for (std::size_t i = 0; i < paths.size(); ++i) {
    if (!dicom[i]) {
      ++notDicom;
      continue;
    }
    if (!headers[i]) {
      scan.skipped.push_back(problems[i]);
      continue;
    }
    const DicomHeader& h = *headers[i];
    std::array<long, 6> orientation{};
    if (h.orientation) {
      for (std::size_t k = 0; k < 6; ++k) orientation[k] = std::lround((*h.orientation)[k] * 1000);
    }
    DicomSeriesInfo& info = bySeries[{h.seriesUid, h.rows, h.columns, orientation}];
    if (info.files.empty()) {
      info = seriesOfFile(h);
      continue;
    }
    if (!h.acquisitionTime.empty() &&
        (info.acquisitionTime.empty() || h.acquisitionTime < info.acquisitionTime))
      info.acquisitionTime = h.acquisitionTime;
    info.frames += h.frames;
    info.files.push_back(h.path);
  }
  if (notDicom > 0) {
    scan.skipped.push_back(std::to_string(notDicom) + (notDicom == 1 ? " file is" : " files are") +
                           " not DICOM");
  }
  for (auto& [key, info] : bySeries) scan.series.push_back(std::move(info));
  std::stable_sort(scan.series.begin(), scan.series.end(),
                   [](const DicomSeriesInfo& a, const DicomSeriesInfo& b) {
                     if (a.frames != b.frames) return a.frames > b.frames;
                     return a.seriesNumber < b.seriesNumber;
                   });
  if (scan.series.empty()) {
    return Error{ErrorCode::NotAnImage,
                 "no DICOM image series in this folder (" + std::to_string(paths.size()) +
                     " files looked at)",
                 folder};
  }
  return scan;
}

}  // namespace medsa::io
