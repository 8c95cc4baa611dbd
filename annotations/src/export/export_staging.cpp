#include "export_staging.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QRegularExpression>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

namespace medsa::annotations::exporting {
namespace {

const QString kTag = QStringLiteral(".medsa-export-");

Error failure(ErrorCode code, const std::string& reason, const QString& path) {
  return Error{code, reason, path.toStdString()};
}

/// fsync of a file or folder; folders on some file systems refuse it, which is no error.
Status syncPath(const QString& path, bool folder) {
  const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return failure(ErrorCode::WriteFailed, std::strerror(errno), path);
  const int synced = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (synced != 0 && !(folder && (error == EINVAL || error == ENOTSUP))) {
    return failure(ErrorCode::WriteFailed, std::string("cannot flush: ") + std::strerror(error),
                   path);
  }
  return {};
}

/// Every file, then every folder (deepest first), so the rename publishes complete content.
Status syncTree(const QString& root) {
  QStringList folders{root};
  QDirIterator it(root, QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System,
                  QDirIterator::Subdirectories);
  while (it.hasNext()) {
    const QString path = it.next();
    const QFileInfo info = it.fileInfo();
    if (info.isDir() && !info.isSymLink()) {
      folders.append(path);
    } else if (info.isFile()) {
      if (Status synced = syncPath(path, false); !synced) return synced;
    }
  }
  for (auto folder = folders.crbegin(); folder != folders.crend(); ++folder) {
    if (Status synced = syncPath(*folder, true); !synced) return synced;
  }
  return {};
}

std::unique_ptr<QLockFile> lockFor(const QString& folder) {
  auto lock = std::make_unique<QLockFile>(folder + QStringLiteral(".lock"));
  // Only a dead owner makes a lock stale, never its age: exports may run for hours.
  lock->setStaleLockTime(0);
  return lock;
}

/// Removes the staging folders (and lone locks) of exports that died in `parent`.
void removeStale(const QString& parent) {
  const QDir dir(parent);
  const QStringList names =
      dir.entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot);
  for (const QString& name : names) {
    if (!isStagingName(name)) continue;
    const bool lockName = name.endsWith(QStringLiteral(".lock"));
    const QString folder = dir.filePath(lockName ? name.chopped(5) : name);
    if (lockName && QFileInfo::exists(folder)) continue;  // handled with its folder
    std::unique_ptr<QLockFile> lock = lockFor(folder);
    if (!lock->tryLock(0)) continue;  // a live export
    if (QFileInfo(folder).isDir()) QDir(folder).removeRecursively();
    lock->unlock();
  }
}

}  // namespace

bool isStagingName(const QString& fileName) {
  static const QRegularExpression pattern(
      QStringLiteral("^\\..+\\.medsa-export-[0-9a-f]{8}(\\.lock)?$"));
  return pattern.match(fileName).hasMatch();
}

Result<std::unique_ptr<ExportStaging>> ExportStaging::begin(const QString& out) {
  if (out.isEmpty()) {
    return failure(ErrorCode::InvalidArgument, "no output folder given", out);
  }
  const QFileInfo target(QDir::cleanPath(QFileInfo(out).absoluteFilePath()));
  const QString outPath = target.absoluteFilePath();
  if (target.exists() || target.isSymLink()) {
    if (!target.isDir() || target.isSymLink()) {
      return failure(ErrorCode::InvalidArgument, "the output exists and is not a folder", outPath);
    }
    if (!QDir(outPath).isEmpty(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden |
                               QDir::System)) {
      return failure(ErrorCode::InvalidArgument,
                     "the output folder is not empty (choose a new or empty folder)", outPath);
    }
  }
  const QString parent = target.absolutePath();
  if (!QDir().mkpath(parent)) {
    return failure(ErrorCode::WriteFailed, "cannot create the folder", parent);
  }
  removeStale(parent);

  auto staging = std::unique_ptr<ExportStaging>(new ExportStaging);
  staging->out_ = outPath;
  for (int attempt = 0; attempt < 16 && !staging->lock_; ++attempt) {
    const QString folder = QDir(parent).filePath(
        QLatin1Char('.') + target.fileName() + kTag +
        QStringLiteral("%1").arg(QRandomGenerator::system()->generate(), 8, 16, QLatin1Char('0')));
    std::unique_ptr<QLockFile> lock = lockFor(folder);
    if (QFileInfo::exists(folder) || !lock->tryLock(0)) {
      if (lock->error() == QLockFile::PermissionError) {
        return failure(ErrorCode::WriteFailed, "cannot write in the folder (permission denied)",
                       parent);
      }
      continue;
    }
    if (!QDir().mkdir(folder)) {
      return failure(ErrorCode::WriteFailed, "cannot create a folder beside the output", folder);
    }
    staging->folder_ = folder;
    staging->lock_ = std::move(lock);
  }
  if (!staging->lock_) {
    return failure(ErrorCode::WriteFailed, "cannot create a temporary folder", parent);
  }
  return staging;
}

ExportStaging::~ExportStaging() {
  if (!published_ && !folder_.isEmpty()) QDir(folder_).removeRecursively();
  if (lock_) lock_->unlock();
}

Status ExportStaging::publish() {
  if (Status synced = syncTree(folder_); !synced) return synced;
  // rename(2) replaces an empty folder atomically and refuses one that has filled up meanwhile.
  if (::rename(QFile::encodeName(folder_).constData(), QFile::encodeName(out_).constData()) != 0) {
    const int error = errno;
    return failure(
        ErrorCode::WriteFailed,
        error == ENOTEMPTY || error == EEXIST
            ? std::string("the output folder is no longer empty")
            : std::string("cannot rename the finished export into place: ") + std::strerror(error),
        out_);
  }
  published_ = true;
  return syncPath(QFileInfo(out_).absolutePath(), true);
}

}  // namespace medsa::annotations::exporting
