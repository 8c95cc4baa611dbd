// Projects in the window: create, import, the case list (progress, filter, search), opening a
// case with its labels, saving a new version, the interaction log, Mark Done moving on to the
// next unfinished case (and marking the case it was pressed on), coming back to the last case,
// and one window per project.
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QLineEdit>
#include <QMessageBox>
#include <QSemaphore>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <cmath>

#include "medsa/annotations/active_time.h"
#include "medsa/annotations/label_edit.h"
#include "medsa/annotations/project_import.h"
#include "medsa/annotations/project_store.h"
#include "medsa/io/dicom_writer.h"
#include "medsa/io/image_reader.h"
#include "medsa/io/image_writer.h"
#include "medsa/ui/case_list_model.h"
#include "medsa/ui/document.h"
#include "medsa/ui/document_session.h"
#include "medsa/ui/main_window.h"
#include "medsa/ui/project_controller.h"
#include "medsa/ui/project_panel.h"
#include "medsa/ui/startup_sequence.h"
#include "medsa/ui/status_line.h"
#include "medsa/ui/tool_controller.h"
#include "medsa/ui/viewer_area.h"
#include "reading_window_fixture.h"
#include "volume_fixture.h"

using medsa::SliceAxis;
using medsa::annotations::CaseStatus;
using medsa::ui::MainWindow;
using medsa::ui::ProjectController;

namespace {

/// A project with two sphere volumes imported (caseA, caseB).
QString makeProject(const QTemporaryDir& dir) {
  const QString images = dir.filePath(QStringLiteral("images"));
  QDir().mkpath(images);
  int n = 0;
  for (const char* name : {"caseA.nii.gz", "caseB.nii.gz"}) {
    auto volume = makeSphereVolume();
    volume->setValue(0, 0, 0, 0, 0, ++n);  // different content: two cases, not one
    medsa::io::writeImage(*volume, (images + QLatin1Char('/') + QLatin1String(name)).toStdString());
  }
  const QString folder = dir.filePath(QStringLiteral("project"));
  medsa::annotations::LabelSet labels;
  labels.add(QStringLiteral("sphere"));
  auto store = medsa::annotations::ProjectStore::create(folder, QStringLiteral("Spheres"), labels);
  if (!store) return {};
  if (!medsa::annotations::importIntoProject(*store.value(), images)) return {};
  return folder;
}

bool openProject(MainWindow& window, const QString& folder) {
  QSignalSpy opened(window.project(), &ProjectController::opened);
  window.project()->open(folder);
  return opened.wait(10000);
}

/// The two-case project of makeProject, open in `window` (shown, autosaving into `dir`).
bool showProject(MainWindow& window, const QTemporaryDir& dir) {
  const QString folder = makeProject(dir);
  if (folder.isEmpty()) return false;
  showReadingWindow(window, dir.filePath(QStringLiteral("autosave")));
  return openProject(window, folder);
}

}  // namespace

