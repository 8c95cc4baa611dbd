#include "medsa/ui/viewer_area.h"

#include <QPainter>

namespace medsa::ui {

ViewerArea::ViewerArea(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("viewerArea"));
  setMinimumSize(320, 240);
  setAutoFillBackground(true);
  QPalette darkPalette = palette();
  // Medical viewers use a black background so that window/level is judged against true black.
  darkPalette.setColor(QPalette::Window, Qt::black);
  darkPalette.setColor(QPalette::WindowText, QColor(0xb0, 0xb0, 0xb0));
  setPalette(darkPalette);
}

QString ViewerArea::placeholderText() const { return tr("No image open"); }

void ViewerArea::paintEvent(QPaintEvent* /*event*/) {
  QPainter painter(this);
  painter.setPen(palette().color(QPalette::WindowText));
  painter.drawText(rect(), Qt::AlignCenter, placeholderText());
}

}  // namespace medsa::ui
