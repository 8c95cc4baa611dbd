#include "medsa/ui/file_hasher.h"

#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QtConcurrent/QtConcurrentRun>

namespace medsa::ui {
namespace {

constexpr qint64 kPiece = 4 << 20;

/// Forwards fractions to a shared atomic the UI thread polls.
class AtomicProgress : public ProgressSink {
 public:
  explicit AtomicProgress(std::shared_ptr<std::atomic<double>> fraction)
      : fraction_(std::move(fraction)) {}
  bool report(double fraction, std::string_view) override {
    fraction_->store(fraction);
    return true;
  }

 private:
  std::shared_ptr<std::atomic<double>> fraction_;
};

}  // namespace

Result<QString> sha256OfFile(const QString& path, ProgressSink* progress, CancellationToken token) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) {
    return Error{QFileInfo::exists(path) ? ErrorCode::ReadFailed : ErrorCode::FileNotFound,
                 "cannot open the file to check its SHA-256: " + file.errorString().toStdString(),
                 path.toStdString()};
  }
  QCryptographicHash hash(QCryptographicHash::Sha256);
  const qint64 total = file.size();
  qint64 done = 0;
  QByteArray piece;
  piece.resize(kPiece);
  for (;;) {
    if (token.isCancelled())
      return Error{ErrorCode::Cancelled, "checking the SHA-256 was cancelled", path.toStdString()};
    const qint64 read = file.read(piece.data(), kPiece);
    if (read < 0) {
      return Error{
          ErrorCode::ReadFailed,
          "reading the file to check its SHA-256 failed: " + file.errorString().toStdString(),
          path.toStdString()};
    }
    if (read == 0) break;
    hash.addData(QByteArrayView(piece.constData(), read));
    done += read;
    if (progress &&
        !progress->report(total > 0 ? double(done) / double(total) : 1.0, "Checking SHA-256"))
      return Error{ErrorCode::Cancelled, "checking the SHA-256 was cancelled", path.toStdString()};
  }
  return QString::fromLatin1(hash.result().toHex());
}

FileHasher::FileHasher(QObject* parent)
    : QObject(parent), fraction_(std::make_shared<std::atomic<double>>(0.0)) {
  connect(&watcher_, &QFutureWatcher<Result<QString>>::finished, this, [this] {
    result_ = watcher_.result();
    running_ = false;
    emit finished();
  });
}

FileHasher::~FileHasher() {
  token_.cancel();
  watcher_.waitForFinished();
}

bool FileHasher::start(const QString& path) {
  if (running_) return false;
  running_ = true;
  path_ = path;
  token_ = CancellationToken();
  fraction_->store(0.0);
  const CancellationToken token = token_;
  const auto fraction = fraction_;
  watcher_.setFuture(QtConcurrent::run([path, token, fraction] {
    AtomicProgress progress(fraction);
    return sha256OfFile(path, &progress, token);
  }));
  return true;
}

void FileHasher::cancel() { token_.cancel(); }

}  // namespace medsa::ui
