// A prompt's answer started before its release: a click's when the button goes down, a box's
// while the drag goes on. Shown at the release only if the release sends that very prompt,
// never shown for a gesture that becomes something else, never at the cost of an answer the
// user waits for.
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <memory>

#include "fake_engine.h"
#include "medsa/ui/document.h"
#include "medsa/ui/engine_controller.h"
#include "medsa/ui/main_window.h"
#include "medsa/ui/slice_view.h"
#include "medsa/ui/tool_controller.h"
#include "medsa/ui/viewer_area.h"
#include "view_input.h"
#include "window_fixture.h"

using medsa::SliceAxis;
using medsa::ui::MainWindow;
using medsa::ui::PromptGesture;
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

// The sphere volume in a shown window with a fake engine whose predictions take `predictMs`,
// the AI tool on.
struct Scene {
  explicit Scene(int predictMs = 0) {
    setup.predictMs = predictMs;
    showSphereWithEngine(window, folder.path(),
                         [this]() -> medsa::Result<std::unique_ptr<medsa::SegmentationEngine>> {
                           auto engine = std::make_unique<FakeEngine>(nullptr, &setup.predicts);
                           engine->simulatePredict(setup.predictMs, setup.prompts);
                           engine->throwInPredict(setup.failPredicts);
                           return std::unique_ptr<medsa::SegmentationEngine>(std::move(engine));
                         });
    tools = window.tools();
    tools->setTool(Tool::Ai);
    axial = window.viewerArea()->view(SliceAxis::Axial);
    answers = std::make_unique<QSignalSpy>(window.engine(),
                                           &medsa::ui::EngineController::predictionReady);
  }
  /// Waits until the engine's latest request has been answered on the UI thread.
  void latestAnswered() {
    QTRY_VERIFY(!answers->isEmpty() &&
                answers->last().at(0).value<quint64>() == window.engine()->latestId());
  }
  /// A click at (32.5, 32.5), its answer awaited: a prompt to correct.
  void firstClick() {
    QTest::mouseClick(axial, Qt::LeftButton, {}, at(axial, 32.5, 32.5));
    QTRY_VERIFY(!tools->candidate().empty());
  }

