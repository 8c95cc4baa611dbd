#pragma once

// Runs dicom3tools' dciodvfy, the independent judge of a DICOM object against its IOD. Outside
// CI a machine without it skips with a message; in CI (CI set) its absence is a failure.
#include <QProcess>
#include <QStandardPaths>
#include <QString>
#include <QStringList>
#include <QTest>

namespace medsa::test {

struct DciodvfyReport {
  QString output;      ///< everything it printed
  QStringList errors;  ///< its "Error - ..." lines
};

/// The dciodvfy report of `file`; QSKIPs (QFAILs in CI) when dciodvfy is not installed.
#define MEDSA_DCIODVFY(file, report)                                                           \
  do {                                                                                         \
    const QString program_ = QStandardPaths::findExecutable(QStringLiteral("dciodvfy"));       \
    if (program_.isEmpty()) {                                                                  \
      if (qEnvironmentVariableIsSet("CI")) QFAIL("dciodvfy (package dicom3tools) is missing"); \
      QSKIP("dciodvfy not installed (Debian package dicom3tools): SEG not validated");         \
    }                                                                                          \
    QProcess process_;                                                                         \
    process_.setProcessChannelMode(QProcess::MergedChannels);                                  \
    process_.start(program_, {file});                                                          \
    QVERIFY(process_.waitForFinished(120000));                                                 \
    (report).output = QString::fromUtf8(process_.readAll());                                   \
    for (const QString& line_ : (report).output.split(QLatin1Char('\n'))) {                    \
      if (line_.startsWith(QStringLiteral("Error"))) (report).errors << line_;                 \
    }                                                                                          \
  } while (false)

}  // namespace medsa::test
