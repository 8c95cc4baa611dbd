#pragma once

#include <QDateTime>
#include <QString>

#include "medsa/annotations/label_map.h"
#include "medsa/annotations/label_set.h"
#include "medsa/core/error.h"

namespace medsa::annotations {

/// What an autosave holds: enough to reopen the image and put the user's labels back on it.
struct AutosaveSnapshot {
  QString imagePath;  ///< the file or folder the image was opened from (empty for the demo)
  QString imageId;    ///< "demo:phantom" for built-in data
  QString series;     ///< the image's DICOM SeriesInstanceUID ("" for other formats)
  LabelSet labels;
  Image labelImage;  ///< the label map (u16, with its geometry)
  QDateTime savedAt;
};

/// One autosave file in a folder. Writes are atomic (temporary file, fsync, rename: a crash
/// leaves the previous snapshot or the new one, never a torn file) and carry a checksum, so a
/// damaged file is refused rather than half-recovered. The file is removed when the user saves
/// or discards, so its presence at start-up means the last session ended abnormally.
class AutosaveStore {
 public:
  explicit AutosaveStore(QString folder);
  /// $XDG_DATA_HOME/Med-SA Studio/autosave (QStandardPaths::AppLocalDataLocation).
  static QString defaultFolder();

  QString filePath() const;
  bool exists() const;
  Status write(const AutosaveSnapshot& snapshot) const;
  Result<AutosaveSnapshot> read() const;
  void remove() const;

  /// The bytes write() stores (exposed so callers can build them off the UI thread).
  static Result<QByteArray> encode(const AutosaveSnapshot& snapshot);
  static Result<AutosaveSnapshot> decode(const QByteArray& bytes, const QString& path);

 private:
  QString folder_;
};

}  // namespace medsa::annotations
