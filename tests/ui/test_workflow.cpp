// The "done when", end to end: a user opens a DICOM series (choosing it in the series
// picker), a NIfTI volume and a fundus photograph through medsa-studio's own readers, segments
// with clicks and a box on the tiny real SAM, corrects, undoes, propagates, saves, crashes and
// recovers. The tiny model has random weights, so its masks are arbitrary: the checks are on
// "changed / unchanged / identical after reopening", never on shapes.
#include <QAction>
#include <QApplication>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUndoStack>

#include <cmath>
#include <functional>
#include <memory>
#include <vector>

#include "image_sources.h"
#include "medsa/annotations/autosave_store.h"
#include "medsa/annotations/label_edit.h"
#include "medsa/io/dicom_writer.h"
#include "medsa/ui/document.h"
#include "medsa/ui/document_session.h"
#include "medsa/ui/main_window.h"
#include "medsa/ui/propagation_controller.h"
#include "medsa/ui/slice_view.h"
#include "medsa/ui/tool_controller.h"
#include "medsa/ui/viewer_area.h"
#include "tiny_sam_fixture.h"
#include "view_input.h"

using medsa::SliceAxis;
using medsa::ui::MainWindow;
using medsa::ui::SliceView;

namespace {

constexpr int kEngineMs = 180000;  // the tiny model on two shared CPU cores, with margin

QString dataFile(const char* name) {
  return QStringLiteral(MEDSA_TEST_DATA_DIR "/io/") + QString::fromLatin1(name);
}

// Runs `act` on the first visible top-level widget that `match` accepts, once it shows. Modal
// dialogs block the test, so they are answered from a timer inside their own event loop.
void whenShown(std::function<bool(QWidget*)> match, std::function<void(QWidget*)> act) {
  auto* timer = new QTimer;
  auto tries = std::make_shared<int>(0);
  QObject::connect(timer, &QTimer::timeout, [timer, match, act, tries] {
    for (QWidget* widget : QApplication::topLevelWidgets()) {
      if (widget->isVisible() && match(widget)) {
        timer->stop();
        timer->deleteLater();
        act(widget);
        return;
      }
    }
    if (++*tries > 1500) {  // 30 s: the test's own wait fails first
      timer->stop();
      timer->deleteLater();
    }
  });
  timer->start(20);
}

// A shown window that reads through medsa-studio's readers, with the tiny SAM loaded.
void prepare(MainWindow& window, const QString& autosaveFolder) {
  window.setAutosaveFolder(autosaveFolder);
  medsa::app::installImageSources(window);
  window.resize(1200, 800);
  window.show();
  QVERIFY(QTest::qWaitForWindowExposed(&window));
  auto factory = tinySamFactory();
  QVERIFY2(factory, factory ? "" : factory.error().describe().c_str());
  QSignalSpy loaded(window.engine(), &medsa::ui::EngineController::engineLoaded);
  window.engine()->load(factory.value(), QStringLiteral("tiny.pth"));
  QVERIFY(loaded.wait(60000));
}

void openAndWait(MainWindow& window, const QString& path) {
  QSignalSpy loaded(&window, &MainWindow::imageLoaded);
  window.openPath(path);
  QVERIFY2(loaded.wait(60000), qPrintable(path));
}

SliceView* activeView(MainWindow& window) {
  return window.viewerArea()->view(window.viewerArea()->activeAxis());
}

// Waits for the engine's answer to the prompt, then steps through its candidates (Tab) to one
// with pixels: random weights can give an empty one. Returns its area (0: all were empty).
std::size_t nonEmptyCandidate(MainWindow& window, SliceView* view) {
  medsa::ui::ToolController* tools = window.tools();
  if (!QTest::qWaitFor([tools] { return !tools->candidate().empty() && !tools->isPredicting(); },
                       kEngineMs))
    return 0;
  for (int i = 0; i < std::max(1, tools->candidateCount()); ++i) {
    if (const std::size_t area = medsa::annotations::area(tools->candidate())) return area;
    QTest::keyClick(view, Qt::Key_Tab);
  }
  return 0;
}

// The next start after a crash: the app's readers, the autosave in `autosaveFolder` recovered
// without asking; returns once the recovered labels are on the recovered image.
void recoverAfterCrash(MainWindow& next, const QString& autosaveFolder) {
  next.setAutosaveFolder(autosaveFolder);
  medsa::app::installImageSources(next);
  QSignalSpy checked(&next, &MainWindow::recoveryChecked);
  QSignalSpy loaded(&next, &MainWindow::imageLoaded);
  QSignalSpy recovered(next.session(), &medsa::ui::DocumentSession::recovered);
  QVERIFY(next.offerRecovery(/*ask=*/false));
  QVERIFY(checked.wait(30000));
  QVERIFY(checked.first().first().toBool());
  QVERIFY(loaded.count() > 0 || loaded.wait(60000));
  // The label volume is read while the image opens and may arrive after it is shown.
  QVERIFY(recovered.count() > 0 || recovered.wait(60000));
}

std::vector<std::uint8_t> labelBytes(MainWindow& window) {
  const medsa::Image& labels = window.document()->labels().image();
  return {labels.bytes(), labels.bytes() + labels.byteCount()};
}

// File → Save Labels As…, answering the (Qt, non-native) file dialog with `path`.
bool saveLabelsAs(MainWindow& window, const QString& path) {
  whenShown([](QWidget* w) { return qobject_cast<QFileDialog*>(w) != nullptr; },
            [path](QWidget* w) {
              auto* dialog = static_cast<QFileDialog*>(w);
              dialog->selectFile(path);
              static_cast<QDialog*>(dialog)->accept();  // QFileDialog::accept, made public
            });
  QSignalSpy saved(&window, &MainWindow::labelsSaved);
  window.findChild<QAction*>(QStringLiteral("saveLabelsAsAction"))->trigger();
  if (saved.isEmpty() && !saved.wait(30000)) return false;
  return saved.first().first().toBool() && QFileInfo::exists(path);
}

// Reopens the image at `path` (empty labels) and opens the label file saved for it.
void reopenWithLabels(MainWindow& window, const QString& path, const QString& labels) {
  openAndWait(window, path);
  if (QTest::currentTestFailed()) return;
  QCOMPARE(window.document()->labels().count(1), std::size_t(0));
  window.openLabelsFile(labels);
  QVERIFY(QTest::qWaitFor([&window] { return window.document()->labels().count(1) > 0; }, 30000));
}

// A grey volume in HU (i16) with a bright disc in every slice, written as one DICOM series.
medsa::Status writeSeries(const QString& folder, const std::string& prefix,
                          const std::string& description, const std::string& modality,
                          std::size_t width, std::size_t height, std::size_t depth) {
  auto volume = medsa::Image::create({width, height, depth, 1}, 1, medsa::PixelType::I16);
  if (!volume) return volume.error();
  for (std::size_t z = 0; z < depth; ++z) {
    for (std::size_t y = 0; y < height; ++y) {
      for (std::size_t x = 0; x < width; ++x) {
        const double r = std::hypot(x - width / 2.0, y - height / 2.0);
        volume->setValue(x, y, z, 0, 0, r < width / 4.0 ? 300 : -700 + 10.0 * (x % 7));
      }
    }
  }
  medsa::io::DicomSeriesWriteOptions options;
  options.fileNamePrefix = prefix;
  options.seriesDescription = description;
  options.modality = modality;
  return medsa::io::writeDicomSeries(volume.value(), folder.toStdString(), options);
}

}  // namespace

