#include "medsa/ui/image_opener.h"

#include <QFileInfo>
#include <QtConcurrent>

#include "medsa/ui/polled_progress.h"

namespace medsa::ui {
namespace {

/// Runs reader-like work on a worker thread: anything it throws becomes an error naming `path`.
template <typename T, typename Work>
Result<T> guarded(const std::string& path, Work&& work) {
  try {
    return work();
  } catch (const std::exception& e) {
    return Error{ErrorCode::Internal, e.what(), path};
  } catch (...) {
    return Error{ErrorCode::Internal, "unknown error while reading", path};
  }
}

}  // namespace

ImageOpener::ImageOpener(QObject* parent) : QObject(parent) {
  connect(&readWatcher_, &QFutureWatcher<Result<Image>>::finished, this, &ImageOpener::onRead);
  connect(&scanWatcher_, &QFutureWatcher<Result<std::vector<SeriesEntry>>>::finished, this,
          &ImageOpener::onScanned);
}

ImageOpener::~ImageOpener() {
  cancel();
  readWatcher_.waitForFinished();
  scanWatcher_.waitForFinished();
}

bool ImageOpener::open(const QString& path) {
  if (!reader_ || isBusy()) return false;
  if (!scanner_ || !QFileInfo(path).isDir()) return read(path, QString());
  // A folder: list its series first (headers only), so the user can choose one.
  path_ = path;
  series_.clear();
  progress_ = std::make_shared<PolledProgress>();
  emit started(path);
  scanWatcher_.setFuture(
      QtConcurrent::run([scanner = scanner_, p = path.toStdString(), progress = progress_] {
        return guarded<std::vector<SeriesEntry>>(
            p, [&] { return scanner(p, progress.get(), progress->token()); });
      }));
  return true;
}

bool ImageOpener::read(const QString& path, const QString& series) {
  if (!reader_ || readWatcher_.isRunning() || scanWatcher_.isRunning()) return false;
  startRead(path, series);
  return true;
}

void ImageOpener::startRead(const QString& path, const QString& series) {
  const bool announce = !progress_;
  path_ = path;
  series_ = series;
  if (announce) progress_ = std::make_shared<PolledProgress>();
  if (announce) emit started(path);
  // The worker owns copies of what it needs; errors come back as values, never exceptions.
  readWatcher_.setFuture(QtConcurrent::run(
      [reader = reader_, p = path.toStdString(), uid = series.toStdString(), progress = progress_] {
        return guarded<Image>(p, [&] { return reader(p, uid, progress.get(), progress->token()); });
      }));
}

void ImageOpener::onScanned() {
  Result<std::vector<SeriesEntry>> result = scanWatcher_.result();
  if (result && result->empty())
    result = Error{ErrorCode::NotAnImage, "no DICOM image series in this folder", {}};
  if (!result) {
    fail(result.error(), true);
    return;
  }
  if (result->size() == 1) {
    startRead(path_, result->front().uid);
    return;
  }
  choosing_ = true;
  emit seriesChoiceNeeded(path_, result.value());
}

void ImageOpener::chooseSeries(const QString& uid) {
  if (!choosing_) return;
  choosing_ = false;
  if (uid.isEmpty()) {
    fail(Error{ErrorCode::Cancelled, "no series chosen", path_.toStdString()}, true);
    return;
  }
  startRead(path_, uid);
}

void ImageOpener::cancel() {
  if (progress_) progress_->cancel();
  if (choosing_) chooseSeries(QString());
}

void ImageOpener::onRead() {
  Result<Image> result = readWatcher_.result();
  progress_.reset();
  if (!result) {
    fail(result.error(), false);
    return;
  }
  // Series of one folder are different images: their embeddings must not share cache keys.
  QString id = QFileInfo(path_).absoluteFilePath();
  if (!series_.isEmpty()) id += QStringLiteral("#series=") + series_;
  emit opened(std::make_shared<Image>(std::move(result).value()), path_, id, series_);
  emit idle();
}

void ImageOpener::fail(Error error, bool whileScanning) {
  progress_.reset();
  if (error.path.empty()) error.path = path_.toStdString();
  emit failed(error, whileScanning);
  emit idle();
}

}  // namespace medsa::ui
