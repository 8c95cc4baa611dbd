// Runs the real executables as a user would and checks what they print and return.
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTest>

#include "cli_runner.h"

using medsa::test::Run;
using medsa::test::runMedsa;

namespace {

/// The command names of `medsa --help`: the first word of each line under "Commands:".
QStringList listedCommands(const QString& help) {
  QStringList names;
  bool inList = false;
  for (const QString& line : help.split(QLatin1Char('\n'))) {
    if (line == QStringLiteral("Commands:")) {
      inList = true;
    } else if (inList && line.isEmpty()) {
      break;
    } else if (inList) {
      names << line.simplified().section(QLatin1Char(' '), 0, 0);
    }
  }
  return names;
}

/// The commands app/cli/main.cpp registers, from its add<Name>Command(registry) calls.
QStringList registeredCommands() {
  QFile file(QStringLiteral(MEDSA_TEST_DATA_DIR "/../../app/cli/main.cpp"));
  if (!file.open(QIODevice::ReadOnly)) return {};
  const QString source = QString::fromUtf8(file.readAll());
  QStringList names;
  QRegularExpressionMatchIterator calls =
      QRegularExpression(QStringLiteral("\\badd(\\w+)Command\\(registry\\)")).globalMatch(source);
  while (calls.hasNext()) {
    const QString camel = calls.next().captured(1);
    QString kebab;
    for (const QChar c : camel) {
      if (c.isUpper() && !kebab.isEmpty()) kebab += QLatin1Char('-');
      kebab += c.toLower();
    }
    names << kebab;
  }
  return names;
}

}  // namespace

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

  void versionListsOnlyTheLibrariesLinkedAndWhatTheyDo() {
    // After the version and engine lines: one "NAME VERSION (purpose)" line per image library,
    // each one the executable really loads (a planned library is not listed as if built).
    const Run run = runMedsa({QStringLiteral("--version")});
    QCOMPARE(run.exitCode, 0);
    QStringList lines = run.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QVERIFY(lines.size() > 2);
    lines = lines.mid(2);
    QStringList names;
    for (const QString& line : lines) {
      const QRegularExpressionMatch match =
          QRegularExpression(QStringLiteral("^(\\S+) [0-9][^ ]* \\((.+)\\)$")).match(line);
      QVERIFY2(match.hasMatch(), qPrintable(line));
      names << match.captured(1);
    }
    QCOMPARE(names, (QStringList{QStringLiteral("ITK"), QStringLiteral("GDCM"),
                                 QStringLiteral("DCMTK"), QStringLiteral("OpenCV")}));
    QProcess ldd;
    ldd.start(QStringLiteral("ldd"), {QStringLiteral(MEDSA_BIN_DIR "/medsa")});
    if (!ldd.waitForFinished(60000) || ldd.exitCode() != 0) QSKIP("ldd is not available here");
    const QString linked = QString::fromUtf8(ldd.readAllStandardOutput());
    const QStringList libraries{QStringLiteral("libITK"), QStringLiteral("libgdcm"),
                                QStringLiteral("libdcm"), QStringLiteral("libopencv_")};
    for (int i = 0; i < names.size(); ++i) {
      QVERIFY2(linked.contains(libraries[i]), qPrintable(names[i] + QStringLiteral(" not linked")));
    }
  }

  void helpListsEveryCommand() {
    // Exactly the registered commands (every add<Name>Command call in app/cli/main.cpp, named
    // <name> in kebab case: addBenchIoCommand is bench-io), in order, each with its own help.
    const QStringList registered = registeredCommands();
    QVERIFY(registered.contains(QStringLiteral("bench-io")));
    const Run run = runMedsa({QStringLiteral("--help")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY(run.out.contains(QStringLiteral("Usage: medsa COMMAND")));
    QCOMPARE(listedCommands(run.out), registered);
    for (const QString& command : registered) {
      const Run help = runMedsa({QStringLiteral("help"), command});
      QCOMPARE(help.exitCode, 0);
      QVERIFY2(help.out.startsWith(QStringLiteral("Usage: medsa ") + command + QLatin1Char(' ')),
               qPrintable(help.out));
      const Run dashHelp = runMedsa({command, QStringLiteral("--help")});
      QCOMPARE(dashHelp.exitCode, 0);
      QCOMPARE(dashHelp.out, help.out);
    }
  }

  void everyOptionOfEveryCommandIsInItsHelp() {
    // An unknown option is answered with every option the command reads; each must be in the
    // command's help (bench's --train options once were not).
    const Run run = runMedsa({QStringLiteral("--help")});
    // Commands with subcommands (project, models) are asked once per subcommand of their usage.
    QList<QStringList> invocations;
    for (const QString& command : listedCommands(run.out)) {
      const QString usage = runMedsa({QStringLiteral("help"), command}).out;
      const QRegularExpression subcommand(QStringLiteral("(?:^Usage: |\\n\\s+)medsa ") +
                                          QRegularExpression::escape(command) +
                                          QStringLiteral(" ([a-z][a-z-]*)"));
      QStringList subcommands;
      QRegularExpressionMatchIterator matches = subcommand.globalMatch(usage);
      while (matches.hasNext()) {
        const QString name = matches.next().captured(1);
        if (!subcommands.contains(name)) subcommands << name;
      }
      const Run bare = runMedsa({command, QStringLiteral("--no-such-option")});
      if (bare.err.contains(QStringLiteral("unknown subcommand"))) {
        QVERIFY2(!subcommands.isEmpty(), qPrintable(command));
        for (const QString& sub : subcommands) invocations << QStringList{command, sub};
      } else {
        invocations << QStringList{command};
      }
    }
    QVERIFY(invocations.contains(QStringList{QStringLiteral("project"), QStringLiteral("export")}));
    for (const QStringList& invocation : invocations) {
      const QString command = invocation.front();
      const Run refused = runMedsa(invocation + QStringList{QStringLiteral("--no-such-option")});
      QCOMPARE(refused.exitCode, 2);
      const QRegularExpressionMatch match =
          QRegularExpression(QStringLiteral("unknown option --no-such-option \\(options: (.*)\\)"))
              .match(refused.err);
      if (!match.hasMatch()) {
        QVERIFY2(refused.err.contains(QStringLiteral("(this command takes no options)")),
                 qPrintable(refused.err));
        continue;
      }
      const QString help = runMedsa({QStringLiteral("help"), command}).out;
      const QStringList options = match.captured(1).split(QStringLiteral(", "));
      QVERIFY(!options.isEmpty());
      for (const QString& option : options) {
        const QRegularExpression word(QStringLiteral("(^|[\\s\\[(|])") +
                                      QRegularExpression::escape(option) +
                                      QStringLiteral("(?![\\w-])"));
        QVERIFY2(help.contains(word), qPrintable(command + QLatin1Char(' ') + option));
      }
    }
    const QString bench = runMedsa({QStringLiteral("help"), QStringLiteral("bench")}).out;
    for (const char* option : {"--train", "--train-steps", "--checkpointing", "--clicks"}) {
      QVERIFY2(bench.contains(QLatin1String(option)), option);
    }
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
