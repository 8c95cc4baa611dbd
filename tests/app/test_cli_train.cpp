// `medsa train` and `medsa evaluate` end to end on a project of labelled pictures: a cycle
// records an adapter version measured on the held-out cases against the live model, makes it
// live only when the gate says so, and evaluate reproduces both measurements; refusals name
// their reason.
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include "cli_runner.h"
#include "labelled_project.h"

using medsa::test::Run;
using medsa::test::runMedsa;
using namespace medsa::test;

namespace {

// The step a training state file was written at (its safetensors metadata), -1 when unreadable.
int stateStep(const QString& path) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) return -1;
  const QByteArray head = file.read(8);
  if (head.size() != 8) return -1;
  quint64 length = 0;
  for (int i = 7; i >= 0; --i) length = (length << 8) | static_cast<quint8>(head[i]);
  if (length > (1u << 24)) return -1;
  const QJsonObject header =
      QJsonDocument::fromJson(file.read(static_cast<qint64>(length))).object();
  bool ok = false;
  const int step = header.value(QStringLiteral("__metadata__"))
                       .toObject()
                       .value(QStringLiteral("step"))
                       .toString()
                       .toInt(&ok);
  return ok ? step : -1;
}

QJsonObject lastLineJson(const QString& out) {
  const QStringList lines = out.trimmed().split(QLatin1Char('\n'));
  return QJsonDocument::fromJson(lines.last().toUtf8()).object();
}

// A measurement's metrics (without its wall time and labels), to compare two of them.
QJsonObject measured(const QJsonObject& evaluation) {
  QJsonObject metrics;
  for (const char* key : {"n", "dice_box", "dice_click", "noc85", "noc90", "iou_box", "iou_click"})
    metrics.insert(QLatin1String(key), evaluation.value(QLatin1String(key)));
  return metrics;
}

}  // namespace

class TestCliTrain : public QObject {
  Q_OBJECT

 private slots:
  void aCycleRecordsAVersionAndEvaluateAgrees() {
    QTemporaryDir dir;
    const QString project = makeProject(dir, 6);
    QVERIFY(!project.isEmpty());
    const Run trained =
        runMedsa({QStringLiteral("train"), QStringLiteral("--project"), project,
                  QStringLiteral("--steps"), QStringLiteral("30"), QStringLiteral("--plan"),
                  QStringLiteral("decoder-on-embeddings"), QStringLiteral("--out"),
                  dir.filePath(QStringLiteral("v1.safetensors")), QStringLiteral("--json")});
    QVERIFY2(trained.exitCode == 0, qPrintable(trained.err));
    const QJsonObject result = lastLineJson(trained.out);
    // The spellings: steps, seconds, plan, before, after, promoted, adapter.
    QCOMPARE(result.value(QStringLiteral("steps")).toInt(), 30);
    QVERIFY(result.value(QStringLiteral("seconds")).toDouble() > 0);
    QCOMPARE(result.value(QStringLiteral("plan")).toString(),
             QStringLiteral("decoder-on-embeddings"));
    QCOMPARE(result.value(QStringLiteral("before")), result.value(QStringLiteral("live")));
    QCOMPARE(result.value(QStringLiteral("after")), result.value(QStringLiteral("candidate")));
    QCOMPARE(result.value(QStringLiteral("adapter")).toString(),
             dir.filePath(QStringLiteral("v1.safetensors")));
    QVERIFY(QFileInfo::exists(dir.filePath(QStringLiteral("v1.safetensors"))));
    const QJsonObject data = result.value(QStringLiteral("data")).toObject();
    QCOMPARE(data.value(QStringLiteral("train_cases")).toInt() +
                 data.value(QStringLiteral("heldout_cases")).toInt(),
             6);
    QVERIFY(data.value(QStringLiteral("heldout_cases")).toInt() >= 1);
    QCOMPARE(result.value(QStringLiteral("version")).toInt(), 1);
    QCOMPARE(result.value(QStringLiteral("live_version")).toInt(), 0);
    const QJsonObject training = result.value(QStringLiteral("training")).toObject();
    QCOMPARE(training.value(QStringLiteral("steps")).toInt(), 30);
    QCOMPARE(training.value(QStringLiteral("plan")).toObject().value(QStringLiteral("plan")),
             QJsonValue(QStringLiteral("decoder-on-embeddings")));
    const QJsonObject live = result.value(QStringLiteral("live")).toObject();
    const QJsonObject candidate = result.value(QStringLiteral("candidate")).toObject();
    QVERIFY(live.value(QStringLiteral("n")).toInt() > 0);
    QCOMPARE(candidate.value(QStringLiteral("n")), live.value(QStringLiteral("n")));
    const QJsonObject decision = result.value(QStringLiteral("decision")).toObject();
    QVERIFY(!decision.value(QStringLiteral("reason")).toString().isEmpty());
    const bool promoted = result.value(QStringLiteral("promoted")).toBool();
    QCOMPARE(promoted, decision.value(QStringLiteral("promote")).toBool());
    QCOMPARE(result.value(QStringLiteral("state")).toString(),
             promoted ? QStringLiteral("live") : QStringLiteral("rejected"));
    const QString adapter =
        QDir(project).filePath(QStringLiteral("adapters/adapter-v1.safetensors"));
    QVERIFY(QFileInfo::exists(adapter));
    // The finished run's state is gone: the next cycle starts afresh.
    QVERIFY(!QFileInfo::exists(QDir(project).filePath(QStringLiteral("adapters/training.state"))));

    // evaluate measures the same numbers: the base alone, and the adapter file.
    const Run base = runMedsa({QStringLiteral("evaluate"), QStringLiteral("--project"), project,
                               QStringLiteral("--base"), QStringLiteral("--held-out"),
                               QStringLiteral("--json")});
    QVERIFY2(base.exitCode == 0, qPrintable(base.err));
    const QJsonObject baseJson = lastLineJson(base.out);
    QCOMPARE(baseJson.value(QStringLiteral("dice_box")), live.value(QStringLiteral("dice_box")));
    QCOMPARE(baseJson.value(QStringLiteral("noc90")), live.value(QStringLiteral("noc90")));
    const Run withAdapter = runMedsa({QStringLiteral("evaluate"), QStringLiteral("--project"),
                                      project, QStringLiteral("--adapter"), adapter,
                                      QStringLiteral("--held-out"), QStringLiteral("--json")});
    QVERIFY2(withAdapter.exitCode == 0, qPrintable(withAdapter.err));
    QCOMPARE(lastLineJson(withAdapter.out).value(QStringLiteral("dice_click")),
             candidate.value(QStringLiteral("dice_click")));
    // Without --adapter or --base: the live version, whichever it is.
    const Run current = runMedsa({QStringLiteral("evaluate"), QStringLiteral("--project"), project,
                                  QStringLiteral("--json")});
    QCOMPARE(current.exitCode, 0);
    QCOMPARE(lastLineJson(current.out).value(QStringLiteral("model")).toString(),
             promoted ? QStringLiteral("live adapter v1") : QStringLiteral("base model"));

    // The next cycle is judged against the live model and gets the next number; --no-promote
    // never changes what is live.
    const Run again = runMedsa({QStringLiteral("train"), QStringLiteral("--project"), project,
                                QStringLiteral("--steps"), QStringLiteral("5"),
                                QStringLiteral("--plan"), QStringLiteral("decoder-on-embeddings"),
                                QStringLiteral("--no-promote"), QStringLiteral("--json")});
    QVERIFY2(again.exitCode == 0, qPrintable(again.err));
    const QJsonObject second = lastLineJson(again.out);
    QCOMPARE(second.value(QStringLiteral("version")).toInt(), 2);
    QCOMPARE(second.value(QStringLiteral("live_version")).toInt(), promoted ? 1 : 0);
    QCOMPARE(second.value(QStringLiteral("promoted")).toBool(), false);
    QCOMPARE(lastLineJson(runMedsa({QStringLiteral("evaluate"), QStringLiteral("--project"),
                                    project, QStringLiteral("--json")})
                              .out)
                 .value(QStringLiteral("model"))
                 .toString(),
             promoted ? QStringLiteral("live adapter v1") : QStringLiteral("base model"));
  }

