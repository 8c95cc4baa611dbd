// 3D propagation corrected and restarted: a candidate still on screen is accepted first, and a
// restart from a corrected slice redoes only the run beyond it, replacing the old result there.
#include <QAction>
#include <QApplication>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUndoStack>

#include "fake_engine.h"
#include "medsa/ui/document.h"
#include "medsa/ui/main_window.h"
#include "medsa/ui/propagation_controller.h"
#include "medsa/ui/slice_view.h"
#include "medsa/ui/tool_controller.h"
#include "medsa/ui/viewer_area.h"
#include "view_input.h"
#include "window_fixture.h"

using medsa::SliceAxis;
using medsa::ui::MainWindow;
using medsa::ui::SliceView;
using medsa::ui::Tool;

namespace {

void prepare(MainWindow& window, const QString& folder) {
  showSphereWithEngine(window, folder,
                       []() -> medsa::Result<std::unique_ptr<medsa::SegmentationEngine>> {
                         return std::unique_ptr<medsa::SegmentationEngine>(new FakeEngine());
                       });
}

std::vector<std::uint16_t> axialSlice(MainWindow& window, std::size_t z) {
  return window.document()->labels().slice(SliceAxis::Axial, z).value().values;
}

std::size_t countOf(const std::vector<std::uint16_t>& values, std::uint16_t label) {
  return static_cast<std::size_t>(std::count(values.begin(), values.end(), label));
}

}  // namespace

