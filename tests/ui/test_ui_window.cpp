// The window as a new user meets it: keys go to the widget that has the keyboard, the status
// bar's parts never cover each other and say what is current, the first start fits the screen
// and says what to do, labels are removed with care, and dialogs show what tells things apart.
#include <QAction>
#include <QApplication>
#include <QDialogButtonBox>
#include <QGuiApplication>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QScreen>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolBar>
#include <QTranslator>
#include <QUndoStack>

#include "fake_engine.h"
#include "medsa/ui/document.h"
#include "medsa/ui/document_session.h"
#include "medsa/ui/error_text.h"
#include "medsa/ui/main_window.h"
#include "medsa/ui/propagation_controller.h"
#include "medsa/ui/propagation_settings_dialog.h"
#include "medsa/ui/series_picker_dialog.h"
#include "medsa/ui/slice_view.h"
#include "medsa/ui/status_line.h"
#include "medsa/ui/tool_controller.h"
#include "medsa/ui/viewer_area.h"
#include "medsa/ui/window_geometry.h"
#include "view_input.h"
#include "volume_fixture.h"
#include "window_fixture.h"

using medsa::SliceAxis;
using medsa::ui::MainWindow;
using medsa::ui::SliceView;
using medsa::ui::Tool;

namespace {

medsa::ui::EngineFactory fakeEngine() {
  return []() -> medsa::Result<std::unique_ptr<medsa::SegmentationEngine>> {
    return std::unique_ptr<medsa::SegmentationEngine>(new FakeEngine());
  };
}

QTableWidget* labelTable(MainWindow& window) {
  return window.findChild<QTableWidget*>(QStringLiteral("labelTable"));
}

/// Types into whatever has the keyboard, as a keyboard does.
void typeIntoFocus(const QString& text) {
  for (const QChar c : text) QTest::keyClick(QApplication::focusWidget(), c.toLatin1());
}

void answerMessageBoxes(QMessageBox::StandardButton button) {
  QTimer::singleShot(150, [button] {
    for (QWidget* w : QApplication::topLevelWidgets())
      if (auto* box = qobject_cast<QMessageBox*>(w); box && box->isVisible())
        box->button(button)->click();
  });
}

}  // namespace