  QTemporaryDir folder;
  MainWindow window;
  Setup setup;
  ToolController* tools = nullptr;
  SliceView* axial = nullptr;
  std::unique_ptr<QSignalSpy> answers;  ///< the engine's answers that reached the UI thread
};

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
    Scene s;
    QSignalSpy interactions(s.tools, &ToolController::interaction);

    press(s.axial, 32.5, 32.5);
    s.latestAnswered();
    QCOMPARE(s.setup.predicts.load(), 1);
    // Nothing shows and nothing is logged while the button is down.
    QVERIFY(s.tools->isAnticipating());
    QVERIFY(!s.tools->hasPrompt());
    QVERIFY(s.tools->candidate().empty());
    QVERIFY(!s.tools->isPredicting());
    QCOMPARE(interactions.count(), 0);

    release(s.axial, 32.5, 32.5);
    // Taken over at once: no second run of the engine.
    QVERIFY(!s.tools->candidate().empty());
    QCOMPARE(s.tools->candidateCount(), 3);
    QCOMPARE(s.tools->points().size(), std::size_t(1));
    QVERIFY(!s.tools->isAnticipating());
    QVERIFY(s.tools->lastLatencyMs() < 20);  // from the release, not from the press
    QTest::qWait(50);
    QCOMPARE(s.setup.predicts.load(), 1);
    QCOMPARE(interactions.count(), 2);
    QCOMPARE(interactions.at(0).at(0).toString(), QStringLiteral("point"));
    QCOMPARE(interactions.at(1).at(0).toString(), QStringLiteral("prediction"));
  }

  void aCorrectionsPressSendsWhatItsReleaseWould() {
    Scene s;
    s.firstClick();
    QCOMPARE(s.tools->candidateIndex(), 1);  // the fake's best

    press(s.axial, 36.5, 30.5, Qt::RightButton);
    QTRY_COMPARE(s.setup.predicts.load(), 2);
    const medsa::Prompt asked = s.setup.prompts->copy().back();
    QCOMPARE(asked.points.size(), std::size_t(2));
    QVERIFY(!asked.points[1].positive);
    QVERIFY(!asked.multimask);
    QVERIFY(asked.previous.has_value());  // the shown candidate's low-res logits
    QCOMPARE(asked.previous->logits.front(), 1.0f);
    QCOMPARE(s.tools->candidateCount(), 3);  // still the first answer

    release(s.axial, 36.5, 30.5, Qt::RightButton);
    QTRY_COMPARE(s.tools->candidateCount(), 1);
    QTest::qWait(50);
    QCOMPARE(s.setup.predicts.load(), 2);
  }

  void aPressOnAnotherSliceStartsTheNewPrompt() {
    Scene s;
    s.firstClick();
    QSignalSpy interactions(s.tools, &ToolController::interaction);
    const std::size_t slice = s.window.document()->sliceIndex(SliceAxis::Axial);
    s.window.document()->setSliceIndex(SliceAxis::Axial, slice + 1);
    press(s.axial, 30.5, 30.5);
    QTRY_COMPARE(s.setup.predicts.load(), 2);
    const medsa::Prompt asked = s.setup.prompts->copy().back();
    QCOMPARE(asked.points.size(), std::size_t(1));  // a new prompt: the old one is not fed back
    QVERIFY(!asked.previous.has_value());
    QVERIFY(asked.multimask);
    QCOMPARE(s.tools->promptSlice(), slice);  // the old prompt stays until the release
    s.latestAnswered();
    release(s.axial, 30.5, 30.5);
    // The old prompt goes (logged as discarded), and the answer asked for at the press is taken.
    QCOMPARE(s.tools->promptSlice(), slice + 1);
    QCOMPARE(s.tools->candidateCount(), 3);
    QTest::qWait(50);
    QCOMPARE(s.setup.predicts.load(), 2);
    QCOMPARE(interactions.at(0).at(0).toString(), QStringLiteral("discard"));
  }

  void aSlowAnswerIsShownWhenItComes() {
    Scene s(600);
    QSignalSpy latency(s.tools, &ToolController::latencyMeasured);

    press(s.axial, 32.5, 32.5);
    QTest::qWait(100);
    release(s.axial, 32.5, 32.5);
    QVERIFY(s.tools->isPredicting());
    QVERIFY(s.tools->candidate().empty());
    QTRY_VERIFY(!s.tools->candidate().empty());
    QCOMPARE(s.setup.predicts.load(), 1);
    QCOMPARE(latency.count(), 1);
    // The wait after the release: the 600 ms less the 100 ms (or more) the button was held;
    // counted from the press it would be 600 ms or more.
    QVERIFY2(latency.at(0).at(0).toDouble() < 590, qPrintable(latency.at(0).at(0).toString()));
    QCOMPARE(latency.at(0).at(1).value<PromptGesture>(), PromptGesture::Click);
  }

  void aDragBecomesABoxAndThePointIsNeverShown() {
    Scene s;
    QSignalSpy latency(s.tools, &ToolController::latencyMeasured);
    dragBox(s.axial, 20, 20, 44, 44);
    QVERIFY(!s.tools->isAnticipating());
    QTRY_VERIFY(!s.tools->candidate().empty());
    QTest::qWait(50);
    QVERIFY(s.tools->points().empty());
    QVERIFY(s.tools->box().has_value());
    QCOMPARE(s.tools->candidateCount(), 1);
    QVERIFY(s.setup.prompts->copy().back().box.has_value());
    // The status bar names the gesture it timed: this box, then a click that corrects it.
    QCOMPARE(latency.count(), 1);
    QCOMPARE(latency.at(0).at(1).value<PromptGesture>(), PromptGesture::Box);
    press(s.axial, 30.5, 30.5);
    release(s.axial, 30.5, 30.5);
    QTRY_COMPARE(latency.count(), 2);
    QCOMPARE(latency.at(1).at(1).value<PromptGesture>(), PromptGesture::Click);
  }

  void aBoxDragThatStopsFindsItsAnswerReady() {
    Scene s;
    press(s.axial, 20, 20);
    QTest::mouseMove(s.axial, at(s.axial, 32, 32));
    QTest::mouseMove(s.axial, at(s.axial, 44, 44));
    // The drag rests: the engine answers the box the release would set.
    QTRY_VERIFY(!s.setup.prompts->copy().empty() && s.setup.prompts->copy().back().box &&
                s.setup.prompts->copy().back().box->x1 > 43);
    s.latestAnswered();
    const int asked = s.setup.predicts.load();
    QVERIFY(s.tools->isAnticipating());
    QVERIFY(s.tools->candidate().empty());
    release(s.axial, 44, 44);
    QVERIFY(!s.tools->candidate().empty());  // at once: taken over
    QVERIFY(s.tools->box().has_value());
    QTest::qWait(50);
    QCOMPARE(s.setup.predicts.load(), asked);
  }

  void aMovingDragAsksForNoBoxUntilItRests() {
    Scene s;
    press(s.axial, 20, 20);
    QVERIFY(s.tools->isAnticipating());  // the press's point
    QElapsedTimer moving;
    moving.start();
    QTest::mouseMove(s.axial, at(s.axial, 28, 28));
    QTest::mouseMove(s.axial, at(s.axial, 36, 36));
    QTest::mouseMove(s.axial, at(s.axial, 44, 44));
    // A drag: the point is dropped, and no box is asked for while the mouse moves on (unless
    // the moves themselves took longer than a rest: a machine too busy to tell).
    if (moving.elapsed() < 15) QVERIFY(!s.tools->isAnticipating());
    QTRY_VERIFY(s.tools->isAnticipating());  // it rested
    QTRY_VERIFY(!s.setup.prompts->copy().empty() && s.setup.prompts->copy().back().box);
    release(s.axial, 44, 44);
    QTRY_VERIFY(!s.tools->candidate().empty());
  }

  void aBoxMovedAtItsReleaseAsksAgain() {
    Scene s;
    press(s.axial, 20, 20);
    QTest::mouseMove(s.axial, at(s.axial, 40, 40));
    QTRY_VERIFY(!s.setup.prompts->copy().empty() && s.setup.prompts->copy().back().box);
    s.latestAnswered();
    const int asked = s.setup.predicts.load();
    release(s.axial, 46, 46);
    QTRY_COMPARE(s.setup.predicts.load(), asked + 1);
    QTRY_VERIFY(!s.tools->candidate().empty());
    QVERIFY(s.setup.prompts->copy().back().box->x1 > 45);
    QCOMPARE(s.tools->box()->x1, s.setup.prompts->copy().back().box->x1);
  }

  void aBoxDraggedBackToNothingLeavesNoAnswer() {
    Scene s;
    press(s.axial, 20, 20);
    QTest::mouseMove(s.axial, at(s.axial, 40, 40));
    QTRY_VERIFY(!s.setup.prompts->copy().empty());
    QTest::mouseMove(s.axial, at(s.axial, 20, 20));
    release(s.axial, 20, 20);
    QVERIFY(!s.tools->isAnticipating());
    QTest::qWait(50);
    QVERIFY(!s.tools->hasPrompt());
    QVERIFY(s.tools->candidate().empty());
    QVERIFY(!s.tools->isPredicting());
  }

  void aReleaseThatMakesAnotherPointAsksAgain() {
    Scene s;
    press(s.axial, 32.5, 32.5);
    QTRY_COMPARE(s.setup.predicts.load(), 1);
    release(s.axial, 32.5, 32.5, Qt::LeftButton, Qt::ShiftModifier);  // Shift: a negative point
    QTRY_COMPARE(s.setup.predicts.load(), 2);
    QTRY_VERIFY(!s.tools->isPredicting());
    QCOMPARE(s.tools->points().size(), std::size_t(1));
    QVERIFY(!s.tools->points().front().positive);
    QVERIFY(!s.setup.prompts->copy().back().points.front().positive);
  }

  void noPressPushesOutAnAwaitedAnswer() {
    Scene s(200);
    QTest::mouseClick(s.axial, Qt::LeftButton, {}, at(s.axial, 32.5, 32.5));
    QVERIFY(s.tools->isPredicting());
    const quint64 awaited = s.window.engine()->latestId();
    press(s.axial, 36.5, 30.5);
    QVERIFY(!s.tools->isAnticipating());
    QCOMPARE(s.window.engine()->latestId(), awaited);
    // The first answer still comes while the button is down, and its release asks as always.
    QTRY_VERIFY(!s.tools->candidate().empty());
    QCOMPARE(s.tools->candidateCount(), 3);
    release(s.axial, 36.5, 30.5);
    QTRY_COMPARE(s.tools->points().size(), std::size_t(2));
    QTRY_COMPARE(s.tools->candidateCount(), 1);
  }

  void aDiscardWhileTheButtonIsDownDropsTheAnswer() {
    Scene s;
    s.firstClick();
    press(s.axial, 36.5, 30.5);
    QTRY_COMPARE(s.setup.predicts.load(), 2);
    s.tools->discard();  // Escape, as the menu's Discard Prompt does
    QVERIFY(!s.tools->isAnticipating());
    release(s.axial, 36.5, 30.5);
    // A new prompt of one point, asked for anew: the anticipated one had two.
    QTRY_COMPARE(s.setup.predicts.load(), 3);
    QTRY_COMPARE(s.tools->candidateCount(), 3);
    QCOMPARE(s.tools->points().size(), std::size_t(1));
    QCOMPARE(s.setup.prompts->copy().back().points.size(), std::size_t(1));
  }

  void anotherCandidateChosenDuringThePressIsTheOneFedBack() {
    Scene s;
    s.firstClick();
    press(s.axial, 36.5, 30.5);
    QTRY_COMPARE(s.setup.predicts.load(), 2);
    s.tools->nextCandidate();  // candidate 3 of 3 now, not the one the press fed back
    QVERIFY(!s.tools->isAnticipating());
    release(s.axial, 36.5, 30.5);
    QTRY_COMPARE(s.setup.predicts.load(), 3);
    QTRY_COMPARE(s.tools->candidateCount(), 1);
    QCOMPARE(s.setup.prompts->copy().back().previous->logits.front(), 2.0f);
  }

  void aFailedAnticipationIsAskedAgainAndReported() {
    Scene s;
    QSignalSpy messages(s.tools, &ToolController::message);
    *s.setup.failPredicts = true;
    press(s.axial, 32.5, 32.5);
    QTRY_VERIFY(!s.tools->isAnticipating());  // its failure came back, silently
    QCOMPARE(messages.count(), 0);
    release(s.axial, 32.5, 32.5);
    QTRY_COMPARE(messages.count(), 1);
    QVERIFY(messages.at(0).at(0).toString().contains(QStringLiteral("decoder exploded")));
    QVERIFY(!s.tools->isPredicting());
    QVERIFY(s.tools->candidate().empty());
    QCOMPARE(s.tools->points().size(), std::size_t(1));
  }
};

QTEST_MAIN(TestUiPress)
#include "test_ui_press.moc"
