#include "medsa/ui/model_downloader.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QSaveFile>
#include <QStorageInfo>

namespace medsa::ui {
namespace {

std::string megabytes(qint64 bytes) {
  return QString::number(double(bytes) / 1e6, 'f', 1).toStdString() + " MB";
}

}  // namespace

ModelDownloader::ModelDownloader(QObject* parent)
    : QObject(parent), network_(new QNetworkAccessManager(this)) {
  connect(&hasher_, &FileHasher::finished, this, &ModelDownloader::onHashed);
}

ModelDownloader::~ModelDownloader() {
  dropReply();
  part_.close();
}

bool ModelDownloader::start(const CatalogueEntry& entry, const QString& folder) {
  const auto refuse = [this](Error error) {
    error_ = std::move(error);
    return false;
  };
  if (isActive()) {
    return refuse({ErrorCode::Unavailable,
                   "another download is running: " + entry_.name.toStdString(),
                   target_.toStdString()});
  }
  if (!entry.directDownload) {
    return refuse(
        {ErrorCode::Unavailable,
         entry.name.toStdString() + " has no direct download" +
             (entry.url.isEmpty()
                  ? std::string(" (it is installed with the program)")
                  : ": its publisher offers it at " + entry.url.toStdString() + "; download " +
                        entry.file.toStdString() + " there and import it"),
         {}});
  }
  const QString target = QDir(folder).filePath(entry.file);
  if (QFileInfo::exists(target)) {
    return refuse({ErrorCode::InvalidArgument,
                   "already downloaded; verify it, or delete it to download again",
                   target.toStdString()});
  }
  if (!QDir().mkpath(folder)) {
    return refuse(
        {ErrorCode::WriteFailed, "cannot create the models folder", folder.toStdString()});
  }
  const QFileInfo part(target + QStringLiteral(".part"));
  const qint64 have = part.isFile() ? part.size() : 0;
  const qint64 available = QStorageInfo(folder).bytesAvailable();
  if (entry.size && available >= 0 && available < *entry.size - have) {
    return refuse({ErrorCode::WriteFailed,
                   entry.name.toStdString() + " needs " + megabytes(*entry.size - have) +
                       " more, the folder has " + megabytes(available) + " free",
                   folder.toStdString()});
  }
  entry_ = entry;
  target_ = target;
  error_ = {};
  sha256_.clear();
  verified_ = false;
  requests_ = 0;
  total_ = entry.size.value_or(-1);
  request();
  return true;
}

bool ModelDownloader::resume() {
  if (target_.isEmpty() ||
      (state_ != State::Paused && state_ != State::Interrupted && state_ != State::Failed))
    return false;
  error_ = {};
  request();
  return true;
}

void ModelDownloader::pause() {
  if (state_ != State::Downloading) return;
  dropReply();
  part_.close();
  writeRecord();
  setState(State::Paused);
}

void ModelDownloader::cancel() {
  if (state_ == State::Idle || state_ == State::Finished || state_ == State::Cancelled) return;
  dropReply();
  hasher_.cancel();  // its result is ignored once the state is Cancelled
  part_.close();
  removePartFiles();
  received_ = 0;
  setState(State::Cancelled);
}

void ModelDownloader::request() {
  part_.close();
  part_.setFileName(partPath());
  if (!readRecord()) {
    // No record, or one for another address: what is there is not a prefix of this file.
    QFile::remove(partPath());
    etag_.clear();
    lastModified_.clear();
  }
  if (!part_.open(QIODevice::WriteOnly | QIODevice::Append)) {
    fail({ErrorCode::WriteFailed, "cannot write the download: " + part_.errorString().toStdString(),
          partPath().toStdString()});
    return;
  }
  received_ = part_.size();
  if (entry_.size && received_ > *entry_.size) {
    part_.resize(0);
    received_ = 0;
  }
  writeRecord();
  if (entry_.size && received_ == *entry_.size) {
    // Complete already (stopped before the check): nothing to ask the server.
    part_.close();
    verify();
    return;
  }

  QNetworkRequest request{QUrl(entry_.url)};
  request.setTransferTimeout(transferTimeoutMs_);
  request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                       QNetworkRequest::NoLessSafeRedirectPolicy);
  request.setHeader(QNetworkRequest::UserAgentHeader, QStringLiteral("Med-SA-Studio"));
  // Ranges count the bytes of the file as stored, so no transfer compression.
  request.setRawHeader("Accept-Encoding", "identity");
  if (received_ > 0) {
    request.setRawHeader("Range", "bytes=" + QByteArray::number(received_) + '-');
    // Only if the server's file is still the one the part began: else it sends all of it.
    if (!etag_.isEmpty() && !etag_.startsWith(QLatin1String("W/")))
      request.setRawHeader("If-Range", etag_.toLatin1());
    else if (!lastModified_.isEmpty())
      request.setRawHeader("If-Range", lastModified_.toLatin1());
  }
  accepted_ = false;
  restartFromZero_ = false;
  receivedAtRequest_ = received_;
  ++requests_;
  reply_ = network_->get(request);
  connect(reply_, &QNetworkReply::metaDataChanged, this, &ModelDownloader::onMetaData);
  connect(reply_, &QNetworkReply::readyRead, this, &ModelDownloader::onReadyRead);
  connect(reply_, &QNetworkReply::finished, this, &ModelDownloader::onReplyFinished);
  setState(State::Downloading);
  emit progress(received_, total_);
}

