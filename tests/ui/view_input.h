#pragma once

#include <QPoint>
#include <QTest>

#include "medsa/ui/slice_view.h"

/// The widget point over display pixel (x, y) of a view's slice.
inline QPoint at(medsa::ui::SliceView* view, double x, double y) {
  return view->toWidget({x, y}).toPoint();
}

/// A left-button drag from (x0, y0) to (x1, y1) in slice pixels, through the midpoint: a box
/// prompt with the AI tool.
inline void dragBox(medsa::ui::SliceView* view, double x0, double y0, double x1, double y1) {
  QTest::mousePress(view, Qt::LeftButton, {}, at(view, x0, y0));
  QTest::mouseMove(view, at(view, (x0 + x1) / 2, (y0 + y1) / 2));
  QTest::mouseMove(view, at(view, x1, y1));
  QTest::mouseRelease(view, Qt::LeftButton, {}, at(view, x1, y1));
}

/// After a modal dialog closed, shortcuts reach `window` only once it is active again (the
/// offscreen platform does not re-activate it by itself).
inline void activateAgain(QWidget& window) {
  window.activateWindow();
  QVERIFY(QTest::qWaitForWindowActive(&window));
}
