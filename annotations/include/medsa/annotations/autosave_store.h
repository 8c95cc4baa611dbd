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

/// One autosave file. Writes are atomic (temporary file, fsync, rename: a crash leaves the
/// previous snapshot or the new one, never a torn file) and carry a checksum, so a damaged file
/// is refused rather than half-recovered. Which instance owns which file, and which files are
/// left over from a crash, is AutosaveFolder's business.
class AutosaveStore {
 public:
  static AutosaveStore forFile(QString filePath) { return AutosaveStore(std::move(filePath)); }

  QString filePath() const { return filePath_; }
  bool exists() const;
  Status write(const AutosaveSnapshot& snapshot) const;
  Result<AutosaveSnapshot> read() const;
  /// Only the header (image, series, label set, time): enough to list the file, without
  /// reading its label volume. `labelImage` stays empty.
  Result<AutosaveSnapshot> readHeader() const;
  void remove() const;

  /// The bytes write() stores (exposed so callers can build them off the UI thread).
  static Result<QByteArray> encode(const AutosaveSnapshot& snapshot);
  static Result<AutosaveSnapshot> decode(const QByteArray& bytes, const QString& path);

 private:
  explicit AutosaveStore(QString filePath) : filePath_(std::move(filePath)) {}
  QString filePath_;
};

}  // namespace medsa::annotations
