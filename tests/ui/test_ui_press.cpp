// A prompt's answer started before its release: a click's when the button goes down, a box's
// while the drag goes on. Shown at the release only if the release sends that very prompt,
// never shown for a gesture that becomes something else, never at the cost of an answer the
// user waits for.
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <memory>

#include "fake_engine.h"
#include "medsa/ui/engine_controller.h"
#include "medsa/ui/main_window.h"
#include "medsa/ui/slice_view.h"
#include "medsa/ui/tool_controller.h"
#include "medsa/ui/viewer_area.h"
#include "view_input.h"
#include "window_fixture.h"

using medsa::SliceAxis;
using medsa::ui::MainWindow;
using medsa::ui::SliceView;
using medsa::ui::Tool;
using medsa::ui::ToolController;

namespace {

using Prompts = FakeEngine::Prompts;

struct Setup {
  std::atomic<int> predicts{0};
  std::shared_ptr<Prompts> prompts = std::make_shared<Prompts>();
  std::shared_ptr<std::atomic<bool>> failPredicts = std::make_shared<std::atomic<bool>>(false);
  int predictMs = 0;
};

// The sphere volume with a fake engine whose predictions take `setup.predictMs`, the AI tool on.
SliceView* prepare(MainWindow& window, const QString& folder, Setup& setup) {
  showSphereWithEngine(window, folder,
                       [&setup]() -> medsa::Result<std::unique_ptr<medsa::SegmentationEngine>> {
                         auto engine = std::make_unique<FakeEngine>(nullptr, &setup.predicts);
                         engine->simulatePredict(setup.predictMs, setup.prompts);
                         engine->throwInPredict(setup.failPredicts);
                         return std::unique_ptr<medsa::SegmentationEngine>(std::move(engine));
                       });
  window.tools()->setTool(Tool::Ai);
  return window.viewerArea()->view(SliceAxis::Axial);
}

void press(SliceView* view, double x, double y, Qt::MouseButton button = Qt::LeftButton) {
  QTest::mousePress(view, button, {}, at(view, x, y));
}
void release(SliceView* view, double x, double y, Qt::MouseButton button = Qt::LeftButton,
             Qt::KeyboardModifiers modifiers = {}) {
  QTest::mouseRelease(view, button, modifiers, at(view, x, y));
}

}  // namespace

