// medsa-studio's background trainer with the real window, project and engine (offscreen): Train
// Now records a version with its loss curve, Make Live swaps the adapter into the engine and
// back, Pause holds training between steps, user interaction makes it wait, Stop keeps the
// state and records nothing, a decoder-plan adapter going live keeps the embeddings, and a project
// without enough labelled cases fails with a reason.
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <thread>

#include "labelled_project.h"
#include "medsa/model/sam_model.h"
#include "medsa/ui/engine_controller.h"
#include "medsa/ui/main_window.h"
#include "medsa/ui/project_controller.h"
#include "medsa/ui/tool_controller.h"
#include "starter_engines.h"
#include "trainer_service.h"

using namespace medsa;
using State = ui::TrainerStatus::State;

namespace {

using test::kStarter;

bool waitFor(const std::function<bool()>& condition, int ms) {
  QElapsedTimer timer;
  timer.start();
  while (!condition()) {
    if (timer.elapsed() > ms) return false;
    QTest::qWait(20);
  }
  return true;
}

// Threads of this process with the name `name` (OpenMP workers take their master's name).
int threadsNamed(const QString& name) {
  int count = 0;
  const QDir tasks(QStringLiteral("/proc/self/task"));
  for (const QString& task : tasks.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
    QFile comm(tasks.filePath(task + QStringLiteral("/comm")));
    if (comm.open(QIODevice::ReadOnly) && comm.readAll().trimmed() == name.toUtf8()) ++count;
  }
  return count;
}

struct Fixture {
  QTemporaryDir dir;
  QString project;
  ui::MainWindow window;
  std::unique_ptr<app::TrainerService> trainer;

  /// `prepare` runs on the project before the window opens it.
  bool start(int labelled, int steps, const std::function<bool(const QString&)>& prepare = {}) {
    project = test::makeProject(dir, labelled);
    if (project.isEmpty() || (prepare && !prepare(project))) return false;
    window.setAutosaveFolder(dir.filePath(QStringLiteral("autosave")));
    window.setModelLoader([](const QString& c) { return test::starterEngines()(c, QString()); });
    QSignalSpy loaded(window.engine(), &ui::EngineController::engineLoaded);
    window.loadModel(kStarter);
    if (!loaded.wait(60000)) return false;
    app::TrainerSettings settings;
    settings.steps = steps;
    settings.idleSeconds = 1;
    settings.idlePriority = false;  // other tests may keep both cores busy meanwhile
    const app::BaseModelLoader loadBase = [](const QString& checkpoint) {
      return model::SamModel::load(checkpoint.toStdString(), std::nullopt, {});
    };
    trainer =
        std::make_unique<app::TrainerService>(window, test::starterEngines(), loadBase, settings);
    window.setTrainer(trainer.get());
    QSignalSpy opened(window.project(), &ui::ProjectController::opened);
    window.project()->open(project);
    return opened.wait(20000) &&
           waitFor([&] { return trainer->status().state == State::Idle; }, 20000);
  }
};

}  // namespace

