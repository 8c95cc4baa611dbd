#include "medsa/annotations/project_import.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

#include <algorithm>
#include <cstring>

#include "medsa/annotations/label_map_io.h"
#include "medsa/core/sha256.h"
#include "medsa/io/dicom.h"
#include "medsa/io/image_reader.h"

namespace medsa::annotations {
namespace {

/// One image found under the imported path, before it becomes a case.
struct Found {
  QString name;
  QString path;
  QString series;                            ///< DICOM series UID (folders)
  std::optional<io::DicomSeriesInfo> dicom;  ///< the series, for a folder
};

bool isImageFileName(const QString& name) {
  static const QStringList suffixes{
      QStringLiteral(".nii"),  QStringLiteral(".nii.gz"), QStringLiteral(".nrrd"),
      QStringLiteral(".nhdr"), QStringLiteral(".mha"),    QStringLiteral(".mhd"),
      QStringLiteral(".dcm"),  QStringLiteral(".png"),    QStringLiteral(".jpg"),
      QStringLiteral(".jpeg"), QStringLiteral(".tif"),    QStringLiteral(".tiff"),
      QStringLiteral(".bmp")};
  if (name.contains(QStringLiteral("_labels."), Qt::CaseInsensitive)) return false;
  return std::any_of(suffixes.begin(), suffixes.end(), [&name](const QString& suffix) {
    return name.endsWith(suffix, Qt::CaseInsensitive);
  });
}

QString stemOf(const QString& fileName) {
  QString stem = fileName;
  for (const char* ext : {".nii.gz", ".nii", ".nrrd", ".nhdr", ".mha", ".mhd", ".dcm", ".png",
                          ".jpg", ".jpeg", ".tif", ".tiff", ".bmp"}) {
    if (stem.endsWith(QString::fromLatin1(ext), Qt::CaseInsensitive)) {
      stem.chop(static_cast<qsizetype>(std::strlen(ext)));
      break;
    }
  }
  return stem;
}

Result<std::vector<Found>> findImages(const QString& path, ProgressSink* progress,
                                      CancellationToken cancel) {
  const QFileInfo info(path);
  if (!info.exists())
    return Error{ErrorCode::FileNotFound, "no such file or folder", path.toStdString()};
  if (info.isFile())
    return std::vector<Found>{
        {caseNameFrom(stemOf(info.fileName())), info.absoluteFilePath(), {}, {}}};
  // A folder: its DICOM series, else its image files.
  Result<io::DicomScan> scan = io::scanDicomFolder(path.toStdString(), progress, cancel);
  if (!scan && scan.error().code == ErrorCode::Cancelled) return scan.error();
  std::vector<Found> found;
  if (scan && !scan->series.empty()) {
    for (const io::DicomSeriesInfo& series : scan->series) {
      const QString description = QString::fromStdString(series.seriesDescription);
      const QString name = caseNameFrom((description.isEmpty() ? info.fileName() : description) +
                                        QStringLiteral("_s%1").arg(series.seriesNumber));
      found.push_back({name, info.absoluteFilePath(),
                       QString::fromStdString(series.seriesInstanceUid), series});
    }
    return found;
  }
  QStringList files;
  for (const QFileInfo& file : QDir(path).entryInfoList(QDir::Files, QDir::Name))
    if (isImageFileName(file.fileName())) files << file.absoluteFilePath();
  if (files.isEmpty())
    return Error{ErrorCode::NotAnImage, "no images or DICOM series in this folder",
                 path.toStdString()};
  for (const QString& file : files)
    found.push_back({caseNameFrom(stemOf(QFileInfo(file).fileName())), file, {}, {}});
  return found;
}

Result<Image> readFound(const Found& found, CancellationToken cancel) {
  if (found.dicom) return io::readDicomSeries(*found.dicom, nullptr, std::move(cancel));
  return io::readImage(found.path.toStdString(), {}, nullptr, std::move(cancel));
}

/// The content's identity: the file's bytes, or every file of a series in order.
Result<std::string> contentHash(const Found& found) {
  if (!found.dicom) return sha256File(found.path.toStdString());
  Sha256 hash;
  for (const std::string& file : found.dicom->files) {
    Result<std::string> one = sha256File(file);
    if (!one) return one.error();
    hash.update(one.value());
  }
  return hash.hexDigest();
}

/// Copies the image into images/ under its case name (a series into its own folder), each file
/// under a temporary name first so a killed copy never leaves a file that looks complete.
Result<QString> copyIn(const ProjectStore& store, const Found& found) {
  const QDir images(QDir(store.folder()).filePath(QStringLiteral("images")));
  QStringList sources;
  QString target;
  if (found.dicom) {
    target = images.filePath(found.name);
    for (const std::string& file : found.dicom->files) sources << QString::fromStdString(file);
  } else {
    const QString ext =
        QFileInfo(found.path).fileName().mid(stemOf(QFileInfo(found.path).fileName()).size());
    target = images.filePath(found.name + ext);
    sources << found.path;
  }
  const QString folder = found.dicom ? target : images.path();
  if (!QDir().mkpath(folder))
    return Error{ErrorCode::WriteFailed, "cannot create the images folder", folder.toStdString()};
  for (const QString& source : sources) {
    const QString destination =
        found.dicom ? QDir(folder).filePath(QFileInfo(source).fileName()) : target;
    const QString partial = destination + QStringLiteral(".part");
    QFile::remove(partial);
    if (!QFile::copy(source, partial) || !QFile::rename(partial, destination)) {
      if (!QFileInfo::exists(destination) || !QFile::remove(destination) ||
          !QFile::rename(partial, destination)) {
        QFile::remove(partial);
        return Error{ErrorCode::WriteFailed, "cannot copy the image into the project",
                     source.toStdString()};
      }
    }
  }
  return target;
}

}  // namespace

Result<QString> imageContentHash(const QString& path, const QString& series) {
  Found found{QString(), path, series, std::nullopt};
  if (QFileInfo(path).isDir()) {
    Result<io::DicomScan> scan = io::scanDicomFolder(path.toStdString());
    if (!scan) return scan.error();
    for (const io::DicomSeriesInfo& info : scan->series)
      if (QString::fromStdString(info.seriesInstanceUid) == series) found.dicom = info;
    if (!found.dicom)
      return Error{ErrorCode::FileNotFound, "the folder has no series " + series.toStdString(),
                   path.toStdString()};
  }
  Result<std::string> hash = contentHash(found);
  if (!hash) return hash.error();
  return QString::fromStdString(hash.value());
}

QString caseNameFrom(const QString& text) {
  static const QRegularExpression unsafe(QStringLiteral("[^A-Za-z0-9._-]+"));
  QString name = text.trimmed();
  name.replace(unsafe, QStringLiteral("_"));
  while (name.startsWith(QLatin1Char('.'))) name.remove(0, 1);
  return name.isEmpty() ? QStringLiteral("case") : name.left(80);
}

Result<std::vector<ImportedCase>> importIntoProject(ProjectStore& store, const QString& path,
                                                    const ImportOptions& options,
                                                    ProgressSink* progress,
                                                    CancellationToken cancel) {
  // A team's images live under the data root every workstation mounts; a copy in this
  // machine's cache would be seen by nobody else.
  if (options.copyIn && store.shared())
    return Error{ErrorCode::InvalidArgument,
                 "a project on a database references images under the data root "
                 "(MEDSA_DATA_ROOT); copy them there instead of into the project",
                 store.location().toStdString()};
  Result<std::vector<Found>> found = findImages(path, progress, cancel);
  if (!found) return found.error();
  if (!options.labels.isEmpty() && found->size() != 1)
    return Error{ErrorCode::InvalidArgument,
                 "--labels needs a path that makes one case; this one makes " +
                     std::to_string(found->size()),
                 path.toStdString()};
  std::vector<ImportedCase> imported;
  for (std::size_t i = 0; i < found->size(); ++i) {
    const Found& one = found.value()[i];
    if (cancel.isCancelled() ||
        (progress && !progress->report(double(i) / double(found->size()), "Importing")))
      return Error{ErrorCode::Cancelled, "import cancelled", path.toStdString()};
    // Read it: what cannot be read is not a case.
    Result<Image> image = readFound(one, cancel);
    if (!image) return image.error();
    Result<std::string> hash = contentHash(one);
    if (!hash) return hash.error();
    NewCase added;
    added.name = one.name;
    added.imagePath = one.path;
    added.series = one.series;
    added.contentHash = QString::fromStdString(hash.value());
    added.picture = image->size(2) == 1;
    added.modality = QString::fromStdString(image->metadata.modality);
    added.status = options.status.value_or(CaseStatus::New);
    if (options.copyIn) {
      Result<QString> copied = copyIn(store, one);
      if (!copied) return copied.error();
      added.imagePath = copied.value();
      added.series = one.series;
    }
    Result<ProjectStore::Added> result = store.addCase(added);
    if (!result) return result.error();
    CaseRecord record = result->record;
    if (!options.labels.isEmpty()) {
      Result<LoadedLabelMap> labels = loadLabelMap(options.labels, image.value());
      if (!labels) return labels.error();
      Result<LabelSet> projectLabels = store.labels();
      if (!projectLabels) return projectLabels.error();
      // Values the project does not name yet join its label set (named as in the file).
      LabelSet merged = projectLabels.value();
      for (const Label& label : labels->labels.labels())
        if (!merged.find(label.value)) merged.insert(label);
      // Added, never rewritten: another annotator may be adding labels at the same moment.
      if (!(merged == projectLabels.value())) {
        if (Status set = store.addLabels(merged); !set) return set.error();
      }
      Result<LabelVersion> saved = store.saveLabels(record.id, labels->map, merged, currentUser());
      if (!saved) return saved.error();
      // On a team's project a case someone else holds keeps its labels; the imported ones are
      // kept as a conflict version. They are not the case's labels, so no status follows.
      if (!saved->conflict.isEmpty()) {
        return Error{ErrorCode::Conflict,
                     "labels of " + options.labels.toStdString() +
                         " not made the case's labels: " + saved->conflict.toStdString() +
                         "; they are kept as conflict version " + std::to_string(saved->version),
                     saved->path.toStdString()};
      }
    }
    if (options.status && (!result->added || !options.labels.isEmpty())) {
      if (Status set = store.setStatus(record.id, *options.status); !set) return set.error();
    }
    Result<CaseRecord> fresh = store.caseById(record.id);
    if (!fresh) return fresh.error();
    imported.push_back({fresh.value(), result->added});
  }
  if (progress) progress->report(1.0, "Importing");
  return imported;
}

}  // namespace medsa::annotations
