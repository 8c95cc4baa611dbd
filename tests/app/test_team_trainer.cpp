// A team's trainer on a server: `medsa train --project postgresql://… --watch` waits, hears
// (LISTEN/NOTIFY, not polling) that enough cases were labelled, trains, and records the version
// in the database; when a version is made live, an open medsa-studio window is told at once,
// reads the adapter from the database into its cache and swaps it into its engine.
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include "../annotations/test_database.h"
#include "labelled_project.h"
#include "medsa/annotations/project_store.h"
#include "medsa/model/sam_model.h"
#include "medsa/ui/engine_controller.h"
#include "medsa/ui/main_window.h"
#include "medsa/ui/project_controller.h"
#include "starter_engines.h"
#include "trainer_service.h"

using namespace medsa;
using medsa::test::TestDatabase;
using State = ui::TrainerStatus::State;

namespace {

using test::kStarter;

}  // namespace

class TestTeamTrainer : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

  void aWatchingTrainerPublishesAndTheWindowSwapsItIn() {
    TestDatabase database;
    MEDSA_NEED_DATABASE(database);
    QTemporaryDir dir;
    const QString data = dir.filePath(QStringLiteral("data"));
    QDir().mkpath(data);
    // Every process here (the CLI, the trainer, this window) sees the data under one root; the
    // trainer keeps its files in a cache of its own, as a server would.
    qputenv("MEDSA_DATA_ROOT", data.toLocal8Bit());
    qputenv("XDG_CACHE_HOME", dir.filePath(QStringLiteral("cli-cache")).toLocal8Bit());
    const QString url = database.url();
    QVERIFY(test::runMedsa({QStringLiteral("project"), QStringLiteral("create"), url,
                            QStringLiteral("--name"), QStringLiteral("Tubes"),
                            QStringLiteral("--labels"), QStringLiteral("tube")})
                .exitCode == 0);
    for (int i = 0; i < 3; ++i) {
      test::writeCase(data, i);
      test::importCase(url, data, i, "done");
    }

    QProcessEnvironment server = QProcessEnvironment::systemEnvironment();
    server.insert(QStringLiteral("XDG_CACHE_HOME"), dir.filePath(QStringLiteral("server-cache")));
    QProcess trainer;
    trainer.setProcessEnvironment(server);
    // --poll 600: within this test only a notification can start the cycle.
    trainer.start(QStringLiteral(MEDSA_BIN_DIR "/medsa"),
                  {QStringLiteral("train"), QStringLiteral("--project"), url,
                   QStringLiteral("--watch"), QStringLiteral("--min-new"), QStringLiteral("4"),
                   QStringLiteral("--poll"), QStringLiteral("600"), QStringLiteral("--cycles"),
                   QStringLiteral("1"), QStringLiteral("--steps"), QStringLiteral("4"),
                   QStringLiteral("--no-promote"), QStringLiteral("--json")});
    QVERIFY(trainer.waitForStarted());
    QString log;
    QVERIFY(test::waitForText(trainer, "watching", log, 60000));
    QVERIFY2(log.contains(QStringLiteral("notified of changes")), qPrintable(log));
    // Three labelled cases are not enough; the fourth starts a cycle.
    QTest::qWait(1500);
    QCOMPARE(trainer.state(), QProcess::Running);
    test::writeCase(data, 3);
    test::importCase(url, data, 3, "done");
    QVERIFY2(trainer.waitForFinished(600000), qPrintable(log));
    log += QString::fromUtf8(trainer.readAllStandardError());
    QVERIFY2(trainer.exitCode() == 0, qPrintable(log));
    QVERIFY2(log.contains(QStringLiteral("newly labelled cases: training")), qPrintable(log));
    const QJsonObject report =
        QJsonDocument::fromJson(trainer.readAllStandardOutput().trimmed()).object();
    QCOMPARE(report.value(QStringLiteral("version")).toInt(), 1);

    // A window on the project, with the starter model the adapter was trained on.
    ui::MainWindow window;
    window.setAutosaveFolder(dir.filePath(QStringLiteral("autosave")));
    window.setModelLoader([](const QString& c) { return test::starterEngines()(c, QString()); });
    QSignalSpy loaded(window.engine(), &ui::EngineController::engineLoaded);
    window.loadModel(kStarter);
    QVERIFY(loaded.wait(60000));
    app::TrainerSettings settings;
    settings.idlePriority = false;
    const app::BaseModelLoader loadBase = [](const QString& checkpoint) {
      return model::SamModel::load(checkpoint.toStdString(), std::nullopt, {});
    };
    app::TrainerService service(window, test::starterEngines(), loadBase, settings);
    window.setTrainer(&service);
    QSignalSpy opened(window.project(), &ui::ProjectController::opened);
    window.project()->open(url);
    QVERIFY(opened.wait(20000));
    QTRY_COMPARE_WITH_TIMEOUT(service.versions().size(), std::size_t(1), 20000);
    QVERIFY(service.liveAdapter().isEmpty());  // recorded, not live (--no-promote)

    // Someone makes version 1 live elsewhere: this window swaps it in by itself.
    loaded.clear();
    {
      annotations::ProjectStore::Options elsewhere;
      elsewhere.cacheFolder = dir.filePath(QStringLiteral("admin-cache"));
      auto admin = annotations::ProjectStore::open(url, elsewhere);
      QVERIFY(admin);
      QVERIFY(admin.value()->setLiveAdapter(1));
    }
    QTRY_VERIFY_WITH_TIMEOUT(!service.liveAdapter().isEmpty(), 30000);
    QVERIFY2(service.liveAdapter().startsWith(window.project()->filesFolder()),
             qPrintable(service.liveAdapter()));
    QVERIFY(QFileInfo(service.liveAdapter()).size() > 0);
    QVERIFY(loaded.wait(60000) || !loaded.isEmpty());
    QVERIFY2(loaded.last().at(0).toString().contains(QStringLiteral("adapter v1")),
             qPrintable(loaded.last().at(0).toString()));
    window.project()->close();
    qunsetenv("MEDSA_DATA_ROOT");
    qunsetenv("XDG_CACHE_HOME");
  }
};

QTEST_MAIN(TestTeamTrainer)
#include "test_team_trainer.moc"
