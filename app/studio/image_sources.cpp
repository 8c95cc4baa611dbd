#include "image_sources.h"

#include "medsa/io/dicom.h"
#include "medsa/io/image_reader.h"

namespace medsa::app {
namespace {

QString toQString(const std::string& text) { return QString::fromStdString(text); }

}  // namespace

ui::ImageReader makeImageReader() {
  return [](const std::string& path, const std::string& series, ProgressSink* progress,
            CancellationToken cancel) {
    io::ReadOptions options;
    options.series = series;
    return io::readImage(path, options, progress, std::move(cancel));
  };
}

ui::SeriesScanner makeSeriesScanner() {
  return [](const std::string& folder, ProgressSink* progress,
            CancellationToken cancel) -> Result<std::vector<ui::SeriesEntry>> {
    Result<io::DicomScan> scan = io::scanDicomFolder(folder, progress, std::move(cancel));
    if (!scan) return scan.error();
    std::vector<ui::SeriesEntry> entries;
    entries.reserve(scan->series.size());
    for (const io::DicomSeriesInfo& series : scan->series) {
      entries.push_back({toQString(series.seriesInstanceUid), toQString(series.seriesDescription),
                         toQString(series.modality), series.seriesNumber,
                         static_cast<int>(series.rows), static_cast<int>(series.columns),
                         static_cast<int>(series.frames)});
    }
    return entries;
  };
}

}  // namespace medsa::app
