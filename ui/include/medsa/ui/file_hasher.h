#pragma once
// SHA-256 of a model file (gigabytes) off the UI thread, with progress and cancel.

#include <QFutureWatcher>
#include <QObject>
#include <QString>

#include <atomic>
#include <memory>

#include "medsa/core/error.h"
#include "medsa/core/progress.h"

namespace medsa::ui {

/// Reads `path` in pieces and returns its SHA-256 as 64 lowercase hex digits. Reports to
/// `progress` (may be null) and stops with ErrorCode::Cancelled when `token` is cancelled or
/// the sink says stop. Errors name the file.
Result<QString> sha256OfFile(const QString& path, ProgressSink* progress = nullptr,
                             CancellationToken token = {});

/// Runs sha256OfFile on a worker thread; finished() follows on the owner's thread.
class FileHasher : public QObject {
  Q_OBJECT

 public:
  explicit FileHasher(QObject* parent = nullptr);
  /// Cancels the work and waits for the worker.
  ~FileHasher() override;

  /// Starts hashing `path`; false while another file is being hashed.
  bool start(const QString& path);
  void cancel();
  /// True from start() until finished() has been emitted.
  bool isRunning() const { return running_; }
  /// Fraction of the file read so far, in [0, 1] (polled: no signal per piece).
  double fraction() const { return fraction_->load(); }
  QString path() const { return path_; }
  /// The result of the last finished run.
  const Result<QString>& result() const { return result_; }

 signals:
  void finished();

 private:
  QFutureWatcher<Result<QString>> watcher_;
  std::shared_ptr<std::atomic<double>> fraction_;
  CancellationToken token_;
  QString path_;
  bool running_ = false;
  Result<QString> result_ = Error{ErrorCode::Internal, "no file hashed yet", {}};
};

}  // namespace medsa::ui
