#pragma once

#include <QString>

#include <vector>

#include "medsa/annotations/project_store.h"
#include "medsa/core/progress.h"

namespace medsa::annotations {

struct ImportOptions {
  std::optional<CaseStatus> status;  ///< set on every case the path makes (default: new ones new)
  QString labels;       ///< a label map for the one case the path makes, on its image's grid
  bool copyIn = false;  ///< copy the images into the project's images/ folder
};

struct ImportedCase {
  CaseRecord record;
  bool added = false;  ///< false when the same image was in the project already
};

/// Adds what `path` holds to the project: an image file (one case), a DICOM folder (one case per
/// series) or a folder of images (one case per image file, in natural order). Every image is
/// read first, so a file that is not an image, or an unreadable DICOM, is reported with its name
/// and nothing of it is added. The same content imported again is not added twice.
Result<std::vector<ImportedCase>> importIntoProject(ProjectStore& store, const QString& path,
                                                    const ImportOptions& options = {},
                                                    ProgressSink* progress = nullptr,
                                                    CancellationToken cancel = {});

/// The content hash import records for an image: a file's bytes, or every file of a DICOM
/// folder's series in order. Relinking a moved image compares it with the recorded one.
Result<QString> imageContentHash(const QString& path, const QString& series);

/// A case name from a file or series name: letters, digits, '.', '-' and '_' only.
QString caseNameFrom(const QString& text);

}  // namespace medsa::annotations