  // kill -9 while training: the project and its live model are untouched, and the next run
  // resumes from the last state written. A kill between writing an adapter file and recording
  // its version leaves a file no version names: the next cycle writes over it.
  void aKilledRunLeavesTheProjectIntactAndResumes() {
    QTemporaryDir dir;
    const QString project = makeProject(dir, 6);
    QVERIFY(!project.isEmpty());
    const QStringList evaluate{QStringLiteral("evaluate"), QStringLiteral("--project"), project,
                               QStringLiteral("--held-out"), QStringLiteral("--json")};
    const Run before = runMedsa(evaluate);
    QVERIFY2(before.exitCode == 0, qPrintable(before.err));

    const QString state = QDir(project).filePath(QStringLiteral("adapters/training.state"));
    QProcess victim;
    victim.start(QStringLiteral(MEDSA_BIN_DIR "/medsa"),
                 {QStringLiteral("train"), QStringLiteral("--project"), project,
                  QStringLiteral("--steps"), QStringLiteral("100000"), QStringLiteral("--plan"),
                  QStringLiteral("decoder-on-embeddings"), QStringLiteral("--state-every"),
                  QStringLiteral("0.2"), QStringLiteral("--json")});
    QVERIFY(victim.waitForStarted());
    // Until a state past step 3 exists (a few seconds; generous for a busy machine).
    QDeadlineTimer deadline(240000);
    while (stateStep(state) < 3 && !deadline.hasExpired() && victim.state() == QProcess::Running)
      QTest::qWait(100);
    victim.kill();  // SIGKILL: no handler runs, whatever was being written stays half-written
    QVERIFY(victim.waitForFinished());
    const int killedAt = stateStep(state);
    QVERIFY2(killedAt >= 3, qPrintable(QString::fromUtf8(victim.readAllStandardError())));
    // No version was recorded, nothing went live: the project measures as before.
    QVERIFY(!QFileInfo::exists(
        QDir(project).filePath(QStringLiteral("adapters/adapter-v1.safetensors"))));
    const Run after = runMedsa(evaluate);
    QVERIFY2(after.exitCode == 0, qPrintable(after.err));
    QCOMPARE(measured(lastLineJson(after.out)), measured(lastLineJson(before.out)));

    // As a kill after writing the adapter file and before recording it would leave it.
    QFile stray(QDir(project).filePath(QStringLiteral("adapters/adapter-v1.safetensors")));
    QVERIFY(stray.open(QIODevice::WriteOnly));
    stray.write("half an adapter");
    stray.close();

    const Run resumed = runMedsa({QStringLiteral("train"), QStringLiteral("--project"), project,
                                  QStringLiteral("--steps"), QString::number(killedAt + 3),
                                  QStringLiteral("--plan"), QStringLiteral("decoder-on-embeddings"),
                                  QStringLiteral("--json")});
    QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.err));
    const QJsonObject result = lastLineJson(resumed.out);
    const QJsonObject training = result.value(QStringLiteral("training")).toObject();
    QCOMPARE(training.value(QStringLiteral("resumed_from")).toInt(), killedAt);
    QCOMPARE(result.value(QStringLiteral("steps")).toInt(), killedAt + 3);
    QCOMPARE(result.value(QStringLiteral("version")).toInt(), 1);
    // The recorded file is the new adapter, not the stray bytes: it evaluates.
    const Run withAdapter =
        runMedsa({QStringLiteral("evaluate"), QStringLiteral("--project"), project,
                  QStringLiteral("--adapter"),
                  QDir(project).filePath(QStringLiteral("adapters/adapter-v1.safetensors")),
                  QStringLiteral("--held-out"), QStringLiteral("--json")});
    QVERIFY2(withAdapter.exitCode == 0, qPrintable(withAdapter.err));
    QCOMPARE(measured(lastLineJson(withAdapter.out)),
             measured(result.value(QStringLiteral("after")).toObject()));
    QVERIFY(!QFileInfo::exists(state));
  }

  void refusalsNameTheirReason() {
    QTemporaryDir dir;
    const QString project = makeProject(dir, 1);
    QVERIFY(!project.isEmpty());
    // One labelled case: nothing could be held out.
    Run refused = runMedsa({QStringLiteral("train"), QStringLiteral("--project"), project,
                            QStringLiteral("--steps"), QStringLiteral("2")});
    QCOMPARE(refused.exitCode, 1);
    QVERIFY2(refused.err.contains(QStringLiteral("held-out")), qPrintable(refused.err));
    refused = runMedsa({QStringLiteral("evaluate"), QStringLiteral("--project"), project,
                        QStringLiteral("--held-out")});
    QCOMPARE(refused.exitCode, 1);
    QVERIFY2(refused.err.contains(QStringLiteral("held-out")), qPrintable(refused.err));
    // Without --held-out every labelled case counts: the one case is measured.
    const Run all = runMedsa({QStringLiteral("evaluate"), QStringLiteral("--project"), project,
                              QStringLiteral("--json")});
    QVERIFY2(all.exitCode == 0, qPrintable(all.err));
    QCOMPARE(lastLineJson(all.out).value(QStringLiteral("cases")).toInt(), 1);
    // Not a project.
    refused = runMedsa({QStringLiteral("train"), QStringLiteral("--project"), dir.path()});
    QCOMPARE(refused.exitCode, 1);
    QVERIFY2(refused.err.contains(dir.path()), qPrintable(refused.err));
    // Usage.
    QCOMPARE(runMedsa({QStringLiteral("train")}).exitCode, 2);
    QCOMPARE(runMedsa({QStringLiteral("train"), QStringLiteral("--project"), project,
                       QStringLiteral("--plan"), QStringLiteral("fastest")})
                 .exitCode,
             2);
    QCOMPARE(runMedsa({QStringLiteral("train"), QStringLiteral("--project"), project,
                       QStringLiteral("--steps"), QStringLiteral("3"), QStringLiteral("--minutes"),
                       QStringLiteral("1")})
                 .exitCode,
             2);
    QCOMPARE(runMedsa({QStringLiteral("evaluate"), QStringLiteral("--project"), project,
                       QStringLiteral("--base"), QStringLiteral("--adapter"), project})
                 .exitCode,
             2);
    // An adapter file that is not one is refused, naming it.
    QFile junk(dir.filePath(QStringLiteral("junk.safetensors")));
    QVERIFY(junk.open(QIODevice::WriteOnly));
    junk.write("junk");
    junk.close();
    const QString second = dir.filePath(QStringLiteral("pictures"));
    writeCase(second, 1);
    importCase(project, second, 1, "done");
    refused = runMedsa({QStringLiteral("evaluate"), QStringLiteral("--project"), project,
                        QStringLiteral("--adapter"), junk.fileName()});
    QCOMPARE(refused.exitCode, 1);
    QVERIFY2(refused.err.contains(junk.fileName()), qPrintable(refused.err));
  }
};

QTEST_GUILESS_MAIN(TestCliTrain)
#include "test_cli_train.moc"
