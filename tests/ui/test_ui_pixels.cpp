// The views as a user sees them: each state a user meets is rendered with QWidget::grab() and
// judged by its pixels. The image stays visible under every overlay, the candidate has its edge
// colour and a translucent fill, point markers stay small, and nothing fills the view.
#include <QApplication>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <functional>

#include "fake_engine.h"
#include "medsa/ui/document.h"
#include "medsa/ui/line_chart.h"
#include "medsa/ui/main_window.h"
#include "medsa/ui/slice_view.h"
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

QImage grabView(SliceView* view) {
  return view->grab().toImage().convertToFormat(QImage::Format_RGB32);
}

bool near(QRgb a, QRgb b, int tolerance) {
  return std::abs(qRed(a) - qRed(b)) <= tolerance && std::abs(qGreen(a) - qGreen(b)) <= tolerance &&
         std::abs(qBlue(a) - qBlue(b)) <= tolerance;
}

/// The share of pixels that differ from the baseline by more than a little.
double changed(const QImage& baseline, const QImage& now) {
  if (baseline.size() != now.size()) return 1;
  qint64 differ = 0;
  for (int y = 0; y < now.height(); ++y)
    for (int x = 0; x < now.width(); ++x)
      if (!near(baseline.pixel(x, y), now.pixel(x, y), 12)) ++differ;
  return double(differ) / (double(now.width()) * now.height());
}

/// Pixels that match, leaving out the border where the focus frame is drawn.
int count(const QImage& image, const std::function<bool(QRgb)>& is) {
  int n = 0;
  for (int y = 4; y < image.height() - 4; ++y)
    for (int x = 4; x < image.width() - 4; ++x)
      if (is(image.pixel(x, y))) ++n;
  return n;
}

medsa::ui::EngineFactory fakeEngine() {
  return []() -> medsa::Result<std::unique_ptr<medsa::SegmentationEngine>> {
    return std::unique_ptr<medsa::SegmentationEngine>(new FakeEngine());
  };
}

}  // namespace