class TestTrainerService : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

  void trainNowRecordsAVersionAndMakeLiveSwapsIt() {
    Fixture f;
    QVERIFY(f.start(4, 6));
    QVERIFY(f.trainer->versions().empty());
    QSignalSpy finished(f.trainer.get(), &app::TrainerService::trainingFinished);
    QSignalSpy versions(f.trainer.get(), &ui::TrainerClient::versionsChanged);
    f.trainer->trainNow();
    QVERIFY(f.trainer->status().state != State::Idle);
    QVERIFY(finished.wait(180000));
    QVERIFY(waitFor([&] { return f.trainer->versions().size() == 1; }, 20000));
    const ui::TrainerVersion v = f.trainer->versions().front();
    QCOMPARE(v.version, 1);
    QVERIFY(v.heldOutCases >= 1);
    QCOMPARE(v.steps, 6);
    QVERIFY(!v.decision.isEmpty());
    QCOMPARE(f.trainer->lossCurve().size(), std::size_t(6));
    const ui::TrainerStatus status = f.trainer->status();
    QCOMPARE(status.state, State::Idle);
    QVERIFY(!status.plan.isEmpty());

    // Make Live loads base + adapter into the engine; version 0 goes back to the base alone.
    QSignalSpy loaded(f.window.engine(), &ui::EngineController::engineLoaded);
    f.trainer->makeLive(1);
    QVERIFY(waitFor([&] { return !f.trainer->liveAdapter().isEmpty(); }, 20000));
    QVERIFY(f.trainer->liveAdapter().endsWith(QStringLiteral("adapter-v1.safetensors")));
    QVERIFY(loaded.wait(60000) || !loaded.isEmpty());
    QVERIFY2(loaded.last().at(0).toString().contains(QStringLiteral("adapter v1")),
             qPrintable(loaded.last().at(0).toString()));
    QCOMPARE(f.trainer->versions().front().state, QStringLiteral("live"));
    loaded.clear();
    f.trainer->makeLive(0);
    QVERIFY(waitFor([&] { return f.trainer->liveAdapter().isEmpty(); }, 20000));
    QVERIFY(loaded.wait(60000) || !loaded.isEmpty());
    QVERIFY(!loaded.last().at(0).toString().contains(QStringLiteral("adapter")));
  }

  // An adapter of the decoder plan leaves the encoder as it was: after it goes live, a picture
  // encoded before is not encoded again (the engine finds it in the project's embeddings/).
  void aDecoderAdapterGoingLiveKeepsTheEmbeddings() {
    Fixture f;
    QVERIFY(f.start(4, 6, [](const QString& project) {
      return test::runMedsa({QStringLiteral("train"), QStringLiteral("--project"), project,
                             QStringLiteral("--steps"), QStringLiteral("3"),
                             QStringLiteral("--plan"), QStringLiteral("decoder-on-embeddings"),
                             QStringLiteral("--no-promote")})
                 .exitCode == 0;
    }));
    QVERIFY(waitFor([&] { return f.trainer->versions().size() == 1; }, 20000));
    RgbImage picture(240, 180);
    for (int y = 0; y < picture.height; ++y)
      for (int x = 0; x < picture.width; ++x) {
        const bool inside = std::abs(x - 120) < 40 && std::abs(y - 90) < 30;
        std::uint8_t* p = picture.pixel(x, y);
        p[0] = p[1] = p[2] = static_cast<std::uint8_t>(inside ? 200 : 40 + x / 8);
      }
    Prompt click;
    click.points.push_back({120, 90, true});
    ui::EngineController* engine = f.window.engine();
    QSignalSpy started(engine, &ui::EngineController::embeddingStarted);
    QSignalSpy ready(engine, &ui::EngineController::predictionReady);
    engine->submit(picture, ImageKey{"picture"}, click);
    QVERIFY(ready.wait(60000));
    QCOMPARE(started.size(), 1);

    QSignalSpy loaded(engine, &ui::EngineController::engineLoaded);
    f.trainer->makeLive(1);
    QVERIFY(loaded.wait(60000));
    QVERIFY(loaded.last().at(0).toString().contains(QStringLiteral("adapter v1")));
    started.clear();
    ready.clear();
    engine->submit(picture, ImageKey{"picture"}, click);
    QVERIFY(ready.wait(60000));
    QCOMPARE(started.size(), 0);  // not computed: found on disk
  }

  void pauseInteractionAndStopHoldTraining() {
    Fixture f;
    QVERIFY(f.start(4, 400));
    QSignalSpy finished(f.trainer.get(), &app::TrainerService::trainingFinished);
    f.trainer->trainNow();
    QVERIFY(waitFor([&] { return f.trainer->status().state == State::Training; }, 60000));
    // Pause: no step is taken until Resume.
    QVERIFY(waitFor([&] { return !f.trainer->lossCurve().empty(); }, 60000));  // a whole step
    const int training = threadsNamed(QStringLiteral("trainer"));
    f.trainer->pause();
    QVERIFY(waitFor([&] { return f.trainer->status().state == State::Paused; }, 20000));
    // While it waits, its OpenMP workers (one per further core, named after it) are gone: they
    // would make the engine's clicks sleep between parallel steps (model/runtime.h).
    const int workers = static_cast<int>(std::thread::hardware_concurrency()) - 1;
    if (QFileInfo::exists(QStringLiteral("/proc/self/task")) && workers > 0) {
      const auto released = [&] {
        return threadsNamed(QStringLiteral("trainer")) <= training - workers;
      };
      QVERIFY2(waitFor(released, 5000),
               qPrintable(QStringLiteral("%1 trainer threads while training, %2 paused")
                              .arg(training)
                              .arg(threadsNamed(QStringLiteral("trainer")))));
    }
    const std::size_t steps = f.trainer->lossCurve().size();
    QTest::qWait(1500);
    QCOMPARE(f.trainer->lossCurve().size(), steps);
    f.trainer->resume();
    QVERIFY(waitFor([&] { return f.trainer->lossCurve().size() > steps; }, 20000));
    // The user works: training waits until a second after the last interaction.
    bool waited = false;
    for (int i = 0; i < 600 && !waited; ++i) {  // a step may take seconds on a busy machine
      emit f.window.project()->interacted();
      QTest::qWait(100);
      waited = f.trainer->status().state == State::Paused;
    }
    QVERIFY(waited);
    QCOMPARE(f.trainer->status().message, QStringLiteral("Waiting while you work"));
    QVERIFY(waitFor([&] { return f.trainer->status().state == State::Training; }, 20000));
    // A prompt on a picture that is no case of the project (the demo) makes it wait too.
    waited = false;
    for (int i = 0; i < 600 && !waited; ++i) {
      emit f.window.tools()->interaction(QStringLiteral("point"), {}, -1);
      QTest::qWait(100);
      waited = f.trainer->status().state == State::Paused;
    }
    QVERIFY(waited);
    QVERIFY(waitFor([&] { return f.trainer->status().state == State::Training; }, 20000));
    // Stop: the state is kept and nothing is recorded.
    f.trainer->stop();
    QVERIFY(finished.wait(60000));
    QVERIFY2(f.trainer->status().message.startsWith(QStringLiteral("Stopped at step")),
             qPrintable(f.trainer->status().message));
    QVERIFY(f.trainer->versions().empty());
    QVERIFY(QFileInfo::exists(QDir(f.project).filePath(QStringLiteral("adapters/training.state"))));
  }

  void closingTheProjectStopsTraining() {
    Fixture f;
    QVERIFY(f.start(4, 400));
    QSignalSpy finished(f.trainer.get(), &app::TrainerService::trainingFinished);
    f.trainer->trainNow();
    QVERIFY(waitFor([&] { return f.trainer->status().state == State::Training; }, 60000));
    f.window.project()->close();
    QVERIFY(finished.wait(60000));
    QCOMPARE(f.trainer->status().state, State::Off);
    QVERIFY(f.trainer->versions().empty());
    // Its state is kept for the next time the project is open.
    QVERIFY(QFileInfo::exists(QDir(f.project).filePath(QStringLiteral("adapters/training.state"))));
  }

  void tooFewLabelledCasesFailWithAReason() {
    Fixture f;
    QVERIFY(f.start(1, 4));
    QSignalSpy finished(f.trainer.get(), &app::TrainerService::trainingFinished);
    f.trainer->trainNow();
    QVERIFY(finished.wait(60000));
    QCOMPARE(f.trainer->status().state, State::Failed);
    QVERIFY2(f.trainer->status().message.contains(QStringLiteral("held-out")),
             qPrintable(f.trainer->status().message));
    QVERIFY(f.trainer->versions().empty());
  }
};

QTEST_MAIN(TestTrainerService)
#include "test_trainer_service.moc"
