// `medsa-studio --bench-clicks N`: clicks go through the real window (offscreen) and the app
// reports its own latencies; mouse release -> candidate painted includes the engine's part.
// With --bench-while-training the background trainer takes steps while the clicks come; with
// --bench-corrections each first click is followed by correction clicks, timed apart; with
// --bench-hold the button is held between press and release; --bench-boxes drags boxes.
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include "cli_runner.h"

namespace {

struct Outcome {
  int exitCode = -1;
  QJsonObject json;  ///< the last line of stdout
  QString err;
};

Outcome runStudio(const QStringList& args) {
  QTemporaryDir home;  // --model is remembered in the settings: keep the user's untouched
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
  env.insert(QStringLiteral("XDG_CONFIG_HOME"), home.path());
  env.insert(QStringLiteral("XDG_DATA_HOME"), home.path());
  const medsa::test::Run run =
      medsa::test::runTool(QStringLiteral("medsa-studio"), args, 600000, env);
  const QStringList lines = run.out.trimmed().split(QLatin1Char('\n'));
  return {run.exitCode, QJsonDocument::fromJson(lines.last().toUtf8()).object(), run.err};
}

// Every click's `outer` time contains its `inner` time, so their medians keep that order. The
// engine may start at the press (anticipation), so only press -> painted contains the engine's
// time; release -> painted contains the app's answer time (release -> candidate in).
void expectContains(const QJsonObject& json, const QString& outer, const QString& inner) {
  const double outerMs = json.value(outer).toDouble(-1);
  const double innerMs = json.value(inner).toDouble(-1);
  QVERIFY2(
      innerMs >= 0 && outerMs >= innerMs,
      qPrintable(QStringLiteral("%1 %2 < %3 %4").arg(outer).arg(outerMs).arg(inner).arg(innerMs)));
}

}  // namespace

class TestStudioBench : public QObject {
  Q_OBJECT

 private slots:
  void clicksThroughTheWindow() {
    const Outcome bench = runStudio({QStringLiteral("--model"), QStringLiteral("starter"),
                                     QStringLiteral("--bench-clicks"), QStringLiteral("6"),
                                     QStringLiteral("--bench-corrections"), QStringLiteral("2")});
    QVERIFY2(bench.exitCode == 0, qPrintable(bench.err + QJsonDocument(bench.json).toJson()));
    QCOMPARE(bench.json.value(QStringLiteral("clicks")).toInt(), 6);
    QVERIFY(
        bench.json.value(QStringLiteral("model")).toString().contains(QStringLiteral("starter")));
    const double endToEnd = bench.json.value(QStringLiteral("p50_ms")).toDouble();
    const double engine = bench.json.value(QStringLiteral("engine_p50_ms")).toDouble();
    QVERIFY(engine > 0);
    expectContains(bench.json, QStringLiteral("from_press_p50_ms"),
                   QStringLiteral("engine_p50_ms"));
    expectContains(bench.json, QStringLiteral("p50_ms"), QStringLiteral("answer_p50_ms"));
    QVERIFY(bench.json.value(QStringLiteral("p95_ms")).toDouble() >= endToEnd);
    QCOMPARE(bench.json.value(QStringLiteral("while_training")).toBool(), false);
    // Two corrections after each first click, timed apart: the same order holds for them.
    QCOMPARE(bench.json.value(QStringLiteral("corrections_per_object")).toInt(), 2);
    const double correction = bench.json.value(QStringLiteral("correction_p50_ms")).toDouble();
    const double correctionEngine =
        bench.json.value(QStringLiteral("correction_engine_p50_ms")).toDouble();
    QVERIFY(correctionEngine > 0);
    expectContains(bench.json, QStringLiteral("correction_from_press_p50_ms"),
                   QStringLiteral("correction_engine_p50_ms"));
    expectContains(bench.json, QStringLiteral("correction_p50_ms"),
                   QStringLiteral("correction_answer_p50_ms"));
    QVERIFY(bench.json.value(QStringLiteral("correction_p95_ms")).toDouble() >= correction);
  }

