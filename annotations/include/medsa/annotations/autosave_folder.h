#pragma once

#include <QDateTime>
#include <QString>

#include <memory>
#include <vector>

#include "medsa/annotations/autosave_store.h"
#include "medsa/core/error.h"

class QLockFile;

namespace medsa::annotations {

/// One autosave file held by this process: its lock is taken, so no other instance writes,
/// recovers or deletes it while the holder lives. Dropping the claim releases the lock and
/// leaves the file (a crash does the same: the file becomes an orphan for the next start).
class AutosaveClaim {
 public:
  ~AutosaveClaim();
  AutosaveClaim(const AutosaveClaim&) = delete;
  AutosaveClaim& operator=(const AutosaveClaim&) = delete;

  /// The file itself (reads and writes go through it; safe to copy to a worker thread).
  AutosaveStore store() const { return AutosaveStore::forFile(filePath_); }
  QString filePath() const { return filePath_; }
  /// Deletes the file, then releases the lock: the work it held is saved or discarded.
  void removeFile();

 private:
  friend class AutosaveFolder;
  AutosaveClaim(QString filePath, std::unique_ptr<QLockFile> lock);
  QString filePath_;
  std::unique_ptr<QLockFile> lock_;
};

/// An autosave left behind by an instance that did not close normally, held for recovery.
struct OrphanedAutosave {
  std::unique_ptr<AutosaveClaim> claim;
  QDateTime modified;  ///< the file's last write (the snapshot's own time is inside it)
};

/// The folder every running instance autosaves into. Each instance writes its own file
/// ("<time>-<pid>.medsa-autosave") next to a lock ("<file>.lock") that it holds while it runs,
/// so two instances never overwrite or delete each other's backup. A file whose lock no live
/// process holds is an orphan: the work of an instance that crashed or was killed.
class AutosaveFolder {
 public:
  explicit AutosaveFolder(QString folder);
  /// $XDG_DATA_HOME/Med-SA Studio/autosave (QStandardPaths::AppLocalDataLocation).
  static QString defaultFolder();
  QString path() const { return folder_; }

  /// A new file for this instance, its lock taken (the file itself is written later).
  Result<std::unique_ptr<AutosaveClaim>> claimNew() const;
  /// Every orphan, newest first, each locked for this process until its claim is dropped, so
  /// two instances starting at once never recover the same work twice.
  std::vector<OrphanedAutosave> claimOrphans() const;

 private:
  QString folder_;
};

}  // namespace medsa::annotations