class TestUiPixels : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

  void promptsAndToolsNeverPaintOverTheImage_data() {
    QTest::addColumn<QString>("state");
    for (const char* state : {"positive point", "negative point", "box", "box and points",
                              "candidate", "polygon in progress", "rubber band", "brush outline"})
      QTest::newRow(state) << QString::fromLatin1(state);
  }

  void promptsAndToolsNeverPaintOverTheImage() {
    QFETCH(QString, state);
    QTemporaryDir dir;
    MainWindow window;
    showSphereWithEngine(window, dir.path(), fakeEngine());
    SliceView* axial = window.viewerArea()->view(SliceAxis::Axial);
    axial->setFocus();
    QTRY_VERIFY(axial->hasFocus());
    medsa::ui::ToolController* tools = window.tools();
    const QImage baseline = grabView(axial);
    QVERIFY(count(baseline, [](QRgb c) { return qGray(c) > 150; }) > 500);  // the sphere shows

    const auto waitCandidate = [tools] {
      return QTest::qWaitFor(
          [tools] { return !tools->candidate().empty() && !tools->isPredicting(); }, 5000);
    };
    bool releaseAfter = false;
    if (state == QStringLiteral("positive point") || state == QStringLiteral("negative point")) {
      tools->setTool(Tool::Ai);
      // Far from the sphere, so the (fake) candidate is empty and only the marker shows.
      tools->addPoint(SliceAxis::Axial, 16, 8.5, 8.5, state.startsWith(QLatin1Char('p')));
      QTest::qWait(200);
    } else if (state == QStringLiteral("box")) {
      tools->setTool(Tool::Ai);
      tools->setBox(SliceAxis::Axial, 16, {2, 2, 12, 12});
      QTest::qWait(200);
    } else if (state == QStringLiteral("box and points")) {
      tools->setTool(Tool::Ai);
      tools->setBox(SliceAxis::Axial, 16, {2, 2, 12, 12});
      tools->addPoint(SliceAxis::Axial, 16, 6.5, 6.5, true);
      tools->addPoint(SliceAxis::Axial, 16, 9.5, 9.5, false);
      QTest::qWait(200);
    } else if (state == QStringLiteral("candidate")) {
      tools->setTool(Tool::Ai);
      tools->addPoint(SliceAxis::Axial, 16, 32.5, 32.5, true);
      QVERIFY(waitCandidate());
    } else if (state == QStringLiteral("polygon in progress")) {
      tools->setTool(Tool::Polygon);
      QTest::mouseClick(axial, Qt::LeftButton, {}, at(axial, 4, 4));
      QTest::mouseClick(axial, Qt::LeftButton, {}, at(axial, 14, 4));
    } else if (state == QStringLiteral("rubber band")) {
      tools->setTool(Tool::Ai);
      QTest::mousePress(axial, Qt::LeftButton, {}, at(axial, 2, 2));
      QTest::mouseMove(axial, at(axial, 8, 8));
      QTest::mouseMove(axial, at(axial, 14, 14));
      releaseAfter = true;
    } else if (state == QStringLiteral("brush outline")) {
      tools->setTool(Tool::Brush);
      QTest::mouseMove(axial, at(axial, 10, 10));
    }
    const QImage shown = grabView(axial);
    if (releaseAfter) QTest::mouseRelease(axial, Qt::LeftButton, {}, at(axial, 14, 14));

    // Nothing fills the view: only the overlay's own pixels changed.
    const double share = changed(baseline, shown);
    // A candidate (the fake engine makes one for a positive point too) covers part of the view.
    const bool candidate = !tools->candidate().empty();
    QVERIFY2(share < (candidate ? 0.25 : 0.05),
             qPrintable(QStringLiteral("%1 of the view changed").arg(share)));
    // The image is still there: the sphere's bright pixels are as many as before (give or take
    // what the overlay covers).
    const int bright = count(shown, [](QRgb c) { return qGray(c) > 150; });
    QVERIFY2(bright > 300, qPrintable(QString::number(bright)));

    if (state.endsWith(QStringLiteral("point"))) {
      // A small marker: at most the area of a disc a little larger than its radius.
      const QRgb marker =
          state.startsWith(QLatin1Char('p')) ? qRgb(0x20, 0xc0, 0x40) : qRgb(0xe0, 0x30, 0x30);
      const int pixels = count(shown, [marker](QRgb c) { return near(c, marker, 40); });
      const double r = SliceView::kPointRadius + 2;
      QVERIFY2(pixels > 5 && pixels < M_PI * r * r, qPrintable(QString::number(pixels)));
    }
    if (state == QStringLiteral("candidate")) {
      // The edge in its colour, the inside a blend of yellow over the image.
      const QPoint centre = at(axial, 32.5, 32.5);
      const QRgb inside = shown.pixel(centre);
      const QRgb under = baseline.pixel(centre);
      QVERIFY(!near(inside, under, 10));
      QVERIFY(!near(inside, qRgb(255, 220, 0), 20));
      QVERIFY(qBlue(inside) < qBlue(under));  // yellow takes blue away, the image shows through
      QVERIFY(count(shown, [](QRgb c) { return near(c, qRgb(255, 230, 0), 12); }) > 10);
    }
  }

  void theFocusFrameIsOnlyAFrame() {
    QTemporaryDir dir;
    MainWindow window;
    showSphereWithEngine(window, dir.path(), fakeEngine());
    SliceView* axial = window.viewerArea()->view(SliceAxis::Axial);
    SliceView* coronal = window.viewerArea()->view(SliceAxis::Coronal);
    coronal->setFocus();
    QTRY_VERIFY(coronal->hasFocus());
    const QImage unfocused = grabView(axial);
    axial->setFocus();
    QTRY_VERIFY(axial->hasFocus());
    // After a point (whose marker sets a fill), the frame is still drawn without one.
    window.tools()->setTool(Tool::Ai);
    window.tools()->addPoint(SliceAxis::Axial, 16, 8.5, 8.5, true);
    QTest::qWait(200);
    window.tools()->discard();
    const QImage focused = grabView(axial);
    for (int y = 0; y < focused.height(); ++y) {
      for (int x = 0; x < focused.width(); ++x) {
        const bool border = x < 4 || y < 4 || x >= focused.width() - 4 || y >= focused.height() - 4;
        if (!border && !near(focused.pixel(x, y), unfocused.pixel(x, y), 12))
          QFAIL(
              qPrintable(QStringLiteral("pixel (%1, %2) changed inside the frame").arg(x).arg(y)));
      }
    }
    QVERIFY(changed(unfocused, focused) > 0.001);  // the frame itself is drawn
  }

  void acceptedLabelsAreTranslucentAndUnknownValuesAreNotWhite() {
    QTemporaryDir dir;
    MainWindow window;
    showSphereWithEngine(window, dir.path(), fakeEngine());
    SliceView* axial = window.viewerArea()->view(SliceAxis::Axial);
    const QImage baseline = grabView(axial);
    window.tools()->setTool(Tool::Ai);
    window.tools()->addPoint(SliceAxis::Axial, 16, 32.5, 32.5, true);
    QTRY_VERIFY(!window.tools()->candidate().empty());
    QVERIFY(window.tools()->accept());
    const QImage labelled = grabView(axial);
    const QPoint centre = at(axial, 32.5, 32.5);
    const QColor colour = window.document()->labelSet().find(1)->colour;
    QVERIFY(!near(labelled.pixel(centre), baseline.pixel(centre), 10));
    QVERIFY(!near(labelled.pixel(centre), colour.rgb(), 10));
    // A value the label set does not know (a label removed from the set only) is drawn in a
    // colour of its own, not in opaque white.
    medsa::annotations::LabelSet set = window.document()->labelSet();
    set.add(QStringLiteral("second"));
    window.document()->setLabelSet(set);
    set.remove(1);
    window.document()->setLabelSet(set);
    const QRgb unknown = grabView(axial).pixel(centre);
    QVERIFY(!near(unknown, qRgb(255, 255, 255), 30));
    QVERIFY(!near(unknown, baseline.pixel(centre), 10));
  }

  void titlesAndLettersDoNotMeetInSmallViews() {
    QTemporaryDir dir;
    MainWindow window;
    showSphereWithEngine(window, dir.path(), fakeEngine());
    window.resize(640, 520);
    QTest::qWait(100);
    SliceView* coronal = window.viewerArea()->view(SliceAxis::Coronal);
    const QImage shown = grabView(coronal);
    // The letter colour must not appear on the title's line left of the middle.
    const QRgb letter = qRgb(0xd0, 0xd0, 0x60);
    const int line = coronal->fontMetrics().height() + 4;
    int overlap = 0;
    for (int y = 0; y < line; ++y)
      for (int x = 0;
           x < shown.width() / 2 + coronal->fontMetrics().horizontalAdvance(QLatin1Char('W')); ++x)
        if (near(shown.pixel(x, y), letter, 30)) ++overlap;
    QVERIFY2(coronal->width() < 300, qPrintable(QString::number(coronal->width())));
    QCOMPARE(overlap, 0);
  }

  void titlesStayReadableOverABrightImage() {
    // Zoomed in until the image fills the view, with a window that shows all of it white: the
    // title's box must stay dark around its letters.
    QTemporaryDir dir;
    MainWindow window;
    showSphereWithEngine(window, dir.path(), fakeEngine());
    window.document()->setWindow({0, 20, false});
    SliceView* sagittal = window.viewerArea()->view(SliceAxis::Sagittal);
    const QPointF centre = QPointF(sagittal->width() / 2.0, sagittal->height() / 2.0);
    for (int step = 0; step < 12; ++step) {
      QWheelEvent wheel(centre, sagittal->mapToGlobal(centre), QPoint(), QPoint(0, 120),
                        Qt::NoButton, Qt::ControlModifier, Qt::NoScrollPhase, false);
      QApplication::sendEvent(sagittal, &wheel);
    }
    QTRY_VERIFY(sagittal->zoom() > 8);
    const QImage shown = grabView(sagittal);
    QVERIFY(near(shown.pixel(shown.width() / 2 + 20, shown.height() / 3), qRgb(255, 255, 255), 12));
    const QRect title(8, 6, sagittal->fontMetrics().horizontalAdvance(QStringLiteral("Sagittal")),
                      sagittal->fontMetrics().ascent() - 2);
    int white = 0;
    for (int y = title.top(); y <= title.bottom(); ++y)
      for (int x = title.left(); x <= title.right(); ++x)
        if (near(shown.pixel(x, y), qRgb(255, 255, 255), 40)) ++white;
    QVERIFY2(white < title.width() * title.height() / 10,
             qPrintable(QStringLiteral("%1 white pixels of %2")
                            .arg(white)
                            .arg(title.width() * title.height())));
  }

  void photographsShowOneViewVolumesThree() {
    QTemporaryDir dir;
    MainWindow window;
    showSphereWithEngine(window, dir.path(), fakeEngine());
    for (SliceAxis axis : {SliceAxis::Axial, SliceAxis::Coronal, SliceAxis::Sagittal}) {
      SliceView* view = window.viewerArea()->view(axis);
      QVERIFY(view->isVisible());
      QVERIFY(count(grabView(view), [](QRgb c) { return qGray(c) > 150; }) > 50);
    }
    auto photo = std::make_shared<medsa::Image>(
        medsa::Image::create({80, 60, 1, 1}, 3, medsa::PixelType::U8).value());
    for (std::size_t y = 0; y < 60; ++y)
      for (std::size_t x = 0; x < 80; ++x) photo->setValue(x, y, 0, 0, 0, 200);
    window.openImage(photo, QString(), QStringLiteral("test:photo"));
    QTest::qWait(50);
    int visible = 0;
    for (SliceAxis axis : {SliceAxis::Axial, SliceAxis::Coronal, SliceAxis::Sagittal})
      if (window.viewerArea()->view(axis)->isVisible()) ++visible;
    QCOMPARE(visible, 1);
    SliceView* view = window.viewerArea()->view(window.viewerArea()->activeAxis());
    QVERIFY(count(grabView(view), [](QRgb c) { return qRed(c) > 150 && qGreen(c) < 50; }) > 500);
  }

  void theChartDrawsItsSeriesMarkersAndRoundTicks() {
    const auto same = [](const std::vector<double>& a, const std::vector<double>& b) {
      if (a.size() != b.size()) return false;
      for (std::size_t i = 0; i < a.size(); ++i)
        if (std::abs(a[i] - b[i]) > 1e-9) return false;
      return true;
    };
    QVERIFY(same(medsa::ui::niceTicks(0, 1, 5), {0, 0.2, 0.4, 0.6, 0.8, 1.0}));
    QVERIFY(same(medsa::ui::niceTicks(3, 47, 5), {10, 20, 30, 40}));
    medsa::ui::LineChart chart;
    chart.resize(400, 240);
    chart.setTitle(QStringLiteral("held-out Dice"));
    chart.setYRange(0, 1);
    chart.setSeries(
        {{QStringLiteral("Dice"), QColor(0, 160, 0), {0, 1, 2, 3}, {0.2, 0.5, 0.6, 0.8}, true},
         {QStringLiteral("loss"), QColor(200, 0, 0), {0, 1, 2, 3}, {0.9, std::nan(""), 0.4, 0.3}}});
    chart.setMarkers({{2, QStringLiteral("v2")}});
    const QImage image = chart.grab().toImage().convertToFormat(QImage::Format_RGB32);
    QVERIFY(count(image, [](QRgb c) { return near(c, qRgb(0, 160, 0), 40); }) > 100);
    QVERIFY(count(image, [](QRgb c) { return near(c, qRgb(200, 0, 0), 40); }) > 50);
    // Nothing but the frame and text reaches the widget's edge: the series stay in the plot.
    for (int y = 0; y < image.height(); ++y) {
      QVERIFY(!near(image.pixel(image.width() - 2, y), qRgb(0, 160, 0), 40));
      QVERIFY(!near(image.pixel(image.width() - 2, y), qRgb(200, 0, 0), 40));
    }
  }

  void aShortChartKeepsItsYTitleWhole() {
    // The trainer panel's charts are short: the y title must not be cut to the plot's height.
    medsa::ui::LineChart chart;
    chart.resize(300, 120);
    chart.setAxisTitles(QStringLiteral("case"), QStringLiteral("clicks / minutes"));
    const QImage image = chart.grab().toImage().convertToFormat(QImage::Format_RGB32);
    const QRgb text = chart.palette().color(QPalette::Text).rgb();
    const int strip = chart.fontMetrics().height() + 2;  // the rotated title's column
    int top = image.height(), bottom = -1;
    for (int y = 0; y < image.height(); ++y)
      for (int x = 0; x < strip; ++x)
        if (near(image.pixel(x, y), text, 60)) {
          top = std::min(top, y);
          bottom = std::max(bottom, y);
        }
    const int titleLength =
        chart.fontMetrics().horizontalAdvance(QStringLiteral("clicks / minutes"));
    QVERIFY2(bottom - top >= titleLength * 8 / 10,
             qPrintable(QStringLiteral("title spans rows %1-%2, %3 px long")
                            .arg(top)
                            .arg(bottom)
                            .arg(titleLength)));
  }
};

QTEST_MAIN(TestUiPixels)
#include "test_ui_pixels.moc"
