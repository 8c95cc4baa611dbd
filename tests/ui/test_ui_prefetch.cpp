// Work ahead of the user: embedding progress, neighbouring slices warmed in the background (and
// abandoned when the user moves on), the next case read and embedded before it is opened.
#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QMessageBox>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <map>
#include <memory>

#include "fake_engine.h"
#include "medsa/ui/case_list.h"
#include "medsa/ui/case_preloader.h"
#include "medsa/ui/document.h"
#include "medsa/ui/document_session.h"
#include "medsa/ui/main_window.h"
#include "medsa/ui/prefetch_planner.h"
#include "medsa/ui/slice_view.h"
#include "medsa/ui/tool_controller.h"
#include "medsa/ui/viewer_area.h"
#include "volume_fixture.h"
#include "window_fixture.h"

using medsa::ImageKey;
using medsa::SliceAxis;
using medsa::ui::MainWindow;
using medsa::ui::PrefetchPlanner;
using medsa::ui::Tool;

namespace {

using Log = FakeEngine::Log;

// The sphere volume with a fake engine whose embeddings take `embedMs`, the AI tool on.
void prepare(MainWindow& window, const QString& folder, int embedMs, std::shared_ptr<Log> log) {
  showSphereWithEngine(
      window, folder,
      [embedMs, log]() -> medsa::Result<std::unique_ptr<medsa::SegmentationEngine>> {
        auto engine = std::make_unique<FakeEngine>();
        engine->simulateEmbedding(embedMs, log);
        return std::unique_ptr<medsa::SegmentationEngine>(std::move(engine));
      });
  window.tools()->setTool(Tool::Ai);
}

ImageKey axialKey(MainWindow& window, std::size_t slice) {
  return window.document()->imageKey(SliceAxis::Axial, slice);
}

std::vector<int> slicesOf(const std::vector<ImageKey>& keys) {
  std::vector<int> slices;
  for (const ImageKey& key : keys) slices.push_back(key.slice);
  return slices;
}

// A reader for files named "*.case" that makes a sphere volume, counting reads per file name.
struct CountingReader {
  std::shared_ptr<std::map<std::string, int>> reads =
      std::make_shared<std::map<std::string, int>>();
  medsa::ui::ImageReader reader() const {
    return [reads = reads](const std::string& path, const std::string&, medsa::ProgressSink*,
                           medsa::CancellationToken) -> medsa::Result<medsa::Image> {
      ++(*reads)[QFileInfo(QString::fromStdString(path)).fileName().toStdString()];
      return *makeSphereVolume();
    };
  }
};

void touch(const QString& path) {
  QFile file(path);
  QVERIFY(file.open(QIODevice::WriteOnly));
  file.write("x");
}

// Answers the next message box with `button` once it shows.
void answerNextMessageBox(QMessageBox::StandardButton button) {
  QTimer::singleShot(100, [button] {
    for (QWidget* widget : QApplication::topLevelWidgets()) {
      if (auto* box = qobject_cast<QMessageBox*>(widget); box && box->isVisible()) {
        box->button(button)->click();
        return;
      }
    }
  });
}

}  // namespace

