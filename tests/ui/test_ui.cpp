#include <QAction>
#include <QApplication>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTimer>
#include <QToolButton>
#include <QTranslator>
#include <QUndoStack>

#include <cmath>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

#include "fake_engine.h"
#include "medsa/annotations/label_edit.h"
#include "medsa/ui/document.h"
#include "medsa/ui/document_session.h"
#include "medsa/ui/main_window.h"
#include "medsa/ui/series_picker_dialog.h"
#include "medsa/ui/slice_view.h"
#include "medsa/ui/status_line.h"
#include "medsa/ui/tool_controller.h"
#include "medsa/ui/viewer_area.h"
#include "view_input.h"
#include "volume_fixture.h"
#include "window_fixture.h"

using medsa::SliceAxis;
using medsa::ui::MainWindow;
using medsa::ui::SliceView;
using medsa::ui::Tool;

namespace {

/// Counts paint events per view (the views' "axis" property).
class PaintCounter : public QObject {
 public:
  explicit PaintCounter(std::map<SliceAxis, int>& paints) : paints_(paints) {}
  bool eventFilter(QObject* watched, QEvent* event) override {
    if (event->type() == QEvent::Paint)
      ++paints_[static_cast<SliceAxis>(watched->property("axis").toInt())];
    return false;
  }

 private:
  std::map<SliceAxis, int>& paints_;
};

// A window showing the sphere volume with the fake engine loaded and autosaves in `folder`.
void prepare(MainWindow& window, const QString& folder, std::atomic<int>* predicts = nullptr) {
  showSphereWithEngine(
      window, folder, [predicts]() -> medsa::Result<std::unique_ptr<medsa::SegmentationEngine>> {
        return std::unique_ptr<medsa::SegmentationEngine>(new FakeEngine(nullptr, predicts));
      });
  QVERIFY(window.document()->hasImage());
  QCoreApplication::processEvents();
}

// Two series in a folder: a 64 x 64 x 32 CT (the larger) and a 40 x 30 single-image scout.
std::vector<medsa::ui::SeriesEntry> twoSeries() {
  return {{QStringLiteral("1.2.826.0.1.1"), QStringLiteral("Chest CT"), QStringLiteral("CT"), 2, 64,
           64, 32},
          {QStringLiteral("1.2.826.0.1.2"), QStringLiteral("Scout"), QStringLiteral("CT"), 1, 30,
           40, 1}};
}

// A reader that records which series it was asked for and returns an image of that series'
// size (the sphere for the CT, a flat 40 x 30 picture for the scout).
struct SeriesReader {
  struct Calls {
    std::mutex mutex;
    std::vector<std::pair<std::string, std::string>> list;  // (path, series)
  };
  std::shared_ptr<Calls> calls = std::make_shared<Calls>();
  medsa::ui::ImageReader reader() const {
    return [calls = calls](const std::string& path, const std::string& series, medsa::ProgressSink*,
                           medsa::CancellationToken) -> medsa::Result<medsa::Image> {
      std::lock_guard lock(calls->mutex);
      calls->list.emplace_back(path, series);
      if (series == "1.2.826.0.1.2")
        return medsa::Image::create({40, 30, 1, 1}, 1, medsa::PixelType::U8);
      return *makeSphereVolume();
    };
  }
  std::vector<std::pair<std::string, std::string>> list() const {
    std::lock_guard lock(calls->mutex);
    return calls->list;
  }
};

// Runs `act` on the series picker once it shows: it is modal, so the test cannot wait for it.
void whenPickerShows(std::function<void(QDialog*)> act) {
  auto* timer = new QTimer;
  auto tries = std::make_shared<int>(0);
  QObject::connect(timer, &QTimer::timeout, [timer, act, tries] {
    for (QWidget* widget : QApplication::topLevelWidgets()) {
      auto* dialog = qobject_cast<QDialog*>(widget);
      if (dialog && dialog->isVisible() &&
          dialog->objectName() == QStringLiteral("seriesPickerDialog")) {
        timer->deleteLater();
        timer->stop();
        act(dialog);
        return;
      }
    }
    if (++*tries > 500) {  // 10 s: the test fails on its own wait
      timer->stop();
      timer->deleteLater();
    }
  });
  timer->start(20);
}

std::size_t labelled(MainWindow& window, quint16 value) {
  return window.document()->labels().count(value);
}

// A new label, one brush dab of it at the middle of the slice, then the label locked.
quint16 addLockedBrushDab(MainWindow& window, SliceView* view) {
  medsa::annotations::LabelSet set = window.document()->labelSet();
  const quint16 label = set.add(QStringLiteral("locked organ"));
  window.document()->setLabelSet(set);
  window.document()->setActiveLabel(label);
  QTest::keyClick(view, Qt::Key_B);
  QTest::mouseClick(view, Qt::LeftButton, {}, at(view, 32, 32));
  set = window.document()->labelSet();
  set.find(label)->locked = true;
  window.document()->setLabelSet(set);
  return label;
}

}  // namespace

