// The engine commands of the medsa tool (segment, bench), run as a user would run them, on the
// tiny SAM of the parity fixtures.
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include "cli_runner.h"

using medsa::test::Run;
using medsa::test::runMedsa;

namespace {

const QString kTiny = QStringLiteral(MEDSA_TEST_DATA_DIR "/sam-parity/tiny.pth");
const QString kTinyConfig = QStringLiteral(MEDSA_TEST_DATA_DIR "/sam-parity/tiny_config.json");

QJsonObject parseObject(const QString& text) {
  return QJsonDocument::fromJson(text.toUtf8()).object();
}

}  // namespace

class TestCliEngine : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    // A 300 x 200 photograph-like picture with a bright disc to segment.
    QImage picture(300, 200, QImage::Format_RGB888);
    for (int y = 0; y < 200; ++y) {
      for (int x = 0; x < 300; ++x) {
        const bool disc = (x - 180) * (x - 180) + (y - 90) * (y - 90) < 40 * 40;
        picture.setPixel(x, y, disc ? qRgb(230, 200, 180) : qRgb(40 + x / 10, 30, 20));
      }
    }
    picture_ = dir_.filePath(QStringLiteral("picture.png"));
    QVERIFY(picture.save(picture_));
  }

  void segmentWritesAPngMaskAndReportsEveryCandidate() {
    const QString out = dir_.filePath(QStringLiteral("mask.png"));
    const Run run = runMedsa({"segment", "--model", kTiny, "--config", kTinyConfig, "--image",
                              picture_, "--point", "180,90,1", "--point", "20,20,0", "--multimask",
                              "--out", out, "--json"});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    const QJsonObject report = parseObject(run.out);
    QCOMPARE(report["candidates"].toArray().size(), 3);
    int best = 0;
    const QJsonArray candidates = report["candidates"].toArray();
    for (int i = 1; i < 3; ++i) {
      if (candidates[i].toObject()["iou"].toDouble() >
          candidates[best].toObject()["iou"].toDouble())
        best = i;
    }
    QCOMPARE(report["chosen"].toInt(), best);  // the highest predicted IoU is the one written
    QVERIFY(report["timings_ms"].toObject().contains("encode"));

    QImage mask(out);
    QCOMPARE(mask.size(), QSize(300, 200));
    QVERIFY(mask.isGrayscale());
    int on = 0;
    for (int y = 0; y < mask.height(); ++y) {
      for (int x = 0; x < mask.width(); ++x) {
        const int value = qGray(mask.pixel(x, y));
        QVERIFY2(value == 0 || value == 255, "a PNG mask holds only 0 and 255");
        on += value == 255;
      }
    }
    QCOMPARE(on, report["area"].toInt());
  }

  void segmentWritesALabelMapOnTheImageGrid() {
    const QString out = dir_.filePath(QStringLiteral("mask.nii.gz"));
    const Run run = runMedsa({"segment", "--model", kTiny, "--config", kTinyConfig, "--image",
                              picture_, "--box", "140,50,220,130", "--out", out});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QVERIFY(run.out.startsWith(QStringLiteral("wrote ")));
    QVERIFY(QFileInfo(out).size() > 0);
  }

  void segmentExplainsBadInput_data() {
    QTest::addColumn<QStringList>("extra");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("message");
    QTest::newRow("no prompt") << QStringList{} << 2 << "give at least one --point";
    QTest::newRow("bad point") << QStringList{"--point", "10,20"} << 2
                               << "--point expects 3 comma-separated numbers";
    QTest::newRow("bad label") << QStringList{"--point", "10,20,7"} << 2
                               << "label must be 1 (object) or 0";
    QTest::newRow("slice outside")
        << QStringList{"--point", "10,20,1", "--slice", "3"} << 1 << "is outside the image";
    QTest::newRow("not a number") << QStringList{"--box", "1,2,x,4"} << 2
                                  << "--box expects a number, got 'x'";
  }

  void segmentExplainsBadInput() {
    QFETCH(QStringList, extra);
    QFETCH(int, exitCode);
    QFETCH(QString, message);
    const Run run =
        runMedsa(QStringList{"segment", "--model", kTiny, "--config", kTinyConfig, "--image",
                             picture_, "--out", dir_.filePath(QStringLiteral("x.png"))} +
                 extra);
    QCOMPARE(run.exitCode, exitCode);
    QVERIFY2(run.err.contains(message), qPrintable(run.err));
  }

  void segmentNamesTheBrokenCheckpoint() {
    const QString broken = dir_.filePath(QStringLiteral("broken.pth"));
    QFile file(broken);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("PK\x03\x04 this is not a zip");
    file.close();
    const Run run = runMedsa({"segment", "--model", broken, "--image", picture_, "--point", "1,1,1",
                              "--out", dir_.filePath(QStringLiteral("x.png"))});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(broken + QStringLiteral(": not a readable torch.save archive")),
             qPrintable(run.err));
  }

  void benchPrintsItsFigures() {
    const Run run = runMedsa(
        {"bench", "--config", kTinyConfig, "--random-weights", "--clicks", "20", "--json"});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    const QJsonObject report = parseObject(run.out);
    for (const char* key :
         {"encoder_ms", "click_ms_p50", "click_ms_p95", "correction_click_ms_p50",
          "correction_click_ms_p95", "load_ms", "peak_rss_mb"}) {
      QVERIFY2(report[QLatin1String(key)].toDouble() > 0, key);
    }
    QCOMPARE(report["device"].toString(), QStringLiteral("cpu"));
    QVERIFY(report["click_ms_p95"].toDouble() >= report["click_ms_p50"].toDouble());
    QVERIFY(report["correction_click_ms_p95"].toDouble() >=
            report["correction_click_ms_p50"].toDouble());
  }

  void benchTimesATrainingStep() {
    const Run run =
        runMedsa({"bench", "--config", kTinyConfig, "--random-weights", "--train", "--json"});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    const QJsonObject report = parseObject(run.out);
    QCOMPARE(report["mode"].toString(), QStringLiteral("train"));
    QVERIFY(report["step_ms"].toDouble() > 0);
    QVERIFY(report["peak_rss_mb"].toDouble() > 0);
    QVERIFY(report["trainable_parameters"].toInteger() > 0);
  }

  void modelInfoCountsParametersAndAdapters() {
    const Run run =
        runMedsa({"model-info", kTiny, "--config", kTinyConfig, "--adapters", "--json"});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    const QJsonObject report = parseObject(run.out);
    const QJsonArray modules = report["modules"].toArray();
    QCOMPARE(modules.size(), 5);
    qint64 total = 0, trainable = 0;
    for (const QJsonValue& m : modules) {
      total += m.toObject()["total"].toInteger();
      trainable += m.toObject()["trainable"].toInteger();
    }
    QCOMPARE(report["total"].toInteger(), total);
    QCOMPARE(report["trainable"].toInteger(), trainable);
    QCOMPARE(modules[0].toObject()["trainable"].toInteger(), 0);  // the base stays frozen
    QVERIFY(modules[1].toObject()["trainable"].toInteger() > 0);  // encoder adapters
    const Run plain = runMedsa({"model-info", kTiny, "--config", kTinyConfig});
    QCOMPARE(plain.exitCode, 0);
    QVERIFY(plain.out.contains(QStringLiteral("image_encoder")));
  }

  void benchRefusesTooFewClicks() {
    const Run run =
        runMedsa({"bench", "--config", kTinyConfig, "--random-weights", "--clicks", "5"});
    QCOMPARE(run.exitCode, 2);
    QVERIFY(run.err.contains(QStringLiteral("--clicks must be a number >= 20")));
  }

 private:
  QTemporaryDir dir_;
  QString picture_;
};

QTEST_GUILESS_MAIN(TestCliEngine)
#include "test_cli_engine.moc"
