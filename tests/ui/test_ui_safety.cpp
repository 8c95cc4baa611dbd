// The window's side of "nothing lost": what it asks before labels are replaced or left, and what
// happens when the answer cannot be carried out (a save that fails on close, labels given on
// the command line while a crashed session's work is recovered, an engine that throws while it
// works ahead, a model swap that is slow, replaced by another or fails, or under way when the
// window closes), and the recovery dialog listing every
// crashed session.
#include <QAction>
#include <QApplication>
#include <QDir>
#include <QFileInfo>
#include <QMessageBox>
#include <QPushButton>
#include <QSemaphore>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUndoStack>

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "fake_engine.h"
#include "medsa/annotations/label_map_io.h"
#include "medsa/ui/document.h"
#include "medsa/ui/document_session.h"
#include "medsa/ui/main_window.h"
#include "medsa/ui/prefetch_planner.h"
#include "medsa/ui/slice_view.h"
#include "medsa/ui/startup_sequence.h"
#include "medsa/ui/status_line.h"
#include "medsa/ui/tool_controller.h"
#include "medsa/ui/viewer_area.h"
#include "view_input.h"
#include "volume_fixture.h"
#include "window_fixture.h"

using medsa::ImageKey;
using medsa::SliceAxis;
using medsa::ui::MainWindow;
using medsa::ui::SliceView;
using medsa::ui::Tool;
using medsa::ui::UnsavedChoice;

namespace {

/// A fake engine that names itself, and counts its destruction.
class VersionedEngine : public FakeEngine {
 public:
  VersionedEngine(std::string version, std::atomic<int>* setImages = nullptr,
                  std::atomic<int>* predicts = nullptr, std::atomic<int>* destroyed = nullptr)
      : FakeEngine(setImages, predicts), version_(std::move(version)), destroyed_(destroyed) {}
  ~VersionedEngine() override {
    if (destroyed_) ++*destroyed_;
  }
  std::string modelVersion() const override { return version_; }

 private:
  std::string version_;
  std::atomic<int>* destroyed_;
};

medsa::ui::EngineFactory fakeEngine() {
  return []() -> medsa::Result<std::unique_ptr<medsa::SegmentationEngine>> {
    return std::unique_ptr<medsa::SegmentationEngine>(new FakeEngine());
  };
}

/// Answers every "save first?" with `choice`, counting the questions.
struct Asker {
  UnsavedChoice choice = UnsavedChoice::Cancel;
  int asked = 0;
  void install(MainWindow& window) {
    window.setUnsavedLabelsAsker([this](const QString&) {
      ++asked;
      return choice;
    });
  }
};

/// A brush dab of the active label at (x, y) on the axial slice on screen.
void dab(MainWindow& window, double x, double y) {
  SliceView* axial = window.viewerArea()->view(SliceAxis::Axial);
  window.tools()->setTool(Tool::Brush);
  QTest::mouseClick(axial, Qt::LeftButton, {}, at(axial, x, y));
}

/// Reads "*.nii" paths as the sphere volume, as the app's reader would read a real file.
medsa::ui::ImageReader sphereReader() {
  return
      [](const std::string&, const std::string&, medsa::ProgressSink*,
         medsa::CancellationToken) -> medsa::Result<medsa::Image> { return *makeSphereVolume(); };
}

void closeMessageBoxesSoon() {
  QTimer::singleShot(150, [] {
    for (QWidget* w : QApplication::topLevelWidgets())
      if (auto* box = qobject_cast<QMessageBox*>(w); box && box->isVisible()) box->accept();
  });
}

bool autosaveAndWait(MainWindow& window) {
  QSignalSpy saved(&window, &MainWindow::autosaved);
  window.autosaveNow();
  return saved.wait(10000) && saved.first().first().toBool();
}

/// A window that opened `image` through a reader, painted on it, autosaved and crashed.
void crashAfterPainting(const QString& autosaves, const QString& image) {
  MainWindow window;
  window.setAutosaveFolder(autosaves);
  window.setImageReader(sphereReader());
  window.show();
  QVERIFY(QTest::qWaitForWindowExposed(&window));
  QSignalSpy loaded(&window, &MainWindow::imageLoaded);
  window.openPath(image);
  QVERIFY(loaded.wait(10000));
  dab(window, 32.5, 32.5);
  QVERIFY(autosaveAndWait(window));
  window.hide();  // and gone without closing: a crash
}

}  // namespace

