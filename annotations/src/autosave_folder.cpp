#include "medsa/annotations/autosave_folder.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QLockFile>
#include <QStandardPaths>

#include <algorithm>

namespace medsa::annotations {
namespace {

const QString kSuffix = QStringLiteral(".medsa-autosave");

QString lockPathFor(const QString& filePath) { return filePath + QStringLiteral(".lock"); }

/// A lock that only a dead holder makes stale: an instance may run for days, so the age of its
/// lock file says nothing (QLockFile's default treats 30 s old locks as stale).
std::unique_ptr<QLockFile> tryLock(const QString& filePath) {
  auto lock = std::make_unique<QLockFile>(lockPathFor(filePath));
  lock->setStaleLockTime(0);
  if (!lock->tryLock(0)) return nullptr;
  return lock;
}

}  // namespace

AutosaveClaim::AutosaveClaim(QString filePath, std::unique_ptr<QLockFile> lock)
    : filePath_(std::move(filePath)), lock_(std::move(lock)) {}

AutosaveClaim::~AutosaveClaim() = default;  // QLockFile unlocks (removes the lock file)

void AutosaveClaim::removeFile() { store().remove(); }

AutosaveFolder::AutosaveFolder(QString folder) : folder_(std::move(folder)) {}

QString AutosaveFolder::defaultFolder() {
  return QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) +
         QStringLiteral("/autosave");
}

Result<std::unique_ptr<AutosaveClaim>> AutosaveFolder::claimNew() const {
  if (!QDir().mkpath(folder_)) {
    return Error{ErrorCode::WriteFailed, "cannot create the autosave folder",
                 folder_.toStdString()};
  }
  const QString stem = QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss")) +
                       QLatin1Char('-') + QString::number(QCoreApplication::applicationPid());
  // Another window of this process may have claimed the same second: count up.
  for (int n = 0; n < 1000; ++n) {
    const QString name = n == 0 ? stem : stem + QLatin1Char('-') + QString::number(n);
    const QString filePath = QDir(folder_).filePath(name + kSuffix);
    if (QFileInfo::exists(filePath) || QFileInfo::exists(lockPathFor(filePath))) continue;
    if (std::unique_ptr<QLockFile> lock = tryLock(filePath))
      return std::unique_ptr<AutosaveClaim>(new AutosaveClaim(filePath, std::move(lock)));
  }
  return Error{ErrorCode::WriteFailed, "cannot create an autosave lock in the folder",
               folder_.toStdString()};
}

std::vector<OrphanedAutosave> AutosaveFolder::claimOrphans() const {
  std::vector<OrphanedAutosave> orphans;
  const QDir dir(folder_);
  const QFileInfoList files =
      dir.entryInfoList({QStringLiteral("*") + kSuffix}, QDir::Files, QDir::Time);
  for (const QFileInfo& file : files) {
    // A live instance holds its lock: its file is not an orphan, and is never touched here.
    std::unique_ptr<QLockFile> lock = tryLock(file.absoluteFilePath());
    if (!lock) continue;
    orphans.push_back({std::unique_ptr<AutosaveClaim>(
                           new AutosaveClaim(file.absoluteFilePath(), std::move(lock))),
                       file.lastModified()});
  }
  return orphans;  // QDir::Time sorts newest first
}

}  // namespace medsa::annotations