class TestUiPropagation : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

  void restartFromACorrectedSliceRedoesOnlyBeyondIt() {
    QTemporaryDir dir;
    MainWindow window;
    prepare(window, dir.path());
    SliceView* axial = window.viewerArea()->view(SliceAxis::Axial);
    QTest::keyClick(axial, Qt::Key_A);
    QCOMPARE(window.document()->sliceIndex(SliceAxis::Axial), std::size_t(16));

    // Box on the sphere's middle slice, accepted, propagated both ways.
    dragBox(axial, 18, 18, 46, 46);
    QTRY_VERIFY(!window.tools()->candidate().empty());
    QTest::keyClick(axial, Qt::Key_Return);
    QSignalSpy done(&window, &MainWindow::propagationFinished);
    QTest::keyClick(axial, Qt::Key_P, Qt::ControlModifier);
    QVERIFY(done.wait(20000));
    activateAgain(window);  // after the modal progress dialog
    const std::vector<std::uint16_t> below = axialSlice(window, 14);
    const std::vector<std::uint16_t> between = axialSlice(window, 18);
    const std::size_t aboveBefore = countOf(axialSlice(window, 21), 1);
    QVERIFY(countOf(below, 1) > 0 && aboveBefore > 0);

    // Slice 20 was wrong: clear it, click a new candidate on its right part and, without
    // pressing Enter, propagate again.
    window.document()->setSliceIndex(SliceAxis::Axial, 20);
    QTest::keyClick(axial, Qt::Key_Delete, Qt::ShiftModifier);
    QCOMPARE(countOf(axialSlice(window, 20), 1), std::size_t(0));
    QTest::mouseClick(axial, Qt::LeftButton, {}, at(axial, 40.5, 32.5));
    QTRY_VERIFY(!window.tools()->candidate().empty());
    const int steps = window.document()->history()->stack()->count();
    QTest::keyClick(axial, Qt::Key_P, Qt::ControlModifier);
    QVERIFY(done.wait(20000));
    activateAgain(window);                         // after the modal progress dialog
    QVERIFY(window.tools()->candidate().empty());  // it was accepted ...
    QVERIFY(countOf(axialSlice(window, 20), 1) > 0);
    QCOMPARE(window.document()->history()->stack()->count(), steps + 2);  // ... then propagated

    // Below the correction nothing changed; above it the old result was replaced, not added to:
    // the new box starts right of x = 26, so no label may remain left of it.
    QCOMPARE(axialSlice(window, 14), below);
    QCOMPARE(axialSlice(window, 18), between);
    const std::vector<std::uint16_t> above = axialSlice(window, 21);
    QVERIFY(countOf(above, 1) > 0);
    QVERIFY(countOf(above, 1) < aboveBefore);
    for (std::size_t i = 0; i < above.size(); ++i) {
      if (above[i] == 1) QVERIFY2(i % 64 >= 26, qPrintable(QString::number(i % 64)));
    }

    // Once undone, that run is no longer "the earlier run": a restart goes both ways again.
    QTest::keyClick(axial, Qt::Key_Z, Qt::ControlModifier);
    QCOMPARE(countOf(axialSlice(window, 21), 1), aboveBefore);
  }

  void aRunUndoneAndReplacedIsNotTheEarlierRunAnyMore() {
    QTemporaryDir dir;
    MainWindow window;
    prepare(window, dir.path());
    SliceView* axial = window.viewerArea()->view(SliceAxis::Axial);
    window.tools()->setTool(Tool::Ai);
    QSignalSpy done(&window, &MainWindow::propagationFinished);
    const auto acceptBoxAndPropagate = [&] {
      dragBox(axial, 18, 18, 46, 46);
      QTRY_VERIFY(!window.tools()->candidate().empty());
      QVERIFY(window.tools()->accept());
      window.propagation()->start();
      QVERIFY(done.wait(20000));
    };
    acceptBoxAndPropagate();
    QVERIFY(countOf(axialSlice(window, 20), 1) > 0);
    // Undo the run and the accept, then two new steps bring the history back to the same
    // length: a brush dab outside the sphere on slice 20, and the accept again. (The deleted
    // run's undo step may well be reallocated at the same address for the accept.)
    QUndoStack* stack = window.document()->history()->stack();
    stack->undo();
    stack->undo();
    QCOMPARE(stack->index(), 0);
    window.document()->setSliceIndex(SliceAxis::Axial, 20);
    window.tools()->setTool(Tool::Brush);
    QTest::mouseClick(axial, Qt::LeftButton, {}, at(axial, 4, 4));
    QVERIFY(countOf(axialSlice(window, 20), 1) > 0);
    const std::vector<std::uint16_t> drawn = axialSlice(window, 20);
    window.document()->setSliceIndex(SliceAxis::Axial, 16);
    window.tools()->setTool(Tool::Ai);
    acceptBoxAndPropagate();
    // A fresh run adds to what the user drew; only a rerun over its own result replaces.
    const std::vector<std::uint16_t> after = axialSlice(window, 20);
    for (std::size_t i = 0; i < drawn.size(); ++i)
      if (drawn[i] == 1) QCOMPARE(after[i], std::uint16_t(1));
  }

  void anEngineThatThrowsEndsThePropagationCleanly() {
    QTemporaryDir dir;
    MainWindow window;
    auto explode = std::make_shared<std::atomic<bool>>(false);
    showSphereWithEngine(window, dir.path(),
                         [explode]() -> medsa::Result<std::unique_ptr<medsa::SegmentationEngine>> {
                           auto engine = std::make_unique<FakeEngine>();
                           engine->throwInPredict(explode);
                           return std::unique_ptr<medsa::SegmentationEngine>(std::move(engine));
                         });
    SliceView* axial = window.viewerArea()->view(SliceAxis::Axial);
    window.tools()->setTool(Tool::Ai);
    dragBox(axial, 18, 18, 46, 46);
    QTRY_VERIFY(!window.tools()->candidate().empty());
    QVERIFY(window.tools()->accept());
    *explode = true;
    QSignalSpy done(&window, &MainWindow::propagationFinished);
    QSignalSpy failed(window.propagation(), &medsa::ui::PropagationController::failed);
    // The error box is modal: close it when it shows.
    QTimer::singleShot(200, [] {
      for (QWidget* w : QApplication::topLevelWidgets())
        if (auto* box = qobject_cast<QMessageBox*>(w); box && box->isVisible()) box->accept();
    });
    window.propagation()->start();
    QVERIFY(done.wait(20000));
    QCOMPARE(done.first().first().toInt(), -1);
    QCOMPARE(failed.count(), 1);
    QVERIFY(QString::fromStdString(failed.first().at(1).value<medsa::Error>().message)
                .contains(QStringLiteral("decoder exploded")));
    QTRY_VERIFY(!window.findChild<QWidget*>(QStringLiteral("propagationProgress")) ||
                !window.findChild<QWidget*>(QStringLiteral("propagationProgress"))->isVisible());
    // The engine thread lives on: the next click still gets an answer.
    *explode = false;
    QTest::mouseClick(axial, Qt::LeftButton, {}, at(axial, 32.5, 32.5));
    QTRY_VERIFY(!window.tools()->candidate().empty());
  }

  void stopRulesAreEditedInTheToolsMenuAndRemembered() {
    QTemporaryDir dir;
    MainWindow window;
    prepare(window, dir.path());
    // The dialog is modal: fill it in from a timer inside its own event loop.
    QTimer::singleShot(100, [] {
      QWidget* dialog = nullptr;
      for (QWidget* w : QApplication::topLevelWidgets()) {
        if (w->objectName() == QStringLiteral("propagationSettingsDialog") && w->isVisible())
          dialog = w;
      }
      QVERIFY(dialog);
      dialog->findChild<QDoubleSpinBox*>(QStringLiteral("minIou"))->setValue(0.75);
      dialog->findChild<QDoubleSpinBox*>(QStringLiteral("minOverlap"))->setValue(0.4);
      dialog->findChild<QSpinBox*>(QStringLiteral("minPixels"))->setValue(30);
      dialog->findChild<QSpinBox*>(QStringLiteral("maxSlices"))->setValue(12);
      dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok)->click();
    });
    window.findChild<QAction*>(QStringLiteral("propagationSettingsAction"))->trigger();
    const medsa::annotations::PropagationRequest& rules = window.propagation()->rules();
    QCOMPARE(rules.minIou, 0.75);
    QCOMPARE(rules.minOverlap, 0.4);
    QCOMPARE(rules.minPixels, std::size_t(30));
    QCOMPARE(rules.maxSlices, std::size_t(12));

    // The rules are used: with at most two slices each way, a run stops there though the sphere
    // goes on. (Back from the modal dialog, shortcuts need the window active again.)
    activateAgain(window);
    SliceView* axial = window.viewerArea()->view(SliceAxis::Axial);
    QTest::keyClick(axial, Qt::Key_A);
    dragBox(axial, 18, 18, 46, 46);
    QTRY_VERIFY(!window.tools()->candidate().empty());
    medsa::annotations::PropagationRequest few = rules;
    few.maxSlices = 2;
    window.propagation()->setRules(few);
    QSignalSpy done(&window, &MainWindow::propagationFinished);
    QTest::keyClick(axial, Qt::Key_P, Qt::ControlModifier);
    QVERIFY(done.wait(20000));
    QCOMPARE(done.first().first().toInt(), 4);  // two up, two down

    // The next start reads what the dialog stored.
    MainWindow next;
    QCOMPARE(next.propagation()->rules().minIou, 0.75);
    QCOMPARE(next.propagation()->rules().maxSlices, std::size_t(12));
    QSettings().remove(QStringLiteral("propagation"));
  }
};

QTEST_MAIN(TestUiPropagation)
#include "test_ui_propagation.moc"
