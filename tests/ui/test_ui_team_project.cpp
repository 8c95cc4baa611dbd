// A team's project in the window (PostgreSQL, on the test cluster): Next Case takes a case nobody
// holds and the lease shows in everyone's case list; a case another annotator holds cannot be
// opened; another workstation's take reaches the list through a notification; a save made after
// someone else changed the case is refused and kept as a conflict version, never lost; closing
// the project gives the lease back.
#include <QAction>
#include <QApplication>
#include <QFont>
#include <QMessageBox>
#include <QSemaphore>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include "../annotations/test_database.h"
#include "medsa/annotations/label_edit.h"
#include "medsa/annotations/project_import.h"
#include "medsa/annotations/project_store.h"
#include "medsa/io/image_reader.h"
#include "medsa/io/image_writer.h"
#include "medsa/ui/case_list_model.h"
#include "medsa/ui/document.h"
#include "medsa/ui/document_session.h"
#include "medsa/ui/main_window.h"
#include "medsa/ui/project_controller.h"
#include "medsa/ui/tool_controller.h"
#include "reading_window_fixture.h"
#include "volume_fixture.h"

using medsa::SliceAxis;
using medsa::annotations::CaseRecord;
using medsa::annotations::LabelMap;
using medsa::annotations::ProjectStore;
using medsa::test::TestDatabase;
using medsa::ui::MainWindow;
using medsa::ui::ProjectController;

namespace {

/// Closes the message boxes the window shows and keeps their texts.
class BoxCloser : public QObject {
 public:
  QStringList texts;
  BoxCloser() {
    timer_.setInterval(100);
    QObject::connect(&timer_, &QTimer::timeout, this, [this] {
      for (QWidget* w : QApplication::topLevelWidgets())
        if (auto* box = qobject_cast<QMessageBox*>(w); box && box->isVisible()) {
          texts << box->text();
          box->accept();
        }
    });
    timer_.start();
  }

 private:
  QTimer timer_;
};

const CaseRecord* caseNamed(const ProjectController& project, const QString& name) {
  for (const CaseRecord& c : project.cases())
    if (c.name == name) return &c;
  return nullptr;
}

}  // namespace

