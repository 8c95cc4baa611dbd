// The command line on a team's project (a PostgreSQL URL in place of DIR): create, import with
// images under a data root, status with who holds what, the stress command with its faults, and
// the errors a user sees for a URL with a password or a server that is not there.
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include "../annotations/test_database.h"
#include "labelled_project.h"

using medsa::test::Run;
using medsa::test::runMedsa;
using medsa::test::TestDatabase;

class TestCliTeam : public QObject {
  Q_OBJECT

 private slots:
  void projectCommandsTakeAUrl() {
    TestDatabase database;
    MEDSA_NEED_DATABASE(database);
    QTemporaryDir dir;
    const QString data = dir.filePath(QStringLiteral("data"));
    QDir().mkpath(data + QStringLiteral("/scans"));
    qputenv("MEDSA_DATA_ROOT", data.toLocal8Bit());
    qputenv("XDG_CACHE_HOME", dir.filePath(QStringLiteral("cache")).toLocal8Bit());
    const QString url = database.url();
    const Run made = runMedsa({QStringLiteral("project"), QStringLiteral("create"), url,
                               QStringLiteral("--name"), QStringLiteral("Team"),
                               QStringLiteral("--labels"), QStringLiteral("tube")});
    QVERIFY2(made.exitCode == 0, qPrintable(made.err));
    QVERIFY(made.out.contains(QStringLiteral("postgresql://")));
    for (int i = 0; i < 2; ++i) {
      medsa::test::writeCase(data + QStringLiteral("/scans"), i);
      medsa::test::importCase(url, data + QStringLiteral("/scans"), i, "done");
    }
    // The image is stored relative to the data root: another machine mounts it elsewhere.
    const QString moved = dir.filePath(QStringLiteral("elsewhere"));
    QVERIFY(QDir().rename(data, moved));
    qputenv("MEDSA_DATA_ROOT", moved.toLocal8Bit());
    const Run status = runMedsa(
        {QStringLiteral("project"), QStringLiteral("status"), url, QStringLiteral("--json")});
    QVERIFY2(status.exitCode == 0, qPrintable(status.err));
    const QJsonArray cases = QJsonDocument::fromJson(status.out.toUtf8())
                                 .object()
                                 .value(QStringLiteral("cases"))
                                 .toArray();
    QCOMPARE(cases.size(), 2);
    QCOMPARE(cases[0].toObject().value(QStringLiteral("image")).toString(),
             moved + QStringLiteral("/scans/case0.png"));
    QCOMPARE(cases[0].toObject().value(QStringLiteral("version")).toInt(), 1);
    QCOMPARE(cases[0].toObject().value(QStringLiteral("held_by")).toString(), QString());
    // A dataset export reads the label maps from the database (this machine's cache is empty).
    QVERIFY(QDir(dir.filePath(QStringLiteral("cache"))).removeRecursively());
    const QString out = dir.filePath(QStringLiteral("export"));
    const Run exported =
        runMedsa({QStringLiteral("project"), QStringLiteral("export"), url,
                  QStringLiteral("--format"), QStringLiteral("png"), QStringLiteral("--out"), out});
    QVERIFY2(exported.exitCode == 0, qPrintable(exported.err));
    QVERIFY(QFileInfo::exists(out + QStringLiteral("/case0.png")));
    QVERIFY(QFileInfo::exists(out + QStringLiteral("/case1.png")));
    // --copy would put the image where no other machine sees it.
    const Run copy =
        runMedsa({QStringLiteral("project"), QStringLiteral("import"), url,
                  moved + QStringLiteral("/scans/case0.png"), QStringLiteral("--copy")});
    QCOMPARE(copy.exitCode, 1);
    QVERIFY(copy.err.contains(QStringLiteral("data root")));

    // The stress test refuses a project with real cases (it would write over their labels) ...
    const Run refused = runMedsa({QStringLiteral("project"), QStringLiteral("stress"), url,
                                  QStringLiteral("--annotators"), QStringLiteral("2"),
                                  QStringLiteral("--minutes"), QStringLiteral("0.1")});
    QCOMPARE(refused.exitCode, 1);
    QVERIFY2(refused.err.contains(QStringLiteral("scratch project")), qPrintable(refused.err));
    // ... and on a scratch one runs with a killed annotator and a cut, losing nothing.
    TestDatabase scratch;
    MEDSA_NEED_DATABASE(scratch);
    QVERIFY(runMedsa({QStringLiteral("project"), QStringLiteral("create"), scratch.url(),
                      QStringLiteral("--name"), QStringLiteral("Scratch"),
                      QStringLiteral("--labels"), QStringLiteral("x")})
                .exitCode == 0);
    const Run stress =
        runMedsa({QStringLiteral("project"), QStringLiteral("stress"), scratch.url(),
                  QStringLiteral("--annotators"), QStringLiteral("3"), QStringLiteral("--minutes"),
                  QStringLiteral("0.1"), QStringLiteral("--json")});
    QVERIFY2(stress.exitCode == 0, qPrintable(stress.err + stress.out));
    const QJsonObject report = QJsonDocument::fromJson(stress.out.toUtf8()).object();
    QCOMPARE(report.value(QStringLiteral("annotators")).toInt(), 3);
    QVERIFY(report.value(QStringLiteral("cases_taken")).toInt() > 10);
    QVERIFY(report.value(QStringLiteral("saves")).toInt() > 10);
    QCOMPARE(report.value(QStringLiteral("double_assignments")).toInt(), 0);
    QCOMPARE(report.value(QStringLiteral("lost_saves")).toInt(), 0);
    QVERIFY(report.value(QStringLiteral("sessions_cut")).toInt() >= 1);
    QVERIFY(report.value(QStringLiteral("saves_after_cut")).toInt() >= 1);
    for (const char* key : {"conflicts", "p95_take_ms"})
      QVERIFY(report.contains(QLatin1String(key)));
    qunsetenv("MEDSA_DATA_ROOT");
    qunsetenv("XDG_CACHE_HOME");
  }

  void badUrlsSayWhy() {
    const Run secret = runMedsa({QStringLiteral("project"), QStringLiteral("status"),
                                 QStringLiteral("postgresql://ann:hunter2@db.example/p")});
    QCOMPARE(secret.exitCode, 1);
    QVERIFY(secret.err.contains(QStringLiteral("PGPASSWORD or ~/.pgpass")));
    QVERIFY(!secret.err.contains(QStringLiteral("hunter2")));
    const Run nobody = runMedsa({QStringLiteral("project"), QStringLiteral("status"),
                                 QStringLiteral("postgresql://ann@127.0.0.1:1/p")});
    QCOMPARE(nobody.exitCode, 1);
    QVERIFY2(nobody.err.contains(QStringLiteral("cannot connect to the project database")),
             qPrintable(nobody.err));
    const Run train = runMedsa({QStringLiteral("train"), QStringLiteral("--project"),
                                QStringLiteral("/nonexistent"), QStringLiteral("--min-new"),
                                QStringLiteral("3")});
    QCOMPARE(train.exitCode, 2);
    QVERIFY(train.err.contains(QStringLiteral("go with --watch")));
  }
};

QTEST_GUILESS_MAIN(TestCliTeam)
#include "test_cli_team.moc"