class TestUiPress : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

  void theReleaseShowsTheAnswerStartedAtThePress() {
    QTemporaryDir folder;
    MainWindow window;
    Setup setup;
    SliceView* axial = prepare(window, folder.path(), setup);
    ToolController* tools = window.tools();
    QSignalSpy interactions(tools, &ToolController::interaction);

    press(axial, 32.5, 32.5);
    QTRY_COMPARE(setup.predicts.load(), 1);
    QTest::qWait(30);  // the answer is back on the UI thread
    // Nothing shows and nothing is logged while the button is down.
    QVERIFY(tools->isAnticipating());
    QVERIFY(!tools->hasPrompt());
    QVERIFY(tools->candidate().empty());
    QVERIFY(!tools->isPredicting());
    QCOMPARE(interactions.count(), 0);

    release(axial, 32.5, 32.5);
    // Taken over at once: no second run of the engine.
    QVERIFY(!tools->candidate().empty());
    QCOMPARE(tools->candidateCount(), 3);
    QCOMPARE(tools->points().size(), std::size_t(1));
    QVERIFY(!tools->isAnticipating());
    QVERIFY(tools->lastLatencyMs() < 20);  // from the release, not from the press
    QTest::qWait(50);
    QCOMPARE(setup.predicts.load(), 1);
    QCOMPARE(interactions.count(), 2);
    QCOMPARE(interactions.at(0).at(0).toString(), QStringLiteral("point"));
    QCOMPARE(interactions.at(1).at(0).toString(), QStringLiteral("prediction"));
  }

  void aCorrectionsPressSendsWhatItsReleaseWould() {
    QTemporaryDir folder;
    MainWindow window;
    Setup setup;
    SliceView* axial = prepare(window, folder.path(), setup);
    ToolController* tools = window.tools();
    QTest::mouseClick(axial, Qt::LeftButton, {}, at(axial, 32.5, 32.5));
    QTRY_VERIFY(!tools->candidate().empty());
    QCOMPARE(tools->candidateIndex(), 1);  // the fake's best

    press(axial, 36.5, 30.5, Qt::RightButton);
    QTRY_COMPARE(setup.predicts.load(), 2);
    const medsa::Prompt asked = setup.prompts->copy().back();
    QCOMPARE(asked.points.size(), std::size_t(2));
    QVERIFY(!asked.points[1].positive);
    QVERIFY(!asked.multimask);
    QVERIFY(asked.previous.has_value());  // the shown candidate's low-res logits
    QCOMPARE(asked.previous->logits.front(), 1.0f);
    QCOMPARE(tools->candidateCount(), 3);  // still the first answer

    release(axial, 36.5, 30.5, Qt::RightButton);
    QTRY_COMPARE(tools->candidateCount(), 1);
    QTest::qWait(50);
    QCOMPARE(setup.predicts.load(), 2);
  }

  void aSlowAnswerIsShownWhenItComes() {
    QTemporaryDir folder;
    MainWindow window;
    Setup setup;
    setup.predictMs = 300;
    SliceView* axial = prepare(window, folder.path(), setup);
    ToolController* tools = window.tools();
    QSignalSpy latency(tools, &ToolController::latencyMeasured);

    press(axial, 32.5, 32.5);
    QTest::qWait(100);
    release(axial, 32.5, 32.5);
    QVERIFY(tools->isPredicting());
    QVERIFY(tools->candidate().empty());
    QTRY_VERIFY(!tools->candidate().empty());
    QCOMPARE(setup.predicts.load(), 1);
    QCOMPARE(latency.count(), 1);
    // The wait after the release: the 300 ms less the 100 ms the button was held.
    QVERIFY2(latency.at(0).at(0).toDouble() < 290, qPrintable(latency.at(0).at(0).toString()));
  }

  void aDragBecomesABoxAndThePointIsNeverShown() {
    QTemporaryDir folder;
    MainWindow window;
    Setup setup;
    SliceView* axial = prepare(window, folder.path(), setup);
    ToolController* tools = window.tools();
    dragBox(axial, 20, 20, 44, 44);
    QVERIFY(!tools->isAnticipating());
    QTRY_VERIFY(!tools->candidate().empty());
    QTest::qWait(50);
    QVERIFY(tools->points().empty());
    QVERIFY(tools->box().has_value());
    QCOMPARE(tools->candidateCount(), 1);
    QVERIFY(setup.prompts->copy().back().box.has_value());
  }

  void aBoxDragThatStopsFindsItsAnswerReady() {
    QTemporaryDir folder;
    MainWindow window;
    Setup setup;
    SliceView* axial = prepare(window, folder.path(), setup);
    ToolController* tools = window.tools();
    press(axial, 20, 20);
    QTest::mouseMove(axial, at(axial, 32, 32));
    QTest::mouseMove(axial, at(axial, 44, 44));
    // The drag rests: the engine answers the box the release would set.
    QTRY_VERIFY(!setup.prompts->copy().empty() && setup.prompts->copy().back().box &&
                setup.prompts->copy().back().box->x1 > 43);
    QTest::qWait(30);
    const int asked = setup.predicts.load();
    QVERIFY(tools->isAnticipating());
    QVERIFY(tools->candidate().empty());
    release(axial, 44, 44);
    QVERIFY(!tools->candidate().empty());  // at once: taken over
    QVERIFY(tools->box().has_value());
    QTest::qWait(50);
    QCOMPARE(setup.predicts.load(), asked);
  }

  void aMovingDragAsksForNoBoxUntilItRests() {
    QTemporaryDir folder;
    MainWindow window;
    Setup setup;
    SliceView* axial = prepare(window, folder.path(), setup);
    ToolController* tools = window.tools();
    press(axial, 20, 20);
    QVERIFY(tools->isAnticipating());  // the press's point
    QTest::mouseMove(axial, at(axial, 28, 28));
    QTest::mouseMove(axial, at(axial, 36, 36));
    QTest::mouseMove(axial, at(axial, 44, 44));
    // A drag: the point is dropped, and no box is asked for while the mouse moves on.
    QVERIFY(!tools->isAnticipating());
    QTRY_VERIFY(tools->isAnticipating());  // it rested
    QTRY_VERIFY(!setup.prompts->copy().empty() && setup.prompts->copy().back().box);
    release(axial, 44, 44);
    QTRY_VERIFY(!tools->candidate().empty());
  }

  void aBoxMovedAtItsReleaseAsksAgain() {
    QTemporaryDir folder;
    MainWindow window;
    Setup setup;
    SliceView* axial = prepare(window, folder.path(), setup);
    ToolController* tools = window.tools();
    press(axial, 20, 20);
    QTest::mouseMove(axial, at(axial, 40, 40));
    QTRY_VERIFY(!setup.prompts->copy().empty() && setup.prompts->copy().back().box);
    QTest::qWait(30);
    const int asked = setup.predicts.load();
    release(axial, 46, 46);
    QTRY_COMPARE(setup.predicts.load(), asked + 1);
    QTRY_VERIFY(!tools->candidate().empty());
    QVERIFY(setup.prompts->copy().back().box->x1 > 45);
    QCOMPARE(tools->box()->x1, setup.prompts->copy().back().box->x1);
  }

  void aBoxDraggedBackToNothingLeavesNoAnswer() {
    QTemporaryDir folder;
    MainWindow window;
    Setup setup;
    SliceView* axial = prepare(window, folder.path(), setup);
    ToolController* tools = window.tools();
    press(axial, 20, 20);
    QTest::mouseMove(axial, at(axial, 40, 40));
    QTRY_VERIFY(!setup.prompts->copy().empty());
    QTest::mouseMove(axial, at(axial, 20, 20));
    release(axial, 20, 20);
    QVERIFY(!tools->isAnticipating());
    QTest::qWait(50);
    QVERIFY(!tools->hasPrompt());
    QVERIFY(tools->candidate().empty());
    QVERIFY(!tools->isPredicting());
  }

  void aReleaseThatMakesAnotherPointAsksAgain() {
    QTemporaryDir folder;
    MainWindow window;
    Setup setup;
    SliceView* axial = prepare(window, folder.path(), setup);
    ToolController* tools = window.tools();
    press(axial, 32.5, 32.5);
    QTRY_COMPARE(setup.predicts.load(), 1);
    release(axial, 32.5, 32.5, Qt::LeftButton, Qt::ShiftModifier);  // Shift: a negative point
    QTRY_COMPARE(setup.predicts.load(), 2);
    QTRY_VERIFY(!tools->isPredicting());
    QCOMPARE(tools->points().size(), std::size_t(1));
    QVERIFY(!tools->points().front().positive);
    QVERIFY(!setup.prompts->copy().back().points.front().positive);
  }

  void noPressPushesOutAnAwaitedAnswer() {
    QTemporaryDir folder;
    MainWindow window;
    Setup setup;
    setup.predictMs = 200;
    SliceView* axial = prepare(window, folder.path(), setup);
    ToolController* tools = window.tools();
    QTest::mouseClick(axial, Qt::LeftButton, {}, at(axial, 32.5, 32.5));
    QVERIFY(tools->isPredicting());
    const quint64 awaited = window.engine()->latestId();
    press(axial, 36.5, 30.5);
    QVERIFY(!tools->isAnticipating());
    QCOMPARE(window.engine()->latestId(), awaited);
    // The first answer still comes while the button is down, and its release asks as always.
    QTRY_VERIFY(!tools->candidate().empty());
    QCOMPARE(tools->candidateCount(), 3);
    release(axial, 36.5, 30.5);
    QTRY_COMPARE(tools->points().size(), std::size_t(2));
    QTRY_COMPARE(tools->candidateCount(), 1);
  }

  void aDiscardWhileTheButtonIsDownDropsTheAnswer() {
    QTemporaryDir folder;
    MainWindow window;
    Setup setup;
    SliceView* axial = prepare(window, folder.path(), setup);
    ToolController* tools = window.tools();
    QTest::mouseClick(axial, Qt::LeftButton, {}, at(axial, 32.5, 32.5));
    QTRY_VERIFY(!tools->candidate().empty());
    press(axial, 36.5, 30.5);
    QTRY_COMPARE(setup.predicts.load(), 2);
    tools->discard();  // Escape, as the menu's Discard Prompt does
    QVERIFY(!tools->isAnticipating());
    release(axial, 36.5, 30.5);
    // A new prompt of one point, asked for anew: the anticipated one had two.
    QTRY_COMPARE(setup.predicts.load(), 3);
    QTRY_COMPARE(tools->candidateCount(), 3);
    QCOMPARE(tools->points().size(), std::size_t(1));
    QCOMPARE(setup.prompts->copy().back().points.size(), std::size_t(1));
  }

  void anotherCandidateChosenDuringThePressIsTheOneFedBack() {
    QTemporaryDir folder;
    MainWindow window;
    Setup setup;
    SliceView* axial = prepare(window, folder.path(), setup);
    ToolController* tools = window.tools();
    QTest::mouseClick(axial, Qt::LeftButton, {}, at(axial, 32.5, 32.5));
    QTRY_VERIFY(!tools->candidate().empty());
    press(axial, 36.5, 30.5);
    QTRY_COMPARE(setup.predicts.load(), 2);
    tools->nextCandidate();  // candidate 3 of 3 now, not the one the press fed back
    QVERIFY(!tools->isAnticipating());
    release(axial, 36.5, 30.5);
    QTRY_COMPARE(setup.predicts.load(), 3);
    QTRY_COMPARE(tools->candidateCount(), 1);
    QCOMPARE(setup.prompts->copy().back().previous->logits.front(), 2.0f);
  }

  void aFailedAnticipationIsAskedAgainAndReported() {
    QTemporaryDir folder;
    MainWindow window;
    Setup setup;
    SliceView* axial = prepare(window, folder.path(), setup);
    ToolController* tools = window.tools();
    QSignalSpy messages(tools, &ToolController::message);
    *setup.failPredicts = true;
    press(axial, 32.5, 32.5);
    QTRY_VERIFY(!tools->isAnticipating());  // its failure came back, silently
    QCOMPARE(messages.count(), 0);
    release(axial, 32.5, 32.5);
    QTRY_COMPARE(messages.count(), 1);
    QVERIFY(messages.at(0).at(0).toString().contains(QStringLiteral("decoder exploded")));
    QVERIFY(!tools->isPredicting());
    QVERIFY(tools->candidate().empty());
    QCOMPARE(tools->points().size(), std::size_t(1));
  }
};

QTEST_MAIN(TestUiPress)
#include "test_ui_press.moc"
