#include "image_sources.h"

#include <memory>
#include <mutex>
#include <optional>

#include "medsa/io/dicom.h"
#include "medsa/io/image_reader.h"

namespace medsa::app {
namespace {

QString toQString(const std::string& text) { return QString::fromStdString(text); }

/// The last folder the scanner listed, for the reader that follows the user's choice.
struct LastScan {
  std::mutex mutex;
  std::string folder;
  io::DicomScan scan;

  std::optional<io::DicomSeriesInfo> find(const std::string& path, const std::string& uid) {
    std::lock_guard lock(mutex);
    if (uid.empty() || path != folder) return std::nullopt;
    for (const io::DicomSeriesInfo& series : scan.series) {
      if (series.seriesInstanceUid == uid) return series;
    }
    return std::nullopt;
  }
};

}  // namespace

void installImageSources(ui::MainWindow& window) {
  auto last = std::make_shared<LastScan>();
  window.setImageReader([last](const std::string& path, const std::string& series,
                               ProgressSink* progress, CancellationToken cancel) -> Result<Image> {
    if (std::optional<io::DicomSeriesInfo> scanned = last->find(path, series))
      return io::readDicomSeries(*scanned, progress, std::move(cancel));
    io::ReadOptions options;
    options.series = series;
    return io::readImage(path, options, progress, std::move(cancel));
  });
  window.setSeriesScanner([last](const std::string& folder, ProgressSink* progress,
                                 CancellationToken cancel) -> Result<std::vector<ui::SeriesEntry>> {
    Result<io::DicomScan> scan = io::scanDicomFolder(folder, progress, std::move(cancel));
    if (!scan) return scan.error();
    std::vector<ui::SeriesEntry> entries;
    entries.reserve(scan->series.size());
    for (const io::DicomSeriesInfo& series : scan->series) {
      entries.push_back({toQString(series.seriesInstanceUid), toQString(series.seriesDescription),
                         toQString(series.modality), series.seriesNumber,
                         static_cast<int>(series.rows), static_cast<int>(series.columns),
                         static_cast<int>(series.frames), static_cast<int>(series.files.size()),
                         toQString(series.plane), toQString(series.acquisitionTime)});
    }
    std::lock_guard lock(last->mutex);
    last->folder = folder;
    last->scan = std::move(scan).value();
    return entries;
  });
}

}  // namespace medsa::app
