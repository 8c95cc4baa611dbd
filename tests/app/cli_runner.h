#pragma once
// Runs the real medsa executable as a user would, capturing what it prints and returns.

#include <QElapsedTimer>
#include <QProcess>
#include <QString>
#include <QStringList>

namespace medsa::test {

struct Run {
  int exitCode = -1;  ///< -1: did not finish in time; -2: crashed
  QString out;
  QString err;
};

/// `environment`: the child's whole environment (empty: this process's).
inline Run runTool(const QString& program, const QStringList& args, int timeoutMs = 120000,
                   const QProcessEnvironment& environment = {}) {
  QProcess process;
  if (!environment.isEmpty()) process.setProcessEnvironment(environment);
  process.start(QStringLiteral(MEDSA_BIN_DIR "/") + program, args);
  Run run;
  if (!process.waitForFinished(timeoutMs)) return run;
  run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2;
  run.out = QString::fromUtf8(process.readAllStandardOutput());
  run.err = QString::fromUtf8(process.readAllStandardError());
  return run;
}

inline Run runMedsa(const QStringList& args) { return runTool(QStringLiteral("medsa"), args); }

/// Reads a running process's stderr into `log` until it holds `text` (false after `timeoutMs`
/// or when the process ends first).
inline bool waitForText(QProcess& process, const char* text, QString& log, int timeoutMs) {
  QElapsedTimer clock;
  clock.start();
  while (!log.contains(QLatin1String(text))) {
    if (clock.elapsed() > timeoutMs || process.state() == QProcess::NotRunning) return false;
    process.waitForReadyRead(200);
    log += QString::fromUtf8(process.readAllStandardError());
  }
  return true;
}

}  // namespace medsa::test