class TestUiTeamProject : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

  void annotatorsShareAProjectThroughLeases() {
    TestDatabase database;
    MEDSA_NEED_DATABASE(database);
    QTemporaryDir dir;
    // The images under a data root (each workstation mounts it where it likes).
    const QString images = dir.filePath(QStringLiteral("data/images"));
    QDir().mkpath(images);
    int n = 0;
    for (const char* name : {"caseA.nii.gz", "caseB.nii.gz", "caseC.nii.gz"}) {
      auto volume = makeSphereVolume();
      volume->setValue(0, 0, 0, 0, 0, ++n);
      QVERIFY(medsa::io::writeImage(
          *volume, (images + QLatin1Char('/') + QLatin1String(name)).toStdString()));
    }
    qputenv("MEDSA_DATA_ROOT", dir.filePath(QStringLiteral("data")).toLocal8Bit());
    const QString url = database.url();
    medsa::annotations::LabelSet labels;
    labels.add(QStringLiteral("sphere"));
    ProjectStore::Options other;  // bob's workstation
    other.cacheFolder = dir.filePath(QStringLiteral("bob-cache"));
    {
      auto store = ProjectStore::create(url, QStringLiteral("Team"), labels, other);
      QVERIFY2(store, store ? "" : store.error().describe().c_str());
      QVERIFY(medsa::annotations::importIntoProject(*store.value(), images));
    }
    auto bob = std::move(ProjectStore::open(url, other)).value();
    const QString me = medsa::annotations::currentUser();
    const QString bobName = me + QStringLiteral("-bob");

    BoxCloser boxes;
    MainWindow window;
    showReadingWindow(window, dir.filePath(QStringLiteral("autosave")));
    QSignalSpy opened(window.project(), &ProjectController::opened);
    window.project()->open(url);
    QVERIFY(opened.wait(20000));
    QVERIFY(window.project()->isShared());
    QCOMPARE(window.project()->cases().size(), std::size_t(3));

    // Next Case: the first free case, now held by this window's user for everyone to see.
    QSignalSpy loaded(&window, &MainWindow::imageLoaded);
    window.findChild<QAction*>(QStringLiteral("nextCaseAction"))->trigger();
    QVERIFY(loaded.wait(20000));
    QVERIFY(window.document()->path().endsWith(QStringLiteral("caseA.nii.gz")));
    const qint64 a = caseNamed(*window.project(), QStringLiteral("caseA"))->id;
    const qint64 b = caseNamed(*window.project(), QStringLiteral("caseB"))->id;
    QCOMPARE(bob->caseById(a)->leaseHolder, me);
    QVERIFY(!bob->takeCase(a, bobName, 60));  // held: nobody else gets it

    // bob takes caseB: the window hears of it and shows who is annotating it.
    QVERIFY(bob->takeCase(b, bobName, 60));
    QTRY_VERIFY_WITH_TIMEOUT(
        caseNamed(*window.project(), QStringLiteral("caseB"))->leaseHolder == bobName, 10000);
    medsa::ui::CaseListModel model(window.project());
    bool shown = false;
    for (int row = 0; row < model.rowCount(); ++row)
      shown |= model.index(row, medsa::ui::CaseListModel::AssigneeColumn)
                   .data()
                   .toString()
                   .contains(bobName + QStringLiteral(" (annotating)"));
    QVERIFY(shown);
    for (int row = 0; row < model.rowCount(); ++row) {  // greyed and italic: someone else's
      const QModelIndex name = model.index(row, medsa::ui::CaseListModel::NameColumn);
      const bool bobs = name.data().toString() == QStringLiteral("caseB");
      QCOMPARE(name.data(Qt::FontRole).value<QFont>().italic(), bobs);
      QVERIFY(!bobs || name.data(Qt::ToolTipRole).toString().contains(bobName));
    }
    // ... and cannot open it.
    QSignalSpy failed(window.project(), &ProjectController::failed);
    window.project()->openCase(b);
    QVERIFY(failed.wait(10000));
    QVERIFY(QString::fromStdString(failed.last().at(1).value<medsa::Error>().message)
                .contains(bobName));

    // A click, accepted, saved: the case's first version.
    window.tools()->setTool(medsa::ui::Tool::Ai);
    window.tools()->addPoint(SliceAxis::Axial, 16, 32.5, 32.5, true);
    QTRY_VERIFY(!window.tools()->candidate().empty());
    QVERIFY(window.tools()->accept());
    QSignalSpy saved(&window, &MainWindow::labelsSaved);
    window.findChild<QAction*>(QStringLiteral("saveLabelsAction"))->trigger();
    QVERIFY(saved.wait(10000));
    QVERIFY(saved.last().first().toBool());
    QCOMPARE(bob->caseById(a)->latest->version, 1);

    // Meanwhile the lease lapses, and bob takes caseA, changes it and gives it back: the
    // window's next save is refused (the case changed since its edit began) and kept as a
    // conflict version; bob's labels stay the case's labels.
    QVERIFY(bob->releaseCase(a, me));
    QVERIFY(bob->takeCase(a, bobName, 60));
    const LabelMap bobs = LabelMap::createFor(*window.document()->image()).value();
    auto bobSaved = bob->saveLabels(a, bobs, labels, bobName, 1);
    QVERIFY(bobSaved && bobSaved->conflict.isEmpty());
    QVERIFY(bob->releaseCase(a, bobName));  // free again: only the version tells the change
    window.tools()->addPoint(SliceAxis::Axial, 16, 20.5, 20.5, true);
    QTRY_VERIFY(!window.tools()->candidate().empty());
    QVERIFY(window.tools()->accept());
    saved.clear();
    window.findChild<QAction*>(QStringLiteral("saveLabelsAction"))->trigger();
    QVERIFY(saved.wait(10000));
    QVERIFY(!saved.last().first().toBool());
    QTRY_VERIFY(boxes.texts.join(QLatin1Char('\n')).contains(QStringLiteral("conflict version")));
    QCOMPARE(bob->caseById(a)->latest->version, bobSaved->version);
    auto versions = bob->labelVersions(a).value();
    QCOMPARE(versions.size(), std::size_t(3));
    QCOMPARE(versions.back().savedBy, me);
    QVERIFY(!versions.back().conflict.isEmpty());
    // The conflict's file reaches bob's workstation through the database.
    QVERIFY(!QFileInfo::exists(versions.back().path));
    QCOMPARE(bob->labelFile(versions.back()).value(), versions.back().path);
    QVERIFY(QFileInfo(versions.back().path).size() > 0);
    QVERIFY(window.session()->isModified());  // the user's edit is still on screen

    // Moving on takes the next case; closing the project gives it back.
    window.session()->discardChanges();
    const qint64 c = caseNamed(*window.project(), QStringLiteral("caseC"))->id;
    loaded.clear();
    window.project()->openCase(c);
    QVERIFY(loaded.wait(20000));
    QTRY_COMPARE(bob->caseById(c)->leaseHolder, me);

    // Opening caseA takes its lease (and gives caseC back) before its image is read. Edited
    // while it is read, the user is asked again and stays on caseC: caseC is current again and
    // held again, caseA free.
    auto gate = std::make_shared<QSemaphore>(0);
    window.setImageReader([gate](const std::string&, const std::string&, medsa::ProgressSink*,
                                 medsa::CancellationToken) -> medsa::Result<medsa::Image> {
      gate->acquire();
      return *makeSphereVolume();
    });
    int asked = 0;
    window.setUnsavedLabelsAsker([&asked](const QString&) {
      ++asked;
      return medsa::ui::UnsavedChoice::Cancel;
    });
    window.project()->openCase(a);
    QTRY_VERIFY_WITH_TIMEOUT(bob->caseById(a)->leaseHolder == me, 10000);
    medsa::ui::Document& document = *window.document();
    medsa::annotations::LabelSlice slice = document.labels().slice(SliceAxis::Axial, 16).value();
    const std::vector<std::uint8_t> everywhere(slice.values.size(), 1);
    QVERIFY(document.history()->apply(
        QStringLiteral("paint"), {medsa::annotations::paintChange(
                                     slice, SliceAxis::Axial, 16, everywhere, 1,
                                     medsa::annotations::PaintMode::Paint, document.labelSet())}));
    gate->release();
    QTRY_COMPARE_WITH_TIMEOUT(asked, 1, 20000);
    QTRY_COMPARE_WITH_TIMEOUT(bob->caseById(c)->leaseHolder, me, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(bob->caseById(a)->leaseHolder.isEmpty(), 10000);
    QCOMPARE(window.project()->currentCase(), std::optional<qint64>(c));
    QVERIFY(window.document()->path().endsWith(QStringLiteral("caseC.nii.gz")));
    QVERIFY(window.session()->isModified());
    window.session()->discardChanges();
    window.project()->close();
    QTRY_VERIFY_WITH_TIMEOUT(bob->caseById(c)->leaseHolder.isEmpty(), 5000);
    qunsetenv("MEDSA_DATA_ROOT");
  }
};

QTEST_MAIN(TestUiTeamProject)
#include "test_ui_team_project.moc"