class TestUiWindow : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
  void init() { QSettings().clear(); }

  // --- keys ---

  void enterInTheLabelEditorRenamesAndAcceptsNothing() {
    QTemporaryDir dir;
    MainWindow window;
    showSphereWithEngine(window, dir.path(), fakeEngine());
    window.tools()->setTool(Tool::Ai);
    window.tools()->addPoint(SliceAxis::Axial, 16, 32.5, 32.5, true);
    QTRY_VERIFY(!window.tools()->candidate().empty());
    QTableWidget* table = labelTable(window);
    table->setFocus();
    table->editItem(table->item(0, 1));
    QTRY_VERIFY(qobject_cast<QLineEdit*>(QApplication::focusWidget()));
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_A, Qt::ControlModifier);
    typeIntoFocus(QStringLiteral("liver"));
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Return);
    // The delegate commits on Return from the event loop.
    QTRY_COMPARE(window.document()->labelSet().labels().front().name, QStringLiteral("liver"));
    QVERIFY(!qobject_cast<QLineEdit*>(QApplication::focusWidget()));  // the editor closed
    QVERIFY(!window.tools()->candidate().empty());                    // not accepted
    QCOMPARE(window.document()->labels().count(1), std::size_t(0));
    // Tool letters typed into an editor are text, not tools.
    QCOMPARE(window.tools()->tool(), Tool::Ai);
  }

  void upAndDownInTheLabelListMoveTheRowNotTheSlice() {
    QTemporaryDir dir;
    MainWindow window;
    showSphereWithEngine(window, dir.path(), fakeEngine());
    medsa::annotations::LabelSet set = window.document()->labelSet();
    set.add(QStringLiteral("second"));
    window.document()->setLabelSet(set);
    QTableWidget* table = labelTable(window);
    table->setFocus();
    table->setCurrentCell(0, 1);
    const std::size_t slice = window.document()->sliceIndex(SliceAxis::Axial);
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Down);
    QCOMPARE(table->currentRow(), 1);
    QCOMPARE(window.document()->activeLabel(), quint16(2));
    QCOMPARE(window.document()->sliceIndex(SliceAxis::Axial), slice);
    // In the view, the same key scrolls.
    SliceView* axial = window.viewerArea()->view(SliceAxis::Axial);
    axial->setFocus();
    QTRY_VERIFY(axial->hasFocus());
    QTest::keyClick(axial, Qt::Key_Up);
    QCOMPARE(window.document()->sliceIndex(SliceAxis::Axial), slice + 1);
  }

  void saveAsHasAShortcutOnEveryDesktop() {
    MainWindow window;
    QCOMPARE(window.findChild<QAction*>(QStringLiteral("saveLabelsAsAction"))->shortcut(),
             QKeySequence(QStringLiteral("Ctrl+Shift+S")));
  }

  void tabWithSeveralPointsSaysWhyAndNextCaseWithoutAFolderToo() {
    QTemporaryDir dir;
    MainWindow window;
    showSphereWithEngine(window, dir.path(), fakeEngine());
    SliceView* axial = window.viewerArea()->view(SliceAxis::Axial);
    axial->setFocus();
    window.tools()->setTool(Tool::Ai);
    window.tools()->addPoint(SliceAxis::Axial, 16, 32.5, 32.5, true);
    window.tools()->addPoint(SliceAxis::Axial, 16, 30.5, 30.5, true);
    QTRY_VERIFY(!window.tools()->candidate().empty() && !window.tools()->isPredicting());
    QTest::keyClick(axial, Qt::Key_Tab);
    QVERIFY2(window.statusLine()->message().contains(QStringLiteral("Only one candidate")),
             qPrintable(window.statusLine()->message()));
    QVERIFY(!window.openNeighbourCase(+1));  // the demo has no folder
    QVERIFY(window.statusLine()->message().contains(QStringLiteral("the demo")));
  }

  // --- the status bar ---

  void statusPartsKeepTheirPlacesAndSayWhatIsCurrent() {
    QTemporaryDir dir;
    MainWindow window;
    showSphereWithEngine(window, dir.path(), fakeEngine());
    SliceView* axial = window.viewerArea()->view(SliceAxis::Axial);
    auto* message = window.findChild<QLabel*>(QStringLiteral("statusMessage"));
    auto* position = window.findChild<QLabel*>(QStringLiteral("positionLabel"));
    QTest::mouseMove(axial, at(axial, 32.5, 32.5));
    QTRY_VERIFY(window.statusLine()->position().contains(QStringLiteral("16)")));
    window.statusLine()->showMessage(
        QStringLiteral("a long message about something that happened"));
    QVERIFY(position->isVisible());
    QVERIFY(!message->geometry().intersects(position->geometry()));
    // A wheel step changes the voxel under the mouse: the readout follows.
    QWheelEvent wheel(at(axial, 32.5, 32.5), axial->mapToGlobal(at(axial, 32.5, 32.5)), {},
                      {0, 120}, Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(axial, &wheel);
    QTRY_VERIFY2(window.statusLine()->position().contains(QStringLiteral("17)")),
                 qPrintable(window.statusLine()->position()));
    // The latency goes with the prompt it measured.
    window.tools()->setTool(Tool::Ai);
    window.tools()->addPoint(SliceAxis::Axial, 17, 32.5, 32.5, true);
    QTRY_VERIFY(window.statusLine()->latency().contains(QStringLiteral("ms")));
    QVERIFY2(window.statusLine()->latency().startsWith(QStringLiteral("click")),
             qPrintable(window.statusLine()->latency()));
    window.tools()->discard();
    QVERIFY(!window.statusLine()->latency().contains(QStringLiteral("ms")));
    // ... and names it: a box is timed as a box.
    window.tools()->setBox(SliceAxis::Axial, 17, {20, 20, 44, 44});
    QTRY_VERIFY2(window.statusLine()->latency().startsWith(QStringLiteral("box")),
                 qPrintable(window.statusLine()->latency()));
  }

  void openingMessageEndsWithTheOpening() {
    QTemporaryDir dir;
    MainWindow window;
    window.setAutosaveFolder(dir.path());
    window.setImageReader([](const std::string&, const std::string&, medsa::ProgressSink*,
                             medsa::CancellationToken) -> medsa::Result<medsa::Image> {
      return *makeSphereVolume();
    });
    window.show();
    QSignalSpy loaded(&window, &MainWindow::imageLoaded);
    window.openPath(dir.filePath(QStringLiteral("ct.nii")));
    QVERIFY(window.statusLine()->message().startsWith(QStringLiteral("Opening")));
    QVERIFY(loaded.wait(5000));
    QTRY_VERIFY(!window.statusLine()->message().startsWith(QStringLiteral("Opening")));
  }

  // --- first start ---

  void theFirstWindowFitsTheScreenAndSaysWhatToDo() {
    MainWindow window;
    medsa::ui::restoreWindowGeometry(window);
    const QRect available = window.screen()->availableGeometry();
    QVERIFY(window.width() < available.width());
    QVERIFY(window.height() <= available.height() * 0.95);
    QVERIFY(available.contains(window.geometry()));
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    // Nothing open: the status bar and the view say how to start; the tool bar has Open.
    QVERIFY(window.statusLine()->message().contains(QStringLiteral("Open")));
    QVERIFY(!window.viewerArea()->placeholderHint().isEmpty());
    auto* toolBar = window.findChild<QToolBar*>(QStringLiteral("toolBar"));
    QVERIFY(toolBar->actions().contains(window.findChild<QAction*>(QStringLiteral("openAction"))));
    // The geometry is remembered.
    window.resize(700, 500);
    window.move(available.topLeft() + QPoint(20, 20));
    window.close();
    MainWindow next;
    medsa::ui::restoreWindowGeometry(next);
    QCOMPARE(next.size(), QSize(700, 500));
  }

  void hintsFollowTheWorkAndTheTitleMarksUnsavedLabels() {
    QTemporaryDir dir;
    MainWindow window;
    showSphereWithEngine(window, dir.path(), fakeEngine());
    QVERIFY(window.statusLine()->hint().contains(QStringLiteral("click a structure")));
    QVERIFY(window.windowTitle().contains(QStringLiteral("[*]")));
    QVERIFY(!window.isWindowModified());
    window.tools()->setTool(Tool::Ai);
    window.tools()->addPoint(SliceAxis::Axial, 16, 32.5, 32.5, true);
    QTRY_VERIFY(window.statusLine()->hint().contains(QStringLiteral("Enter accepts")));
    QVERIFY(window.tools()->accept());
    QVERIFY(window.statusLine()->hint().isEmpty());
    QVERIFY(window.isWindowModified());
  }

  // --- labels ---

  void removingALabelAsksErasesItsVoxelsAndUndoes() {
    QTemporaryDir dir;
    MainWindow window;
    showSphereWithEngine(window, dir.path(), fakeEngine());
    medsa::annotations::LabelSet set = window.document()->labelSet();
    const quint16 second = set.add(QStringLiteral("tumour"));
    window.document()->setLabelSet(set);
    window.document()->setActiveLabel(second);
    window.tools()->setTool(Tool::Ai);
    window.tools()->addPoint(SliceAxis::Axial, 16, 32.5, 32.5, true);
    QTRY_VERIFY(!window.tools()->candidate().empty());
    QVERIFY(window.tools()->accept());
    const std::size_t voxels = window.document()->labels().count(second);
    QVERIFY(voxels > 0);
    auto* remove = window.findChild<QPushButton*>(QStringLiteral("removeLabelButton"));
    answerMessageBoxes(QMessageBox::Cancel);
    remove->click();
    QCOMPARE(window.document()->labels().count(second), voxels);
    answerMessageBoxes(QMessageBox::Yes);
    remove->click();
    QCOMPARE(window.document()->labels().count(second), std::size_t(0));
    QVERIFY(!window.document()->labelSet().find(second));
    window.document()->history()->stack()->undo();
    QCOMPARE(window.document()->labels().count(second), voxels);
    QVERIFY(window.document()->labelSet().find(second));
  }

  void theSelectedRowShowsItsColour() {
    QTemporaryDir dir;
    MainWindow window;
    showSphereWithEngine(window, dir.path(), fakeEngine());
    QTableWidget* table = labelTable(window);
    table->setFocus();
    table->selectRow(0);
    const QColor colour = window.document()->labelSet().labels().front().colour;
    const QRect cell = table->visualItemRect(table->item(0, 0));
    const QImage shown = table->viewport()->grab(cell).toImage();
    int matching = 0;
    for (int y = 0; y < shown.height(); ++y)
      for (int x = 0; x < shown.width(); ++x) {
        const QColor c(shown.pixel(x, y));
        if (std::abs(c.red() - colour.red()) + std::abs(c.green() - colour.green()) +
                std::abs(c.blue() - colour.blue()) <
            30)
          ++matching;
      }
    QVERIFY2(matching > 20, qPrintable(QString::number(matching)));
  }

  // --- messages and dialogs ---

  void propagationReportsSlicesAsTheViewsCountThem() {
    using medsa::annotations::PropagationStop;
    const QString low =
        medsa::ui::PropagationController::describeStop({PropagationStop::LowIou, 0, 0.123456});
    QVERIFY2(low.contains(QStringLiteral("slice 1,")), qPrintable(low));
    QVERIFY2(low.contains(QStringLiteral("0.12")) && !low.contains(QStringLiteral("0.123")),
             qPrintable(low));
  }

  void propagationSettingsHaveUnitsAndSensibleLimits() {
    medsa::ui::PropagationSettingsDialog dialog(medsa::annotations::PropagationRequest{}, nullptr);
    auto* pixels = dialog.findChild<QSpinBox*>(QStringLiteral("minPixels"));
    auto* slices = dialog.findChild<QSpinBox*>(QStringLiteral("maxSlices"));
    pixels->setValue(1);
    QVERIFY(!pixels->text().contains(QStringLiteral("pixels")));  // no "1 pixels"
    QVERIFY(slices->maximum() <= 4096);
    QCOMPARE(slices->text(), QStringLiteral("no limit"));
  }

  void theSeriesPickerTellsSeriesApart() {
    std::vector<medsa::ui::SeriesEntry> series{
        {QStringLiteral("1.2.3.4.5.1"), QStringLiteral("T1"), QStringLiteral("MR"), 3, 256, 256,
         120, 120, QStringLiteral("sagittal"), QStringLiteral("101500")},
        {QStringLiteral("1.2.3.4.5.2"), QStringLiteral("T1"), QStringLiteral("MR"), 4, 256, 256, 40,
         40, QStringLiteral("axial"), QStringLiteral("102210.5")}};
    medsa::ui::SeriesPickerDialog picker(QStringLiteral("/data/mr"), series);
    QTableWidget* table = picker.table();
    QStringList first, second;
    for (int c = 0; c < table->columnCount() - 1; ++c) {  // all but the UID
      first << table->item(0, c)->text();
      second << table->item(1, c)->text();
    }
    QVERIFY(first != second);
    QVERIFY(first.contains(QStringLiteral("sagittal")));
    QVERIFY(second.contains(QStringLiteral("10:22:10")));
    QVERIFY(picker.height() >= 360);
  }

  void theShortcutsDialogShowsWholeKeysOnce() {
    MainWindow window;
    QStringList keys;
    int keyColumnWidth = 0, keyColumnWanted = 0;
    QTimer::singleShot(0, &window, [&] {
      auto* dialog = window.findChild<QDialog*>(QStringLiteral("shortcutsDialog"));
      if (!dialog) return;
      auto* table = dialog->findChild<QTableWidget*>(QStringLiteral("shortcutsTable"));
      for (int r = 0; r < table->rowCount(); ++r) keys << table->item(r, 1)->text();
      keyColumnWidth = table->columnWidth(1);
      keyColumnWanted = table->horizontalHeader()->sectionSizeHint(1);
      for (int r = 0; r < table->rowCount(); ++r)
        keyColumnWanted = std::max(
            keyColumnWanted, table->fontMetrics().horizontalAdvance(table->item(r, 1)->text()));
      dialog->reject();
    });
    window.findChild<QAction*>(QStringLiteral("shortcutsAction"))->trigger();
    QVERIFY(keyColumnWidth >= keyColumnWanted);
    // Image keys (on the views) are listed too; Return and Enter are two keys, each once.
    QVERIFY(keys.contains(QStringLiteral("Return, Enter")));
    for (const QString& k : keys) {
      const QStringList parts = k.split(QStringLiteral(", "));
      QCOMPARE(QSet<QString>(parts.begin(), parts.end()).size(), parts.size());
    }
  }

  void errorsSayWhatHappenedInTheUsersLanguage() {
    const medsa::Error error{medsa::ErrorCode::CorruptData, "bad tag", "/data/x.dcm"};
    const QString english = medsa::ui::errorText(error, QStringLiteral("Try another file."));
    QVERIFY(english.startsWith(QStringLiteral("The file is damaged.")));
    QVERIFY(english.contains(QStringLiteral("/data/x.dcm")));
    QVERIFY(english.contains(QStringLiteral("Try another file.")));
    QTranslator translator;
    QVERIFY(translator.load(QStringLiteral(MEDSA_QM_DIR "/medsa_zh_CN.qm")));
    QCoreApplication::installTranslator(&translator);
    const QString chinese = medsa::ui::errorSummary(error);
    QCoreApplication::removeTranslator(&translator);
    QVERIFY(chinese != medsa::ui::errorSummary(error));
  }
};

QTEST_MAIN(TestUiWindow)
#include "test_ui_window.moc"