class TestWorkflow : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    // Keep the settings and autosaves of the person running the tests untouched; Qt's own file
    // dialog, so the test can answer it.
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setAttribute(Qt::AA_DontUseNativeDialogs);
  }

  void dicomSeriesPickClickAcceptBrushUndo() {
    QTemporaryDir data, autosave;
    // Two series in one folder: a larger CT (the picker's default) and the MR the user wants.
    const medsa::Status ct = writeSeries(data.path(), "ct_", "Chest CT", "CT", 48, 48, 8);
    QVERIFY2(ct, ct ? "" : ct.error().describe().c_str());
    const medsa::Status mr = writeSeries(data.path(), "mr_", "Head MR", "MR", 40, 32, 5);
    QVERIFY2(mr, mr ? "" : mr.error().describe().c_str());
    MainWindow window;
    prepare(window, autosave.path());
    if (QTest::currentTestFailed()) return;

    int rows = 0;
    QString preselected;
    whenShown([](QWidget* w) { return w->objectName() == QStringLiteral("seriesPickerDialog"); },
              [&](QWidget* w) {
                auto* dialog = static_cast<QDialog*>(w);
                auto* table = dialog->findChild<QTableWidget*>(QStringLiteral("seriesTable"));
                if (!table) return dialog->reject();
                rows = table->rowCount();
                preselected = table->item(table->currentRow(), 1)->text();
                for (int row = 0; row < rows; ++row) {
                  if (table->item(row, 1)->text() == QStringLiteral("Head MR"))
                    table->selectRow(row);
                }
                dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok)->click();
              });
    openAndWait(window, data.path());
    if (QTest::currentTestFailed()) return;
    // Back from the modal picker, the window takes the keys again (as when the user clicks it).
    activateAgain(window);
    QCOMPARE(rows, 2);
    QCOMPARE(preselected, QStringLiteral("Chest CT"));
    // The chosen series is what is shown.
    const medsa::Image& image = *window.document()->image();
    QCOMPARE(image.size(0), std::size_t(40));
    QCOMPARE(image.size(1), std::size_t(32));
    QCOMPARE(image.size(2), std::size_t(5));
    QCOMPARE(image.metadata.seriesDescription, std::string("Head MR"));
    QCOMPARE(window.document()->sliceCount(SliceAxis::Axial), std::size_t(5));

    // AI click -> candidate -> Enter: the label map changes.
    SliceView* axial = window.viewerArea()->view(SliceAxis::Axial);
    const std::vector<std::uint8_t> empty = labelBytes(window);
    QTest::keyClick(axial, Qt::Key_A);
    QCOMPARE(window.tools()->tool(), medsa::ui::Tool::Ai);
    QTest::mouseClick(axial, Qt::LeftButton, {}, at(axial, 20.5, 16.5));
    const std::size_t area = nonEmptyCandidate(window, axial);
    QVERIFY(area > 0);
    QTest::keyClick(axial, Qt::Key_Return);
    QCOMPARE(window.document()->labels().count(1), area);
    const std::vector<std::uint8_t> accepted = labelBytes(window);
    QVERIFY(accepted != empty);

    // A brush correction, then Ctrl+Z twice: the stroke goes, then the accept.
    QTest::keyClick(axial, Qt::Key_B);
    QTest::mousePress(axial, Qt::LeftButton, {}, at(axial, 3, 3));
    for (int x = 4; x <= 14; x += 2) QTest::mouseMove(axial, at(axial, x, 3));
    QTest::mouseRelease(axial, Qt::LeftButton, {}, at(axial, 14, 3));
    QVERIFY(labelBytes(window) != accepted);
    QCOMPARE(window.document()->history()->stack()->count(), 2);
    QTest::keyClick(axial, Qt::Key_Z, Qt::ControlModifier);
    QVERIFY(labelBytes(window) == accepted);
    QTest::keyClick(axial, Qt::Key_Z, Qt::ControlModifier);
    QVERIFY(labelBytes(window) == empty);
  }

  void dicomSeriesRecoveredWithoutAsking() {
    QTemporaryDir data, autosave;
    QVERIFY(writeSeries(data.path(), "ct_", "Chest CT", "CT", 48, 48, 8).ok());
    QVERIFY(writeSeries(data.path(), "mr_", "Head MR", "MR", 40, 32, 5).ok());
    std::vector<std::uint8_t> labels;
    {
      MainWindow window;
      prepare(window, autosave.path());
      if (QTest::currentTestFailed()) return;
      whenShown([](QWidget* w) { return w->objectName() == QStringLiteral("seriesPickerDialog"); },
                [](QWidget* w) {
                  auto* table = w->findChild<QTableWidget*>(QStringLiteral("seriesTable"));
                  for (int row = 0; row < table->rowCount(); ++row) {
                    if (table->item(row, 1)->text() == QStringLiteral("Head MR"))
                      table->selectRow(row);
                  }
                  static_cast<QDialog*>(w)->accept();
                });
      openAndWait(window, data.path());
      if (QTest::currentTestFailed()) return;
      activateAgain(window);
      SliceView* axial = window.viewerArea()->view(SliceAxis::Axial);
      QTest::keyClick(axial, Qt::Key_B);
      QTest::mousePress(axial, Qt::LeftButton, {}, at(axial, 10, 10));
      QTest::mouseMove(axial, at(axial, 20, 12));
      QTest::mouseRelease(axial, Qt::LeftButton, {}, at(axial, 20, 12));
      QVERIFY(window.document()->labels().count(1) > 0);
      QSignalSpy autosaved(&window, &MainWindow::autosaved);
      window.autosaveNow();
      QVERIFY(autosaved.wait(30000));
      labels = labelBytes(window);
      window.waitForBackgroundWork();
    }  // the crash

    // The next start reads the same series again: the picker must not ask.
    auto asked = std::make_shared<bool>(false);
    whenShown([](QWidget* w) { return w->objectName() == QStringLiteral("seriesPickerDialog"); },
              [asked](QWidget* w) {
                *asked = true;
                static_cast<QDialog*>(w)->reject();
              });
    MainWindow next;
    recoverAfterCrash(next, autosave.path());
    if (QTest::currentTestFailed()) return;
    QVERIFY(!*asked);
    QCOMPARE(next.document()->image()->metadata.seriesDescription, std::string("Head MR"));
    QVERIFY(labelBytes(next) == labels);
  }

  void niftiBoxPropagateSaveReopen() {
    const QString nifti = dataFile("anatomical.nii");
    if (!QFileInfo::exists(nifti)) QSKIP("tests/data/io/anatomical.nii is absent");
    QTemporaryDir out, autosave;
    MainWindow window;
    prepare(window, autosave.path());
    if (QTest::currentTestFailed()) return;
    openAndWait(window, nifti);
    if (QTest::currentTestFailed()) return;
    QVERIFY(window.document()->isVolume());  // 33 x 41 x 25

    SliceView* axial = window.viewerArea()->view(SliceAxis::Axial);
    QTest::keyClick(axial, Qt::Key_A);
    dragBox(axial, 6, 6, 27, 35);
    QVERIFY(window.tools()->box().has_value());
    QVERIFY(nonEmptyCandidate(window, axial) > 0);
    QTest::keyClick(axial, Qt::Key_Return);
    const std::vector<std::uint8_t> accepted = labelBytes(window);
    QVERIFY(window.document()->labels().count(1) > 0);

    // The tiny model's random IoU head predicts about -0.6: with the default rules propagation
    // would stop at the first neighbour. Only a vanished object stops it here.
    medsa::annotations::PropagationRequest rules = window.propagation()->rules();
    rules.minIou = -1e9;
    rules.minOverlap = 0;
    rules.minPixels = 1;
    window.propagation()->setRules(rules);
    QSignalSpy propagated(&window, &MainWindow::propagationFinished);
    QTest::keyClick(axial, Qt::Key_P, Qt::ControlModifier);
    QVERIFY(propagated.wait(kEngineMs));
    const int slices = propagated.first().first().toInt();
    qInfo("tiny model: propagated over %d slice(s): %s", slices,
          qPrintable(window.statusBar()->currentMessage()));
    QVERIFY(slices > 0);
    QVERIFY(labelBytes(window) != accepted);
    QCOMPARE(window.document()->history()->stack()->count(), 2);  // accept, propagation
    // The modal progress dialog gone for good (it deletes itself later), then the window active.
    QTRY_VERIFY_WITH_TIMEOUT(!window.findChild<QWidget*>(QStringLiteral("propagationProgress")),
                             kEngineMs);
    activateAgain(window);
    QTest::keyClick(axial, Qt::Key_Z, Qt::ControlModifier);
    QTRY_VERIFY(labelBytes(window) == accepted);
    QTest::keyClick(axial, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);

    const QString saved = out.filePath(QStringLiteral("anatomical_labels.nii.gz"));
    QVERIFY(saveLabelsAs(window, saved));
    QVERIFY(!window.session()->isModified());
    const std::vector<std::uint8_t> labels = labelBytes(window);
    reopenWithLabels(window, nifti, saved);
    if (QTest::currentTestFailed()) return;
    QVERIFY(labelBytes(window) == labels);
  }

  void fundusBoxAcceptSavePngReopen() {
    const QString photo = dataFile("retina.jpg");
    if (!QFileInfo::exists(photo)) QSKIP("tests/data/io/retina.jpg is absent");
    QTemporaryDir out, autosave;
    MainWindow window;
    prepare(window, autosave.path());
    if (QTest::currentTestFailed()) return;
    openAndWait(window, photo);
    if (QTest::currentTestFailed()) return;
    QVERIFY(!window.document()->isVolume());
    QCOMPARE(window.document()->image()->components(), 3);

    SliceView* view = activeView(window);
    QTest::keyClick(view, Qt::Key_A);
    dragBox(view, 250, 250, 1150, 1150);  // around the optic disc and the vessels
    QVERIFY(nonEmptyCandidate(window, view) > 0);
    QTest::keyClick(view, Qt::Key_Return);
    QVERIFY(window.document()->labels().count(1) > 0);

    const QString saved = out.filePath(QStringLiteral("retina_labels.png"));
    QVERIFY(saveLabelsAs(window, saved));
    const std::vector<std::uint8_t> labels = labelBytes(window);
    reopenWithLabels(window, photo, saved);
    if (QTest::currentTestFailed()) return;
    QVERIFY(labelBytes(window) == labels);
  }

  void crashAfterAcceptThenRecover() {
    const QString nifti = dataFile("anatomical.nii");
    if (!QFileInfo::exists(nifti)) QSKIP("tests/data/io/anatomical.nii is absent");
    QTemporaryDir autosave;
    std::vector<std::uint8_t> labels;
    {
      auto window = std::make_unique<MainWindow>();
      prepare(*window, autosave.path());
      if (QTest::currentTestFailed()) return;
      openAndWait(*window, nifti);
      if (QTest::currentTestFailed()) return;
      SliceView* axial = window->viewerArea()->view(SliceAxis::Axial);
      QTest::keyClick(axial, Qt::Key_A);
      dragBox(axial, 6, 6, 27, 35);
      QVERIFY(nonEmptyCandidate(*window, axial) > 0);
      QSignalSpy autosaved(window.get(), &MainWindow::autosaved);
      QTest::keyClick(axial, Qt::Key_Return);  // an accept is autosaved at once
      QVERIFY(autosaved.wait(30000));
      QVERIFY(autosaved.first().first().toBool());
      labels = labelBytes(*window);
      QVERIFY(window->document()->labels().count(1) > 0);
      // The crash: the window goes without a close (no clean shutdown removes the autosave).
      window->waitForBackgroundWork();
    }
    QCOMPARE(QDir(autosave.path()).entryList({QStringLiteral("*.medsa-autosave")}).size(), 1);

    MainWindow next;
    recoverAfterCrash(next, autosave.path());
    if (QTest::currentTestFailed()) return;
    QCOMPARE(next.document()->path(), nifti);
    QVERIFY(labelBytes(next) == labels);
    QVERIFY(next.session()->isModified());
  }
};

QTEST_MAIN(TestWorkflow)
#include "test_workflow.moc"
