#include "medsa/ui/case_list.h"

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

// "case2" before "case10": runs of digits compare as numbers. (QCollator's numeric mode needs
// ICU and silently does nothing in the C locale, so it cannot be relied on.)
bool naturalLess(const QString& a, const QString& b) {
  qsizetype i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i].isDigit() && b[j].isDigit()) {
      qsizetype endA = i, endB = j;
      while (endA < a.size() && a[endA].isDigit()) ++endA;
      while (endB < b.size() && b[endB].isDigit()) ++endB;
      QStringView numberA = QStringView(a).mid(i, endA - i);
      QStringView numberB = QStringView(b).mid(j, endB - j);
      while (numberA.size() > 1 && numberA.front() == QLatin1Char('0')) numberA = numberA.mid(1);
      while (numberB.size() > 1 && numberB.front() == QLatin1Char('0')) numberB = numberB.mid(1);
      if (numberA.size() != numberB.size()) return numberA.size() < numberB.size();
      if (const int order = numberA.compare(numberB); order != 0) return order < 0;
      i = endA;
      j = endB;
      continue;
    }
    const QChar ca = a[i].toCaseFolded(), cb = b[j].toCaseFolded();
    if (ca != cb) return ca < cb;
    ++i;
    ++j;
  }
  return a.size() - i < b.size() - j;
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
  std::sort(cases.begin(), cases.end(), naturalLess);
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
