// The trainer as the window shows it, driven by a scripted trainer: state, progress and ETA,
// the buttons a state allows, the automatic mode, the version table with Make Live (a rollback)
// and Base Model Only, the curves, and the status-bar note when a better adapter goes live.
#include <QCheckBox>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTest>

#include "medsa/ui/line_chart.h"
#include "medsa/ui/main_window.h"
#include "medsa/ui/status_line.h"
#include "medsa/ui/trainer_client.h"
#include "medsa/ui/trainer_panel.h"

using medsa::ui::TrainerStatus;

namespace {

/// A trainer whose state the test sets, recording what the panel asks of it.
class ScriptedTrainer : public medsa::ui::TrainerClient {
 public:
  TrainerStatus current;
  std::vector<medsa::ui::TrainerVersion> list;
  std::vector<std::pair<double, double>> loss;
  QStringList calls;
  int madeLive = -1;

  TrainerStatus status() const override { return current; }
  std::vector<medsa::ui::TrainerVersion> versions() const override { return list; }
  std::vector<std::pair<double, double>> lossCurve() const override { return loss; }
  void trainNow() override { calls << QStringLiteral("train"); }
  void pause() override { calls << QStringLiteral("pause"); }
  void resume() override { calls << QStringLiteral("resume"); }
  void stop() override { calls << QStringLiteral("stop"); }
  void makeLive(int version) override { madeLive = version; }
  void setAutomatic(bool on, int every) override {
    current.automatic = on;
    current.every = every;
    calls << QStringLiteral("auto %1 %2").arg(on).arg(every);
  }
  void set(TrainerStatus s) {
    current = s;
    emit statusChanged();
  }
};

template <typename T>
T* child(QWidget& parent, const char* name) {
  return parent.findChild<T*>(QString::fromLatin1(name));
}

}  // namespace

class TestUiTrainer : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

  void thePanelShowsTheStateAndOffersWhatItAllows() {
    ScriptedTrainer trainer;
    trainer.current.state = TrainerStatus::State::Idle;
    medsa::ui::TrainerPanel panel(&trainer, nullptr);
    auto* trainNow = child<QPushButton>(panel, "trainNowButton");
    auto* pause = child<QPushButton>(panel, "pauseTrainingButton");
    QVERIFY(trainNow->isEnabled());
    QVERIFY(!pause->isEnabled());
    trainNow->click();
    QCOMPARE(trainer.calls.last(), QStringLiteral("train"));

    TrainerStatus training;
    training.state = TrainerStatus::State::Training;
    training.plan = QStringLiteral("decoder adapters on stored embeddings, CPU");
    training.step = 40;
    training.steps = 200;
    training.secondsLeft = 300;
    trainer.set(training);
    QVERIFY(!trainNow->isEnabled());
    QVERIFY(pause->isEnabled());
    const QString state = child<QLabel>(panel, "trainerState")->text();
    QVERIFY2(
        state.contains(QStringLiteral("step 40 of 200")) && state.contains(QStringLiteral("5 min")),
        qPrintable(state));
    QCOMPARE(child<QLabel>(panel, "trainerPlan")->text(), training.plan);
    pause->click();
    QCOMPARE(trainer.calls.last(), QStringLiteral("pause"));
    training.state = TrainerStatus::State::Paused;
    trainer.set(training);
    QCOMPARE(pause->text(), QStringLiteral("Resume"));
    pause->click();
    QCOMPARE(trainer.calls.last(), QStringLiteral("resume"));
    child<QPushButton>(panel, "stopTrainingButton")->click();
    QCOMPARE(trainer.calls.last(), QStringLiteral("stop"));

    // The automatic mode goes to the trainer; the idle state says how many cases are left.
    child<QSpinBox>(panel, "trainEvery")->setValue(3);
    child<QCheckBox>(panel, "automaticTraining")->setChecked(true);
    QCOMPARE(trainer.calls.last(), QStringLiteral("auto 1 3"));
    TrainerStatus idle = trainer.current;
    idle.state = TrainerStatus::State::Idle;
    idle.newCases = 1;
    trainer.set(idle);
    QVERIFY2(child<QLabel>(panel, "trainerState")->text().contains(QStringLiteral("2 more")),
             qPrintable(child<QLabel>(panel, "trainerState")->text()));
  }

  void versionsCanBeMadeLiveAndCurvesFollow() {
    ScriptedTrainer trainer;
    trainer.current.state = TrainerStatus::State::Idle;
    medsa::ui::TrainerPanel panel(&trainer, nullptr);
    trainer.list = {{1, QStringLiteral("retired"), {}, 0.80, 0.60, 4, 6, 3, 6, 100, 60, {}},
                    {2, QStringLiteral("live"), {}, 0.85, 0.72, 3, 4, 3, 9, 100, 61, {}}};
    trainer.loss = {{1, 0.9}, {2, 0.7}, {3, 0.5}};
    emit trainer.versionsChanged();
    emit trainer.curvesChanged();
    auto* table = child<QTableWidget>(panel, "versionTable");
    QCOMPARE(table->rowCount(), 2);
    QCOMPARE(table->item(1, 1)->text(), QStringLiteral("live"));
    QVERIFY(table->item(1, 0)->font().bold());
    table->selectRow(0);
    child<QPushButton>(panel, "makeLiveButton")->click();
    QCOMPARE(trainer.madeLive, 1);  // a rollback
    child<QPushButton>(panel, "baseOnlyButton")->click();
    QCOMPARE(trainer.madeLive, 0);
    QCOMPARE(child<medsa::ui::LineChart>(panel, "lossChart")->series().front().y.size(),
             std::size_t(3));
    const auto& dice = child<medsa::ui::LineChart>(panel, "diceChart")->series();
    QCOMPARE(dice.size(), std::size_t(2));
    QCOMPARE(dice.back().y, (std::vector<double>{0.60, 0.72}));
  }

  void aBetterAdapterIsAnnouncedInTheStatusBar() {
    medsa::ui::MainWindow window;
    ScriptedTrainer trainer;
    window.setTrainer(&trainer);
    QVERIFY(window.findChild<medsa::ui::TrainerPanel*>());
    // Promotion goes by the mean of both figures: one of them may fall, and the user sees it.
    emit trainer.promoted({3, 0.72, 0.90, 0.81, 0.78, 6});
    QCOMPARE(window.statusLine()->message(),
             QStringLiteral("Adapter v3 is live: Dice after a box 0.72 \u2192 0.90, after a click "
                            "0.81 \u2192 0.78, on 6 held-out cases"));
    emit trainer.promoted({4, 0.90, 0.91, 0.78, 0.80, 1});
    QCOMPARE(window.statusLine()->message(),
             QStringLiteral("Adapter v4 is live: Dice after a box 0.90 \u2192 0.91, after a click "
                            "0.78 \u2192 0.80, on 1 held-out case"));
  }
};

QTEST_MAIN(TestUiTrainer)
#include "test_ui_trainer.moc"