class TestUiPrefetch : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

  void sliceOrderFavoursTheScrollDirection() {
    using V = std::vector<std::size_t>;
    QCOMPARE(PrefetchPlanner::sliceOrder(10, 32, +1, 2), (V{10, 11, 9, 12, 8}));
    QCOMPARE(PrefetchPlanner::sliceOrder(10, 32, -1, 2), (V{10, 9, 11, 8, 12}));
    QCOMPARE(PrefetchPlanner::sliceOrder(0, 32, +1, 2), (V{0, 1, 2}));
    QCOMPARE(PrefetchPlanner::sliceOrder(31, 32, +1, 1), (V{31, 30}));
    QCOMPARE(PrefetchPlanner::sliceOrder(0, 1, +1, 2), (V{0}));  // a photograph
    QCOMPARE(PrefetchPlanner::sliceOrder(5, 0, +1, 2), V{});
  }

  void casesAreListedInNaturalOrder() {
    QTemporaryDir dir;
    for (const char* name : {"case10.nii.gz", "case2.nii.gz", "case1.nii.gz", "notes.txt",
                             "case1_labels.nii.gz", "photo.JPG"}) {
      touch(dir.filePath(QString::fromLatin1(name)));
    }
    const QStringList cases = medsa::ui::casesBeside(dir.filePath(QStringLiteral("case2.nii.gz")));
    QCOMPARE(cases, (QStringList{dir.filePath(QStringLiteral("case1.nii.gz")),
                                 dir.filePath(QStringLiteral("case2.nii.gz")),
                                 dir.filePath(QStringLiteral("case10.nii.gz")),
                                 dir.filePath(QStringLiteral("photo.JPG"))}));
    QCOMPARE(medsa::ui::neighbourCase(dir.filePath(QStringLiteral("case2.nii.gz")), 1),
             dir.filePath(QStringLiteral("case10.nii.gz")));
    QCOMPARE(medsa::ui::neighbourCase(dir.filePath(QStringLiteral("case1.nii.gz")), -1), QString());
    QCOMPARE(medsa::ui::neighbourCase(dir.filePath(QStringLiteral("missing.nii")), 1), QString());
    // Folders (one DICOM series each) are the cases beside a folder.
    QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("patient 2")));
    QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("patient 10")));
    QCOMPARE(medsa::ui::neighbourCase(dir.filePath(QStringLiteral("patient 2")), 1),
             dir.filePath(QStringLiteral("patient 10")));
  }

  void clickShowsEmbeddingProgressThenTheMask() {
    QTemporaryDir dir;
    MainWindow window;
    auto log = std::make_shared<Log>();
    prepare(window, dir.path(), 600, log);
    window.prefetchPlanner()->setNeighbours(0);
    auto* indicator = window.findChild<QLabel*>(QStringLiteral("embeddingIndicator"));
    QSignalSpy progress(window.engine(), &medsa::ui::EngineController::embeddingProgress);

    auto* axial = window.viewerArea()->view(SliceAxis::Axial);
    QTest::mouseClick(axial, Qt::LeftButton, {}, axial->toWidget({32.5, 32.5}).toPoint());
    QTRY_VERIFY(indicator->isVisible());
    QTRY_VERIFY(indicator->text().contains(QLatin1Char('%')));
    QTRY_VERIFY_WITH_TIMEOUT(!window.tools()->candidate().empty(), 5000);
    QTRY_VERIFY(!indicator->isVisible());
    // Ten steps of the fake encoder, each reported, ending at 100 %.
    QVERIFY(progress.count() >= 10);
    QCOMPARE(progress.last().at(0).toDouble(), 1.0);
    QVERIFY(log->contains(axialKey(window, 16)));
  }

  void neighboursAreWarmedInTheScrollDirection() {
    QTemporaryDir dir;
    MainWindow window;
    auto log = std::make_shared<Log>();
    prepare(window, dir.path(), 30, log);
    window.prefetchPlanner()->setNeighbours(1);
    window.document()->setSliceIndex(SliceAxis::Axial, 10);
    window.document()->setSliceIndex(SliceAxis::Axial, 11);  // scrolling up
    QTRY_COMPARE(slicesOf(window.prefetchPlanner()->planned()), (std::vector<int>{11, 12, 10}));
    QTRY_VERIFY(log->contains(axialKey(window, 10)));
    {
      std::lock_guard lock(log->mutex);
      const std::vector<int> order = slicesOf(log->embedded);
      QCOMPARE(std::vector<int>(order.end() - 3, order.end()), (std::vector<int>{11, 12, 10}));
    }
    // Then the slice on screen is the engine's again (from its cache, nothing recomputed), so
    // that a click there finds it set.
    const auto lastSet = [&log]() {
      std::lock_guard lock(log->mutex);
      return log->set.empty() ? -1 : log->set.back().slice;
    };
    QTRY_COMPARE(lastSet(), 11);
    {
      std::lock_guard lock(log->mutex);
      QCOMPARE(slicesOf(log->embedded).back(), 10);
    }
    // Nothing is warmed while another tool is active: no clicks can use it.
    window.tools()->setTool(Tool::Brush);
    QVERIFY(window.prefetchPlanner()->planned().empty());
  }

  void neighbourCountIsChosenInTheToolsMenu() {
    QTemporaryDir dir;
    MainWindow window;
    prepare(window, dir.path(), 0, std::make_shared<Log>());
    auto* one = window.findChild<QAction*>(QStringLiteral("prefetch1Action"));
    QVERIFY(one);
    one->trigger();
    QCOMPARE(window.prefetchPlanner()->neighbours(), 1);
    QCOMPARE(QSettings().value(QStringLiteral("engine/prefetchNeighbours")).toInt(), 1);
    window.findChild<QAction*>(QStringLiteral("prefetch0Action"))->trigger();
    window.prefetchPlanner()->update();
    QCOMPARE(window.prefetchPlanner()->planned().size(), std::size_t(1));  // the slice on screen
    MainWindow next;  // the choice is remembered
    QCOMPARE(next.prefetchPlanner()->neighbours(), 0);
    QSettings().remove(QStringLiteral("engine/prefetchNeighbours"));
  }

  void staleWarmUpGivesWayToAClick() {
    QTemporaryDir dir;
    MainWindow window;
    auto log = std::make_shared<Log>();
    prepare(window, dir.path(), 3000, log);
    window.prefetchPlanner()->setNeighbours(0);
    QSignalSpy started(window.engine(), &medsa::ui::EngineController::embeddingStarted);
    window.document()->setSliceIndex(SliceAxis::Axial, 5);
    window.prefetchPlanner()->update();
    QTRY_VERIFY(started.count() >= 1);  // slice 5 is being embedded in the background

    // The user goes elsewhere and clicks: slice 5's embedding stops at the next step.
    window.document()->setSliceIndex(SliceAxis::Axial, 20);
    auto* axial = window.viewerArea()->view(SliceAxis::Axial);
    QTest::mouseClick(axial, Qt::LeftButton, {}, axial->toWidget({32.5, 32.5}).toPoint());
    QTRY_VERIFY_WITH_TIMEOUT(!window.tools()->candidate().empty(), 15000);
    std::lock_guard lock(log->mutex);
    QVERIFY(log->cancelled >= 1);
    QVERIFY(std::find(log->embedded.begin(), log->embedded.end(), axialKey(window, 5)) ==
            log->embedded.end());
    QCOMPARE(log->embedded.front(), axialKey(window, 20));
  }

  // After an answer the engine works ahead for the next prompt on that picture (the predictor
  // encodes the next correction's crop); the next click stops it at once, even on the same
  // picture (a large model's crop may take seconds, and the click may not need it).
  void theEngineWorksAheadAfterAnAnswerAndGivesWayToAClick() {
    QTemporaryDir dir;
    MainWindow window;
    auto log = std::make_shared<Log>();
    showSphereWithEngine(window, dir.path(),
                         [log]() -> medsa::Result<std::unique_ptr<medsa::SegmentationEngine>> {
                           auto engine = std::make_unique<FakeEngine>();
                           engine->simulateEmbedding(1, log);
                           engine->simulateWorkAhead(100);
                           return std::unique_ptr<medsa::SegmentationEngine>(std::move(engine));
                         });
    window.tools()->setTool(Tool::Ai);
    window.prefetchPlanner()->setNeighbours(0);
    auto* axial = window.viewerArea()->view(SliceAxis::Axial);
    QTest::mouseClick(axial, Qt::LeftButton, {}, axial->toWidget({32.5, 32.5}).toPoint());
    QTRY_VERIFY(!window.tools()->candidate().empty());
    const auto count = [&](int Log::*field) {
      std::lock_guard lock(log->mutex);
      return (*log).*field;
    };
    QTRY_COMPARE(count(&Log::workedAhead), 1);

    // Work ahead that would take a minute: the next click stops it.
    window.tools()->discard();
    QVERIFY(window.engine()->hasEngine());
    window.engine()->runJob([](medsa::SegmentationEngine* engine) {
      static_cast<FakeEngine*>(engine)->simulateWorkAhead(60000);
    });
    QTest::mouseClick(axial, Qt::LeftButton, {}, axial->toWidget({30.5, 32.5}).toPoint());
    QTRY_VERIFY([&] {
      std::lock_guard lock(log->mutex);
      return log->workingAhead;
    }());
    window.tools()->discard();
    QElapsedTimer answered;
    answered.start();
    QTest::mouseClick(axial, Qt::LeftButton, {}, axial->toWidget({32.5, 32.5}).toPoint());
    QTRY_VERIFY(!window.tools()->candidate().empty());
    QVERIFY2(answered.elapsed() < 30000, qPrintable(QString::number(answered.elapsed())));
    QCOMPARE(count(&Log::workAheadStopped), 1);
  }

  void closingOrReloadingStopsTheWarmUp() {
    auto log = std::make_shared<Log>();
    {
      QTemporaryDir dir;
      MainWindow window;
      prepare(window, dir.path(), 2000, log);
      window.prefetchPlanner()->setNeighbours(2);  // five slices: ten seconds of work
      QSignalSpy started(window.engine(), &medsa::ui::EngineController::embeddingStarted);
      QVERIFY(started.wait(5000));
    }  // the window closes while the first one is under way
    {
      std::lock_guard lock(log->mutex);
      QCOMPARE(log->cancelled, 1);
      QVERIFY(log->embedded.size() < 5);
    }

    auto second = std::make_shared<Log>();
    QTemporaryDir dir;
    MainWindow window;
    prepare(window, dir.path(), 2000, second);
    QSignalSpy started(window.engine(), &medsa::ui::EngineController::embeddingStarted);
    QVERIFY(started.wait(5000));
    // Loading another model: the old engine's warm-up stops at its next step.
    QSignalSpy loaded(window.engine(), &medsa::ui::EngineController::engineLoaded);
    window.engine()->load(
        []() -> medsa::Result<std::unique_ptr<medsa::SegmentationEngine>> {
          return std::unique_ptr<medsa::SegmentationEngine>(new FakeEngine());
        },
        QStringLiteral("another"));
    QVERIFY(loaded.wait(5000));
    std::lock_guard lock(second->mutex);
    QCOMPARE(second->cancelled, 1);
  }

  void nextCaseIsReadAndEmbeddedAhead() {
    QTemporaryDir dir;
    for (const char* name : {"a1.nii", "a2.nii", "a3.nii"})
      touch(dir.filePath(QLatin1String(name)));
    MainWindow window;
    auto log = std::make_shared<Log>();
    prepare(window, dir.path(), 30, log);
    window.prefetchPlanner()->setNeighbours(0);
    CountingReader counting;
    window.setImageReader(counting.reader());
    QSignalSpy ready(window.casePreloader(), &medsa::ui::CasePreloader::ready);

    window.openPath(dir.filePath(QStringLiteral("a2.nii")));
    QTRY_VERIFY(window.document()->path().endsWith(QStringLiteral("a2.nii")));
    window.tools()->setTool(Tool::Ai);
    QTRY_COMPARE(ready.count(), 1);  // a3 was read in the background
    const QString next = dir.filePath(QStringLiteral("a3.nii"));
    const ImageKey nextKey = medsa::ui::CasePreloader::firstPicture(makeSphereVolume(), next).key;
    QTRY_VERIFY(log->contains(nextKey));  // ... and its first picture embedded

    QVERIFY(window.openNeighbourCase(+1));
    QCOMPARE(window.document()->path(), next);
    QCOMPARE((*counting.reads)["a3.nii"], 1);  // opened from memory, not read again
    // The picture the user sees first is the one embedded ahead (same key).
    QCOMPARE(axialKey(window, window.document()->sliceIndex(SliceAxis::Axial)), nextKey);
    QVERIFY(!window.openNeighbourCase(+1));  // the last case
  }

  void unsavedLabelsAreOfferedBeforeTheNextCase() {
    QTemporaryDir dir;
    for (const char* name : {"b1.nii", "b2.nii"}) touch(dir.filePath(QLatin1String(name)));
    MainWindow window;
    prepare(window, dir.path(), 0, nullptr);
    CountingReader counting;
    window.setImageReader(counting.reader());
    window.openPath(dir.filePath(QStringLiteral("b1.nii")));
    QTRY_VERIFY(window.document()->path().endsWith(QStringLiteral("b1.nii")));
    window.tools()->setTool(Tool::Brush);
    auto* axial = window.viewerArea()->view(SliceAxis::Axial);
    QTest::mouseClick(axial, Qt::LeftButton, {}, axial->toWidget({32.5, 32.5}).toPoint());
    QVERIFY(window.session()->isModified());

    answerNextMessageBox(QMessageBox::Cancel);
    QVERIFY(window.openNeighbourCase(+1));  // there is a next case; the user stays here
    QTest::qWait(200);
    QVERIFY(window.document()->path().endsWith(QStringLiteral("b1.nii")));
    QVERIFY(window.session()->isModified());
    answerNextMessageBox(QMessageBox::Discard);
    QVERIFY(window.openNeighbourCase(+1));
    QTRY_VERIFY(window.document()->path().endsWith(QStringLiteral("b2.nii")));
  }
};

QTEST_MAIN(TestUiPrefetch)
#include "test_ui_prefetch.moc"