  void clicksWhileTraining() {
    const Outcome bench = runStudio({QStringLiteral("--model"), QStringLiteral("starter"),
                                     QStringLiteral("--bench-clicks"), QStringLiteral("4"),
                                     QStringLiteral("--bench-while-training")});
    QVERIFY2(bench.exitCode == 0, qPrintable(bench.err + QJsonDocument(bench.json).toJson()));
    QCOMPARE(bench.json.value(QStringLiteral("while_training")).toBool(), true);
    QVERIFY(bench.json.contains(QStringLiteral("training_steps_meanwhile")));
    QVERIFY(bench.json.value(QStringLiteral("engine_p50_ms")).toDouble() > 0);
  }

  void aHeldButtonHidesTheEngine() {
    // The engine starts on a click's point when the button goes down: held 300 ms, the answer
    // is there at the release, and the app's answer time (release -> answer) is below the
    // engine's own time; without the early start it contains it.
    const Outcome bench = runStudio({QStringLiteral("--model"), QStringLiteral("starter"),
                                     QStringLiteral("--bench-clicks"), QStringLiteral("4"),
                                     QStringLiteral("--bench-hold"), QStringLiteral("300"),
                                     QStringLiteral("--bench-boxes"), QStringLiteral("3")});
    QVERIFY2(bench.exitCode == 0, qPrintable(bench.err + QJsonDocument(bench.json).toJson()));
    QCOMPARE(bench.json.value(QStringLiteral("hold_ms")).toInt(), 300);
    const double answer = bench.json.value(QStringLiteral("answer_p50_ms")).toDouble();
    const double engine = bench.json.value(QStringLiteral("engine_p50_ms")).toDouble();
    QVERIFY2(answer < engine, qPrintable(QStringLiteral("%1 >= %2").arg(answer).arg(engine)));
    // A box drag that rests 300 ms before its release: the box's answer (a crop's encoding and
    // the decoder, with the starter) is ready by then, so the release waits for the painting.
    QCOMPARE(bench.json.value(QStringLiteral("boxes")).toInt(), 3);
    const double box = bench.json.value(QStringLiteral("box_p50_ms")).toDouble();
    const double boxEngine = bench.json.value(QStringLiteral("box_engine_p50_ms")).toDouble();
    QVERIFY2(box < boxEngine, qPrintable(QStringLiteral("%1 >= %2").arg(box).arg(boxEngine)));
  }

  void aBadCountIsRefused() {
    const Outcome bench = runStudio({QStringLiteral("--bench-clicks"), QStringLiteral("0")});
    QCOMPARE(bench.exitCode, 2);
    QVERIFY(bench.err.contains(QStringLiteral("--bench-clicks")));
    const Outcome corrections =
        runStudio({QStringLiteral("--bench-clicks"), QStringLiteral("2"),
                   QStringLiteral("--bench-corrections"), QStringLiteral("-1")});
    QCOMPARE(corrections.exitCode, 2);
    QVERIFY(corrections.err.contains(QStringLiteral("--bench-corrections")));
    const Outcome hold = runStudio({QStringLiteral("--bench-clicks"), QStringLiteral("2"),
                                    QStringLiteral("--bench-hold"), QStringLiteral("soon")});
    QCOMPARE(hold.exitCode, 2);
    QVERIFY(hold.err.contains(QStringLiteral("--bench-hold")));
    const Outcome boxes = runStudio({QStringLiteral("--bench-clicks"), QStringLiteral("2"),
                                     QStringLiteral("--bench-boxes"), QStringLiteral("-2")});
    QCOMPARE(boxes.exitCode, 2);
    QVERIFY(boxes.err.contains(QStringLiteral("--bench-boxes")));
  }
};

QTEST_GUILESS_MAIN(TestStudioBench)
#include "test_studio_bench.moc"