class TestUi : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    // Keep settings and autosaves of the person running the tests untouched.
    QStandardPaths::setTestModeEnabled(true);
  }

  void mainWindowHasMenusViewerAndStatusBar() {
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));

    QCOMPARE(window.windowTitle(), QStringLiteral("Med-SA Studio"));
    QVERIFY(window.findChild<QMenu*>(QStringLiteral("fileMenu")));
    QVERIFY(window.findChild<QMenu*>(QStringLiteral("helpMenu")));
    QVERIFY(window.findChild<QAction*>(QStringLiteral("aboutAction")));

    auto* viewer = qobject_cast<medsa::ui::ViewerArea*>(window.centralWidget());
    QVERIFY(viewer);
    QCOMPARE(viewer, window.viewerArea());
    QVERIFY(viewer->isVisible());
    QCOMPARE(viewer->placeholderText(), QStringLiteral("No image open"));

    QVERIFY(window.statusBar()->isVisible());
    // With nothing open, the status bar says how to start.
    QVERIFY(window.statusLine()->message().contains(QStringLiteral("Open Image")));
    window.setEngineDescription(QStringLiteral("LibTorch 1.13.1 \u00b7 CPU \u00b7 2 threads"));
    QCOMPARE(window.findChild<QLabel*>(QStringLiteral("engineLabel"))->text(),
             window.engineDescription());
  }

  void viewerPaintsPlaceholderOnBlack() {
    medsa::ui::ViewerArea viewer;
    viewer.resize(400, 300);
    const QImage image = viewer.grab().toImage();
    QCOMPARE(image.pixelColor(2, 2), QColor(Qt::black));
    // The centred hint is drawn in a light grey: some pixel near the middle must be lit.
    bool textDrawn = false;
    for (int y = 110; y < 190 && !textDrawn; ++y)
      for (int x = 100; x < 300 && !textDrawn; ++x) textDrawn = qGray(image.pixel(x, y)) > 60;
    QVERIFY(textDrawn);
  }

  void chineseTranslationCoversTheWindow() {
    // Every action and menu a user can see, in English and in Chinese, side by side: windows
    // are built the same way, so their actions come in the same order.
    MainWindow english;
    QTranslator translator;
    QVERIFY(translator.load(QStringLiteral(MEDSA_QM_DIR "/medsa_zh_CN.qm")));
    QCoreApplication::installTranslator(&translator);
    MainWindow chinese;
    QCOMPARE(chinese.viewerArea()->placeholderText(),
             QStringLiteral("\u672a\u6253\u5f00\u56fe\u50cf"));
    QCOMPARE(chinese.findChild<QMenu*>(QStringLiteral("fileMenu"))->title(),
             QStringLiteral("\u6587\u4ef6(&F)"));
    // File names in Open Recent are not words to translate.
    const auto notRecent = [](QMainWindow& window) {
      QList<QAction*> actions = window.findChildren<QAction*>();
      const QList<QAction*> recent =
          window.findChild<QMenu*>(QStringLiteral("recentMenu"))->actions();
      actions.removeIf([&recent](QAction* a) { return recent.contains(a); });
      return actions;
    };
    const QList<QAction*> en = notRecent(english);
    const QList<QAction*> zh = notRecent(chinese);
    QCOMPARE(en.size(), zh.size());
    QStringList untranslated;
    for (int i = 0; i < en.size(); ++i) {
      if (en[i]->isSeparator() || en[i]->text().isEmpty()) continue;
      if (en[i]->text() == QStringLiteral("About &Qt")) continue;  // Qt's own translations
      if (en[i]->text() == zh[i]->text()) untranslated << en[i]->text();
      // Tool bar labels carry no mnemonic in any language.
      QVERIFY2(!zh[i]->iconText().contains(QLatin1Char('&')), qPrintable(zh[i]->iconText()));
    }
    for (QMenu* menu : english.findChildren<QMenu*>()) {
      QMenu* other = chinese.findChild<QMenu*>(menu->objectName());
      if (!menu->objectName().isEmpty() && other && menu->title() == other->title())
        untranslated << menu->title();
    }
    QVERIFY(chinese.statusLine()->message() != english.statusLine()->message());
    QCoreApplication::removeTranslator(&translator);
    QVERIFY2(untranslated.isEmpty(), qPrintable(untranslated.join(QStringLiteral(" | "))));
  }

  void clickCandidateAcceptUndo() {
    QTemporaryDir dir;
    MainWindow window;
    prepare(window, dir.path());
    SliceView* axial = window.viewerArea()->view(SliceAxis::Axial);
    QVERIFY(axial->isVisible());
    QTest::keyClick(axial, Qt::Key_A);
    QCOMPARE(window.tools()->tool(), Tool::Ai);

    // One click: three candidates (multimask), the best shown.
    QTest::mouseClick(axial, Qt::LeftButton, {}, at(axial, 32.5, 32.5));
    QTRY_VERIFY(!window.tools()->candidate().empty());
    QCOMPARE(window.tools()->candidateCount(), 3);
    QCOMPARE(window.tools()->candidateIndex(), 1);
    QTest::keyClick(axial, Qt::Key_Tab);
    QCOMPARE(window.tools()->candidateIndex(), 2);
    QVERIFY(!window.findChild<QLabel*>(QStringLiteral("latencyLabel"))->text().isEmpty());

    // A second (negative) click re-runs the decoder with the previous logits fed back.
    QTest::mouseClick(axial, Qt::RightButton, {}, at(axial, 34.5, 32.5));
    QTRY_COMPARE(window.tools()->candidateCount(), 1);
    QCOMPARE(window.tools()->points().size(), std::size_t(2));
    const std::size_t area = medsa::annotations::area(window.tools()->candidate());
    QVERIFY2(area > 30 && area < 113, qPrintable(QString::number(area)));  // disc minus notch

    QCOMPARE(labelled(window, 1), std::size_t(0));
    QTest::keyClick(axial, Qt::Key_Return);
    QCOMPARE(labelled(window, 1), area);
    QVERIFY(window.tools()->candidate().empty());
    QCOMPARE(window.document()->history()->stack()->count(), 1);

    QTest::keyClick(axial, Qt::Key_Z, Qt::ControlModifier);
    QCOMPARE(labelled(window, 1), std::size_t(0));
    QTest::keyClick(axial, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
    QCOMPARE(labelled(window, 1), area);
  }

  // A click and its candidate on the axial plane repaint the axial view only: the coronal and
  // sagittal views show nothing of the prompt, and each repaint costs the UI thread beside the
  // engine. A view that showed the candidate repaints when it goes.
  void aPromptRepaintsOnlyTheViewsThatShowIt() {
    QTemporaryDir dir;
    MainWindow window;
    prepare(window, dir.path());
    std::map<SliceAxis, int> paints;
    PaintCounter counter(paints);
    for (SliceAxis axis : {SliceAxis::Axial, SliceAxis::Coronal, SliceAxis::Sagittal}) {
      SliceView* view = window.viewerArea()->view(axis);
      view->setProperty("axis", static_cast<int>(axis));
      view->installEventFilter(&counter);
    }
    SliceView* axial = window.viewerArea()->view(SliceAxis::Axial);
    QTest::keyClick(axial, Qt::Key_A);
    QTest::qWait(100);  // the tool's change painted
    paints.clear();
    QTest::mouseClick(axial, Qt::LeftButton, {}, at(axial, 32.5, 32.5));
    QTRY_VERIFY(!window.tools()->candidate().empty());
    QTRY_VERIFY(paints[SliceAxis::Axial] > 0);
    QTest::qWait(100);
    QCOMPARE(paints[SliceAxis::Coronal], 0);
    QCOMPARE(paints[SliceAxis::Sagittal], 0);
    const int shown = paints[SliceAxis::Axial];
    QTest::keyClick(axial, Qt::Key_Escape);  // the candidate goes: the axial view repaints
    QTRY_VERIFY(paints[SliceAxis::Axial] > shown);
    QTest::qWait(100);
    QCOMPARE(paints[SliceAxis::Coronal], 0);
    QCOMPARE(paints[SliceAxis::Sagittal], 0);
  }

  void escapeDiscardsAndBoxPrompts() {
    QTemporaryDir dir;
    MainWindow window;
    prepare(window, dir.path());
    SliceView* axial = window.viewerArea()->view(SliceAxis::Axial);
    QTest::keyClick(axial, Qt::Key_A);
    // Drag a box around the sphere's cross-section.
    QTest::mousePress(axial, Qt::LeftButton, {}, at(axial, 18, 18));
    QTest::mouseMove(axial, at(axial, 30, 30));
    QTest::mouseMove(axial, at(axial, 46, 46));
    QTest::mouseRelease(axial, Qt::LeftButton, {}, at(axial, 46, 46));
    QVERIFY(window.tools()->box().has_value());
    QTRY_VERIFY(!window.tools()->candidate().empty());
    // The sphere's middle slice: a disc of radius 10 (about 314 pixels).
    const std::size_t area = medsa::annotations::area(window.tools()->candidate());
    QVERIFY2(area > 250 && area < 380, qPrintable(QString::number(area)));
    QTest::keyClick(axial, Qt::Key_Escape);
    QVERIFY(window.tools()->candidate().empty());
    QVERIFY(!window.tools()->hasPrompt());
    QTest::keyClick(axial, Qt::Key_Return);  // nothing to accept
    QCOMPARE(labelled(window, 1), std::size_t(0));
  }

  void lockedLabelsAreNeverOverwritten() {
    QTemporaryDir dir;
    MainWindow window;
    prepare(window, dir.path());
    SliceView* axial = window.viewerArea()->view(SliceAxis::Axial);
    // Label 2 painted with the brush, then locked.
    const quint16 second = addLockedBrushDab(window, axial);
    const std::size_t locked = labelled(window, second);
    QVERIFY(locked > 20);

    // Accepting an AI mask over it into label 1 leaves it whole.
    window.document()->setActiveLabel(1);
    QTest::keyClick(axial, Qt::Key_A);
    QTest::mouseClick(axial, Qt::LeftButton, {}, at(axial, 32.5, 32.5));
    QTRY_VERIFY(!window.tools()->candidate().empty());
    QTest::keyClick(axial, Qt::Key_Return);
    QCOMPARE(labelled(window, second), locked);
    QVERIFY(labelled(window, 1) > 0);
    // The eraser does not touch it either, and a locked active label refuses the brush.
    QTest::keyClick(axial, Qt::Key_E);
    QTest::mousePress(axial, Qt::LeftButton, {}, at(axial, 32, 32));
    QTest::mouseRelease(axial, Qt::LeftButton, {}, at(axial, 32, 32));
    QCOMPARE(labelled(window, second), locked);
    window.document()->setActiveLabel(second);
    const int steps = window.document()->history()->stack()->count();
    QTest::keyClick(axial, Qt::Key_B);
    QTest::mousePress(axial, Qt::LeftButton, {}, at(axial, 10, 10));
    QTest::mouseRelease(axial, Qt::LeftButton, {}, at(axial, 10, 10));
    QCOMPARE(window.document()->history()->stack()->count(), steps);
  }

  void polygonAndLassoFillRespectLocksAndUndo() {
    QTemporaryDir dir;
    MainWindow window;
    prepare(window, dir.path());
    SliceView* axial = window.viewerArea()->view(SliceAxis::Axial);
    QUndoStack* stack = window.document()->history()->stack();
    // A locked label 2 in the middle of where the polygon goes.
    const quint16 second = addLockedBrushDab(window, axial);
    const std::size_t locked = labelled(window, second);
    QVERIFY(locked > 20);
    window.document()->setActiveLabel(1);
    const int before = stack->count();

    // Esc cancels an open polygon without an undo step.
    auto* polygonAction = window.findChild<QAction*>(QStringLiteral("polygonToolAction"));
    QVERIFY(polygonAction);  // listed in Help -> Keyboard Shortcuts with its key
    QCOMPARE(polygonAction->shortcut(), QKeySequence(QStringLiteral("L")));
    QTest::keyClick(axial, Qt::Key_L);
    QCOMPARE(window.tools()->tool(), Tool::Polygon);
    QTest::mouseClick(axial, Qt::LeftButton, {}, at(axial, 20, 20));
    QTest::mouseClick(axial, Qt::LeftButton, {}, at(axial, 44, 20));
    QTest::mouseClick(axial, Qt::LeftButton, {}, at(axial, 44, 44));
    QVERIFY(window.tools()->hasPolygon());
    QTest::keyClick(axial, Qt::Key_Escape);
    QVERIFY(!window.tools()->hasPolygon());
    QCOMPARE(stack->count(), before);
    QCOMPARE(labelled(window, 1), std::size_t(0));

    // Square 20..44 by clicks, closed with Enter: the 24 x 24 pixel centres inside it, on this
    // slice only, minus the locked disc.
    const double corners[4][2] = {{20, 20}, {44, 20}, {44, 44}, {20, 44}};
    for (const auto& c : corners)
      QTest::mouseClick(axial, Qt::LeftButton, {}, at(axial, c[0], c[1]));
    QTest::keyClick(axial, Qt::Key_Return);
    QVERIFY(!window.tools()->hasPolygon());
    QCOMPARE(stack->count(), before + 1);
    QCOMPARE(stack->text(before), QStringLiteral("Polygon fill"));
    QCOMPARE(labelled(window, 1), std::size_t(24 * 24) - locked);
    QCOMPARE(labelled(window, second), locked);
    const std::size_t slice = window.document()->sliceIndex(SliceAxis::Axial);
    const auto values = window.document()->labels().slice(SliceAxis::Axial, slice);
    QVERIFY(values);
    QCOMPARE(values->values[19 * values->width + 19], quint16(0));  // just outside
    QCOMPARE(values->values[20 * values->width + 20], quint16(1));  // just inside
    QCOMPARE(values->values[44 * values->width + 44], quint16(0));

    // Undo restores the slice.
    QTest::keyClick(axial, Qt::Key_Z, Qt::ControlModifier);
    QCOMPARE(labelled(window, 1), std::size_t(0));
    QCOMPARE(labelled(window, second), locked);

    // The same square as a freehand lasso (closed on release), then double click closes a
    // clicked triangle.
    QTest::mousePress(axial, Qt::LeftButton, {}, at(axial, 20, 20));
    for (int x = 22; x <= 44; x += 2) QTest::mouseMove(axial, at(axial, x, 20));
    for (int y = 22; y <= 44; y += 2) QTest::mouseMove(axial, at(axial, 44, y));
    for (int x = 42; x >= 20; x -= 2) QTest::mouseMove(axial, at(axial, x, 44));
    QTest::mouseRelease(axial, Qt::LeftButton, {}, at(axial, 20, 44));
    QVERIFY(!window.tools()->hasPolygon());
    QCOMPARE(labelled(window, 1), std::size_t(24 * 24) - locked);
    QCOMPARE(labelled(window, second), locked);
    QTest::keyClick(axial, Qt::Key_Z, Qt::ControlModifier);
    QCOMPARE(labelled(window, 1), std::size_t(0));

    QTest::mouseClick(axial, Qt::LeftButton, {}, at(axial, 2, 2));
    QTest::mouseClick(axial, Qt::LeftButton, {}, at(axial, 12, 2));
    QTest::mouseClick(axial, Qt::LeftButton, {}, at(axial, 2, 12));
    QTest::mouseDClick(axial, Qt::LeftButton, {}, at(axial, 2, 12));
    QVERIFY(!window.tools()->hasPolygon());
    QVERIFY(labelled(window, 1) > 30 && labelled(window, 1) < 70);
  }

  void brushStrokeEraserAndSliceTools() {
    QTemporaryDir dir;
    MainWindow window;
    prepare(window, dir.path());
    SliceView* axial = window.viewerArea()->view(SliceAxis::Axial);
    QTest::keyClick(axial, Qt::Key_B);
    QTest::keyClick(axial, Qt::Key_BracketRight);  // radius 5 -> 6
    QCOMPARE(window.tools()->brushRadius(), 6);
    QTest::mousePress(axial, Qt::LeftButton, {}, at(axial, 10, 10));
    for (int x = 12; x <= 50; x += 4) QTest::mouseMove(axial, at(axial, x, 10));
    QTest::mouseRelease(axial, Qt::LeftButton, {}, at(axial, 50, 10));
    const std::size_t stroke = labelled(window, 1);
    // A 40-pixel line 12 pixels wide, without gaps: roughly 40*12 + a disc.
    QVERIFY2(stroke > 450 && stroke < 700, qPrintable(QString::number(stroke)));
    QCOMPARE(window.document()->history()->stack()->count(), 1);  // one stroke, one step
    QCOMPARE(window.document()->history()->stack()->text(0), QStringLiteral("Brush stroke"));

    // Eraser through the middle splits it; remove small islands needs small pieces: erase most.
    QTest::keyClick(axial, Qt::Key_E);
    QTest::mousePress(axial, Qt::LeftButton, {}, at(axial, 14, 10));
    for (int x = 16; x <= 50; x += 2) QTest::mouseMove(axial, at(axial, x, 10));
    QTest::mouseRelease(axial, Qt::LeftButton, {}, at(axial, 50, 10));
    const std::size_t left = labelled(window, 1);
    QVERIFY(left > 0 && left < stroke);
    QTest::keyClick(axial, Qt::Key_I);  // the leftover sliver is below 20 pixels? maybe not:
    QVERIFY(labelled(window, 1) <= left);
    QTest::keyClick(axial, Qt::Key_Delete, Qt::ShiftModifier);  // clear slice
    QCOMPARE(labelled(window, 1), std::size_t(0));

    // Fill holes: paint a ring, fill it.
    QTest::keyClick(axial, Qt::Key_B);
    window.tools()->setBrushRadius(2);
    QTest::mousePress(axial, Qt::LeftButton, {}, at(axial, 32 + 12, 32));
    for (int a = 0; a <= 360; a += 10) {
      const double r = a * M_PI / 180;
      QTest::mouseMove(axial, at(axial, 32 + 12 * std::cos(r), 32 + 12 * std::sin(r)));
    }
    QTest::mouseRelease(axial, Qt::LeftButton, {}, at(axial, 32 + 12, 32));
    const std::size_t ring = labelled(window, 1);
    QTest::keyClick(axial, Qt::Key_F);
    QVERIFY2(labelled(window, 1) > ring + 200, qPrintable(QString::number(labelled(window, 1))));
  }

  void wheelScrollsAndLinksViews() {
    QTemporaryDir dir;
    MainWindow window;
    prepare(window, dir.path());
    SliceView* axial = window.viewerArea()->view(SliceAxis::Axial);
    const std::size_t before = window.document()->sliceIndex(SliceAxis::Axial);
    QWheelEvent wheel(axial->rect().center(), axial->mapToGlobal(axial->rect().center()), {},
                      {0, 120}, Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(axial, &wheel);
    QCOMPARE(window.document()->sliceIndex(SliceAxis::Axial), before + 1);
    // Navigate: a click moves the cursor, which picks the coronal and sagittal slices.
    QTest::keyClick(axial, Qt::Key_N);
    QTest::mouseClick(axial, Qt::LeftButton, {}, at(axial, 10.5, 20.5));
    QCOMPARE(window.document()->sliceIndex(SliceAxis::Sagittal), std::size_t(10));
    QCOMPARE(window.document()->sliceIndex(SliceAxis::Coronal), std::size_t(20));
    // Window/level by right drag.
    const medsa::WindowLevel w0 = window.document()->window();
    QTest::mousePress(axial, Qt::RightButton, {}, at(axial, 20, 20));
    QTest::mouseMove(axial, at(axial, 30, 25));
    QTest::mouseRelease(axial, Qt::RightButton, {}, at(axial, 30, 25));
    QVERIFY(!(window.document()->window() == w0));
    // Layouts.
    window.findChild<QAction*>(QStringLiteral("singleViewAction"))->trigger();
    QVERIFY(axial->isVisible());
    QVERIFY(!window.viewerArea()->view(SliceAxis::Coronal)->isVisible());
  }

  void propagationFollowsTheSphere() {
    QTemporaryDir dir;
    MainWindow window;
    prepare(window, dir.path());
    SliceView* axial = window.viewerArea()->view(SliceAxis::Axial);
    QTest::keyClick(axial, Qt::Key_A);
    dragBox(axial, 18, 18, 46, 46);
    QTRY_VERIFY(!window.tools()->candidate().empty());
    QTest::keyClick(axial, Qt::Key_Return);
    const std::size_t start = labelled(window, 1);
    QSignalSpy done(&window, &MainWindow::propagationFinished);
    QTest::keyClick(axial, Qt::Key_P, Qt::ControlModifier);
    QVERIFY(done.wait(20000));
    activateAgain(window);  // after the modal progress dialog
    const int slices = done.first().first().toInt();
    // The sphere (radius 10 around z = 16) spans z = 6..26; the fake engine loses it when the
    // section gets smaller than the minimum area, a few slices before the poles.
    QVERIFY2(slices >= 12 && slices <= 20, qPrintable(QString::number(slices)));
    QVERIFY(labelled(window, 1) > start * 5);
    QCOMPARE(window.document()->labels().slice(SliceAxis::Axial, 0)->values,
             std::vector<std::uint16_t>(64 * 64, 0));
    // One undo step takes the whole propagation back.
    QTest::keyClick(axial, Qt::Key_Z, Qt::ControlModifier);
    QCOMPARE(labelled(window, 1), start);
  }

  void autosaveAndRecovery() {
    QTemporaryDir dir;
    std::size_t painted = 0;
    {
      MainWindow window;
      prepare(window, dir.path());
      SliceView* axial = window.viewerArea()->view(SliceAxis::Axial);
      QSignalSpy saved(&window, &MainWindow::autosaved);
      QTest::keyClick(axial, Qt::Key_A);
      QTest::mouseClick(axial, Qt::LeftButton, {}, at(axial, 32.5, 32.5));
      QTRY_VERIFY(!window.tools()->candidate().empty());
      QTest::keyClick(axial, Qt::Key_Return);  // an accept autosaves at once
      QVERIFY(saved.wait(5000));
      QVERIFY(saved.first().first().toBool());
      painted = labelled(window, 1);
      QVERIFY(QFileInfo::exists(window.session()->autosaveFile()));
      // No temporary files are left beside it and its lock.
      QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), 2);
      // Simulate a crash: the window goes away without closeEvent (no clean shutdown).
      window.waitForBackgroundWork();
      window.hide();
    }
    MainWindow next;
    next.setAutosaveFolder(dir.path());
    next.setDemoProvider([] { return makeSphereVolume(); });
    QSignalSpy checked(&next, &MainWindow::recoveryChecked);
    QSignalSpy recovered(next.session(), &medsa::ui::DocumentSession::recovered);
    QVERIFY(next.offerRecovery(/*ask=*/false));  // read on a worker thread
    QVERIFY(checked.wait(5000));
    QVERIFY(checked.first().first().toBool());
    QVERIFY(recovered.count() == 1 || recovered.wait(5000));
    QCOMPARE(next.document()->labels().count(1), painted);
    QVERIFY(next.session()->isModified());
    // The recovered step cannot be undone away into nothing by accident: history starts here.
    QCOMPARE(next.document()->history()->stack()->count(), 0);
  }

  void shortcutsDialogListsEveryTool() {
    MainWindow window;
    for (const char* name :
         {"navigateToolAction", "aiToolAction", "brushToolAction", "eraserToolAction",
          "acceptAction", "discardAction", "nextCandidateAction", "fillHolesAction",
          "removeIslandsAction", "clearSliceAction", "propagateAction", "undoAction", "redoAction",
          "saveLabelsAction", "openAction", "shortcutsAction"}) {
      auto* action = window.findChild<QAction*>(QString::fromLatin1(name));
      QVERIFY2(action, name);
      QVERIFY2(!action->shortcut().isEmpty(), name);
    }
    int rows = 0;
    QTimer::singleShot(0, &window, [&] {
      auto* dialog = window.findChild<QDialog*>(QStringLiteral("shortcutsDialog"));
      if (!dialog) return;
      rows = dialog->findChild<QTableWidget*>(QStringLiteral("shortcutsTable"))->rowCount();
      dialog->reject();
    });
    window.findChild<QAction*>(QStringLiteral("shortcutsAction"))->trigger();
    QVERIFY2(rows > 25, qPrintable(QString::number(rows)));
  }

  void aiToolsNeedAModel() {
    MainWindow window;
    QVERIFY(!window.findChild<QAction*>(QStringLiteral("aiToolAction"))->isEnabled());
    QVERIFY(window.findChild<QAction*>(QStringLiteral("brushToolAction"))->isEnabled());
    QVERIFY(window.findChild<QLabel*>(QStringLiteral("latencyLabel"))
                ->text()
                .contains(QStringLiteral("Load Model")));
  }

  void openPathReportsFileAndReason() {
    MainWindow window;
    window.setImageReader([](const std::string& path, const std::string&, medsa::ProgressSink*,
                             medsa::CancellationToken) -> medsa::Result<medsa::Image> {
      return medsa::Error{medsa::ErrorCode::NotAnImage, "not an image of any known format", path};
    });
    QString shown;
    QTimer::singleShot(500, &window, [&] {
      for (QWidget* w : QApplication::topLevelWidgets()) {
        if (auto* box = qobject_cast<QMessageBox*>(w)) {
          shown = box->text();
          box->accept();
        }
      }
    });
    window.openPath(QStringLiteral("/tmp/broken.nii"));
    QTRY_VERIFY_WITH_TIMEOUT(!shown.isEmpty(), 5000);
    QVERIFY(shown.contains(QStringLiteral("/tmp/broken.nii")));
    QVERIFY(shown.contains(QStringLiteral("not an image")));
  }

  void folderWithTwoSeriesAsksWhichToOpen() {
    QTemporaryDir folder;
    MainWindow window;
    SeriesReader reader;
    std::atomic<int> scans = 0;
    window.setImageReader(reader.reader());
    window.setSeriesScanner(
        [&scans](const std::string&, medsa::ProgressSink*,
                 medsa::CancellationToken) -> medsa::Result<std::vector<medsa::ui::SeriesEntry>> {
          ++scans;
          return twoSeries();
        });
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QSignalSpy loaded(&window, &MainWindow::imageLoaded);
    int rows = 0;
    QStringList preselected;
    QString sizeText;
    whenPickerShows([&](QDialog* dialog) {
      auto* table = dialog->findChild<QTableWidget*>(QStringLiteral("seriesTable"));
      if (!table) return dialog->reject();
      rows = table->rowCount();
      for (QTableWidgetItem* item : table->selectedItems()) preselected << item->text();
      sizeText = table->item(1, 5)->text();
      table->selectRow(1);
      dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok)->click();
    });
    window.openPath(folder.path());
    QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, 10000);
    QCOMPARE(scans.load(), 1);
    QCOMPARE(rows, 2);
    QVERIFY2(preselected.contains(QStringLiteral("Chest CT")), qPrintable(preselected.join(u',')));
    QCOMPARE(sizeText, QStringLiteral("40 \u00d7 30 \u00d7 1"));
    // The chosen series, and only it, was read.
    const auto calls = reader.list();
    QCOMPARE(calls.size(), std::size_t(1));
    QCOMPARE(QString::fromStdString(calls[0].first), folder.path());
    QCOMPARE(QString::fromStdString(calls[0].second), QStringLiteral("1.2.826.0.1.2"));
    QCOMPARE(window.document()->image()->size(0), std::size_t(40));
    QCOMPARE(window.document()->image()->size(1), std::size_t(30));
    QCOMPARE(window.document()->path(), folder.path());
    QVERIFY(window.document()->imageId().endsWith(QStringLiteral("1.2.826.0.1.2")));
    // Recent files reopen the folder (and so ask again).
    const QList<QAction*> recent =
        window.findChild<QMenu*>(QStringLiteral("recentMenu"))->actions();
    QVERIFY(!recent.isEmpty());
    QCOMPARE(recent.first()->text(), folder.path());
    // ...where the series chosen last time starts selected; OK opens it.
    preselected.clear();
    whenPickerShows([&](QDialog* dialog) {
      auto* table = dialog->findChild<QTableWidget*>(QStringLiteral("seriesTable"));
      for (QTableWidgetItem* item : table->selectedItems()) preselected << item->text();
      dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok)->click();
    });
    recent.first()->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 2, 10000);
    QVERIFY2(preselected.contains(QStringLiteral("Scout")), qPrintable(preselected.join(u',')));
    QCOMPARE(scans.load(), 2);
    QCOMPARE(QString::fromStdString(reader.list().back().second), QStringLiteral("1.2.826.0.1.2"));
  }

  void seriesPickerListsAndOpensOnDoubleClick() {
    medsa::ui::SeriesPickerDialog picker(QStringLiteral("/data/study"), twoSeries());
    picker.show();
    QVERIFY(QTest::qWaitForWindowExposed(&picker));
    QTableWidget* table = picker.table();
    QCOMPARE(table->objectName(), QStringLiteral("seriesTable"));
    QCOMPARE(table->rowCount(), 2);
    const QStringList row0{table->item(0, 0)->text(), table->item(0, 1)->text(),
                           table->item(0, 2)->text(), table->item(0, 5)->text(),
                           table->item(0, 7)->text()};
    QCOMPARE(row0, (QStringList{QStringLiteral("2"), QStringLiteral("Chest CT"),
                                QStringLiteral("CT"), QStringLiteral("64 \u00d7 64 \u00d7 32"),
                                QStringLiteral("1.2.826.0.1.1")}));
    QCOMPARE(picker.selectedUid(), QStringLiteral("1.2.826.0.1.1"));  // the largest
    const QRect second = table->visualItemRect(table->item(1, 1));
    // A double click as the platform delivers it: a click, then the second press as a double.
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, second.center());
    QVERIFY(picker.isVisible());  // a single click only selects
    QTest::mouseDClick(table->viewport(), Qt::LeftButton, {}, second.center());
    QCOMPARE(picker.result(), int(QDialog::Accepted));
    QCOMPARE(picker.selectedUid(), QStringLiteral("1.2.826.0.1.2"));
    // The series chosen last time wins over the largest.
    medsa::ui::SeriesPickerDialog again(QStringLiteral("/data/study"), twoSeries(),
                                        QStringLiteral("1.2.826.0.1.2"));
    QCOMPARE(again.selectedUid(), QStringLiteral("1.2.826.0.1.2"));
  }

  void cancellingThePickerOpensNothing() {
    QTemporaryDir folder;
    MainWindow window;
    SeriesReader reader;
    window.setImageReader(reader.reader());
    window.setSeriesScanner(
        [](const std::string&, medsa::ProgressSink*,
           medsa::CancellationToken) -> medsa::Result<std::vector<medsa::ui::SeriesEntry>> {
          return twoSeries();
        });
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    bool shown = false;
    whenPickerShows([&](QDialog* dialog) {
      shown = true;
      dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Cancel)->click();
    });
    window.openPath(folder.path());
    QTRY_VERIFY_WITH_TIMEOUT(shown, 10000);
    QTRY_VERIFY(!window.isLoading());
    QCoreApplication::processEvents();
    QVERIFY(reader.list().empty());
    QVERIFY(!window.document()->hasImage());
    QCOMPARE(window.statusLine()->message(), QStringLiteral("Opening cancelled"));

    // A folder of one series opens it without asking; a file is never scanned.
    window.setSeriesScanner(
        [](const std::string&, medsa::ProgressSink*,
           medsa::CancellationToken) -> medsa::Result<std::vector<medsa::ui::SeriesEntry>> {
          return std::vector<medsa::ui::SeriesEntry>{twoSeries().back()};
        });
    QSignalSpy loaded(&window, &MainWindow::imageLoaded);
    window.openPath(folder.path());
    QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, 10000);
    QCOMPARE(reader.list().size(), std::size_t(1));
    QCOMPARE(QString::fromStdString(reader.list().back().second), QStringLiteral("1.2.826.0.1.2"));
    const QString file = folder.filePath(QStringLiteral("scan.nii"));
    window.openPath(file);
    QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 2, 10000);
    QCOMPARE(reader.list().size(), std::size_t(2));
    QCOMPARE(QString::fromStdString(reader.list().back().first), file);
    QVERIFY(reader.list().back().second.empty());
  }

  void scanShowsProgressAndCancels() {
    QTemporaryDir folder;
    MainWindow window;
    SeriesReader reader;
    window.setImageReader(reader.reader());
    // A scan that reports progress until it is cancelled (or gives up after 10 s).
    window.setSeriesScanner(
        [](const std::string& path, medsa::ProgressSink* progress,
           medsa::CancellationToken cancel) -> medsa::Result<std::vector<medsa::ui::SeriesEntry>> {
          for (int i = 0; i < 1000 && !cancel.isCancelled(); ++i) {
            if (progress) progress->report(0.5, "scanning");
            QThread::msleep(10);
          }
          if (cancel.isCancelled())
            return medsa::Error{medsa::ErrorCode::Cancelled, "cancelled", path};
          return twoSeries();
        });
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.openPath(folder.path());
    QVERIFY(window.isLoading());
    auto* bar = window.findChild<QProgressBar*>(QStringLiteral("loadProgress"));
    QVERIFY(bar);
    QTRY_COMPARE(bar->value(), 50);
    QToolButton* cancel = nullptr;
    for (QToolButton* button : window.statusBar()->findChildren<QToolButton*>()) {
      if (button->isVisible() && button->text() == QStringLiteral("Cancel")) cancel = button;
    }
    QVERIFY(cancel);
    cancel->click();
    QTRY_VERIFY(!window.isLoading());
    QCOMPARE(window.statusLine()->message(), QStringLiteral("Opening cancelled"));
    QVERIFY(!bar->isVisible());
    QVERIFY(reader.list().empty());
    QVERIFY(!window.document()->hasImage());
  }

  void scanErrorsNameTheFolder() {
    QTemporaryDir folder;
    MainWindow window;
    SeriesReader reader;
    window.setImageReader(reader.reader());
    // Empty: the error's path is filled in with the folder.
    window.setSeriesScanner(
        [](const std::string&, medsa::ProgressSink*,
           medsa::CancellationToken) -> medsa::Result<std::vector<medsa::ui::SeriesEntry>> {
          return medsa::Error{medsa::ErrorCode::NotAnImage, "no DICOM image in this folder", {}};
        });
    QStringList shown;
    auto answerBoxes = [&shown] {
      for (QWidget* w : QApplication::topLevelWidgets()) {
        if (auto* box = qobject_cast<QMessageBox*>(w); box && box->isVisible()) {
          shown << box->windowTitle() + QLatin1Char('|') + box->text();
          box->accept();
        }
      }
    };
    QTimer timer;
    connect(&timer, &QTimer::timeout, this, answerBoxes);
    timer.start(50);
    window.openPath(folder.path());
    QTRY_COMPARE_WITH_TIMEOUT(shown.size(), 1, 10000);
    QVERIFY2(shown[0].contains(folder.path()), qPrintable(shown[0]));
    QVERIFY2(shown[0].contains(QStringLiteral("no DICOM image")), qPrintable(shown[0]));
    QVERIFY2(shown[0].startsWith(QStringLiteral("Cannot open DICOM folder")), qPrintable(shown[0]));
    // A scan that finds nothing is an error too, not an empty picker.
    window.setSeriesScanner(
        [](const std::string&, medsa::ProgressSink*,
           medsa::CancellationToken) -> medsa::Result<std::vector<medsa::ui::SeriesEntry>> {
          return std::vector<medsa::ui::SeriesEntry>{};
        });
    window.openPath(folder.path());
    QTRY_COMPARE_WITH_TIMEOUT(shown.size(), 2, 10000);
    QVERIFY2(shown[1].contains(folder.path()), qPrintable(shown[1]));
    QVERIFY(reader.list().empty());
    QVERIFY(!window.document()->hasImage());
  }

  void quitClosesTheWindow() {
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.findChild<QAction*>(QStringLiteral("quitAction"))->trigger();
    QVERIFY(!window.isVisible());
  }
};

QTEST_MAIN(TestUi)
#include "test_ui.moc"
