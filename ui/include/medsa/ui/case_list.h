#pragma once

#include <QString>
#include <QStringList>

namespace medsa::ui {

/// The cases beside `path` in its folder, in natural order ("case2" before "case10"): image files
/// of the kinds the app opens when `path` is a file, sub-folders when it is a folder (a folder of
/// DICOM series folders). `path` itself is included.
QStringList casesBeside(const QString& path);

/// The case `step` places after `path` among casesBeside(path) ("" at either end).
QString neighbourCase(const QString& path, int step);

}  // namespace medsa::ui
