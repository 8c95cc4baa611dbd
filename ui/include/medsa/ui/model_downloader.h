#pragma once
// One checkpoint download: HTTP with resume (range requests), pause, cancel, and the SHA-256
// check before the file takes its name. No widgets: the model manager dialog shows it and
// `medsa models download` drives it; tests drive it against a local server.

#include <QFile>
#include <QObject>
#include <QPointer>
#include <QString>

#include <optional>

#include "medsa/core/error.h"
#include "medsa/ui/file_hasher.h"
#include "medsa/ui/model_catalogue.h"

class QNetworkAccessManager;
class QNetworkReply;

namespace medsa::ui {

/// Downloads FOLDER/FILE as FOLDER/FILE.part (bytes so far; FILE.part.json beside it records the
/// address and the server's validators), resuming from the part's size with "Range: bytes=N-"
/// and If-Range. Only a complete file whose SHA-256 is the catalogue's is renamed to FILE; a
/// mismatch deletes it. An entry without a checksum is renamed unverified and says so.
class ModelDownloader : public QObject {
  Q_OBJECT

 public:
  enum class State {
    Idle,
    Downloading,
    Paused,       ///< stopped by the user; FILE.part kept
    Interrupted,  ///< the connection broke; FILE.part kept, resume() continues
    Verifying,    ///< computing the SHA-256 of the complete file
    Finished,     ///< FILE is in place (verified() says whether against a checksum)
    Failed,       ///< error() says why; FILE.part kept only if it can be resumed
    Cancelled,    ///< nothing of the download is left
  };
  Q_ENUM(State)

  explicit ModelDownloader(QObject* parent = nullptr);
  ~ModelDownloader() override;

  /// Whether a connection that broke after bringing new bytes is resumed at once (default on).
  /// One that brought nothing, or with this off, leaves the state Interrupted.
  void setResumeAutomatically(bool on) { resumeAutomatically_ = on; }
  /// Abort a transfer that receives nothing for this long (default 60 s).
  void setTransferTimeout(int milliseconds) { transferTimeoutMs_ = milliseconds; }

  /// Starts (or continues, when FOLDER/FILE.part exists) downloading `entry` into `folder`.
  /// False, with error() set, when it cannot start: not a direct download, FILE already there,
  /// the folder cannot be made, too little disk space, or another download is running.
  bool start(const CatalogueEntry& entry, const QString& folder);
  /// Stops the transfer and keeps FILE.part (Downloading → Paused).
  void pause();
  /// Continues from FILE.part after pause, an interruption or a failure.
  bool resume();
  /// Stops whatever is going on and deletes FILE.part and its record (→ Cancelled).
  void cancel();

  State state() const { return state_; }
  bool isActive() const { return state_ == State::Downloading || state_ == State::Verifying; }
  const CatalogueEntry& entry() const { return entry_; }
  QString targetPath() const { return target_; }
  QString partPath() const { return target_ + QStringLiteral(".part"); }
  qint64 received() const { return received_; }
  /// Bytes of the whole file; -1 while unknown.
  qint64 total() const { return total_; }
  /// Fraction of the SHA-256 check done (in Verifying).
  double verifyFraction() const { return hasher_.fraction(); }
  /// Set when the state is Failed (and for a refused start).
  const Error& error() const { return error_; }
  /// After Finished: the file's SHA-256, and whether the catalogue had one to compare with.
  QString sha256() const { return sha256_; }
  bool verified() const { return verified_; }
  /// How many HTTP requests this download made (the first and each resume).
  int requests() const { return requests_; }

 signals:
  void stateChanged(medsa::ui::ModelDownloader::State state);
  void progress(qint64 received, qint64 total);

 private:
  void request();
  void onMetaData();
  void onReadyRead();
  void onReplyFinished();
  void onHashed();
  void verify();
  void fail(Error error);
  void setState(State state);
  void writeRecord();
  /// Reads FILE.part.json; false when it is missing or names another address.
  bool readRecord();
  void removePartFiles();
  void dropReply();
  QString recordPath() const { return partPath() + QStringLiteral(".json"); }
  Error networkError(const QString& reason) const;

  QNetworkAccessManager* network_;
  QPointer<QNetworkReply> reply_;
  QFile part_;
  FileHasher hasher_;
  CatalogueEntry entry_;
  QString target_;
  State state_ = State::Idle;
  Error error_;
  QString sha256_;
  bool verified_ = false;
  qint64 received_ = 0;
  qint64 total_ = -1;
  qint64 receivedAtRequest_ = 0;
  bool accepted_ = false;  ///< the current reply's status was one we write from
  bool resumeAutomatically_ = true;
  bool restartFromZero_ = false;  ///< a 416 for a part the server's file does not extend
  QString etag_, lastModified_;
  int requests_ = 0;
  int transferTimeoutMs_ = 60000;
};

}  // namespace medsa::ui
