#pragma once

#include <QLockFile>
#include <QString>

#include <memory>

#include "medsa/core/error.h"

namespace medsa::annotations::exporting {

/// The temporary folder an export is built in, beside OUT, and its publication as OUT.
///
/// A staging folder is ".<OUT name>.medsa-export-<8 hex>" with a lock file "<folder>.lock" taken
/// before the folder exists and released after it has become OUT. The lock (QLockFile: pid, host,
/// application, and flock) dies with its process, so a folder whose lock can be taken belongs to
/// an export that was killed: begin() removes those, and leaves the folders of live exports alone.
class ExportStaging {
 public:
  /// Checks OUT (absent, or an empty folder; its parent is created if missing), removes stale
  /// staging folders in OUT's parent and creates a fresh, locked one.
  static Result<std::unique_ptr<ExportStaging>> begin(const QString& out);
  ~ExportStaging();  ///< removes the folder unless it was published
  ExportStaging(const ExportStaging&) = delete;
  ExportStaging& operator=(const ExportStaging&) = delete;

  const QString& folder() const { return folder_; }
  /// Flushes every file and folder to disk, renames the folder to OUT, flushes OUT's parent.
  Status publish();

 private:
  ExportStaging() = default;
  QString out_;
  QString folder_;
  std::unique_ptr<QLockFile> lock_;
  bool published_ = false;
};

/// Whether a file name is one of our staging folders or their locks (for tests and cleanup).
bool isStagingName(const QString& fileName);

}  // namespace medsa::annotations::exporting
