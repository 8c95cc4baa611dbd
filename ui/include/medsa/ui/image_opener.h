#pragma once

#include <QFutureWatcher>
#include <QObject>
#include <QString>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "medsa/core/error.h"
#include "medsa/core/image.h"
#include "medsa/core/progress.h"

namespace medsa::ui {

class PolledProgress;

/// Reads an image file or DICOM folder (medsa_io, injected by the app so the UI never links it).
/// `series` picks a folder's DICOM series by its SeriesInstanceUID ("": the reader's default).
using ImageReader = std::function<Result<Image>(const std::string& path, const std::string& series,
                                                ProgressSink* progress, CancellationToken cancel)>;
/// One image series of a DICOM folder, as the series picker lists it.
struct SeriesEntry {
  QString uid;  ///< SeriesInstanceUID
  QString description;
  QString modality;
  int seriesNumber = 0;
  int rows = 0;
  int columns = 0;
  int images = 0;  ///< slices or frames
  int files = 0;
  QString plane;            ///< "axial", "coronal", "sagittal", "oblique" or ""
  QString acquisitionTime;  ///< DICOM time (HHMMSS.frac), "" when unknown
};
/// Lists the image series of a DICOM folder (medsa_io, injected by the app like the reader).
using SeriesScanner = std::function<Result<std::vector<SeriesEntry>>(
    const std::string& folder, ProgressSink* progress, CancellationToken cancel)>;

/// Opens images on worker threads, with progress and cancel, and nothing else: a folder is
/// scanned for its series first, and when it holds several the caller is asked to choose.
/// Exceptions thrown by a reader come back as errors; nothing is shown here.
class ImageOpener : public QObject {
  Q_OBJECT

 public:
  explicit ImageOpener(QObject* parent = nullptr);
  ~ImageOpener() override;

  void setReader(ImageReader reader) { reader_ = std::move(reader); }
  const ImageReader& reader() const { return reader_; }
  /// With a scanner, a folder's series are listed first; without, the reader picks its default.
  void setScanner(SeriesScanner scanner) { scanner_ = std::move(scanner); }

  bool isBusy() const { return readWatcher_.isRunning() || scanWatcher_.isRunning() || choosing_; }
  /// What is being opened (the last path asked for).
  QString path() const { return path_; }
  /// The running read's progress (null when idle); the caller polls it.
  std::shared_ptr<PolledProgress> progress() const { return progress_; }

  /// Opens a file, or a folder (scanning its series; seriesChoiceNeeded when it has several).
  /// Returns false, and does nothing, while another open is running or with no reader.
  bool open(const QString& path);
  /// Reads `series` of a folder directly (its UID is known, e.g. from an autosave).
  bool read(const QString& path, const QString& series);
  /// The answer to seriesChoiceNeeded; an empty UID cancels.
  void chooseSeries(const QString& uid);
  void cancel();

 signals:
  void started(const QString& path);
  void seriesChoiceNeeded(const QString& folder, const std::vector<medsa::ui::SeriesEntry>& series);
  /// `id` names the image in caches: the absolute path, plus the series for a folder's series.
  void opened(std::shared_ptr<medsa::Image> image, const QString& path, const QString& id,
              const QString& series);
  /// Scanning a folder or reading an image failed, or was cancelled (ErrorCode::Cancelled).
  void failed(const medsa::Error& error, bool whileScanning);
  /// Nothing runs any more (after opened or failed).
  void idle();

 private:
  void startRead(const QString& path, const QString& series);
  void onScanned();
  void onRead();
  void fail(Error error, bool whileScanning);

  ImageReader reader_;
  SeriesScanner scanner_;
  QString path_;
  QString series_;
  bool choosing_ = false;
  std::shared_ptr<PolledProgress> progress_;
  QFutureWatcher<Result<Image>> readWatcher_;
  QFutureWatcher<Result<std::vector<SeriesEntry>>> scanWatcher_;
};

}  // namespace medsa::ui