class TestUiProject : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

  void activeTimeLeavesOutIdleStretches() {
    medsa::annotations::ActiveTime time(60);
    time.activity(0);
    time.activity(10);   // 10 s of work
    time.activity(200);  // a break of 190 s: not counted
    time.activity(230);  // 30 s
    QCOMPARE(time.seconds(), 40.0);
    QCOMPARE(time.take(), 40.0);
    QCOMPARE(time.seconds(), 0.0);
  }

  void annotateACaseThroughTheProject() {
    QTemporaryDir dir;
    MainWindow window;
    QVERIFY(showProject(window, dir));
    auto* panel = window.findChild<medsa::ui::ProjectPanel*>();
    QVERIFY(panel->isVisible());
    QCOMPARE(panel->table()->model()->rowCount(), 2);
    QVERIFY(window.project()->progressText().startsWith(QStringLiteral("0 of 2")));

    // Open the first case from the list.
    QSignalSpy loaded(&window, &MainWindow::imageLoaded);
    emit panel->caseActivated(window.project()->cases().front().id);
    QVERIFY(loaded.wait(10000));
    QTRY_VERIFY(window.project()->currentCase().has_value());
    QVERIFY(window.document()->path().endsWith(QStringLiteral("caseA.nii.gz")));
    QCOMPARE(window.document()->labelSet().labels().front().name, QStringLiteral("sphere"));
    QVERIFY(!window.session()->isModified());
    QTRY_COMPARE(window.project()->cases().front().status, CaseStatus::InProgress);

    // A click, accepted; saved as the case's first version.
    window.tools()->setTool(medsa::ui::Tool::Ai);
    window.tools()->addPoint(SliceAxis::Axial, 16, 32.5, 32.5, true);
    QTRY_VERIFY(!window.tools()->candidate().empty());
    QVERIFY(window.tools()->accept());
    QSignalSpy saved(&window, &MainWindow::labelsSaved);
    window.findChild<QAction*>(QStringLiteral("saveLabelsAction"))->trigger();
    QVERIFY(saved.wait(10000));
    QVERIFY(saved.first().first().toBool());
    QTRY_VERIFY(window.project()->cases().front().latest.has_value());
    QCOMPARE(window.project()->cases().front().latest->version, 1);

    // Done: the next unfinished case opens.
    window.findChild<QAction*>(QStringLiteral("markDoneAction"))->trigger();
    QTRY_VERIFY(window.document()->path().endsWith(QStringLiteral("caseB.nii.gz")));
    QTRY_COMPARE(window.project()->cases().front().status, CaseStatus::Done);
    QTRY_VERIFY(window.project()->progressText().startsWith(QStringLiteral("1 of 2")));

    // The log has the prompt, the engine's answer and the accept, with the predicted IoU.
    window.project()->flush();
    QTest::qWait(300);
    auto store = medsa::annotations::ProjectStore::open(window.project()->folder());
    const qint64 first = window.project()->cases().front().id;
    auto log = store.value()->interactions(first);
    QStringList kinds;
    for (const auto& entry : log.value()) kinds << entry.kind;
    QVERIFY2(kinds.contains(QStringLiteral("point")) &&
                 kinds.contains(QStringLiteral("prediction")) &&
                 kinds.contains(QStringLiteral("accept")),
             qPrintable(kinds.join(QLatin1Char(','))));
    QCOMPARE(store.value()->caseById(first)->clicks, qint64(1));

    // Filter and search.
    auto* filter = window.findChild<QComboBox*>(QStringLiteral("caseFilter"));
    filter->setCurrentIndex(filter->findText(QStringLiteral("done")));
    QCOMPARE(panel->table()->model()->rowCount(), 1);
    filter->setCurrentIndex(0);
    window.findChild<QLineEdit*>(QStringLiteral("caseSearch"))->setText(QStringLiteral("caseB"));
    QCOMPARE(panel->table()->model()->rowCount(), 1);
  }

  // Mark Done saves first; when that save ends after the user opened another case, the case
  // it was pressed on is the one marked done, and the window stays on the case now open.
  void markDoneMarksTheCaseItWasPressedOn() {
    QTemporaryDir dir;
    MainWindow window;
    QVERIFY(showProject(window, dir));
    window.setUnsavedLabelsAsker([](const QString&) { return medsa::ui::UnsavedChoice::Discard; });
    const qint64 a = window.project()->cases().front().id;
    const qint64 b = window.project()->cases().back().id;
    QSignalSpy loaded(&window, &MainWindow::imageLoaded);
    window.project()->openCase(a);
    QVERIFY(loaded.wait(10000));
    QTRY_COMPARE(window.project()->currentCase(), std::optional<qint64>(a));
    // Case A's save waits until the test lets it end.
    auto gate = std::make_shared<QSemaphore>(0);
    window.session()->setLabelTarget(
        {QStringLiteral("case A"),
         [gate](const medsa::annotations::LabelMap&,
                const medsa::annotations::LabelSet&) -> medsa::Result<QString> {
           gate->acquire();
           return QStringLiteral("case A, version 1");
         }});
    medsa::ui::Document& document = *window.document();
    medsa::annotations::LabelSlice slice = document.labels().slice(SliceAxis::Axial, 16).value();
    std::vector<std::uint8_t> mask(slice.values.size(), 1);
    QVERIFY(document.history()->apply(
        QStringLiteral("paint"), {medsa::annotations::paintChange(
                                     slice, SliceAxis::Axial, 16, mask, 1,
                                     medsa::annotations::PaintMode::Paint, document.labelSet())}));
    QVERIFY(window.session()->isModified());

    window.findChild<QAction*>(QStringLiteral("markDoneAction"))->trigger();
    auto* panel = window.findChild<medsa::ui::ProjectPanel*>();
    emit panel->caseActivated(b);  // unsaved still: the asker discards, case B opens
    QVERIFY(loaded.wait(10000));
    QTRY_COMPARE(window.project()->currentCase(), std::optional<qint64>(b));
    gate->release();
    const auto statusOf = [&window](qint64 id) {
      for (const auto& c : window.project()->cases())
        if (c.id == id) return c.status;
      return CaseStatus::New;
    };
    QTRY_COMPARE(statusOf(a), CaseStatus::Done);
    QTest::qWait(300);
    QVERIFY(statusOf(b) != CaseStatus::Done);
    QCOMPARE(window.project()->currentCase(), std::optional<qint64>(b));
    QVERIFY(window.document()->path().endsWith(QStringLiteral("caseB.nii.gz")));
  }

  // A project open, no case on screen yet: the view and the status bar say how to open one.
  void anOpenProjectWithoutACaseSaysHowToOpenOne() {
    QTemporaryDir dir;
    const QString folder = makeProject(dir);
    QVERIFY(!folder.isEmpty());
    MainWindow window;
    window.setAutosaveFolder(dir.filePath(QStringLiteral("autosave")));
    window.show();
    const QString opening = window.viewerArea()->placeholderHint();
    QVERIFY(opening.contains(QStringLiteral("Open")));
    QVERIFY(openProject(window, folder));
    QVERIFY2(window.viewerArea()->placeholderHint().contains(QStringLiteral("Cases list")),
             qPrintable(window.viewerArea()->placeholderHint()));
    QVERIFY(window.statusLine()->hint().contains(QStringLiteral("Next Case")));
    window.findChild<QAction*>(QStringLiteral("closeProjectAction"))->trigger();
    QTRY_COMPARE(window.viewerArea()->placeholderHint(), opening);
  }

  // A DICOM file imported on its own is a case of one file: the series UID it carries does not
  // make it another image (before, such a case never became current: no save into the
  // project, no Mark Done).
  void aDicomFileImportedAloneIsItsCase() {
    QTemporaryDir dir;
    const QString dicom = dir.filePath(QStringLiteral("dicom"));
    medsa::Image slice =
        medsa::Image::create({64, 64, 1, 1}, 1, medsa::PixelType::I16).value();  // one file
    for (std::size_t y = 0; y < 64; ++y)
      for (std::size_t x = 0; x < 64; ++x)
        slice.setValue(x, y, 0, 0, 0, std::hypot(x - 32.0, y - 32.0) <= 10 ? 200 : -800);
    QVERIFY(medsa::io::writeDicomSeries(slice, dicom.toStdString()));
    const QStringList files = QDir(dicom).entryList(QDir::Files, QDir::Name);
    QVERIFY(!files.isEmpty());
    const QString file = QDir(dicom).filePath(files.front());
    const QString folder = dir.filePath(QStringLiteral("project"));
    medsa::annotations::LabelSet labels;
    labels.add(QStringLiteral("sphere"));
    auto store = medsa::annotations::ProjectStore::create(folder, QStringLiteral("Files"), labels);
    QVERIFY(store);
    auto imported = medsa::annotations::importIntoProject(*store.value(), file);
    QVERIFY(imported);
    QCOMPARE(imported->size(), std::size_t(1));
    QCOMPARE(imported->front().record.series, QString());
    store.value().reset();

    MainWindow window;
    showReadingWindow(window, dir.filePath(QStringLiteral("autosave")));
    QVERIFY(openProject(window, folder));
    QSignalSpy loaded(&window, &MainWindow::imageLoaded);
    QVERIFY(window.project()->openCase(window.project()->cases().front().id));
    QVERIFY(loaded.wait(10000));
    QVERIFY(!window.document()->image()->metadata.seriesInstanceUid.empty());
    QTRY_VERIFY(window.project()->currentCase().has_value());
    QCOMPARE(*window.project()->currentCase(), window.project()->cases().front().id);
  }

  void reopeningReturnsToTheLastCaseAndOneWindowPerProject() {
    QTemporaryDir dir;
    const QString folder = makeProject(dir);
    {
      MainWindow window;
      showReadingWindow(window, dir.filePath(QStringLiteral("autosave")));
      QVERIFY(openProject(window, folder));
      QSignalSpy loaded(&window, &MainWindow::imageLoaded);
      window.project()->openCase(window.project()->cases().back().id);
      QVERIFY(loaded.wait(10000));
      QTRY_VERIFY(window.project()->currentCase().has_value());
      QTest::qWait(300);  // the user state is written on the project thread

      // A second window cannot open the same project.
      MainWindow second;
      QSignalSpy failed(second.project(), &ProjectController::failed);
      // The window shows the refusal in a message box: close it when it shows.
      QTimer::singleShot(200, [] {
        for (QWidget* w : QApplication::topLevelWidgets())
          if (auto* box = qobject_cast<QMessageBox*>(w); box && box->isVisible()) box->accept();
      });
      second.project()->open(folder);
      QCOMPARE(failed.count(), 1);
      QVERIFY(QString::fromStdString(failed.first().at(1).value<medsa::Error>().message)
                  .contains(QStringLiteral("another Med-SA Studio window")));
    }
    // Given on the command line (`medsa-studio PROJECT`), the project opens at that case too.
    QVERIFY(medsa::ui::isProjectLocation(folder));
    QVERIFY(medsa::ui::isProjectLocation(QStringLiteral("postgresql://me@db:5432/liver")));
    QVERIFY(!medsa::ui::isProjectLocation(dir.filePath(QStringLiteral("images"))));
    QVERIFY(!medsa::ui::isProjectLocation(dir.filePath(QStringLiteral("images/caseA.nii.gz"))));
    MainWindow window;
    showReadingWindow(window, dir.filePath(QStringLiteral("autosave")));
    QSignalSpy opened(window.project(), &ProjectController::opened);
    QSignalSpy loaded(&window, &MainWindow::imageLoaded);
    medsa::ui::StartRequest request;
    request.image = folder;
    request.askBeforeRecovery = false;
    medsa::ui::runStartup(window, request);
    QVERIFY(opened.wait(10000));
    QVERIFY(loaded.wait(10000));
    QTRY_VERIFY(window.document()->path().endsWith(QStringLiteral("caseB.nii.gz")));
  }
};

QTEST_MAIN(TestUiProject)
#include "test_ui_project.moc"
