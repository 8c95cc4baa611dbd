// `medsa info` as users and scripts call it: the --json object matches what the reference
// libraries report, folders list their series, failures exit non-zero naming the file.
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

#include "io_test_support.h"

using medsa::test::ioData;

namespace {

struct Run {
  int exitCode = -1;
  QByteArray out;
  QByteArray err;
};

Run runMedsa(const QStringList& args) {
  QProcess process;
  process.start(QStringLiteral(MEDSA_BIN_DIR "/medsa"), args);
  Run run;
  if (!process.waitForFinished(120000)) return run;
  run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
  run.out = process.readAllStandardOutput();
  run.err = process.readAllStandardError();
  return run;
}

QJsonObject reference(const QString& file) {
  QFile json(QString::fromStdString(ioData("reference.json")));
  if (!json.open(QIODevice::ReadOnly)) qFatal("reference.json missing");
  for (const QJsonValue& v : QJsonDocument::fromJson(json.readAll()).array()) {
    if (v.toObject()[QLatin1String("file")].toString() == file) return v.toObject();
  }
  qFatal("no reference for %s", qPrintable(file));
}

}  // namespace

class TestCliInfo : public QObject {
  Q_OBJECT

 private slots:
  void jsonMatchesTheReference_data() {
    QTest::addColumn<QString>("file");
    for (const char* name : {"CT_small.dcm", "example4d.nii.gz", "example_nifti2.nii.gz",
                             "retina.jpg", "SC_rgb_rle.dcm", "rtdose.dcm"}) {
      QTest::newRow(name) << QString::fromLatin1(name);
    }
  }
  void jsonMatchesTheReference() {
    QFETCH(QString, file);
    const Run run =
        runMedsa({QStringLiteral("info"), QString::fromStdString(ioData(file.toStdString())),
                  QStringLiteral("--json")});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    const QJsonObject info = QJsonDocument::fromJson(run.out).object();
    const QJsonObject expected = reference(file);
    QCOMPARE(info[QLatin1String("dims")].toArray(), expected[QLatin1String("dims")].toArray());
    QCOMPARE(info[QLatin1String("components")].toInt(),
             expected[QLatin1String("components")].toInt());
    QCOMPARE(info[QLatin1String("modality")].toString(),
             expected[QLatin1String("modality")].toString());
    QVERIFY(!info[QLatin1String("pixel_type")].toString().isEmpty());
    for (const char* key : {"spacing", "origin", "direction"}) {
      const QJsonArray got = info[QLatin1String(key)].toArray();
      const QJsonArray want = expected[QLatin1String(key)].toArray();
      QCOMPARE(got.size(), want.size());
      QCOMPARE(got.size(), QString::fromLatin1(key) == QLatin1String("direction") ? 9 : 3);
      for (int i = 0; i < got.size(); ++i) {
        QVERIFY2(std::abs(got[i].toDouble() - want[i].toDouble()) < 1e-4, key);
      }
    }
    const QJsonArray range = info[QLatin1String("range")].toArray();
    QVERIFY(std::abs(range[0].toDouble() - expected[QLatin1String("min")].toDouble()) < 1e-4);
    QVERIFY(std::abs(range[1].toDouble() - expected[QLatin1String("max")].toDouble()) < 1e-4);
  }

  void folderListsItsSeries() {
    const Run run =
        runMedsa({QStringLiteral("info"), QString::fromStdString(ioData("series_folder")),
                  QStringLiteral("--json")});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    const QJsonObject info = QJsonDocument::fromJson(run.out).object();
    const QJsonArray series = info[QLatin1String("series")].toArray();
    QCOMPARE(series.size(), 2);
    QCOMPARE(series[0].toObject()[QLatin1String("description")].toString(),
             QStringLiteral("oblique"));
    QCOMPARE(series[1].toObject()[QLatin1String("frames")].toInt(), 3);
    QCOMPARE(info[QLatin1String("selected_series")].toInt(), 0);
    QCOMPARE(info[QLatin1String("dims")].toArray(), (QJsonArray{8, 6, 6, 1}));

    const Run text =
        runMedsa({QStringLiteral("info"), QString::fromStdString(ioData("series_folder")),
                  QStringLiteral("--series"), QStringLiteral("1")});
    QCOMPARE(text.exitCode, 0);
    QVERIFY(text.out.contains("series:      2 found"));
    QVERIFY(text.out.contains("  * [1] CT  4x4  3 frames, 3 files"));
    QVERIFY(text.out.contains("dimensions:  4 x 4 x 3 x 1"));
  }

  void failureExitsNonZeroNamingTheFile() {
    const QString path = QString::fromStdString(ioData("MR_truncated.dcm"));
    const Run run = runMedsa({QStringLiteral("info"), path, QStringLiteral("--json")});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(path.toUtf8() + ": the pixel data ends after"), run.err.constData());
    const QJsonObject error =
        QJsonDocument::fromJson(run.out).object()[QLatin1String("error")].toObject();
    QCOMPARE(error[QLatin1String("code")].toString(), QStringLiteral("truncated"));
    QCOMPARE(error[QLatin1String("path")].toString(), path);

    const Run usage = runMedsa({QStringLiteral("info")});
    QCOMPARE(usage.exitCode, 2);
    QVERIFY(usage.err.contains("missing PATH"));
  }
};

QTEST_APPLESS_MAIN(TestCliInfo)
#include "test_cli_info.moc"