class TestUiSafety : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

  void aSaveThatFailsOnCloseKeepsTheWindowAndTheAutosave() {
    QTemporaryDir dir;
    const QString autosaves = dir.filePath(QStringLiteral("autosave"));
    MainWindow window;
    showSphereWithEngine(window, autosaves, fakeEngine());
    Asker asker;
    asker.install(window);
    dab(window, 32.5, 32.5);
    const QString labels = dir.filePath(QStringLiteral("labels.nii.gz"));
    QSignalSpy saved(&window, &MainWindow::labelsSaved);
    window.session()->save(labels);
    QVERIFY(saved.wait(10000));
    QVERIFY(saved.first().first().toBool());
    dab(window, 20.5, 20.5);
    QVERIFY(autosaveAndWait(window));
    const QString autosaveFile = window.session()->autosaveFile();
    // The labels file cannot be written any more (something else took its name).
    QVERIFY(QFile::remove(labels));
    QVERIFY(QDir().mkpath(labels));

    asker.choice = UnsavedChoice::Save;
    closeMessageBoxesSoon();  // "Cannot save labels"
    window.close();
    QVERIFY(saved.wait(10000));
    QVERIFY(!saved.last().first().toBool());
    QTest::qWait(300);
    QCOMPARE(asker.asked, 1);
    QVERIFY(window.isVisible());
    QVERIFY(window.session()->isModified());
    QVERIFY(QFileInfo::exists(autosaveFile));

    // Discarding is the user's explicit choice: then the window closes and the autosave goes.
    asker.choice = UnsavedChoice::Discard;
    window.close();
    QTRY_VERIFY(!window.isVisible());
    QVERIFY(!QFileInfo::exists(autosaveFile));
  }

  void openLabelsAsksAboutUnsavedEditsAndKeepsThemUndoable() {
    QTemporaryDir dir;
    MainWindow window;
    showSphereWithEngine(window, dir.filePath(QStringLiteral("autosave")), fakeEngine());
    Asker asker;
    asker.install(window);
    dab(window, 32.5, 32.5);
    const QString file = dir.filePath(QStringLiteral("one_dab.nii.gz"));
    QSignalSpy saved(&window, &MainWindow::labelsSaved);
    window.session()->save(file);
    QVERIFY(saved.wait(10000));
    const std::size_t onFile = window.document()->labels().count(1);
    dab(window, 10.5, 10.5);
    const std::size_t edited = window.document()->labels().count(1);
    QVERIFY(edited > onFile);

    asker.choice = UnsavedChoice::Cancel;
    window.openLabelsFile(file);
    QCOMPARE(asker.asked, 1);
    QTest::qWait(300);
    QCOMPARE(window.document()->labels().count(1), edited);

    asker.choice = UnsavedChoice::Discard;
    QSignalSpy opened(window.session(), &medsa::ui::DocumentSession::labelsOpened);
    window.openLabelsFile(file);
    QVERIFY(opened.wait(10000));
    QCOMPARE(window.document()->labels().count(1), onFile);
    window.document()->history()->stack()->undo();
    QCOMPARE(window.document()->labels().count(1), edited);
  }

  // Leaving labels is approved when an open begins; edits made while the next image is read
  // would be replaced unseen when it arrives: the window asks again, and Cancel keeps them.
  void editsMadeWhileTheNextImageIsReadAreNotDroppedUnasked() {
    QTemporaryDir dir;
    MainWindow window;
    showSphereWithEngine(window, dir.filePath(QStringLiteral("autosave")), fakeEngine());
    Asker asker;
    asker.install(window);
    auto gate = std::make_shared<QSemaphore>(0);  // the read waits until the test lets it end
    window.setImageReader([gate](const std::string&, const std::string&, medsa::ProgressSink*,
                                 medsa::CancellationToken) -> medsa::Result<medsa::Image> {
      gate->acquire();
      return *makeSphereVolume();
    });
    const QString next = dir.filePath(QStringLiteral("next.nii"));
    QSignalSpy loaded(&window, &MainWindow::imageLoaded);
    window.openPath(next);  // nothing unsaved yet: no question
    QCOMPARE(asker.asked, 0);
    dab(window, 32.5, 32.5);
    const std::size_t edited = window.document()->labels().count(1);
    QVERIFY(edited > 0);
    asker.choice = UnsavedChoice::Cancel;
    gate->release();
    QTRY_COMPARE_WITH_TIMEOUT(asker.asked, 1, 10000);
    QTest::qWait(200);
    QCOMPARE(loaded.count(), 0);
    QCOMPARE(window.document()->labels().count(1), edited);
    QVERIFY(window.session()->isModified());
    // Asked again, the user discards them: the image opens.
    asker.choice = UnsavedChoice::Discard;
    window.openPath(next);
    gate->release();
    QVERIFY(loaded.wait(10000));
    QCOMPARE(asker.asked, 2);
    QCOMPARE(window.document()->labels().count(1), std::size_t(0));
  }

  void labelsOnTheCommandLineAreNotPutOverRecoveredWorkWithoutAsking() {
    QTemporaryDir dir;
    const QString autosaves = dir.filePath(QStringLiteral("autosave"));
    const QString image = dir.filePath(QStringLiteral("case.nii"));
    crashAfterPainting(autosaves, image);
    if (QTest::currentTestFailed()) return;
    // A label file for the same image, empty but for one voxel of label 2.
    medsa::Image voxels = medsa::annotations::LabelMap::createFor(*makeSphereVolume())->image();
    voxels.data<std::uint16_t>()[0] = 2;
    auto map = medsa::annotations::LabelMap::fromImage(std::move(voxels)).value();
    const QString labels = dir.filePath(QStringLiteral("case_labels.nii.gz"));
    QVERIFY(medsa::annotations::saveLabelMap(map, {}, labels));

    MainWindow window;
    window.setAutosaveFolder(autosaves);
    window.setImageReader(sphereReader());
    Asker asker;
    asker.choice = UnsavedChoice::Cancel;
    asker.install(window);
    QSignalSpy recovered(window.session(), &medsa::ui::DocumentSession::recovered);
    medsa::ui::runStartup(window, {image, labels, false, false, /*askBeforeRecovery=*/false});
    QVERIFY(recovered.wait(10000));
    QTRY_COMPARE(asker.asked, 1);  // asked before the file goes over the recovered labels
    QTest::qWait(300);
    QVERIFY(window.document()->labels().count(1) > 0);
    QCOMPARE(window.document()->labels().count(2), std::size_t(0));
    QVERIFY(window.session()->isModified());
  }

  void theRecoveryDialogListsEveryCrashedSession() {
    QTemporaryDir dir;
    const QString autosaves = dir.filePath(QStringLiteral("autosave"));
    crashAfterPainting(autosaves, dir.filePath(QStringLiteral("first.nii")));
    QTest::qWait(1100);  // distinct file times
    crashAfterPainting(autosaves, dir.filePath(QStringLiteral("second.nii")));
    if (QTest::currentTestFailed()) return;

    MainWindow window;
    window.setAutosaveFolder(autosaves);
    window.setImageReader(sphereReader());
    int rows = 0;
    QTimer::singleShot(200, [&rows] {
      for (QWidget* w : QApplication::topLevelWidgets()) {
        if (w->objectName() != QStringLiteral("recoveryDialog") || !w->isVisible()) continue;
        auto* table = w->findChild<QTableWidget*>(QStringLiteral("recoveryTable"));
        rows = table->rowCount();
        table->selectRow(1);  // the older one
        w->findChild<QPushButton*>(QStringLiteral("recoverButton"))->click();
      }
    });
    QSignalSpy checked(&window, &MainWindow::recoveryChecked);
    QSignalSpy recovered(window.session(), &medsa::ui::DocumentSession::recovered);
    QVERIFY(window.offerRecovery(true));
    QVERIFY(checked.wait(10000));
    QCOMPARE(rows, 2);
    QVERIFY(checked.first().first().toBool());
    QVERIFY(recovered.wait(10000));
    QVERIFY(window.document()->path().endsWith(QStringLiteral("first.nii")));
    // The other one is left for the next start. (Up to 15 s: with the whole suite running on
    // two cores the recovered session's first autosave once took 5.05 s.)
    QTRY_COMPARE_WITH_TIMEOUT(
        QDir(autosaves).entryList({QStringLiteral("*.medsa-autosave")}).size(), 2, 15000);
  }

  void anEngineThatThrowsWhileWorkingAheadIsReportedAndLivesOn() {
    QTemporaryDir dir;
    MainWindow window;
    showSphereWithEngine(
        window, dir.path(), []() -> medsa::Result<std::unique_ptr<medsa::SegmentationEngine>> {
          auto engine = std::make_unique<FakeEngine>();
          // Every picture but the middle axial slice's fails as a bug would.
          engine->throwInSetImage(
              [](const medsa::ImageKey& key) { return !(key.plane == 0 && key.slice == 16); });
          return std::unique_ptr<medsa::SegmentationEngine>(std::move(engine));
        });
    QSignalSpy failed(window.engine(), &medsa::ui::EngineController::backgroundFailed);
    window.tools()->setTool(Tool::Ai);
    window.prefetchPlanner()->setNeighbours(2);
    window.document()->setSliceIndex(SliceAxis::Axial, 17);
    window.document()->setSliceIndex(SliceAxis::Axial, 16);
    QVERIFY(failed.wait(10000));
    QVERIFY(failed.first().first().toString().contains(QStringLiteral("embedding exploded")));
    SliceView* axial = window.viewerArea()->view(SliceAxis::Axial);
    QTest::mouseClick(axial, Qt::LeftButton, {}, at(axial, 32.5, 32.5));
    QTRY_VERIFY(!window.tools()->candidate().empty());
  }
  // A model swap (the trainer's hot swap, File -> Load Model) while the user works: the AI tool
  // stays on, a click made during a slow load is answered by the new engine, and a load that
  // fails leaves the engine there was.
  // A hot swap: the new engine is made, and embeds the picture on screen, on the loader thread
  // while the engine in use goes on answering clicks; then it takes over, the picture already
  // embedded. A job asked for meanwhile runs with the new engine. A failed load keeps the model.
  void aModelSwapAnswersWithTheOldEngineUntilTheNewOneIsReady() {
    // Outlive the window, whose engines count into them.
    std::atomic<int> oldPredicts{0}, newPredicts{0};
    auto newEmbeddings = std::make_shared<FakeEngine::Log>();
    QSemaphore checkpointRead;
    QTemporaryDir dir;
    MainWindow window;
    showSphereWithEngine(
        window, dir.path(), [&]() -> medsa::Result<std::unique_ptr<medsa::SegmentationEngine>> {
          return std::unique_ptr<medsa::SegmentationEngine>(new FakeEngine(nullptr, &oldPredicts));
        });
    if (QTest::currentTestFailed()) return;
    window.tools()->setTool(Tool::Ai);
    SliceView* axial = window.viewerArea()->view(SliceAxis::Axial);
    QTest::mouseClick(axial, Qt::LeftButton, {}, at(axial, 32.5, 32.5));
    QTRY_VERIFY(oldPredicts.load() >= 1);
    window.prefetchPlanner()->setNeighbours(0);  // the list: the picture on screen alone
    window.prefetchPlanner()->update();
    QVERIFY(!window.prefetchPlanner()->planned().empty());

    QSignalSpy loaded(window.engine(), &medsa::ui::EngineController::engineLoaded);
    window.engine()->load(
        [&]() -> medsa::Result<std::unique_ptr<medsa::SegmentationEngine>> {
          checkpointRead.tryAcquire(1, 10000);  // a slow checkpoint
          auto engine = std::make_unique<VersionedEngine>("new", nullptr, &newPredicts);
          engine->simulateEmbedding(100, newEmbeddings);
          return std::unique_ptr<medsa::SegmentationEngine>(std::move(engine));
        },
        QStringLiteral("swapped engine"));
    QVERIFY(window.engine()->isLoading());
    auto jobSaw = std::make_shared<std::string>();  // written on the engine thread
    window.engine()->runJob([jobSaw](medsa::SegmentationEngine* engine) {
      *jobSaw = engine ? engine->modelVersion() : "none";
    });

    // While the checkpoint is read, clicks are answered by the engine in use.
    const int before = oldPredicts.load();
    QTest::mouseClick(axial, Qt::LeftButton, {}, at(axial, 30.5, 30.5));
    QTRY_VERIFY(oldPredicts.load() > before);
    QCOMPARE(window.tools()->tool(), Tool::Ai);
    QCOMPARE(newPredicts.load(), 0);
    QCOMPARE(window.engine()->engineName(), QStringLiteral("test engine"));
    QVERIFY(loaded.isEmpty());

    checkpointRead.release();
    QVERIFY(loaded.wait(10000));
    QCOMPARE(window.engine()->engineName(), QStringLiteral("swapped engine"));
    QVERIFY(!window.engine()->isLoading());
    QTRY_COMPARE(QString::fromStdString(*jobSaw), QStringLiteral("new"));
    // The picture on screen was embedded before the swap: the next click there needs no
    // embedding of its own and is answered by the new engine.
    const std::vector<ImageKey> embeddedBySwap = newEmbeddings->embeddedCopy();
    QVERIFY(embeddedBySwap == std::vector<ImageKey>{window.prefetchPlanner()->planned().front()});
    const int newBefore = newPredicts.load();
    QTest::mouseClick(axial, Qt::LeftButton, {}, at(axial, 33.5, 33.5));
    QTRY_VERIFY(newPredicts.load() > newBefore);
    QVERIFY(newEmbeddings->embeddedCopy() == embeddedBySwap);

    // File -> Load Model with a file that cannot be loaded: the swapped engine stays, and so
    // does the checkpoint the trainer builds on.
    window.setModelLoader([](const QString& checkpoint) -> medsa::ui::EngineFactory {
      if (checkpoint == QStringLiteral("gone.pth")) {
        return []() -> medsa::Result<std::unique_ptr<medsa::SegmentationEngine>> {
          return medsa::Error{medsa::ErrorCode::FileNotFound, "no such checkpoint", "gone.pth"};
        };
      }
      return fakeEngine();
    });
    loaded.clear();
    window.loadModel(QStringLiteral("good.pth"));
    QVERIFY(loaded.wait(10000));
    QSignalSpy failed(window.engine(), &medsa::ui::EngineController::engineFailed);
    closeMessageBoxesSoon();  // "Cannot load the model"
    window.loadModel(QStringLiteral("gone.pth"));
    QVERIFY(failed.wait(10000));
    QVERIFY(window.engine()->hasEngine());
    QCOMPARE(window.engine()->engineName(), QStringLiteral("good.pth"));
    QCOMPARE(window.modelCheckpoint(), QStringLiteral("good.pth"));
    QCOMPARE(window.tools()->tool(), Tool::Ai);
  }

  // At first start the starter model loads: the status bar says "Loading model", never "AI
  // off: no model" beside it; "AI off" comes back only when a load fails and no model is there.
  void theStatusBarSaysAiOffOnlyWhenNoModelIsComing() {
    MainWindow window;
    window.show();
    QVERIFY(window.statusLine()->latency().startsWith(QStringLiteral("AI off")));
    QSemaphore checkpointRead;
    window.setModelLoader([&](const QString& checkpoint) -> medsa::ui::EngineFactory {
      if (checkpoint == QStringLiteral("gone.pth")) {
        return []() -> medsa::Result<std::unique_ptr<medsa::SegmentationEngine>> {
          return medsa::Error{medsa::ErrorCode::FileNotFound, "no such checkpoint", "gone.pth"};
        };
      }
      return [&]() -> medsa::Result<std::unique_ptr<medsa::SegmentationEngine>> {
        checkpointRead.tryAcquire(1, 10000);  // a slow checkpoint
        return std::unique_ptr<medsa::SegmentationEngine>(new FakeEngine());
      };
    });
    QSignalSpy failed(window.engine(), &medsa::ui::EngineController::engineFailed);
    closeMessageBoxesSoon();  // "Cannot load the model"
    window.loadModel(QStringLiteral("gone.pth"));
    QVERIFY(!window.statusLine()->latency().startsWith(QStringLiteral("AI off")));
    QVERIFY(failed.wait(10000));
    QVERIFY(window.statusLine()->latency().startsWith(QStringLiteral("AI off")));

    QSignalSpy loaded(window.engine(), &medsa::ui::EngineController::engineLoaded);
    window.loadModel(QStringLiteral("starter"));
    QVERIFY(window.engine()->isLoading());
    QVERIFY2(!window.statusLine()->latency().startsWith(QStringLiteral("AI off")),
             qPrintable(window.statusLine()->latency()));
    checkpointRead.release();
    QVERIFY(loaded.wait(10000));
    QCOMPARE(window.statusLine()->latency(), QStringLiteral("AI ready"));
  }

  // A second load while the first is under way: only the newest engine takes over; the older
  // one, made meanwhile, is destroyed without ever answering.
  void aNewerLoadReplacesOneUnderWay() {
    std::atomic<int> destroyed{0}, olderPredicts{0};
    {
      medsa::ui::EngineController controller;
      QSignalSpy loaded(&controller, &medsa::ui::EngineController::engineLoaded);
      QSignalSpy failed(&controller, &medsa::ui::EngineController::engineFailed);
      QSemaphore started, release;
      controller.load(
          [&]() -> medsa::Result<std::unique_ptr<medsa::SegmentationEngine>> {
            started.release();
            release.tryAcquire(1, 10000);
            return std::unique_ptr<medsa::SegmentationEngine>(
                new VersionedEngine("older", nullptr, &olderPredicts, &destroyed));
          },
          QStringLiteral("older"));
      QVERIFY(started.tryAcquire(1, 10000));  // its checkpoint is being read
      controller.load(
          []() -> medsa::Result<std::unique_ptr<medsa::SegmentationEngine>> {
            return std::unique_ptr<medsa::SegmentationEngine>(new VersionedEngine("newer"));
          },
          QStringLiteral("newer"));
      release.release();
      QVERIFY(loaded.wait(10000));
      QCOMPARE(loaded.count(), 1);
      QCOMPARE(loaded.first().first().toString(), QStringLiteral("newer"));
      QTRY_COMPARE(destroyed.load(), 1);  // the older one was made (the factory had begun)
      QVERIFY(failed.isEmpty());
      auto saw = std::make_shared<std::string>();
      controller.runJob(
          [saw](medsa::SegmentationEngine* engine) { *saw = engine->modelVersion(); });
      QTRY_COMPARE(QString::fromStdString(*saw), QStringLiteral("newer"));
      QCOMPARE(olderPredicts.load(), 0);
    }
  }

  // The composition root's cleanup runs after every load, made or failed, on the thread that
  // loaded (the app lets LibTorch's parallel workers of that thread go there).
  void theLoaderCleansUpAfterEveryLoad() {
    medsa::ui::EngineController controller;
    auto cleanups = std::make_shared<std::vector<std::thread::id>>();
    auto factories = std::make_shared<std::vector<std::thread::id>>();
    std::mutex mutex;
    controller.setLoaderCleanup([&] {
      std::lock_guard lock(mutex);
      cleanups->push_back(std::this_thread::get_id());
    });
    QSignalSpy loaded(&controller, &medsa::ui::EngineController::engineLoaded);
    QSignalSpy failed(&controller, &medsa::ui::EngineController::engineFailed);
    controller.load(
        [&]() -> medsa::Result<std::unique_ptr<medsa::SegmentationEngine>> {
          std::lock_guard lock(mutex);
          factories->push_back(std::this_thread::get_id());
          return std::unique_ptr<medsa::SegmentationEngine>(new VersionedEngine("made"));
        },
        QStringLiteral("made"));
    QVERIFY(loaded.wait(10000));
    controller.load(
        [&]() -> medsa::Result<std::unique_ptr<medsa::SegmentationEngine>> {
          std::lock_guard lock(mutex);
          factories->push_back(std::this_thread::get_id());
          return medsa::Error{medsa::ErrorCode::InvalidArgument, "not a checkpoint", "x.pth"};
        },
        QStringLiteral("broken"));
    QVERIFY(failed.wait(10000));
    const auto cleaned = [&] {
      std::lock_guard lock(mutex);
      return cleanups->size();
    };
    QTRY_COMPARE(cleaned(), std::size_t{2});
    std::lock_guard lock(mutex);
    QCOMPARE(*cleanups, *factories);
    QVERIFY(cleanups->front() != std::this_thread::get_id());
  }

  // Closing while a new engine is made and embeds its first picture: the controller waits for
  // the checkpoint, stops the embedding, hands nothing over and destroys both engines.
  void closingDuringALoadStopsItCleanly() {
    std::atomic<int> destroyed{0}, secondSetImages{0};
    auto log = std::make_shared<FakeEngine::Log>();
    {
      medsa::ui::EngineController controller;
      QSignalSpy loaded(&controller, &medsa::ui::EngineController::engineLoaded);
      controller.load(
          [&]() -> medsa::Result<std::unique_ptr<medsa::SegmentationEngine>> {
            return std::unique_ptr<medsa::SegmentationEngine>(
                new VersionedEngine("first", nullptr, nullptr, &destroyed));
          },
          QStringLiteral("first"));
      QVERIFY(loaded.wait(10000));
      const std::shared_ptr<const medsa::Image> volume = makeSphereVolume();
      controller.prefetch(
          {medsa::ui::slicePrefetchItem(volume, "sphere", SliceAxis::Axial, 16, {40, 400})});
      controller.load(
          [&]() -> medsa::Result<std::unique_ptr<medsa::SegmentationEngine>> {
            auto engine =
                std::make_unique<VersionedEngine>("second", &secondSetImages, nullptr, &destroyed);
            engine->simulateEmbedding(5000, log);  // a long first embedding
            return std::unique_ptr<medsa::SegmentationEngine>(std::move(engine));
          },
          QStringLiteral("second"));
      QTRY_COMPARE(secondSetImages.load(), 1);  // the second engine is made and embedding
      QCOMPARE(destroyed.load(), 0);
    }
    QCOMPARE(destroyed.load(), 2);
    std::lock_guard lock(log->mutex);
    QCOMPARE(log->cancelled, 1);
    QVERIFY(log->embedded.empty());
  }
};

QTEST_MAIN(TestUiSafety)
#include "test_ui_safety.moc"
