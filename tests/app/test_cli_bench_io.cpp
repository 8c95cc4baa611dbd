// `medsa bench-io` run as a user would, on a tiny volume: it writes into --dir, replaces what an
// earlier run left there, and never deletes or overwrites anything it did not make.
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include "cli_runner.h"

using medsa::test::Run;
using medsa::test::runMedsa;

namespace {

/// The smallest run: 16 x 16 x 2 voxels, one read each.
Run benchIo(const QStringList& extra) {
  return runMedsa(QStringList{QStringLiteral("bench-io"), QStringLiteral("--size"),
                              QStringLiteral("16"), QStringLiteral("--slices"), QStringLiteral("2"),
                              QStringLiteral("--runs"), QStringLiteral("1")} +
                  extra);
}

bool writeFile(const QString& path, const QByteArray& bytes) {
  QFile file(path);
  return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

QByteArray contentOf(const QString& path) {
  QFile file(path);
  return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray("<unreadable>");
}

}  // namespace

class TestCliBenchIo : public QObject {
  Q_OBJECT

 private slots:
  void aSeriesFolderItDidNotMakeIsNeverDeleted() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString series = dir.filePath(QStringLiteral("series"));
    QVERIFY(QDir().mkdir(series));
    QVERIFY(writeFile(series + QStringLiteral("/scan.dcm"), "the user's own scan"));
    const Run run = benchIo({QStringLiteral("--dir"), dir.path()});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(series + QStringLiteral(": exists and was not made by medsa "
                                                      "bench-io: refusing to replace it")),
             qPrintable(run.err));
    QCOMPARE(contentOf(series + QStringLiteral("/scan.dcm")), QByteArray("the user's own scan"));
    QCOMPARE(QDir(series).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
             QStringList{QStringLiteral("scan.dcm")});
  }

  void aVolumeItDidNotWriteIsNeverOverwritten() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString volume = dir.filePath(QStringLiteral("volume.nii.gz"));
    QVERIFY(writeFile(volume, "the user's own volume"));
    const Run run = benchIo({QStringLiteral("--dir"), dir.path()});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(volume + QStringLiteral(": exists and was not made")),
             qPrintable(run.err));
    QCOMPARE(contentOf(volume), QByteArray("the user's own volume"));
    QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("series"))));
  }

  void itReplacesWhatItsOwnEarlierRunLeft() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const Run first = benchIo({QStringLiteral("--dir"), dir.path()});
    QVERIFY2(first.exitCode == 0, qPrintable(first.err));
    const QString series = dir.filePath(QStringLiteral("series"));
    QVERIFY(QFileInfo::exists(series + QStringLiteral("/.medsa-bench-io")));
    QVERIFY(QFileInfo::exists(dir.filePath(QStringLiteral("volume.nii.gz"))));
    const int files = QDir(series).entryList(QDir::Files).size();
    QCOMPARE(files, 2);  // one file per slice
    // Something left in its own folder goes with it on the next run.
    QVERIFY(writeFile(series + QStringLiteral("/stale.dcm"), "left over"));
    const Run second = benchIo({QStringLiteral("--dir"), dir.path(), QStringLiteral("--json")});
    QVERIFY2(second.exitCode == 0, qPrintable(second.err));
    QVERIFY(!QFileInfo::exists(series + QStringLiteral("/stale.dcm")));
    QCOMPARE(QDir(series).entryList(QDir::Files).size(), files);
    QVERIFY(second.out.contains(QStringLiteral("\"series_agree\": true")));
  }

  void withoutDirItCleansUpItsOwnTemporaryFolder() {
    const Run run = benchIo({});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    const QRegularExpressionMatch match =
        QRegularExpression(QStringLiteral(" to (\\S+medsa-bench-io-\\S+)\\n")).match(run.err);
    QVERIFY2(match.hasMatch(), qPrintable(run.err));
    QVERIFY(!QFileInfo::exists(match.captured(1)));
  }
};

QTEST_GUILESS_MAIN(TestCliBenchIo)
#include "test_cli_bench_io.moc"