void ModelDownloader::onMetaData() {
  if (!reply_) return;
  const QVariant code = reply_->attribute(QNetworkRequest::HttpStatusCodeAttribute);
  if (!code.isValid()) return;
  const int status = code.toInt();
  const QString contentRange = QString::fromLatin1(reply_->rawHeader("Content-Range"));
  if (status == 206) {
    static const QRegularExpression range(QStringLiteral("^bytes (\\d+)-(\\d+)/(\\d+|\\*)$"));
    const QRegularExpressionMatch match = range.match(contentRange.trimmed());
    const qint64 first = match.hasMatch() ? match.captured(1).toLongLong() : -1;
    if (first < 0 || first > received_) {
      fail(networkError(QStringLiteral("the server sent a part starting at byte %1 (Content-Range "
                                       "'%2') for a request from byte %3")
                            .arg(first)
                            .arg(contentRange)
                            .arg(received_)));
      return;
    }
    if (first < received_) {
      part_.resize(first);
      received_ = first;
    }
    if (match.captured(3) != QLatin1String("*")) total_ = match.captured(3).toLongLong();
  } else if (status == 200) {
    // The whole file: the server ignored the range, or the file changed since the part began.
    if (received_ > 0) {
      part_.resize(0);
      received_ = 0;
    }
    const QVariant length = reply_->header(QNetworkRequest::ContentLengthHeader);
    total_ = length.isValid() ? length.toLongLong() : entry_.size.value_or(-1);
  } else if (status == 416) {
    // Asked from beyond the server's end: complete if the server's size is ours.
    static const QRegularExpression unsatisfied(QStringLiteral("^bytes \\*/(\\d+)$"));
    const QRegularExpressionMatch match = unsatisfied.match(contentRange.trimmed());
    if (match.hasMatch() && match.captured(1).toLongLong() == received_) {
      total_ = received_;
    } else {
      restartFromZero_ = true;
    }
    return;
  } else {
    return;  // an error status: reported when the reply finishes
  }
  if (entry_.size && total_ >= 0 && total_ != *entry_.size) {
    removePartFiles();
    fail(networkError(QStringLiteral("the server's file has %1 bytes, the catalogue says %2 for "
                                     "%3: not downloaded")
                          .arg(total_)
                          .arg(*entry_.size)
                          .arg(entry_.name)));
    return;
  }
  etag_ = QString::fromLatin1(reply_->rawHeader("ETag"));
  lastModified_ = QString::fromLatin1(reply_->rawHeader("Last-Modified"));
  writeRecord();
  accepted_ = true;
}

void ModelDownloader::onReadyRead() {
  if (!reply_) return;
  const QByteArray data = reply_->readAll();
  if (!accepted_ || data.isEmpty()) return;  // an error page, or a 416's body
  if (part_.write(data) != data.size()) {
    fail({ErrorCode::WriteFailed,
          "writing the download failed (disk full?): " + part_.errorString().toStdString(),
          partPath().toStdString()});
    return;
  }
  received_ += data.size();
  emit progress(received_, total_);
}

