// The workstation against the real engine: the tiny random-weight SAM from the parity fixtures.
// Its masks are meaningless, but every layer (prompt, engine thread, decoder, overlay, accept,
// undo) runs for real.
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

#include "medsa/annotations/label_edit.h"
#include "medsa/ui/document.h"
#include "medsa/ui/main_window.h"
#include "medsa/ui/prefetch_planner.h"
#include "medsa/ui/slice_view.h"
#include "medsa/ui/tool_controller.h"
#include "medsa/ui/viewer_area.h"
#include "tiny_sam_fixture.h"
#include "volume_fixture.h"
#include "window_fixture.h"

using medsa::SliceAxis;

namespace {

// The sphere volume in a shown window, the tiny SAM loaded on the engine thread.
void openSphereWithTinyModel(medsa::ui::MainWindow& window, const QString& autosaveFolder) {
  auto factory = tinySamFactory();
  QVERIFY2(factory, factory ? "" : factory.error().describe().c_str());
  showSphereWithEngine(window, autosaveFolder, factory.value(), 60000);
}

}  // namespace

class TestUiModel : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

  void clickAcceptUndoWithTheTinyModel() {
    QTemporaryDir autosave;
    medsa::ui::MainWindow window;
    openSphereWithTinyModel(window, autosave.path());

    medsa::ui::SliceView* axial = window.viewerArea()->view(SliceAxis::Axial);
    QTest::keyClick(axial, Qt::Key_A);
    QCOMPARE(window.tools()->tool(), medsa::ui::Tool::Ai);
    QElapsedTimer timer;
    timer.start();
    QTest::mouseClick(axial, Qt::LeftButton, {}, axial->toWidget({32.5, 32.5}).toPoint());
    QTRY_VERIFY_WITH_TIMEOUT(!window.tools()->candidate().empty(), 60000);
    const qint64 first = timer.elapsed();
    QCOMPARE(window.tools()->candidate().size(), std::size_t(64 * 64));
    QCOMPARE(window.tools()->candidateCount(), 3);  // one click: multimask
    // A second click reuses the cached embedding and feeds the low-res logits back.
    timer.restart();
    QTest::mouseClick(axial, Qt::LeftButton, {}, axial->toWidget({36.5, 30.5}).toPoint());
    QTRY_COMPARE_WITH_TIMEOUT(window.tools()->candidateCount(), 1, 60000);
    QTRY_VERIFY_WITH_TIMEOUT(!window.tools()->isPredicting(), 60000);
    const qint64 second = timer.elapsed();
    qInfo(
        "tiny model: first click (embedding + decoder) %lld ms, next click %lld ms, "
        "engine-reported latency %.0f ms",
        first, second, window.tools()->lastLatencyMs());

    const std::size_t candidate = medsa::annotations::area(window.tools()->candidate());
    QTest::keyClick(axial, Qt::Key_Return);
    QCOMPARE(window.document()->labels().count(1), candidate);
    QCOMPARE(window.document()->history()->stack()->count(), candidate > 0 ? 1 : 0);
    QTest::keyClick(axial, Qt::Key_Z, Qt::ControlModifier);
    QCOMPARE(window.document()->labels().count(1), std::size_t(0));
  }

  void neighbourSliceIsEmbeddedBeforeTheClick() {
    QTemporaryDir autosave;
    medsa::ui::MainWindow window;
    openSphereWithTinyModel(window, autosave.path());
    window.prefetchPlanner()->setNeighbours(1);
    QSignalSpy finished(window.engine(), &medsa::ui::EngineController::embeddingFinished);
    medsa::ui::SliceView* axial = window.viewerArea()->view(SliceAxis::Axial);
    QTest::keyClick(axial, Qt::Key_A);
    // Stopping on slice 16 warms 16, 17 and 15 in the background.
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 3, 60000);
    for (const QList<QVariant>& signal : finished) {
      QVERIFY(signal.at(1).toBool());  // background
      QVERIFY(signal.at(2).toBool());  // completed
    }
    // A click on the next slice finds its embedding in the cache: no embedding starts.
    QSignalSpy started(window.engine(), &medsa::ui::EngineController::embeddingStarted);
    QTest::keyClick(axial, Qt::Key_Up);
    QCOMPARE(window.document()->sliceIndex(SliceAxis::Axial), std::size_t(17));
    QElapsedTimer timer;
    timer.start();
    QTest::mouseClick(axial, Qt::LeftButton, {}, axial->toWidget({32.5, 32.5}).toPoint());
    QTRY_VERIFY_WITH_TIMEOUT(!window.tools()->candidate().empty(), 60000);
    qInfo("tiny model: first click on a pre-computed neighbour slice %lld ms", timer.elapsed());
    for (const QList<QVariant>& signal : started) QVERIFY(signal.at(1).toBool());
  }
};

QTEST_MAIN(TestUiModel)
#include "test_ui_model.moc"
