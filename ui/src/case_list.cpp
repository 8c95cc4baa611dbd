#include "medsa/ui/case_list.h"

#include <QCollator>
#include <QDir>
#include <QFileInfo>

#include <algorithm>

namespace medsa::ui {
namespace {

bool isImageFileName(const QString& name) {
  static const QStringList suffixes{
      QStringLiteral(".nii"),  QStringLiteral(".nii.gz"), QStringLiteral(".nrrd"),
      QStringLiteral(".nhdr"), QStringLiteral(".mha"),    QStringLiteral(".mhd"),
      QStringLiteral(".dcm"),  QStringLiteral(".png"),    QStringLiteral(".jpg"),
      QStringLiteral(".jpeg"), QStringLiteral(".tif"),    QStringLiteral(".tiff"),
      QStringLiteral(".bmp")};
  // Saved label maps sit beside their images; they are not cases.
  if (name.contains(QStringLiteral("_labels."), Qt::CaseInsensitive)) return false;
  return std::any_of(suffixes.begin(), suffixes.end(), [&name](const QString& suffix) {
    return name.endsWith(suffix, Qt::CaseInsensitive);
  });
}

}  // namespace

QStringList casesBeside(const QString& path) {
  const QFileInfo info(path);
  if (!info.exists()) return {};
  const QDir folder = info.absoluteDir();
  QStringList cases;
  if (info.isDir()) {
    for (const QString& name : folder.entryList(QDir::Dirs | QDir::NoDotAndDotDot))
      cases << folder.filePath(name);
  } else {
    for (const QString& name : folder.entryList(QDir::Files)) {
      if (isImageFileName(name)) cases << folder.filePath(name);
    }
  }
  QCollator natural;
  natural.setNumericMode(true);
  natural.setCaseSensitivity(Qt::CaseInsensitive);
  std::sort(cases.begin(), cases.end(), natural);
  return cases;
}

QString neighbourCase(const QString& path, int step) {
  const QStringList cases = casesBeside(path);
  const qsizetype at = cases.indexOf(QFileInfo(path).absoluteFilePath());
  if (at < 0) return {};
  const qsizetype target = at + step;
  return target >= 0 && target < cases.size() ? cases[target] : QString();
}

}  // namespace medsa::ui
