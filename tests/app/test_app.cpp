// Runs the real executables as a user would and checks what they print and return.
#include <QTest>

#include "cli_runner.h"

using medsa::test::Run;
using medsa::test::runMedsa;

class TestApp : public QObject {
  Q_OBJECT

 private slots:
  void versionPrintsProductAndLibraries() {
    for (const QString& spelling : {QStringLiteral("--version"), QStringLiteral("version")}) {
      const Run run = runMedsa({spelling});
      QCOMPARE(run.exitCode, 0);
      QVERIFY2(run.out.startsWith(QStringLiteral("medsa 0.")), qPrintable(run.out));
      QVERIFY(run.out.contains(QStringLiteral("engine: LibTorch ")));
      QVERIFY(run.out.contains(QStringLiteral("ITK 5.")));
      QVERIFY(run.out.contains(QStringLiteral("OpenCV 4.")));
    }
  }

  void helpListsCommands() {
    const Run run = runMedsa({QStringLiteral("--help")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY(run.out.contains(QStringLiteral("Usage: medsa COMMAND")));
    QVERIFY(run.out.contains(QStringLiteral("version")));
    const Run commandHelp = runMedsa({QStringLiteral("help"), QStringLiteral("version")});
    QCOMPARE(commandHelp.exitCode, 0);
    QVERIFY(commandHelp.out.startsWith(QStringLiteral("Usage: medsa version")));
  }

  void usageErrorsAreExplainedWithStatusTwo_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    QTest::newRow("nothing") << QStringList{} << QStringLiteral("Usage: medsa COMMAND");
    QTest::newRow("unknown command")
        << QStringList{QStringLiteral("segmnet")} << QStringLiteral("unknown command 'segmnet'");
    QTest::newRow("unknown option")
        << QStringList{QStringLiteral("version"), QStringLiteral("--jsn")}
        << QStringLiteral("unknown option --jsn");
    QTest::newRow("help for nothing") << QStringList{QStringLiteral("help"), QStringLiteral("nope")}
                                      << QStringLiteral("no command named 'nope'");
  }

  void usageErrorsAreExplainedWithStatusTwo() {
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    const Run run = runMedsa(args);
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(message), qPrintable(run.err));
  }
};

QTEST_GUILESS_MAIN(TestApp)
#include "test_app.moc"