void ModelDownloader::onReplyFinished() {
  QNetworkReply* reply = reply_;
  if (!reply) return;
  reply_ = nullptr;
  reply->deleteLater();
  onReadyRead();  // nothing is left unread
  const QNetworkReply::NetworkError networkCode = reply->error();
  const QVariant code = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
  part_.flush();

  if (code.isValid() && code.toInt() == 416) {
    if (total_ == received_ && received_ > 0 && !restartFromZero_) {
      part_.close();
      verify();
      return;
    }
    if (received_ > 0) {
      // The part is longer than the server's file: it is not a prefix of it.
      part_.resize(0);
      received_ = 0;
      writeRecord();
      request();
      return;
    }
  }
  if (!accepted_) {
    QString reason;
    if (code.isValid()) {
      reason = QStringLiteral("the server answered %1 %2")
                   .arg(code.toInt())
                   .arg(reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString());
    } else {
      reason = QStringLiteral("cannot download: %1").arg(reply->errorString());
    }
    if (!code.isValid() && received_ > 0) {
      // The server could not be reached this time; the part stays for resume().
      error_ = networkError(reason);
      part_.close();
      writeRecord();
      setState(State::Interrupted);
      return;
    }
    fail(networkError(reason));
    return;
  }
  const bool complete = total_ >= 0 ? received_ == total_ : networkCode == QNetworkReply::NoError;
  if (complete) {
    part_.close();
    verify();
    return;
  }
  if (total_ >= 0 && received_ > total_) {
    removePartFiles();
    fail(networkError(QStringLiteral("the server sent %1 bytes for a file of %2: not downloaded")
                          .arg(received_)
                          .arg(total_)));
    return;
  }
  const bool progressed = received_ > receivedAtRequest_;
  part_.close();
  writeRecord();
  if (resumeAutomatically_ && progressed) {
    request();
    return;
  }
  const QString why = networkCode == QNetworkReply::NoError
                          ? QStringLiteral("the connection closed early")
                          : reply->errorString();
  error_ = networkError(QStringLiteral("the download stopped after %1 of %2 bytes (%3); %4 is "
                                       "kept and resuming continues from there")
                            .arg(received_)
                            .arg(total_)
                            .arg(why, QFileInfo(partPath()).fileName()));
  setState(State::Interrupted);
}

void ModelDownloader::verify() {
  setState(State::Verifying);
  const qint64 size = QFileInfo(partPath()).size();
  if (entry_.size && size != *entry_.size) {
    removePartFiles();
    fail({ErrorCode::CorruptData,
          QStringLiteral("the download has %1 bytes, the catalogue says %2 for %3: it was deleted")
              .arg(size)
              .arg(*entry_.size)
              .arg(entry_.name)
              .toStdString(),
          target_.toStdString()});
    return;
  }
  if (!hasher_.start(partPath())) {
    fail({ErrorCode::Unavailable, "the check of an earlier download is still stopping; try again",
          target_.toStdString()});
  }
}

void ModelDownloader::onHashed() {
  if (state_ != State::Verifying) return;  // cancelled meanwhile
  const Result<QString>& hash = hasher_.result();
  if (!hash) {
    fail(hash.error());
    return;
  }
  if (entry_.hasChecksum() && hash.value() != entry_.sha256) {
    removePartFiles();
    fail({ErrorCode::CorruptData,
          QStringLiteral("SHA-256 mismatch: the download from %1 has %2, the catalogue says %3 "
                         "for %4; the file was deleted")
              .arg(entry_.url, hash.value(), entry_.sha256, entry_.name)
              .toStdString(),
          target_.toStdString()});
    return;
  }
  if (!QFile::rename(partPath(), target_)) {
    fail({ErrorCode::WriteFailed, "cannot rename the verified download to its name",
          target_.toStdString()});
    return;
  }
  QFile::remove(recordPath());
  sha256_ = hash.value();
  verified_ = entry_.hasChecksum();
  setState(State::Finished);
}

void ModelDownloader::fail(Error error) {
  error_ = std::move(error);
  dropReply();
  part_.close();
  if (QFileInfo(partPath()).size() == 0) removePartFiles();
  setState(State::Failed);
}

void ModelDownloader::setState(State state) {
  if (state_ == state) return;
  state_ = state;
  emit stateChanged(state);
}

void ModelDownloader::writeRecord() {
  QSaveFile file(recordPath());
  if (!file.open(QIODevice::WriteOnly)) return;  // resuming then starts over: not an error
  const QJsonObject record{{QStringLiteral("url"), entry_.url},
                           {QStringLiteral("offset"), received_},
                           {QStringLiteral("etag"), etag_},
                           {QStringLiteral("last_modified"), lastModified_},
                           {QStringLiteral("sha256"), entry_.sha256}};
  file.write(QJsonDocument(record).toJson());
  file.commit();
}

bool ModelDownloader::readRecord() {
  QFile file(recordPath());
  if (!file.open(QIODevice::ReadOnly)) return false;
  const QJsonObject record = QJsonDocument::fromJson(file.read(1 << 16)).object();
  if (record.value(QStringLiteral("url")).toString() != entry_.url) return false;
  etag_ = record.value(QStringLiteral("etag")).toString();
  lastModified_ = record.value(QStringLiteral("last_modified")).toString();
  return true;
}

void ModelDownloader::removePartFiles() {
  part_.close();
  QFile::remove(partPath());
  QFile::remove(recordPath());
}

void ModelDownloader::dropReply() {
  if (!reply_) return;
  QNetworkReply* reply = reply_;
  reply_ = nullptr;
  disconnect(reply, nullptr, this, nullptr);
  reply->abort();
  reply->deleteLater();
}

Error ModelDownloader::networkError(const QString& reason) const {
  return Error{ErrorCode::ReadFailed, reason.toStdString(), entry_.url.toStdString()};
}

}  // namespace medsa::ui
